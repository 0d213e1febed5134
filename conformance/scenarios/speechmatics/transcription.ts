import { SkipStep, type Scenario } from '../../scenario.ts';
import { LONG_SPEECH, status, submit, untilFinished } from './journey.ts';

export const transcription: Scenario = {
  name: 'transcription',
  title: 'Submit a job, watch it run, read the transcript in every format',
  async run(ctx) {
    const id = await ctx.step('submit a transcription job', () => submit(ctx, undefined, {}, 'primary', LONG_SPEECH));
    await ctx.step('the transcript is not served before the job is done', async () => {
      const seen = await status(ctx, id);
      if (seen.status !== 'running') throw new SkipStep('the job finished before it could be seen running', { goOn: true });
      const early = await ctx.call('getJobTranscript', { pathParams: { jobid: id } });
      // A 200 is a violation only if the job had not finished in between.
      if (early.status === 200 && (await status(ctx, id)).status !== 'running') throw new SkipStep('the job finished between the status read and the transcript request', { goOn: true });
      ctx.expect(early.status === 404, { message: 'A running job served a transcript', expected: '404', received: String(early.status), call: early, pointer: `${ctx.pointerOf('getJobTranscript')}/responses/404` });
    });
    await ctx.step('the job only shows documented states, in order, until done', async () => {
      const final = await untilFinished(ctx, id);
      ctx.expect(final === 'done', { message: 'A valid job did not finish as done', expected: 'done', received: final });
    });
    await ctx.step('json-v2 transcript', async () => {
      const json = await ctx.call('getJobTranscript', { pathParams: { jobid: id }, query: { format: 'json-v2' } });
      ctx.expect(json.status === 200 && /json/.test(json.mediaType), { message: 'No json-v2 transcript for a done job', expected: '200 application/json', received: `${json.status} ${json.mediaType}`, call: json });
    });
    await ctx.step('txt transcript', async () => {
      const txt = await ctx.call('getJobTranscript', { pathParams: { jobid: id }, query: { format: 'txt' } });
      ctx.expect(txt.status === 200 && txt.mediaType === 'text/plain' && txt.text().trim().length > 0, { message: 'No plain-text transcript', expected: '200 text/plain with the words', received: `${txt.status} ${txt.mediaType} ${JSON.stringify(txt.text().slice(0, 100))}`, call: txt });
    });
    await ctx.step('srt transcript', async () => {
      const srt = await ctx.call('getJobTranscript', { pathParams: { jobid: id }, query: { format: 'srt' } });
      ctx.expect(srt.status === 200 && srt.mediaType === 'text/plain' && /^1\r?\n\d\d:\d\d:\d\d,\d{3} --> \d\d:\d\d:\d\d,\d{3}\r?\n/.test(srt.text()), { message: 'No SubRip transcript', expected: '200 text/plain starting "1", then "HH:MM:SS,mmm --> HH:MM:SS,mmm"', received: `${srt.status} ${srt.mediaType} ${JSON.stringify(srt.text().slice(0, 80))}`, call: srt });
    });
  },
};
