// What AssemblyAI journeys share: the recordings they send (and what is true of them), raw
// uploads, creating a transcript (deleted once it has finished: AssemblyAI keeps a deleted
// transcript listed with its content removed, and there is no way to remove it further),
// following a transcript along queued → processing → completed | error, the list, and
// AssemblyAI's `{error}` body.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Call, ScenarioContext } from '../../scenario.ts';
import { followLifecycle, type Lifecycle } from '../lifecycle.ts';

const fixture = (name: string) => fileURLToPath(new URL(`../../../fixtures/audio/${name}`, import.meta.url));

/** Real speech at 16 kHz, for uploads and remote audio. */
export const SPEECH = readFileSync(fixture('en-greeting.16k.wav'));
/** The same speech at 8 kHz, a whole WAV file, for /v2/stream. */
export const CLIP = readFileSync(fixture('en-greeting.8k.wav'));
/** What the recording says, punctuated and formatted (the fixture's own description). */
export const SPEECH_TEXT: string = JSON.parse(readFileSync(fixture('en-greeting.json'), 'utf8')).text;
/** The same without punctuation or formatting: lower case, no punctuation. */
export const PLAIN_TEXT = SPEECH_TEXT.toLowerCase().replace(/[.,?!]/g, '');
/** Its sentences, as a sentence-ending mark ends them. */
export const SPEECH_SENTENCES = SPEECH_TEXT.match(/[^.?!]+[.?!]/g)!.map((s) => s.trim());
/** The recording's length, in whole seconds, as AssemblyAI's integer `audio_duration` states it. */
export const SPEECH_SECONDS = 5;

export const sameText = (a: unknown, b: string) => typeof a === 'string' && a.replace(/\s+/g, ' ').trim() === b.replace(/\s+/g, ' ').trim();

/** A transcript's lifecycle, as the spec's TranscriptStatus describes it. */
export const TRANSCRIPT_LIFECYCLE: Lifecycle = {
  what: 'transcript',
  statuses: ['queued', 'processing', 'completed', 'error'],
  // queued → processing → completed | error; two reads may miss `processing`.
  next: { queued: ['processing', 'completed', 'error'], processing: ['completed', 'error'], completed: [], error: [] },
  initial: 'queued',
  isFinished: (status) => status === 'completed' || status === 'error',
  finishedAs: 'completed or error',
  statusPointer: '#/components/schemas/TranscriptStatus',
  // A few minutes: long enough for a real service to transcribe five seconds of audio.
  budgetSeconds: 300,
};

export type Who = 'primary' | 'secondary';

export interface Word {
  text: string;
  start: number;
  end: number;
  confidence: number;
}

export interface TranscriptDocument {
  id: string;
  status: string;
  audio_url: string;
  text: string | null;
  words: Word[] | null;
  audio_duration: number | null;
  error: string | null;
  punctuate: boolean | null;
  format_text: boolean | null;
  webhook_url?: string | null;
  webhook_auth?: boolean;
  webhook_auth_header_name?: string | null;
  webhook_auth_header_value?: unknown;
  webhook_status_code?: number | null;
  [key: string]: unknown;
}

export interface ListItem {
  id: string;
  resource_url: string;
  status: string;
  created: string;
  completed: string | null;
  audio_url: string;
  error: string | null;
}

export interface ListPage {
  page_details: { limit: number; result_count: number; current_url: string; prev_url: string | null; next_url: string | null };
  transcripts: ListItem[];
}

/** Uploads the recording as the raw request body; answers its upload_url. */
export async function upload(ctx: ScenarioContext, as: Who = 'primary', audio: Buffer = SPEECH): Promise<string> {
  const call = await ctx.call('uploadFile', { body: audio, headers: { 'content-type': 'application/octet-stream' }, as });
  const url = call.json<{ upload_url?: unknown } | undefined>()?.upload_url;
  ctx.expect(call.status === 200 && typeof url === 'string' && URL.canParse(url), { message: 'Uploading a WAV recording did not store it', expected: '200 with {upload_url}', received: `${call.status} ${call.text().slice(0, 300)}`, call, pointer: `${ctx.pointerOf('uploadFile')}/responses/200` });
  return url as string;
}

