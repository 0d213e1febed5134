import type { Scenario } from '../../scenario.ts';
import { finishedTranscript, sameText, SPEECH_SECONDS, SPEECH_TEXT, SPEECH } from './journey.ts';
import { LOCAL_ONLY, mediaHost } from '../media-host.ts';

/** The vendor's words for audio it cannot download (the spec's failed-transcript example). */
const downloadError = (url: string) => `Download error, unable to download ${url}. Please make sure the file exists and is accessible from the internet.`;

export const remoteAudio: Scenario = {
  name: 'remote-audio',
  title: 'Audio by URL: a downloadable audio_url is transcribed; one that cannot be downloaded ends in error',
  unavailable: (ctx) => (ctx.targetIsLocal ? undefined : LOCAL_ONLY),
  async run(ctx) {
    const host = await mediaHost(ctx, SPEECH);
    await ctx.step('a transcript of a downloadable audio_url completes with the recording\'s text and duration', async () => {
      const { call, transcript } = await finishedTranscript(ctx, { audio_url: host.speechUrl });
      ctx.expect(sameText(transcript.text, SPEECH_TEXT) && transcript.audio_duration === SPEECH_SECONDS && transcript.audio_url === host.speechUrl, { message: 'The remote recording was not transcribed', expected: JSON.stringify({ text: SPEECH_TEXT, audio_duration: SPEECH_SECONDS, audio_url: host.speechUrl }), received: JSON.stringify({ text: transcript.text, audio_duration: transcript.audio_duration, audio_url: transcript.audio_url }), call, pointer: '#/components/schemas/Transcript' });
    });
    await ctx.step('a transcript of an audio_url that answers 404 is created, then ends in error with the download message', async () => {
      const { call, transcript } = await finishedTranscript(ctx, { audio_url: host.missingUrl }, 'error');
      const want = { status: 'error', error: downloadError(host.missingUrl), text: null };
      const got = { status: transcript.status, error: transcript.error, text: transcript.text };
      ctx.expect(JSON.stringify(got) === JSON.stringify(want), { message: 'An undownloadable audio_url did not fail with the download message', expected: JSON.stringify(want), received: JSON.stringify(got), call, pointer: `${ctx.pointerOf('getTranscript')}/responses/200` });
    });
  },
};
