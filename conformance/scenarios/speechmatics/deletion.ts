import { SkipStep, type Scenario } from '../../scenario.ts';
import { LONG_SPEECH, status, submit } from './journey.ts';

export const deletion: Scenario = {
  name: 'deletion',
  title: 'Delete: locked while running, forced, then gone from the list unless asked for',
  async run(ctx) {
    const id = await ctx.step('submit a job', () => submit(ctx, undefined, {}, 'primary', LONG_SPEECH));
    await ctx.step('deleting it while it runs answers 423 Resource Locked', async () => {
      // A fast target may finish the job between our read and the DELETE, and rightly delete
      // it then; a target that ignores the lock deletes a running job every time. So a 200
      // is tried once more, on a fresh job, before it counts.
      for (let attempt = 1; ; attempt++) {
        const target = attempt === 1 ? id : await submit(ctx, undefined, {}, 'primary', LONG_SPEECH);
        if ((await status(ctx, target)).status !== 'running') throw new SkipStep('the job finished before it could be deleted while running', { goOn: true });
        const locked = await ctx.call('deleteJob', { pathParams: { jobid: target } });
        if (locked.status !== 200 || attempt === 2) {
          ctx.expect(locked.status === 423 && locked.json<{ error?: string }>()?.error === 'Resource Locked', { message: 'Deleting a running job was not refused', expected: '423 {"code":423,"error":"Resource Locked"}', received: `${locked.status} ${locked.text().slice(0, 200)}${attempt === 2 ? ' (twice, on two running jobs)' : ''}`, call: locked, pointer: `${ctx.pointerOf('deleteJob')}/responses/423` });
          return;
        }
      }
    });
    await ctx.step('force=true deletes it', async () => {
      const forced = await ctx.call('deleteJob', { pathParams: { jobid: id }, query: { force: 'true' } });
      ctx.expect(forced.status === 200 && forced.json<{ job?: { status?: string } }>()?.job?.status === 'deleted', { message: 'A forced delete did not delete', expected: '200 with job.status deleted', received: `${forced.status} ${forced.text().slice(0, 200)}`, call: forced });
    });
    await ctx.step('the list leaves it out, unless include_deleted=true', async () => {
      const list = await ctx.call('listJobs');
      const ids = (list.json<{ jobs?: Array<{ id: string }> }>()?.jobs ?? []).map((j) => j.id);
      ctx.expect(!ids.includes(id), { message: 'A deleted job is still listed', expected: `no ${id}`, received: ids.join(', '), call: list });
      const all = await ctx.call('listJobs', { query: { include_deleted: 'true' } });
      const entry = (all.json<{ jobs?: Array<{ id: string; status: string }> }>()?.jobs ?? []).find((j) => j.id === id);
      ctx.expect(entry?.status === 'deleted', { message: 'include_deleted=true does not show the deleted job', expected: `${id} with status deleted`, received: JSON.stringify(entry ?? null), call: all });
    });
  },
};
