// What Gladia journeys share: the recording they transcribe (and what is true of it),
// uploading it, creating a job (always deleted afterwards, once it may be), following a job
// along queued → processing → done | error, and the shape of Gladia's error body.
import { createHash, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Call, ScenarioContext } from '../../scenario.ts';
import { followLifecycle, type Lifecycle } from '../lifecycle.ts';

const fixture = (name: string) => fileURLToPath(new URL(`../../../fixtures/audio/${name}`, import.meta.url));

/** Real speech, and what is true of it (the fixture's own description). */
export const SPEECH = readFileSync(fixture('en-greeting.16k.wav'));
export const SPEECH_TEXT: string = JSON.parse(readFileSync(fixture('en-greeting.json'), 'utf8')).text;
/** The recording's length in seconds, from its WAV header: data bytes over bytes per second. */
export const SPEECH_SECONDS = wavSeconds(SPEECH);
/** How far a reported duration may be from the header's (decoders round differently). */
export const DURATION_TOLERANCE = 0.05;

function wavSeconds(wav: Buffer): number {
  let byteRate = 0;
  for (let at = 12; at + 8 <= wav.length;) {
    const id = wav.toString('ascii', at, at + 4);
    const size = wav.readUInt32LE(at + 4);
    if (id === 'fmt ') byteRate = wav.readUInt32LE(at + 16);
    if (id === 'data') return size / byteRate;
    at += 8 + size + (size & 1);
  }
  throw new Error('the fixture has no WAV data chunk');
}

export const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
export const sameText = (a: unknown, b: string) => typeof a === 'string' && a.replace(/\s+/g, ' ').trim() === b.replace(/\s+/g, ' ').trim();
export const near = (a: unknown, b: number) => typeof a === 'number' && Math.abs(a - b) <= DURATION_TOLERANCE;

/** A value no other run (and no other user of the target) puts in `custom_metadata`. */
export const runTag = (journey: string) => `speechdouble-${journey}-${randomUUID()}`;

/** A job's lifecycle, as the spec's JobStatus describes it. */
export const JOB_LIFECYCLE: Lifecycle = {
  what: 'job',
  statuses: ['queued', 'processing', 'done', 'error'],
  // queued → processing → done | error; two reads may miss `processing`, or an early failure.
  next: { queued: ['processing', 'done', 'error'], processing: ['done', 'error'], done: [], error: [] },
  initial: 'queued',
  isFinished: (status) => status === 'done' || status === 'error',
  finishedAs: 'done or error',
  statusPointer: '#/components/schemas/JobStatus',
  // A few minutes: long enough for a real service to transcribe five seconds of audio.
  budgetSeconds: 300,
};

export type Who = 'primary' | 'secondary';

export interface UploadAnswer {
  audio_url: string;
  audio_metadata: { id: string; filename: string; source?: string; extension: string; size: number; audio_duration: number; number_of_channels: number };
}

export interface JobDocument {
  id: string;
  status: string;
  created_at: string;
  completed_at: string | null;
  custom_metadata: Record<string, unknown> | null;
  error_code: number | null;
  file: { id: string; filename: string | null; source: string | null; audio_duration: number | null; number_of_channels: number | null } | null;
  request_params: Record<string, unknown> | null;
  result: { metadata?: { audio_duration?: number }; transcription?: { full_transcript?: string } } | null;
}

export interface ListPage {
  first: string;
  current: string;
  next: string | null;
  items: JobDocument[];
}

/** Uploads the recording as the multipart part `audio`. */
export async function upload(ctx: ScenarioContext, as: Who = 'primary'): Promise<UploadAnswer> {
  const call = await ctx.call('uploadAudio', { form: { audio: { data: SPEECH, filename: 'en-greeting.wav', contentType: 'audio/wav' } }, as });
  const body = call.json<UploadAnswer | undefined>();
  ctx.expect(call.status === 200 && typeof body?.audio_url === 'string', { message: 'Uploading a WAV recording did not store it', expected: '200 with {audio_url, audio_metadata}', received: `${call.status} ${call.text().slice(0, 300)}`, call, pointer: `${ctx.pointerOf('uploadAudio')}/responses/200` });
  return body!;
}

