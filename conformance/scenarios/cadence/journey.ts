// What the Cadence booking journeys share: Bubble's envelopes (success, Data API records and
// pages, the error envelope), the target's clock and wall-clock times in a call's zone, the
// language catalogue, reading a key's bookings, and the Bearer key a booking repeats as
// `api_token`.
//
// Bookings cannot be deleted through the API (the spec has no such operation), so every run
// leaves its bookings behind; their `notes` name the run, so a person can find them.
import { randomUUID } from 'node:crypto';
import { SkipStep, type Call, type ScenarioContext } from '../../scenario.ts';

export type Who = 'primary' | 'secondary';

/** A zone with a half-hour offset and daylight saving time: +9:30, and +10:30 from October to April. */
export const ZONE = 'Australia/Adelaide';

/** Bubble's unique id, as the spec's BubbleId has it: creation time in ms, `x`, the random part (not zero-padded). */
export const BUBBLE_ID = /^\d{13}x\d{1,18}$/;

export interface Job {
  job_id: string;
  job_start_time: string;
  job_timezone: string;
  job_duration: string;
  job_languages: string;
  job_active: boolean;
  user_id: string;
}

export interface JobRecord extends Job {
  _id: string;
  notes?: string;
  'Created Date': string;
  'Modified Date': string;
}

export interface Language {
  _id: string;
  id: number;
  name: string;
}

export interface BubblePage<T> {
  response: { cursor: number; results: T[]; count: number; remaining: number };
}

export const JOB_FIELDS = ['job_id', 'job_start_time', 'job_timezone', 'job_duration', 'job_languages', 'job_active', 'user_id'] as const;

/** Notes no other run puts on a booking: they say what made it. */
export const runNotes = (journey: string) => `speechdouble conformance run, ${journey} journey, ${randomUUID()}`;

/** JSON with object keys sorted, to compare records whatever order a target writes their fields in. */
export const canonical = (value: unknown): string => JSON.stringify(value, (_key, v: unknown) => (v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v));

const brief = (call: Call) => `${call.status} ${call.text().slice(0, 300)}`;

/**
 * Bubble's error envelope `{statusCode, body: {status, message}}` with `statusCode` equal to the
 * HTTP status. `keyword` is checked where the operation's description names it (MISSING_DATA,
 * INVALID_DATA); the other keywords are the spec's own choice, so only their presence is.
 */
export function expectBubbleError(ctx: ScenarioContext, call: Call, status: number, what: string, options: { keyword?: string; message?: string } = {}): void {
  ctx.expect(call.status === status, { message: `${what} did not answer ${status}`, expected: String(status), received: brief(call), call });
  const body = call.json<{ statusCode?: unknown; body?: { status?: unknown; message?: unknown } } | undefined>();
  const problems = [
    body?.statusCode !== status && `statusCode ${JSON.stringify(body?.statusCode)}`,
    !(typeof body?.body?.status === 'string' && body.body.status !== '') && 'no body.status',
    options.keyword !== undefined && typeof body?.body?.status === 'string' && body.body.status !== options.keyword && `body.status ${JSON.stringify(body.body.status)}`,
    !(typeof body?.body?.message === 'string' && body.body.message !== '') && 'no body.message',
    options.message !== undefined && typeof body?.body?.message === 'string' && !body.body.message.includes(options.message) && `a message without "${options.message}"`,
  ].filter(Boolean);
  ctx.expect(problems.length === 0, {
    message: `${what}: the answer is not Bubble's error envelope as documented`,
    expected: `{statusCode: ${status}, body: {status: ${options.keyword ? `"${options.keyword}"` : 'a keyword'}, message${options.message ? `: "…${options.message}…"` : ''}}}`,
    received: `${problems.join(', ')} in ${call.text().slice(0, 300)}`,
    call,
    pointer: '#/components/schemas/BubbleError',
  });
}

