import type { Scenario } from '../../scenario.ts';
import { expectGladiaError, finishedJob, listPage, runTag, upload } from './journey.ts';

/** Gladia keeps data "up to 12 months" (its data-retention docs); a leap year has 366 days. */
const TWELVE_MONTHS_SECONDS = 366 * 24 * 3600;

export const retention: Scenario = {
  name: 'retention',
  title: 'A finished job is gone after the twelve-month retention',
  unavailable: (ctx) => (ctx.time.controllable ? undefined : 'needs twelve months of the target\'s time; the target has no controllable clock'),
  async run(ctx) {
    const tag = runTag('retention');
    const id = await ctx.step('process a job', async () => {
      const { audio_url } = await upload(ctx);
      return (await finishedJob(ctx, { audio_url, custom_metadata: { conformance: tag } })).id;
    });
    await ctx.step('twelve months later it is gone from every path', async () => {
      await ctx.time.advance(TWELVE_MONTHS_SECONDS + 60);
      expectGladiaError(ctx, await ctx.call('getPreRecordedJob', { pathParams: { id } }), 404, 'Reading a job past its retention');
      expectGladiaError(ctx, await ctx.call('getPreRecordedJobFile', { pathParams: { id } }), 404, 'Downloading the audio of a job past its retention');
      const { call, page } = await listPage(ctx, { 'custom_metadata[conformance]': tag });
      const listed = page.items.map((job) => job.id);
      ctx.expect(listed.length === 0, { message: 'A job past its retention is still listed', expected: '(none)', received: listed.join(', '), call });
    });
  },
};
