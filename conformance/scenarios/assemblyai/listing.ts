import type { Call, Scenario } from '../../scenario.ts';
import { aMomentLater, create, listPage, queryOf, untilFinished, upload, type ListItem, type ListPage, SPEECH } from './journey.ts';
import { mediaHost } from '../media-host.ts';

interface Made {
  id: string;
  name: string;
  expected: 'completed' | 'error';
}

/** The list's timestamps: ISO 8601, UTC, no zone. */
const STAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?$/;
/** The most pages followed looking for this run's transcripts among others'. */
const MAX_PAGES = 50;

export const listing: Scenario = {
  name: 'listing',
  title: 'List: newest first, limit, prev_url to older and next_url to newer transcripts, the status filter',
  async run(ctx) {
    // Transcripts cannot be tagged: this run's are known by id, and only their order counts
    // (others may use the same key meanwhile).
    const made: Made[] = [];
    const ours = (items: ListItem[]) => items.map((t) => t.id).filter((id) => made.some((m) => m.id === id));
    const expectIds = (call: Call, got: string[], want: string[], message: string, pointer?: string) =>
      ctx.expect(got.join() === want.join(), { message, expected: want.join(', ') || '(none)', received: got.join(', ') || '(none)', call, ...(pointer && { pointer }) });
    const newestFirst = () => [...made].reverse().map((m) => m.id);

    await ctx.step('create three transcripts a moment apart (and one that will fail, on a local target)', async () => {
      const audioUrl = await upload(ctx);
      const failing = ctx.targetIsLocal ? (await mediaHost(ctx, SPEECH)).missingUrl : undefined;
      const plan: Array<[string, string, Made['expected']]> = [['first', audioUrl, 'completed'], ['second', audioUrl, 'completed'], ['third', audioUrl, 'completed'], ...(failing ? [['failing', failing, 'error'] as [string, string, 'error']] : [])];
      for (const [name, url, expected] of plan) {
        if (made.length) await aMomentLater(ctx, 1);
        made.push({ id: (await create(ctx, { audio_url: url })).id, name, expected });
      }
    });
    await ctx.step('they finish: completed, and error for the one whose audio cannot be downloaded', async () => {
      for (const m of made) {
        const end = await untilFinished(ctx, m.id);
        ctx.expect(end.status === m.expected, { message: `The ${m.name} transcript did not finish as ${m.expected}`, expected: m.expected, received: end.status, call: end.call });
      }
    });
    await ctx.step('the list holds them newest first, each as it is', async () => {
      const { call, page } = await listPage(ctx, { limit: '200' });
      expectIds(call, ours(page.transcripts), newestFirst(), 'The list does not hold this run\'s transcripts, newest first', `${ctx.pointerOf('listTranscripts')}/description`);
      for (const m of made) {
        const item = page.transcripts.find((t) => t.id === m.id)!;
        const ok = item.status === m.expected && new URL(item.resource_url).pathname.endsWith(`/v2/transcript/${m.id}`) && STAMP.test(item.created)
          && (m.expected === 'completed' ? item.completed !== null && STAMP.test(item.completed) && item.error === null : typeof item.error === 'string');
        ctx.expect(ok, { message: `The ${m.name} transcript is not listed as it is`, expected: `{id: ${m.id}, resource_url: …/v2/transcript/${m.id}, status: ${m.expected}, created, ${m.expected === 'completed' ? 'completed set, error null' : 'error set'}}`, received: JSON.stringify(item), call, pointer: '#/components/schemas/TranscriptListItem' });
      }
    });
    await ctx.step('limit=2 pages them: prev_url leads to older transcripts, next_url back to newer ones', async () => {
      const pages: Array<{ call: Call; page: ListPage }> = [];
      let query: Record<string, string | string[]> = { limit: '2' };
      const seen: string[] = [];
      // Older and older, until every transcript of this run has been seen.
      for (;;) {
        const read = await listPage(ctx, query);
        const { call, page } = read;
        pages.push(read);
        ctx.expect(page.transcripts.length <= 2 && page.page_details.limit === 2 && page.page_details.result_count === page.transcripts.length, { message: 'A page of limit=2 is not at most two transcripts, counted', expected: 'limit 2, result_count = the transcripts on the page, at most 2', received: JSON.stringify({ page_details: page.page_details, transcripts: page.transcripts.length }), call, pointer: '#/components/schemas/PageDetails' });
        const repeated = page.transcripts.filter((t) => seen.includes(t.id)).map((t) => t.id);
        ctx.expect(repeated.length === 0, { message: 'prev_url led to transcripts already seen', expected: 'older transcripts only', received: repeated.join(', '), call, pointer: '#/components/schemas/PageDetails/properties/prev_url' });
        seen.push(...page.transcripts.map((t) => t.id));
        if (made.every((m) => seen.includes(m.id))) break;
        ctx.expect(typeof page.page_details.prev_url === 'string' && pages.length < MAX_PAGES, { message: pages.length < MAX_PAGES ? 'A page before this run\'s oldest transcript has no prev_url' : `This run's transcripts were not found within ${MAX_PAGES} pages`, expected: 'prev_url: the page of older transcripts', received: String(page.page_details.prev_url), call, pointer: '#/components/schemas/PageDetails/properties/prev_url' });
        query = queryOf(page.page_details.prev_url!);
      }
      const last = pages.at(-1)!;
      expectIds(last.call, seen.filter((id) => made.some((m) => m.id === id)), newestFirst(), 'Following prev_url does not give this run\'s transcripts newest first', '#/components/schemas/PageDetails/properties/prev_url');
      // Back again: a page's next_url is the page it was reached from.
      for (let i = pages.length - 1; i > 0; i--) {
        const link = pages[i]!.page.page_details.next_url;
        const from = pages[i - 1]!.page.transcripts.map((t) => t.id);
        ctx.expect(typeof link === 'string', { message: 'A page of older transcripts has no next_url', expected: 'next_url: the page of newer transcripts', received: String(link), call: pages[i]!.call, pointer: '#/components/schemas/PageDetails/properties/next_url' });
        const { call, page } = await listPage(ctx, queryOf(link!));
        expectIds(call, page.transcripts.map((t) => t.id), from, 'next_url does not lead back to the newer page', '#/components/schemas/PageDetails/properties/next_url');
      }
    });
    await ctx.step('status selects by state', async () => {
      for (const status of ['completed', 'error', 'queued'] as const) {
        const { call, page } = await listPage(ctx, { status, limit: '200' });
        const others = page.transcripts.filter((t) => t.status !== status).map((t) => `${t.id} ${t.status}`);
        const want = newestFirst().filter((id) => made.find((m) => m.id === id)!.expected === status);
        ctx.expect(others.length === 0, { message: `status=${status} lists transcripts in another state`, expected: `only ${status}`, received: others.join(', '), call, pointer: '#/components/parameters/StatusFilter' });
        expectIds(call, ours(page.transcripts), want, `status=${status} does not select exactly this run's ${status} transcripts`, '#/components/parameters/StatusFilter');
      }
    });
  },
};