/** Whatever a create answered: a job made by it is deleted when the run ends, even one that should not exist. */
export function adopt(ctx: ScenarioContext, call: Call, as: Who = 'primary'): string | undefined {
  const id = call.status === 201 ? call.json<{ id?: unknown }>()?.id : undefined;
  if (typeof id !== 'string') return undefined;
  ctx.onCleanup(() => removeWhenFinished(ctx, id, as));
  return id;
}

/** Creates a job; it is deleted when the run ends. */
export async function create(ctx: ScenarioContext, body: Record<string, unknown>, as: Who = 'primary'): Promise<{ id: string; call: Call }> {
  const call = await ctx.call('createPreRecordedJob', { json: body, as });
  const id = adopt(ctx, call, as);
  ctx.expect(id !== undefined, { message: 'Creating a valid job did not create it', expected: '201 with {id, result_url}', received: `${call.status} ${call.text().slice(0, 300)}`, call, pointer: `${ctx.pointerOf('createPreRecordedJob')}/responses/201` });
  return { id: id!, call };
}

/** Only finished jobs can be deleted: wait (or move time) until the DELETE is not refused. */
async function removeWhenFinished(ctx: ScenarioContext, id: string, as: Who): Promise<void> {
  await ctx.time.until(async () => (await ctx.call('deletePreRecordedJob', { pathParams: { id }, as })).status !== 403, JOB_LIFECYCLE.budgetSeconds);
}

export async function readJob(ctx: ScenarioContext, id: string, as: Who = 'primary'): Promise<{ call: Call; job: JobDocument | undefined }> {
  const call = await ctx.call('getPreRecordedJob', { pathParams: { id }, as });
  return { call, job: call.status === 200 ? call.json<JobDocument | undefined>() : undefined };
}

export const statusOf = (read: { call: Call; job: JobDocument | undefined }) => (typeof read.job?.status === 'string' ? read.job.status : `(HTTP ${read.call.status})`);

/** What must hold of a job document at every read: `completed_at`, `error_code` and `result` only once it ends. */
export function expectConsistent(ctx: ScenarioContext, call: Call, job: JobDocument): void {
  const ended = job.status === 'done' || job.status === 'error';
  ctx.expect(ended === (job.completed_at !== null && job.completed_at !== undefined), { message: ended ? 'A finished job has no completed_at' : 'An unfinished job has a completed_at', expected: ended ? `a date-time once ${job.status}` : `null while ${job.status}`, received: String(job.completed_at), call, pointer: '#/components/schemas/PreRecordedResponse/properties/completed_at' });
  ctx.expect((job.status === 'done') === (job.result !== null && job.result !== undefined), { message: job.status === 'done' ? 'A done job has no result' : `A ${job.status} job has a result`, expected: job.status === 'done' ? 'the result' : 'result: null', received: JSON.stringify(job.result ?? null).slice(0, 200), call, pointer: '#/components/schemas/PreRecordedResponse/properties/result' });
  ctx.expect((job.status === 'error') === (job.error_code !== null && job.error_code !== undefined), { message: job.status === 'error' ? 'A failed job has no error_code' : `A ${job.status} job has an error_code`, expected: job.status === 'error' ? 'an error_code from 400 to 599' : 'error_code: null', received: String(job.error_code), call, pointer: '#/components/schemas/PreRecordedResponse/properties/error_code' });
}

/**
 * Follows a job until it is done or error: every status seen must be documented and
 * reachable from the one before, and each read consistent. Returns the last document read.
 */
export async function untilFinished(ctx: ScenarioContext, id: string, as: Who = 'primary'): Promise<{ status: string; job: JobDocument | undefined; call: Call }> {
  let last: { call: Call; job: JobDocument | undefined } | undefined;
  const status = await followLifecycle(ctx, JOB_LIFECYCLE, async () => {
    last = await readJob(ctx, id, as);
    if (last.job && JOB_LIFECYCLE.statuses.includes(last.job.status)) expectConsistent(ctx, last.call, last.job);
    return { status: statusOf(last), call: last.call };
  });
  return { status, job: last!.job, call: last!.call };
}

