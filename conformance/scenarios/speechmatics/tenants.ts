import type { Scenario } from '../../scenario.ts';
import { submit } from './journey.ts';

export const tenants: Scenario = {
  name: 'tenants',
  title: 'Two keys never see each other\'s jobs',
  unavailable: (ctx) => (ctx.hasSecondCredentials ? undefined : 'needs a second key (--token2)'),
  async run(ctx) {
    const id = await ctx.step('the first key submits a job', () => submit(ctx));
    await ctx.step('the second key cannot read it', async () => {
      const other = await ctx.call('getJob', { pathParams: { jobid: id }, as: 'secondary' });
      ctx.expect(other.status === 404, { message: 'Another key can read the job', expected: '404', received: `${other.status} ${other.text().slice(0, 200)}`, call: other });
    });
    await ctx.step('nor list it', async () => {
      const list = await ctx.call('listJobs', { as: 'secondary', query: { include_deleted: 'true' } });
      const ids = (list.json<{ jobs?: Array<{ id: string }> }>()?.jobs ?? []).map((j) => j.id);
      ctx.expect(!ids.includes(id), { message: 'Another key lists the job', expected: `no ${id}`, received: ids.join(', '), call: list });
    });
  },
};
