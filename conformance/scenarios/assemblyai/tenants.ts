import type { Scenario } from '../../scenario.ts';
import { adopt, callReadOuts, create, expectAaiError, expectReadOutsRefused, listPage, readTranscript, untilFinished, upload } from './journey.ts';

export const tenants: Scenario = {
  name: 'tenants',
  title: 'Two keys never see each other\'s transcripts or uploads',
  unavailable: (ctx) => (ctx.hasSecondCredentials ? undefined : 'needs a second key (--token2)'),
  async run(ctx) {
    const { uploadUrl, id } = await ctx.step('the first key uploads a recording and creates a transcript; it completes', async () => {
      const uploadUrl = await upload(ctx);
      const { id } = await create(ctx, { audio_url: uploadUrl });
      const end = await untilFinished(ctx, id);
      ctx.expect(end.status === 'completed', { message: 'The transcript did not complete', expected: 'completed', received: end.status, call: end.call });
      return { uploadUrl, id };
    });
    await ctx.step('the second key gets 404 {error} for the transcript and its read-outs', async () => {
      expectAaiError(ctx, (await readTranscript(ctx, id, 'secondary')).call, 404, 'Another key reading the transcript');
      expectReadOutsRefused(ctx, await callReadOuts(ctx, id, 'secondary'), 'another key\'s', 404);
    });
    await ctx.step('nor can delete it', async () => {
      expectAaiError(ctx, await ctx.call('deleteTranscript', { pathParams: { transcript_id: id }, as: 'secondary' }), 404, 'Another key deleting the transcript');
      const still = await readTranscript(ctx, id);
      ctx.expect(still.call.status === 200 && still.transcript?.text !== 'Deleted by user.', { message: 'Another key\'s DELETE removed the transcript', expected: 'the transcript, its content intact', received: `${still.call.status} ${JSON.stringify(still.transcript?.text ?? null)}`, call: still.call });
    });
    await ctx.step('nor finds it in its list', async () => {
      const { call, page } = await listPage(ctx, { limit: '200' }, 'secondary');
      const listed = page.transcripts.map((t) => t.id);
      ctx.expect(!listed.includes(id), { message: 'Another key lists the transcript', expected: `no ${id}`, received: listed.join(', '), call });
    });
    await ctx.step('nor can create a transcript from the first key\'s upload: 403 "Cannot access uploaded file"', async () => {
      const call = await ctx.call('createTranscript', { json: { audio_url: uploadUrl }, as: 'secondary' });
      adopt(ctx, call, 'secondary');
      expectAaiError(ctx, call, 403, 'Another key creating a transcript from the upload', 'Cannot access uploaded file');
    });
  },
};
