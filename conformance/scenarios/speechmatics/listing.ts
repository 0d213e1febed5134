import type { Scenario } from '../../scenario.ts';
import { submit } from './journey.ts';

export const listing: Scenario = {
  name: 'listing',
  title: 'List: newest first, limit and created_before honoured',
  async run(ctx) {
    const ids: string[] = [];
    await ctx.step('submit three jobs, a moment apart', async () => {
      for (let i = 0; i < 3; i++) {
        ids.push(await submit(ctx));
        if (ctx.time.controllable) await ctx.time.advance(1);
        else await new Promise((resolve) => setTimeout(resolve, 20));
      }
    });
    let created: Array<{ id: string; created_at: string }> = [];
    await ctx.step('the list starts with the newest', async () => {
      const list = await ctx.call('listJobs', { query: { limit: '100' } });
      created = (list.json<{ jobs?: Array<{ id: string; created_at: string }> }>()?.jobs ?? []).filter((j) => ids.includes(j.id));
      ctx.expect(created.map((j) => j.id).join() === [...ids].reverse().join(), { message: 'Jobs are not listed newest first', expected: [...ids].reverse().join(', '), received: created.map((j) => j.id).join(', '), call: list });
    });
    await ctx.step('limit caps the list', async () => {
      const two = await ctx.call('listJobs', { query: { limit: '2' } });
      const count = two.json<{ jobs?: unknown[] }>()?.jobs?.length ?? -1;
      ctx.expect(count === 2, { message: 'limit=2 did not give two jobs', expected: '2 jobs', received: `${count}`, call: two });
    });
    await ctx.step('created_before pages back from a job', async () => {
      const cursor = created[0]!.created_at;
      const older = await ctx.call('listJobs', { query: { created_before: cursor } });
      const olderIds = (older.json<{ jobs?: Array<{ id: string }> }>()?.jobs ?? []).map((j) => j.id);
      ctx.expect(!olderIds.includes(ids[2]!) && olderIds.includes(ids[1]!), { message: 'created_before is not honoured', expected: `${ids[1]} listed, ${ids[2]} (created at the cursor) not`, received: olderIds.join(', '), call: older });
    });
  },
};
