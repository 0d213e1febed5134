import type { Scenario } from '../../scenario.ts';
import { adopt, create, expectGladiaError, listPage, readJob, runTag, upload } from './journey.ts';

export const tenants: Scenario = {
  name: 'tenants',
  title: 'Two keys never see each other\'s jobs or audio',
  unavailable: (ctx) => (ctx.hasSecondCredentials ? undefined : 'needs a second key (--token2)'),
  async run(ctx) {
    const tag = runTag('tenants');
    const { audioUrl, id } = await ctx.step('the first key uploads a recording and creates a job', async () => {
      const { audio_url } = await upload(ctx);
      return { audioUrl: audio_url, id: (await create(ctx, { audio_url, custom_metadata: { conformance: tag } })).id };
    });
    await ctx.step('the second key cannot read it, nor its audio', async () => {
      expectGladiaError(ctx, await ctx.call('getPreRecordedJob', { pathParams: { id }, as: 'secondary' }), 404, 'Another key reading the job');
      expectGladiaError(ctx, await ctx.call('getPreRecordedJobFile', { pathParams: { id }, as: 'secondary' }), 404, 'Another key downloading the job\'s audio');
    });
    await ctx.step('nor delete it', async () => {
      expectGladiaError(ctx, await ctx.call('deletePreRecordedJob', { pathParams: { id }, as: 'secondary' }), 404, 'Another key deleting the job');
      const still = await readJob(ctx, id);
      ctx.expect(still.call.status === 200, { message: 'Another key\'s DELETE removed the job', expected: '200 for its own key', received: String(still.call.status), call: still.call });
    });
    await ctx.step('nor find it in its list', async () => {
      for (const query of [{ 'custom_metadata[conformance]': tag }, { limit: '100' }] as Array<Record<string, string>>) {
        const { call, page } = await listPage(ctx, query, 'secondary');
        const listed = page.items.map((job) => job.id);
        ctx.expect(!listed.includes(id), { message: 'Another key lists the job', expected: `no ${id}`, received: listed.join(', '), call });
      }
    });
    await ctx.step('nor create a job on the first key\'s upload', async () => {
      const call = await ctx.call('createPreRecordedJob', { json: { audio_url: audioUrl, custom_metadata: { conformance: tag } }, as: 'secondary' });
      adopt(ctx, call, 'secondary');
      expectGladiaError(ctx, call, 422, 'Another key creating a job on the upload');
    });
  },
};
