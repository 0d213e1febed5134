import { randomUUID } from 'node:crypto';
import type { Scenario } from '../../scenario.ts';
import { adopt, expectGladiaError, runTag } from './journey.ts';

/** A well-formed audio URL; the requests below are refused before anything would fetch it. */
const SOME_AUDIO = 'https://media.example.com/speechdouble/conformance.wav';

export const errors: Scenario = {
  name: 'errors',
  title: 'Errors: refusals carry Gladia\'s error body, with validation_errors on 400',
  async run(ctx) {
    await ctx.step('a job in an unsupported language is refused: 400 with validation_errors', async () => {
      const call = await ctx.call('createPreRecordedJob', { json: { audio_url: SOME_AUDIO, language_config: { languages: ['xx'] }, custom_metadata: { conformance: runTag('errors') } } });
      adopt(ctx, call);
      expectGladiaError(ctx, call, 400, 'Creating a job in language "xx"', { validation: true });
    });
    await ctx.step('an upload without an audio part is refused with 400', async () => {
      const call = await ctx.call('uploadAudio', { form: { note: 'no audio here' } });
      expectGladiaError(ctx, call, 400, 'Uploading a form without the audio part');
    });
    await ctx.step('an unknown job id is 404 on get, delete and /file', async () => {
      const id = randomUUID();
      expectGladiaError(ctx, await ctx.call('getPreRecordedJob', { pathParams: { id } }), 404, 'Reading an unknown job');
      expectGladiaError(ctx, await ctx.call('deletePreRecordedJob', { pathParams: { id } }), 404, 'Deleting an unknown job');
      expectGladiaError(ctx, await ctx.call('getPreRecordedJobFile', { pathParams: { id } }), 404, 'Downloading the audio of an unknown job');
    });
  },
};
