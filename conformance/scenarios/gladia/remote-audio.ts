import type { Scenario } from '../../scenario.ts';
import { expectGladiaError, finishedJob, near, readJob, runTag, sameText, sha256, SPEECH, SPEECH_SECONDS, SPEECH_TEXT } from './journey.ts';
import { LOCAL_ONLY, mediaHost } from '../media-host.ts';

export const remoteAudio: Scenario = {
  name: 'remote-audio',
  title: 'Audio by URL: fetched on upload or by the job; a URL that cannot be downloaded fails as documented',
  unavailable: (ctx) => (ctx.targetIsLocal ? undefined : LOCAL_ONLY),
  async run(ctx) {
    const host = await mediaHost(ctx, SPEECH);
    const tag = runTag('remote-audio');
    await ctx.step('upload by audio_url: the remote file is fetched and described', async () => {
      const call = await ctx.call('uploadAudio', { json: { audio_url: host.speechUrl } });
      const meta = call.json<{ audio_metadata?: Record<string, unknown> } | undefined>()?.audio_metadata;
      ctx.expect(call.status === 200 && meta?.source === host.speechUrl && meta.size === SPEECH.length && near(meta.audio_duration, SPEECH_SECONDS) && meta.number_of_channels === 1, {
        message: 'A remote recording registered by URL is not described as fetched',
        expected: `200 with audio_metadata {source: "${host.speechUrl}", size: ${SPEECH.length}, audio_duration: ${SPEECH_SECONDS}, number_of_channels: 1}`,
        received: `${call.status} ${call.text().slice(0, 300)}`,
        call,
        pointer: '#/components/schemas/AudioUploadMetadata',
      });
    });
    await ctx.step('uploading an audio_url that cannot be downloaded answers 422', async () => {
      const call = await ctx.call('uploadAudio', { json: { audio_url: host.missingUrl } });
      expectGladiaError(ctx, call, 422, 'Uploading an audio_url that answers 404');
    });
    const id = await ctx.step('a job on a remote audio_url is transcribed, its file naming the source', async () => {
      const { id, job } = await finishedJob(ctx, { audio_url: host.speechUrl, custom_metadata: { conformance: tag } });
      ctx.expect(sameText(job.result?.transcription?.full_transcript, SPEECH_TEXT), { message: 'The remote recording was not transcribed', expected: JSON.stringify(SPEECH_TEXT), received: JSON.stringify(job.result?.transcription?.full_transcript ?? null) });
      ctx.expect(job.file?.source === host.speechUrl && near(job.file.audio_duration, SPEECH_SECONDS), { message: 'The job\'s file does not name where it was downloaded from', expected: `file {source: "${host.speechUrl}", audio_duration: ${SPEECH_SECONDS}}`, received: JSON.stringify(job.file ?? null), pointer: '#/components/schemas/FileInfo/properties/source' });
      return id;
    });
    await ctx.step('/file returns the downloaded bytes', async () => {
      const call = await ctx.call('getPreRecordedJobFile', { pathParams: { id } });
      const body = call.exchange.response?.body ?? Buffer.alloc(0);
      ctx.expect(call.status === 200 && body.length === SPEECH.length && sha256(body) === sha256(SPEECH), { message: '/file is not the audio the job downloaded', expected: `200, ${SPEECH.length} bytes, sha256 ${sha256(SPEECH)}`, received: `${call.status}, ${body.length} bytes, sha256 ${sha256(body)}`, call });
    });
    await ctx.step('a job on an audio_url that cannot be downloaded is created, then ends in error 400 with no result', async () => {
      const { id: failed } = await finishedJob(ctx, { audio_url: host.missingUrl, custom_metadata: { conformance: tag } }, 'error');
      const { call, job } = await readJob(ctx, failed);
      ctx.expect(job?.error_code === 400 && job.result === null && job.completed_at !== null, { message: 'An undownloadable audio_url did not fail the job with error_code 400', expected: 'status error, error_code 400, result null, completed_at set', received: JSON.stringify({ status: job?.status, error_code: job?.error_code, result: job?.result, completed_at: job?.completed_at }), call, pointer: `${ctx.pointerOf('createPreRecordedJob')}/description` });
    });
  },
};