/** Creates a job and waits for it to end as `expected`. */
export async function finishedJob(ctx: ScenarioContext, body: Record<string, unknown>, expected: 'done' | 'error' = 'done', as: Who = 'primary'): Promise<{ id: string; job: JobDocument }> {
  const { id } = await create(ctx, body, as);
  const end = await untilFinished(ctx, id, as);
  ctx.expect(end.status === expected, { message: `The job did not finish as ${expected}`, expected, received: `${end.status}${end.job?.error_code ? ` (error_code ${end.job.error_code})` : ''}`, call: end.call });
  return { id, job: end.job! };
}

/** A finished job to aim negative cases at; deleted when the run ends. */
export async function existingJob(ctx: ScenarioContext): Promise<string> {
  const { audio_url } = await upload(ctx);
  return (await finishedJob(ctx, { audio_url })).id;
}

/** Gladia's error body, as every 4xx must carry it; `validation` when the answer must list validation_errors. */
export function expectGladiaError(ctx: ScenarioContext, call: Call, status: number, what: string, options: { validation?: boolean } = {}): void {
  ctx.expect(call.status === status, { message: `${what} did not answer ${status}`, expected: String(status), received: `${call.status} ${call.text().slice(0, 300)}`, call });
  const body = call.json<Record<string, unknown> | undefined>();
  const path = new URL(call.exchange.request.url).pathname;
  const problems = [
    body?.statusCode !== status && `statusCode ${JSON.stringify(body?.statusCode)}`,
    body?.path !== path && `path ${JSON.stringify(body?.path)}`,
    !(typeof body?.request_id === 'string' && /^G-[0-9a-f]{8}$/.test(body.request_id)) && `request_id ${JSON.stringify(body?.request_id)}`,
    !(typeof body?.timestamp === 'string' && !Number.isNaN(Date.parse(body.timestamp))) && `timestamp ${JSON.stringify(body?.timestamp)}`,
    typeof body?.message !== 'string' && 'no message',
    options.validation && !(Array.isArray(body?.validation_errors) && body.validation_errors.length > 0 && body.validation_errors.every((e) => typeof e === 'string')) && 'no validation_errors',
  ].filter(Boolean);
  ctx.expect(problems.length === 0, {
    message: `${what}: the answer is not Gladia's error body`,
    expected: `{timestamp, path: "${path}", request_id: "G-xxxxxxxx", statusCode: ${status}, message${options.validation ? ', validation_errors: [...]' : ''}}`,
    received: `${problems.join(', ')} in ${call.text().slice(0, 300)}`,
    call,
    pointer: '#/components/schemas/ErrorResponse',
  });
}

/** The query of a `first`/`current`/`next` link, to ask for that page again. */
export function queryOf(link: string): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = {};
  for (const [key, value] of new URL(link).searchParams) {
    const had = query[key];
    query[key] = had === undefined ? value : [...(Array.isArray(had) ? had : [had]), value];
  }
  return query;
}

/** Reads one page of the list; the answer must be a page. */
export async function listPage(ctx: ScenarioContext, query: Record<string, string | string[]>, as: Who = 'primary'): Promise<{ call: Call; page: ListPage }> {
  const call = await ctx.call('listPreRecordedJobs', { query, as });
  const page = call.json<ListPage | undefined>();
  ctx.expect(call.status === 200 && Array.isArray(page?.items), { message: 'The job list could not be read', expected: '200 {first, current, next, items}', received: `${call.status} ${call.text().slice(0, 300)}`, call });
  return { call, page: page! };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Lets a moment of the target's time pass: moved when it can be, waited for otherwise. */
export async function aMomentLater(ctx: ScenarioContext, seconds: number): Promise<void> {
  if (ctx.time.controllable) await ctx.time.advance(seconds);
  else await sleep(seconds * 1000);
}