/** Whatever a create answered: a transcript made by it is deleted once it has finished, even one that should not exist. */
export function adopt(ctx: ScenarioContext, call: Call, as: Who = 'primary'): string | undefined {
  const id = call.status === 200 ? call.json<{ id?: unknown } | undefined>()?.id : undefined;
  if (typeof id !== 'string') return undefined;
  ctx.onCleanup(() => removeWhenFinished(ctx, id, as));
  return id;
}

/** Creates a transcript: 200, queued, with an id; it is deleted when the run ends. */
export async function create(ctx: ScenarioContext, body: Record<string, unknown>, as: Who = 'primary'): Promise<{ id: string; call: Call; transcript: TranscriptDocument }> {
  const call = await ctx.call('createTranscript', { json: body, as });
  const id = adopt(ctx, call, as);
  const transcript = call.json<TranscriptDocument | undefined>();
  ctx.expect(id !== undefined, { message: 'Creating a valid transcript did not create it', expected: '200 with the queued transcript', received: `${call.status} ${call.text().slice(0, 300)}`, call, pointer: `${ctx.pointerOf('createTranscript')}/responses/200` });
  return { id: id!, call, transcript: transcript! };
}

/** Only finished transcripts can be deleted: wait (or move time) until the DELETE is not refused. */
async function removeWhenFinished(ctx: ScenarioContext, id: string, as: Who): Promise<void> {
  await ctx.time.until(async () => (await ctx.call('deleteTranscript', { pathParams: { transcript_id: id }, as })).status !== 400, TRANSCRIPT_LIFECYCLE.budgetSeconds);
}

export async function readTranscript(ctx: ScenarioContext, id: string, as: Who = 'primary'): Promise<{ call: Call; transcript: TranscriptDocument | undefined }> {
  const call = await ctx.call('getTranscript', { pathParams: { transcript_id: id }, as });
  return { call, transcript: call.status === 200 ? call.json<TranscriptDocument | undefined>() : undefined };
}

export const statusOf = (read: { call: Call; transcript: TranscriptDocument | undefined }) => (typeof read.transcript?.status === 'string' ? read.transcript.status : `(HTTP ${read.call.status})`);

/** What must hold at every read: the result fields only once completed, `error` only on error. */
export function expectConsistent(ctx: ScenarioContext, call: Call, transcript: TranscriptDocument): void {
  const completed = transcript.status === 'completed';
  const results = { text: transcript.text, words: transcript.words, audio_duration: transcript.audio_duration };
  const filled = Object.values(results).every((v) => v !== null && v !== undefined);
  const empty = Object.values(results).every((v) => v === null || v === undefined);
  ctx.expect(completed ? filled : empty, { message: completed ? 'A completed transcript lacks its results' : `A ${transcript.status} transcript has results`, expected: completed ? 'text, words and audio_duration set' : 'text, words and audio_duration null', received: JSON.stringify(results).slice(0, 300), call, pointer: `${ctx.pointerOf('getTranscript')}/description` });
  const failed = transcript.status === 'error';
  ctx.expect(failed === (typeof transcript.error === 'string' && transcript.error.length > 0), { message: failed ? 'A failed transcript does not say why' : `A ${transcript.status} transcript has an error`, expected: failed ? 'error: the reason' : 'error: null', received: JSON.stringify(transcript.error ?? null), call, pointer: '#/components/schemas/Transcript' });
}

/**
 * Follows a transcript until it is completed or error: every status seen must be documented
 * and reachable from the one before, and each read consistent. Returns the last document read.
 */
export async function untilFinished(ctx: ScenarioContext, id: string, as: Who = 'primary'): Promise<{ status: string; transcript: TranscriptDocument | undefined; call: Call }> {
  let last: { call: Call; transcript: TranscriptDocument | undefined } | undefined;
  const status = await followLifecycle(ctx, TRANSCRIPT_LIFECYCLE, async () => {
    last = await readTranscript(ctx, id, as);
    if (last.transcript && TRANSCRIPT_LIFECYCLE.statuses.includes(last.transcript.status)) expectConsistent(ctx, last.call, last.transcript);
    return { status: statusOf(last), call: last.call };
  });
  return { status, transcript: last!.transcript, call: last!.call };
}