/** The Bearer key a call carried, if any: the key `api_token` must repeat. */
export function bearerOf(call: Call): string | undefined {
  const header = call.exchange.request.headers.authorization ?? '';
  return /^Bearer (.+)$/.exec(header)?.[1];
}

/** The base path the target serves the spec's paths under (empty for a target at its root). */
export function basePathOf(call: Call, path: string): string {
  const pathname = new URL(call.exchange.request.url).pathname;
  return pathname.endsWith(path) ? pathname.slice(0, pathname.length - path.length) : '';
}

/** All of a key's bookings, page after page (Bubble pages hold at most 100), oldest first. */
export async function listAllJobs(ctx: ScenarioContext, as: Who = 'primary'): Promise<{ records: JobRecord[]; call: Call }> {
  const records: JobRecord[] = [];
  for (let cursor = 0, pages = 0; ; pages++) {
    const call = await ctx.call('listJobs', { query: { cursor: String(cursor), limit: '100' }, as });
    const page = call.json<BubblePage<JobRecord> | undefined>()?.response;
    ctx.expect(call.status === 200 && Array.isArray(page?.results), { message: 'The key\'s bookings could not be listed', expected: '200 {response: {cursor, results, count, remaining}}', received: brief(call), call, pointer: `${ctx.pointerOf('listJobs')}/responses/200` });
    records.push(...page!.results);
    if (!(page!.remaining > 0) || page!.results.length === 0 || pages > 100) return { records, call };
    cursor += page!.results.length;
  }
}

/** The key whose calls `listJobs` carries, read off the request: scenarios are not handed the credentials. */
export async function bookingKey(ctx: ScenarioContext, as: Who = 'primary'): Promise<{ key: string; call: Call }> {
  const call = await ctx.call('listJobs', { query: { limit: '1' }, as });
  const key = bearerOf(call);
  if (!key) throw new SkipStep(as === 'primary' ? 'needs a booking key (--token)' : 'needs a second booking key (--token2)');
  return { key, call };
}

/** The whole language catalogue, page after page. */
export async function readCatalogue(ctx: ScenarioContext, as: Who | 'none' = 'primary'): Promise<{ languages: Language[]; call: Call }> {
  const languages: Language[] = [];
  for (let cursor = 0, pages = 0; ; pages++) {
    const call = await ctx.call('listLanguages', { query: { cursor: String(cursor), limit: '100' }, as });
    const page = call.json<BubblePage<Language> | undefined>()?.response;
    ctx.expect(call.status === 200 && Array.isArray(page?.results), { message: 'The language catalogue could not be read', expected: '200 {response: {cursor, results, count, remaining}}', received: brief(call), call, pointer: `${ctx.pointerOf('listLanguages')}/responses/200` });
    languages.push(...page!.results);
    if (!(page!.remaining > 0) || page!.results.length === 0 || pages > 100) return { languages, call };
    cursor += page!.results.length;
  }
}

/**
 * The target's time, which a start must lie after: its clock when it exposes one (speechdouble's
 * control API; its Date header is the host's wall clock, not the emulated clock), else the
 * Date header of `call` (RFC 9110: an origin server with a clock sends one), else this machine's.
 */
export async function targetNow(ctx: ScenarioContext, call: Call): Promise<number> {
  const controlled = ctx.time.controllable ? await ctx.time.now() : undefined;
  if (controlled) return controlled.getTime();
  const date = Date.parse(call.exchange.response?.headers.date ?? '');
  return Number.isNaN(date) ? Date.now() : date;
}

