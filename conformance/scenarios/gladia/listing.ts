import type { Call, Scenario, ScenarioContext } from '../../scenario.ts';
import { aMomentLater, create, listPage, queryOf, runTag, untilFinished, upload, type JobDocument, SPEECH } from './journey.ts';
import { mediaHost } from '../media-host.ts';

interface Made {
  id: string;
  name: string;
  expected: 'done' | 'error';
  createdAt: number;
}

const ids = (items: JobDocument[]) => items.map((job) => job.id);
const sameIds = (a: string[], b: string[]) => a.join() === b.join();
/** The instant halfway between two jobs' creation: a bound no job sits on, however precise the target's clock. */
const between = (a: Made, b: Made) => new Date((a.createdAt + b.createdAt) / 2).toISOString();

export const listing: Scenario = {
  name: 'listing',
  title: 'List: newest first, pages that follow next, filters that select exactly their jobs',
  async run(ctx) {
    const tag = runTag('listing');
    // Every query carries this run's tag, so jobs others keep on the target never count.
    const ours = { 'custom_metadata[conformance]': tag };
    const made: Made[] = [];
    await ctx.step('create three jobs a moment apart, each with its own custom_metadata (and one that will fail, on a local target)', async () => {
      const { audio_url } = await upload(ctx);
      const failing = ctx.targetIsLocal ? (await mediaHost(ctx, SPEECH)).missingUrl : undefined;
      const plan: Array<[string, string, 'done' | 'error']> = [['first', audio_url, 'done'], ['second', audio_url, 'done'], ['third', audio_url, 'done'], ...(failing ? [['failing', failing, 'error'] as [string, string, 'error']] : [])];
      for (const [name, url, expected] of plan) {
        if (made.length) await aMomentLater(ctx, 1);
        const { id } = await create(ctx, { audio_url: url, custom_metadata: { conformance: tag, name } });
        made.push({ id, name, expected, createdAt: 0 });
      }
    });
    await ctx.step('they finish: done, and error for the one whose audio cannot be downloaded', async () => {
      for (const job of made) {
        const end = await untilFinished(ctx, job.id);
        ctx.expect(end.status === job.expected, { message: `The ${job.name} job did not finish as ${job.expected}`, expected: job.expected, received: end.status, call: end.call });
        job.createdAt = Date.parse(end.job!.created_at);
      }
    });
    // Newest first: the order they were made in, reversed.
    const newestFirst = () => [...made].reverse().map((job) => job.id);
    const expectIds = (call: Call, got: string[], want: string[], message: string, pointer?: string) =>
      ctx.expect(sameIds(got, want), { message, expected: want.join(', ') || '(none)', received: got.join(', ') || '(none)', call, ...(pointer && { pointer }) });

    await ctx.step('filtered by this run\'s custom_metadata, the list holds exactly its jobs, newest first', async () => {
      const { call, page } = await listPage(ctx, { ...ours, limit: '100' });
      expectIds(call, ids(page.items), newestFirst(), 'The list is not this run\'s jobs, newest first');
    });
    await ctx.step('limit pages it, and next leads to the following page until it is null', async () => {
      const want = newestFirst();
      const seen: string[] = [];
      let query: Record<string, string | string[]> = { ...ours, limit: '2' };
      for (let pages = 1; ; pages++) {
        const { call, page } = await listPage(ctx, query);
        const expected = want.slice(seen.length, seen.length + 2);
        expectIds(call, ids(page.items), expected, `Page ${pages} of limit=2 is not the next jobs`);
        seen.push(...ids(page.items));
        const last = seen.length >= want.length;
        ctx.expect(last ? page.next === null : typeof page.next === 'string' && new URL(page.next).pathname.endsWith('/v2/pre-recorded'), { message: last ? 'The last page has a next link' : 'A page before the last has no next link', expected: last ? 'next: null' : 'next: a /v2/pre-recorded URL', received: String(page.next), call, pointer: '#/components/schemas/ListPreRecordedResponse/properties/next' });
        if (last) return;
        query = queryOf(page.next!);
      }
    });
    await ctx.step('offset skips jobs', async () => {
      const { call, page } = await listPage(ctx, { ...ours, offset: '1', limit: '2' });
      expectIds(call, ids(page.items), newestFirst().slice(1, 3), 'offset=1&limit=2 is not the second and third newest', `${ctx.pointerOf('listPreRecordedJobs')}/parameters/0`);
    });
    await ctx.step('custom_metadata selects by every key and value given', async () => {
      const second = made.find((job) => job.name === 'second')!;
      const { call, page } = await listPage(ctx, { ...ours, 'custom_metadata[name]': 'second' });
      expectIds(call, ids(page.items), [second.id], 'custom_metadata[name]=second did not select exactly that job');
    });
    await ctx.step('status selects by state, repeated for several', async () => {
      for (const status of [['done'], ['error'], ['queued'], ['done', 'error']]) {
        const { call, page } = await listPage(ctx, { ...ours, status });
        const want = newestFirst().filter((id) => status.includes(made.find((job) => job.id === id)!.expected));
        expectIds(call, ids(page.items), want, `status=${status.join('&status=')} did not select exactly those jobs`);
      }
    });
    await ctx.step('before_date and after_date select by creation time', async () => {
      const [first, second, third] = made as [Made, Made, Made];
      const cases: Array<[Record<string, string>, string[]]> = [
        [{ before_date: between(first, second) }, [first.id]],
        [{ after_date: between(second, third) }, newestFirst().filter((id) => id !== first.id && id !== second.id)],
        [{ after_date: between(first, second), before_date: between(second, third) }, [second.id]],
      ];
      await checkCases(ctx, ours, cases);
    });
    await ctx.step('date selects the day the jobs were created on', async () => {
      const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
      const today = day(made[0]!.createdAt);
      const cases: Array<[Record<string, string>, string[]]> = [
        [{ date: today }, newestFirst().filter((id) => day(made.find((job) => job.id === id)!.createdAt) === today)],
        [{ date: day(made[0]!.createdAt - 24 * 3600 * 1000) }, []],
      ];
      await checkCases(ctx, ours, cases);
    });
  },
};

async function checkCases(ctx: ScenarioContext, ours: Record<string, string>, cases: Array<[Record<string, string>, string[]]>): Promise<void> {
  for (const [filter, want] of cases) {
    const { call, page } = await listPage(ctx, { ...ours, ...filter });
    const got = ids(page.items);
    const shown = Object.entries(filter).map(([k, v]) => `${k}=${v}`).join('&');
    ctx.expect(sameIds(got, want), { message: `${shown} did not select exactly the jobs created then`, expected: want.join(', ') || '(none)', received: got.join(', ') || '(none)', call });
  }
}