/** Creates a transcript and waits for it to end as `expected`. */
export async function finishedTranscript(ctx: ScenarioContext, body: Record<string, unknown>, expected: 'completed' | 'error' = 'completed', as: Who = 'primary'): Promise<{ id: string; transcript: TranscriptDocument; call: Call }> {
  const { id } = await create(ctx, body, as);
  const end = await untilFinished(ctx, id, as);
  ctx.expect(end.status === expected, { message: `The transcript did not finish as ${expected}`, expected, received: `${end.status}${end.transcript?.error ? ` (${end.transcript.error})` : ''}`, call: end.call });
  return { id, transcript: end.transcript!, call: end.call };
}

/** A completed transcript to aim negative cases at; deleted when the run ends. */
export async function existingTranscript(ctx: ScenarioContext): Promise<string> {
  return (await finishedTranscript(ctx, { audio_url: await upload(ctx) })).id;
}

/** AssemblyAI's error body, `{error}` (and at most `status: "error"`), with `message` when the spec gives the vendor's words. */
export function expectAaiError(ctx: ScenarioContext, call: Call, status: number, what: string, message?: string): void {
  ctx.expect(call.status === status, { message: `${what} did not answer ${status}`, expected: String(status), received: `${call.status} ${call.text().slice(0, 300)}`, call });
  const body = call.json<Record<string, unknown> | undefined>();
  const shaped = call.mediaType === 'application/json' && typeof body?.error === 'string' && body.error.length > 0 && (body.status === undefined || body.status === 'error');
  ctx.expect(shaped, { message: `${what}: the answer is not AssemblyAI's error body`, expected: '{"error": "<message>"}', received: `${call.mediaType || '(no type)'} ${call.text().slice(0, 300)}`, call, pointer: '#/components/schemas/Error' });
  if (message !== undefined) ctx.expect(body!.error === message, { message: `${what}: the error is not the documented message`, expected: JSON.stringify(message), received: JSON.stringify(body!.error), call });
}

/** The read-outs of a transcript, each with the query it needs. */
export const READ_OUTS: Array<{ name: string; operationId: string; pathParams?: Record<string, string>; query?: Record<string, string> }> = [
  { name: 'sentences', operationId: 'getTranscriptSentences' },
  { name: 'paragraphs', operationId: 'getTranscriptParagraphs' },
  { name: 'srt', operationId: 'getSubtitles', pathParams: { subtitle_format: 'srt' } },
  { name: 'vtt', operationId: 'getSubtitles', pathParams: { subtitle_format: 'vtt' } },
  { name: 'word-search', operationId: 'wordSearch', query: { words: 'weather' } },
];

/** Asks for every read-out of `id`. */
export async function callReadOuts(ctx: ScenarioContext, id: string, as: Who = 'primary'): Promise<Array<{ name: string; call: Call }>> {
  const calls: Array<{ name: string; call: Call }> = [];
  for (const readOut of READ_OUTS) {
    calls.push({ name: readOut.name, call: await ctx.call(readOut.operationId, { pathParams: { transcript_id: id, ...readOut.pathParams }, ...(readOut.query && { query: readOut.query }), as }) });
  }
  return calls;
}

/** Every read-out of a transcript in `state` must be refused with `status` (400: not completed) and `{error}`. */
export function expectReadOutsRefused(ctx: ScenarioContext, calls: Array<{ name: string; call: Call }>, state: string, status = 400): void {
  for (const { name, call } of calls) expectAaiError(ctx, call, status, `Reading the ${name} of ${state} transcript`);
}

/** The query of a `page_details` link, to ask for that page. */
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
  const call = await ctx.call('listTranscripts', { query, as });
  const page = call.json<ListPage | undefined>();
  ctx.expect(call.status === 200 && Array.isArray(page?.transcripts) && typeof page?.page_details === 'object', { message: 'The transcript list could not be read', expected: '200 {page_details, transcripts}', received: `${call.status} ${call.text().slice(0, 300)}`, call });
  return { call, page: page! };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Lets a moment of the target's time pass: moved when it can be, waited for otherwise. */
export async function aMomentLater(ctx: ScenarioContext, seconds: number): Promise<void> {
  if (ctx.time.controllable) await ctx.time.advance(seconds);
  else await sleep(seconds * 1000);
}