/** A wall-clock reading: the date and time fields as a clock in some zone shows them. */
export interface Wall {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const wallFormats = new Map<string, Intl.DateTimeFormat>();

/** What a clock in `zone` reads at `ms`. */
export function wallAt(ms: number, zone: string): Wall {
  let format = wallFormats.get(zone);
  if (!format) wallFormats.set(zone, (format = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' })));
  const parts = Object.fromEntries(format.formatToParts(ms).map((p) => [p.type, Number(p.value)]));
  return { year: parts.year!, month: parts.month!, day: parts.day!, hour: parts.hour! % 24, minute: parts.minute!, second: parts.second! };
}

const wallMs = (wall: Wall) => Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second);

/** The instant a clock in `zone` reads `wall` (the wall time must exist there: not in a DST gap). */
export function instantOf(wall: Wall, zone: string): number {
  let ms = wallMs(wall);
  // Two corrections by the zone's offset settle on the instant, DST change or not.
  for (let i = 0; i < 3; i++) ms += wallMs(wall) - wallMs(wallAt(ms, zone));
  return ms;
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** `start_time` as the documentation writes it; the trailing Z is ignored, the fields are read in `timezone`. */
export const startTimeOf = (wall: Wall) => `${pad(wall.year, 4)}-${pad(wall.month)}-${pad(wall.day)}T${pad(wall.hour)}:${pad(wall.minute)}:${pad(wall.second)}Z`;

/** `Friday, February 17, 2017 11:15 am`: the instant as English text in `zone`, as the spec's Job.job_start_time has it. */
export function englishStart(ms: number, zone: string): string {
  const format = new Intl.DateTimeFormat('en-US', { timeZone: zone, weekday: 'long', year: 'numeric', month: 'long', day: 'numeric', hour: 'numeric', minute: '2-digit', hour12: true });
  const p = Object.fromEntries(format.formatToParts(ms).map((part) => [part.type, part.value]));
  return `${p.weekday}, ${p.month} ${p.day}, ${p.year} ${p.hour}:${p.minute} ${String(p.dayPeriod).toLowerCase()}`;
}

/**
 * A start well in the future of `nowMs` during Adelaide's daylight saving time (+10:30): the next
 * 15 January, 2:45 pm, at least 30 days ahead. A target that reads the trailing Z as UTC
 * instead of the wall clock in the zone shows 1:15 am the next day.
 */
export function futureStart(nowMs: number): { wall: Wall; ms: number } {
  const today = wallAt(nowMs, ZONE);
  for (let year = today.year; ; year++) {
    const wall: Wall = { year, month: 1, day: 15, hour: 14, minute: 45, second: 0 };
    const ms = instantOf(wall, ZONE);
    if (ms - nowMs >= 30 * 86_400_000) return { wall, ms };
  }
}

/** A booking body for a start given as a wall-clock time in Adelaide. */
export const bookingBody = (key: string, wall: Wall, languages: number[], notes: string) =>
  ({ api_token: key, start_time: startTimeOf(wall), timezone: ZONE, languages, notes });

/** Books a call; the answer must be Bubble's success envelope around the job. */
export async function book(ctx: ScenarioContext, body: Record<string, unknown>, as: Who = 'primary'): Promise<{ call: Call; job: Job }> {
  const call = await ctx.call('createJob', { json: body, as });
  const answer = call.json<{ status?: unknown; response?: Job } | undefined>();
  ctx.expect(call.status === 200 && answer?.status === 'success' && typeof answer.response === 'object' && answer.response !== null, {
    message: 'Booking a valid call did not answer Bubble\'s success envelope',
    expected: '200 {status: "success", response: {job_id, …}}',
    received: brief(call),
    call,
    pointer: `${ctx.pointerOf('createJob')}/responses/200`,
  });
  return { call, job: answer!.response! };
}

export async function readJob(ctx: ScenarioContext, id: string, as: Who = 'primary'): Promise<{ call: Call; record: JobRecord | undefined }> {
  const call = await ctx.call('getJob', { pathParams: { job_id: id }, as });
  return { call, record: call.status === 200 ? call.json<{ response?: JobRecord } | undefined>()?.response : undefined };
}

/** Ids of languages, and their names as the catalogue has them. */
export const namesOf = (catalogue: Language[], ids: number[]) => ids.map((id) => catalogue.find((language) => language.id === id)?.name ?? `(no language ${id})`).join(', ');
