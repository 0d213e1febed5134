import type { Scenario } from '../../scenario.ts';
import { finishedJob, runTag, sha256, SPEECH, upload } from './journey.ts';

export const download: Scenario = {
  name: 'audio-download',
  title: 'Download: /file returns the bytes that were uploaded',
  async run(ctx) {
    const id = await ctx.step('upload a recording and transcribe it', async () => {
      const { audio_url } = await upload(ctx);
      return (await finishedJob(ctx, { audio_url, custom_metadata: { conformance: runTag('audio-download') } })).id;
    });
    await ctx.step('/file returns the uploaded bytes, typed as audio', async () => {
      const call = await ctx.call('getPreRecordedJobFile', { pathParams: { id } });
      const body = call.exchange.response?.body ?? Buffer.alloc(0);
      ctx.expect(call.status === 200 && body.length === SPEECH.length && sha256(body) === sha256(SPEECH), { message: '/file is not the uploaded audio', expected: `200, ${SPEECH.length} bytes, sha256 ${sha256(SPEECH)}`, received: `${call.status}, ${body.length} bytes, sha256 ${sha256(body)}`, call });
      ctx.expect(/^(audio|video)\/|^application\/octet-stream$/.test(call.mediaType), { message: '/file is not typed as audio', expected: 'audio/wav (the uploaded type) or application/octet-stream', received: call.mediaType || '(none)', call, pointer: `${ctx.pointerOf('getPreRecordedJobFile')}/responses/200` });
    });
  },
};
