import type { Scenario } from '../../scenario.ts';
import { ALIGNMENT_CONFIG, ALIGNMENT_TEXT as TEXT, alignmentText, submit, untilFinished } from './journey.ts';

export const alignment: Scenario = {
  name: 'alignment',
  title: 'Alignment: a text timed against its audio, in both tag formats',
  async run(ctx) {
    const id = await ctx.step('submit an alignment job with its text', () =>
      submit(ctx, ALIGNMENT_CONFIG, alignmentText()));
    await ctx.step('the job finishes as done', async () => {
      const final = await untilFinished(ctx, id);
      ctx.expect(final === 'done', { message: 'A valid alignment job did not finish as done', expected: 'done', received: final });
    });
    await ctx.step('word_start_and_end tags every word', async () => {
      const tagged = await ctx.call('getJobAlignment', { pathParams: { jobid: id }, query: { tags: 'word_start_and_end' } });
      ctx.expect(tagged.status === 200 && /^<time=\d+(\.\d+)?>Good<time=\d+(\.\d+)?>/.test(tagged.text()), { message: 'No word_start_and_end alignment', expected: '200 text/plain starting <time=S>Good<time=S>', received: `${tagged.status} ${JSON.stringify(tagged.text().slice(0, 80))}`, call: tagged });
    });
    await ctx.step('one_per_line stamps every line', async () => {
      const lines = await ctx.call('getJobAlignment', { pathParams: { jobid: id }, query: { tags: 'one_per_line' } });
      const first = lines.text().split('\n')[0] ?? '';
      ctx.expect(lines.status === 200 && /^\[\d\d:\d\d:\d\d\.\d+\]\s+Good morning/.test(first), { message: 'No one_per_line alignment', expected: '200 text/plain, lines like [00:00:00.4] Good morning…', received: `${lines.status} ${JSON.stringify(first)}`, call: lines });
    });
    await ctx.step('the text and the audio can be read back', async () => {
      const text = await ctx.call('getJobText', { pathParams: { jobid: id } });
      ctx.expect(text.status === 200 && text.text() === TEXT.toString(), { message: '/text does not return the submitted text', expected: JSON.stringify(TEXT.toString()), received: `${text.status} ${JSON.stringify(text.text().slice(0, 100))}`, call: text });
      const data = await ctx.call('getJobData', { pathParams: { jobid: id } });
      ctx.expect(data.status === 200 && data.exchange.response!.body.length > 0, { message: '/data does not return the audio', expected: '200 with the audio bytes', received: `${data.status}, ${data.exchange.response?.body.length ?? 0} bytes`, call: data });
    });
  },
};
