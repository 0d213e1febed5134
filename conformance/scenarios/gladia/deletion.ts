import { SkipStep, type Scenario, type ScenarioContext } from '../../scenario.ts';
import { catchStatus } from '../lifecycle.ts';
import { create, expectGladiaError, finishedJob, JOB_LIFECYCLE, readJob, runTag, statusOf, untilFinished, upload, type Who, SPEECH } from './journey.ts';
import { LOCAL_ONLY, mediaHost } from '../media-host.ts';

/** Reads it until it shows `wanted`; undefined once it has gone past it. */
const catchIn = (ctx: ScenarioContext, id: string, wanted: 'queued' | 'processing') => catchStatus(ctx, JOB_LIFECYCLE, async () => statusOf(await readJob(ctx, id)), wanted);

/**
 * DELETE while the job is `wanted` must be refused with 403. A job may end between the read
 * and the DELETE, and then rightly be deleted; a target that ignores the state deletes every
 * time. So a 202 is tried once more, on a fresh job, before it counts.
 */
async function refusedWhile(ctx: ScenarioContext, first: string, audioUrl: string, tag: string, wanted: 'queued' | 'processing', as: Who = 'primary'): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const id = attempt === 1 ? first : (await create(ctx, { audio_url: audioUrl, custom_metadata: { conformance: tag } })).id;
    if (!(await catchIn(ctx, id, wanted))) throw new SkipStep(`the job was never seen ${wanted}`, { goOn: true });
    const refused = await ctx.call('deletePreRecordedJob', { pathParams: { id }, as });
    if (refused.status !== 202 || attempt === 2) {
      expectGladiaError(ctx, refused, 403, `Deleting a ${wanted} job${attempt === 2 ? ' (twice, on two jobs)' : ''}`);
      return;
    }
  }
}

export const deletion: Scenario = {
  name: 'deletion',
  title: 'Delete: refused while queued or processing, then 202 with no body, then 404 on every path',
  async run(ctx) {
    const tag = runTag('deletion');
    const { audioUrl, id } = await ctx.step('upload a recording and create a job', async () => {
      const { audio_url } = await upload(ctx);
      return { audioUrl: audio_url, id: (await create(ctx, { audio_url, custom_metadata: { conformance: tag } })).id };
    });
    await ctx.step('deleting it while queued answers 403', () => refusedWhile(ctx, id, audioUrl, tag, 'queued'));
    await ctx.step('deleting it while processing answers 403', () => refusedWhile(ctx, id, audioUrl, tag, 'processing'));
    await ctx.step('once done, DELETE answers 202 with no body', async () => {
      const end = await untilFinished(ctx, id);
      ctx.expect(end.status === 'done', { message: 'The job did not finish as done', expected: 'done', received: end.status, call: end.call });
      const deleted = await ctx.call('deletePreRecordedJob', { pathParams: { id } });
      const bytes = deleted.exchange.response?.body.length ?? 0;
      ctx.expect(deleted.status === 202 && bytes === 0, { message: 'Deleting a done job did not answer 202 with no body', expected: '202, no body', received: `${deleted.status}, ${bytes} bytes ${deleted.text().slice(0, 200)}`, call: deleted, pointer: `${ctx.pointerOf('deletePreRecordedJob')}/responses/202` });
    });
    await ctx.step('then the job is 404 on get, delete and /file', async () => {
      expectGladiaError(ctx, await ctx.call('getPreRecordedJob', { pathParams: { id } }), 404, 'Reading a deleted job');
      expectGladiaError(ctx, await ctx.call('deletePreRecordedJob', { pathParams: { id } }), 404, 'Deleting a deleted job again');
      expectGladiaError(ctx, await ctx.call('getPreRecordedJobFile', { pathParams: { id } }), 404, 'Downloading the audio of a deleted job');
    });
    await ctx.step('a job that ended in error is deleted the same way', async () => {
      if (!ctx.targetIsLocal) throw new SkipStep(LOCAL_ONLY, { goOn: true });
      const { id: failed } = await finishedJob(ctx, { audio_url: (await mediaHost(ctx, SPEECH)).missingUrl, custom_metadata: { conformance: tag } }, 'error');
      const deleted = await ctx.call('deletePreRecordedJob', { pathParams: { id: failed } });
      ctx.expect(deleted.status === 202 && (deleted.exchange.response?.body.length ?? 0) === 0, { message: 'Deleting a failed job did not answer 202 with no body', expected: '202, no body', received: `${deleted.status} ${deleted.text().slice(0, 200)}`, call: deleted, pointer: `${ctx.pointerOf('deletePreRecordedJob')}/description` });
      expectGladiaError(ctx, await ctx.call('getPreRecordedJob', { pathParams: { id: failed } }), 404, 'Reading a deleted failed job');
    });
  },
};
