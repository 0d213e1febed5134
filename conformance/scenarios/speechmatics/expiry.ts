import type { Scenario } from '../../scenario.ts';
import { submit, untilFinished } from './journey.ts';

const RETENTION_SECONDS = 7 * 24 * 3600;

export const expiry: Scenario = {
  name: 'expiry',
  title: 'A done job expires after the seven-day retention',
  unavailable: (ctx) => (ctx.time.controllable ? undefined : 'needs seven days of the target\'s time; the target has no controllable clock'),
  async run(ctx) {
    const id = await ctx.step('process a job', async () => {
      const job = await submit(ctx);
      ctx.expect((await untilFinished(ctx, job)) === 'done', { message: 'The job did not finish as done', expected: 'done', received: 'not done' });
      return job;
    });
    await ctx.step('after seven days it is expired, and says so with a documented answer', async () => {
      await ctx.time.advance(RETENTION_SECONDS + 1);
      const list = await ctx.call('listJobs');
      const entry = (list.json<{ jobs?: Array<{ id: string; status: string }> }>()?.jobs ?? []).find((j) => j.id === id);
      ctx.expect(entry?.status === 'expired', { message: 'The job is not listed as expired', expected: 'status expired', received: JSON.stringify(entry ?? null), call: list });
      const read = await ctx.call('getJob', { pathParams: { jobid: id } });
      ctx.expect([404, 410].includes(read.status), { message: 'An expired job is still served', expected: '410 Job Expired (or 404, as the retention docs say)', received: `${read.status} ${read.text().slice(0, 200)}`, call: read, pointer: `${ctx.pointerOf('getJob')}/responses/410` });
      const transcript = await ctx.call('getJobTranscript', { pathParams: { jobid: id } });
      ctx.expect([404, 410].includes(transcript.status), { message: 'An expired job still serves its transcript', expected: '410 File Expired (or 404)', received: String(transcript.status), call: transcript });
    });
  },
};
