import { randomUUID } from 'node:crypto';
import type { Scenario } from '../../scenario.ts';
import { adopt, callReadOuts, expectAaiError, expectReadOutsRefused } from './journey.ts';

/** A well-formed audio URL; the requests below are refused before anything would fetch it. */
const SOME_AUDIO = 'https://media.example.com/speechdouble/conformance.wav';

export const errors: Scenario = {
  name: 'errors',
  title: 'Errors: refusals carry AssemblyAI\'s {error} body',
  async run(ctx) {
    await ctx.step('an unknown transcript id is 404 {error} on get, delete and the read-outs', async () => {
      const id = randomUUID();
      expectAaiError(ctx, await ctx.call('getTranscript', { pathParams: { transcript_id: id } }), 404, 'Reading an unknown transcript');
      expectAaiError(ctx, await ctx.call('deleteTranscript', { pathParams: { transcript_id: id } }), 404, 'Deleting an unknown transcript');
      expectReadOutsRefused(ctx, await callReadOuts(ctx, id), 'an unknown', 404);
    });
    await ctx.step('an unknown parameter is refused: 400 "Invalid parameter: speaker_label is not a known parameter"', async () => {
      const call = await ctx.call('createTranscript', { json: { audio_url: SOME_AUDIO, speaker_label: true } });
      adopt(ctx, call);
      expectAaiError(ctx, call, 400, 'Creating a transcript with speaker_label', 'Invalid parameter: speaker_label is not a known parameter');
    });
    await ctx.step('an empty upload is refused: 400 {error}', async () => {
      expectAaiError(ctx, await ctx.call('uploadFile', { body: Buffer.alloc(0), headers: { 'content-type': 'application/octet-stream' } }), 400, 'Uploading no bytes');
    });
    await ctx.step('a wrong key, or none, is 401 {error}', async () => {
      const wrong = `speechdouble-not-a-key-${randomUUID().replace(/-/g, '')}`;
      expectAaiError(ctx, await ctx.call('listTranscripts', { as: 'none', headers: { authorization: wrong } }), 401, 'Listing with a wrong key');
      expectAaiError(ctx, await ctx.call('createStreamTranscript', { as: 'none', headers: { authorization: wrong }, json: { audio_data: 'UklGRg==' } }), 401, 'Streaming with a wrong key');
      expectAaiError(ctx, await ctx.call('getTranscript', { as: 'none', pathParams: { transcript_id: randomUUID() } }), 401, 'Reading a transcript with no key');
    });
  },
};
