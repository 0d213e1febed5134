import { SkipStep, type Scenario, type ScenarioContext } from '../../scenario.ts';
import { bookingBody, bookingKey, expectBubbleError, futureStart, listAllJobs, readCatalogue, runNotes, targetNow, wallAt, ZONE } from './journey.ts';

/** Shaped like an IANA zone id (the spec's pattern), but no such zone. */
const NO_SUCH_ZONE = 'Australia/Atlantis';

/** The second key, when the run has one: an accepted key that is not the Bearer key. */
async function otherKey(ctx: ScenarioContext): Promise<string | undefined> {
  if (!ctx.hasSecondCredentials) return undefined;
  return bookingKey(ctx, 'secondary').then(({ key }) => key, (error: unknown) => {
    if (error instanceof SkipStep) return undefined;
    throw error;
  });
}

export const refusals: Scenario = {
  name: 'refusals',
  title: 'Booking refusals: each in Bubble\'s error envelope with the documented status, and none books a call',
  async run(ctx) {
    const notes = runNotes('refusals');
    const before = await ctx.step('read the key\'s bookings, the language catalogue and the target\'s clock before the refused requests', async () => {
      const { key } = await bookingKey(ctx);
      const { languages, call } = await readCatalogue(ctx);
      const now = await targetNow(ctx, call);
      const { records } = await listAllJobs(ctx);
      const valid = bookingBody(key, futureStart(now).wall, [1, 2], notes);
      return { key, other: await otherKey(ctx), languages, now, valid, ids: records.map((r) => r._id) };
    }, { setup: true });
    const { key, valid } = before;

    await ctx.step('a start in the past is refused: 400 INVALID_DATA, "start_time must be in the future"', async () => {
      const call = await ctx.call('createJob', { json: bookingBody(key, wallAt(before.now - 86_400_000, ZONE), [1, 2], notes) });
      expectBubbleError(ctx, call, 400, 'Booking a call that started a day ago', { keyword: 'INVALID_DATA', message: 'start_time must be in the future' });
    });
    await ctx.step('an unknown time zone is refused: 400 INVALID_DATA', async () => {
      const call = await ctx.call('createJob', { json: { ...valid, timezone: NO_SUCH_ZONE } });
      expectBubbleError(ctx, call, 400, `Booking a call in ${NO_SUCH_ZONE}`, { keyword: 'INVALID_DATA' });
    });
    await ctx.step('a language id that is not in the catalogue is refused: 400 INVALID_DATA', async () => {
      const unknown = Math.max(0, ...before.languages.map((l) => l.id)) + 1;
      const call = await ctx.call('createJob', { json: { ...valid, languages: [1, unknown] } });
      expectBubbleError(ctx, call, 400, `Booking a call in language ${unknown}, which the catalogue does not list`, { keyword: 'INVALID_DATA' });
    });
    await ctx.step('a booking without its timezone is refused: 400 MISSING_DATA', async () => {
      const { timezone: _left, ...missing } = valid;
      const call = await ctx.call('createJob', { json: missing });
      expectBubbleError(ctx, call, 400, 'Booking a call without timezone', { keyword: 'MISSING_DATA' });
    });
    await ctx.step('an api_token that is not the Bearer key is refused: 401', async () => {
      const call = await ctx.call('createJob', { json: { ...valid, api_token: before.other ?? `${key}-but-another` } });
      expectBubbleError(ctx, call, 401, `Booking with api_token ${before.other ? 'the second key' : 'another key'} than the Bearer key`);
    });
    await ctx.step('GET on create_job is refused: 405 with Allow: POST', async () => {
      const call = await ctx.send('createJob', { method: 'GET', path: '/api/1.1/wf/create_job', headers: { authorization: `Bearer ${key}`, accept: 'application/json' } });
      expectBubbleError(ctx, call, 405, 'GET on the create_job workflow');
      const allow = call.exchange.response?.headers.allow ?? '';
      ctx.expect(allow.split(',').map((m) => m.trim().toUpperCase()).includes('POST'), { message: 'The 405 does not say which method the path takes', expected: 'Allow: POST', received: allow ? `Allow: ${allow}` : 'no Allow header', call, pointer: '#/components/responses/BubbleMethodNotAllowed/headers/Allow' });
    });
    await ctx.step('a booking that accepts only text/html is refused: 406', async () => {
      const call = await ctx.call('createJob', { json: valid, headers: { accept: 'text/html' } });
      expectBubbleError(ctx, call, 406, 'Booking with Accept: text/html');
    });
    await ctx.step('none of the refused requests booked a call: the key\'s bookings are as they were', async () => {
      const { records, call } = await listAllJobs(ctx);
      const added = records.filter((r) => !before.ids.includes(r._id));
      ctx.expect(added.length === 0 && records.length === before.ids.length, {
        message: 'A refused booking was booked all the same',
        expected: `the ${before.ids.length} bookings there were before`,
        received: `${records.length} bookings; new: ${added.map((r) => `${r._id} (${r.job_start_time}, ${r.job_timezone})`).join(', ') || 'none'}`,
        call,
        pointer: `${ctx.pointerOf('createJob')}/description`,
      });
    });
  },
};
