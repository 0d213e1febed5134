import type { Scenario } from '../../scenario.ts';
import { submit, untilFinished } from './journey.ts';

const DAY = 86_400_000;
const transcriptionCount = (body: { summary?: Array<{ type: string; count: number }> } | undefined) =>
  (body?.summary ?? []).filter((s) => s.type === 'transcription').reduce((n, s) => n + s.count, 0);

export const usage: Scenario = {
  name: 'usage',
  title: 'Usage counts a processed job once its UTC day is over',
  unavailable: (ctx) => (ctx.time.controllable ? undefined : 'needs the next UTC day; the target has no controllable clock (run against the emulator, or check by hand tomorrow)'),
  async run(ctx) {
    let before = 0;
    await ctx.step('read usage', async () => {
      const read = await ctx.call('getUsage');
      ctx.expect(read.status === 200, { message: 'Usage could not be read', expected: '200', received: String(read.status), call: read });
      before = transcriptionCount(read.json());
    });
    await ctx.step('process a job', async () => {
      const id = await submit(ctx);
      ctx.expect((await untilFinished(ctx, id)) === 'done', { message: 'The job did not finish as done', expected: 'done', received: 'not done' });
    });
    await ctx.step('the day it ran in is not counted yet', async () => {
      const read = await ctx.call('getUsage');
      ctx.expect(transcriptionCount(read.json()) === before, { message: 'Usage counted the current UTC day', expected: `${before} transcription jobs`, received: String(transcriptionCount(read.json())), call: read });
    });
    await ctx.step('after the day boundary it is', async () => {
      const now = (await ctx.time.now())!.getTime();
      await ctx.time.advance((Math.ceil((now + 1) / DAY) * DAY - now) / 1000 + 60);
      const read = await ctx.call('getUsage');
      // Other jobs finished today (by this run or anyone) count too: at least ours must.
      ctx.expect(transcriptionCount(read.json()) >= before + 1, { message: 'Usage did not grow by the processed job', expected: `at least ${before + 1} transcription jobs`, received: String(transcriptionCount(read.json())), call: read, pointer: `${ctx.pointerOf('getUsage')}/responses/200` });
    });
  },
};
