// The request journal, as WireMock keeps one: every request to an emulated API with the
// operation it matched, the status it got and, for a refusal, why (the step, the place, the
// failure). Control API calls are not journaled.
import { createHash } from 'node:crypto';
import type { EmulatorRequest, QueryValue, Refusal } from './http-types.ts';

export interface JournalEntry {
  id: string;
  received_at: string;
  api: string | null;
  operation_id: string | null;
  method: string;
  path: string;
  query: Record<string, QueryValue>;
  headers: Record<string, string>;
  body: { content_type: string | null; bytes: number; sha256: string; preview: string };
  status: number;
  /** Why the emulator refused the request (the answer's `refusal`); absent when it did not. */
  refusal?: Refusal;
  duration_ms: number;
}

const PREVIEW_CHARS = 200;
/** The journal keeps the newest entries; a long-running emulator must not grow without bound. */
const CAPACITY = 10_000;

export interface Journal {
  /** `streamed` summarises a body that passed as a stream (request.body is empty then). */
  record(request: EmulatorRequest, receivedAt: Date, match: { api: string | null; operationId: string | null }, status: number, durationMs: number, streamed?: { bytes: number; sha256: string; head: Buffer }, refusal?: Refusal): void;
  entries(filter: { api?: string; limit?: number }): JournalEntry[];
  reset(): void;
}

// The sha256 of no bytes: most requests (every GET) have no body, and hashing nothing per request shows in a profile.
const EMPTY_SHA256 = createHash('sha256').digest('hex');

/**
 * What one request leaves behind, kept compact (the journal holds up to 10,000): flat (no
 * object per request for its method and path, or its match), no empty query object, and the
 * strings that repeat from request to request (the path, header values, a body's hash and
 * preview) shared with earlier entries through `shared`. A JournalEntry is built from it when read.
 */
interface JournalRecord {
  seq: number;
  receivedAt: number;
  method: string;
  path: string;
  /** Undefined when the request had none. */
  query: Record<string, QueryValue> | undefined;
  headers: Record<string, string>;
  api: string | null;
  operationId: string | null;
  bytes: number;
  sha256: string;
  preview: string;
  status: number;
  refusal: Refusal | undefined;
  durationMs: number;
}

/**
 * The first PREVIEW_CHARS characters of a body, as a string of its own: a slice of the decoded
 * head would keep the whole decoded head alive for as long as the entry lives.
 */
function previewOf(head: Buffer): string {
  const text = head.toString('utf8', 0, Math.min(head.length, PREVIEW_CHARS * 4));
  return text.length <= PREVIEW_CHARS ? text : Buffer.from(text.slice(0, PREVIEW_CHARS)).toString('utf8');
}

/** Strings longer than this are kept as they are: sharing is for the short ones that repeat. */
const SHARED_MAX_CHARS = 256;
/** How many distinct strings are remembered for sharing; the memory starts again when full. */
const SHARED_STRINGS = 1024;

/**
 * An equal string seen lately, else this one (remembered): a test suite sends the same host,
 * credential, content type and often the same body again and again, and without this each
 * entry would keep copies of its own.
 */
function createSharing(): (text: string) => string {
  let seen = new Map<string, string>();
  return (text) => {
    if (text.length > SHARED_MAX_CHARS) return text;
    const known = seen.get(text);
    if (known !== undefined) return known;
    if (seen.size >= SHARED_STRINGS) seen = new Map();
    seen.set(text, text);
    return text;
  };
}

function hasKeys(object: object): boolean {
  for (const key in object) if (Object.hasOwn(object, key)) return true;
  return false;
}

function entryOf(record: JournalRecord): JournalEntry {
  const { refusal } = record;
  return {
    id: `req_${String(record.seq).padStart(4, '0')}`,
    received_at: new Date(record.receivedAt).toISOString(),
    api: record.api,
    operation_id: record.operationId,
    method: record.method,
    path: record.path,
    query: record.query ?? {},
    headers: record.headers,
    body: { content_type: record.headers['content-type'] ?? null, bytes: record.bytes, sha256: record.sha256, preview: record.preview },
    status: record.status,
    ...(refusal && { refusal: { ...refusal } }),
    duration_ms: record.durationMs,
  };
}

export function createJournal(capacity = CAPACITY): Journal {
  // A ring: once full, each new request overwrites the oldest, at no cost per request.
  let ring: Array<JournalRecord | undefined> = [];
  let counter = 0;
  let shared = createSharing();
  return {
    record(request, receivedAt, match, status, durationMs, streamed, refusal) {
      const type = request.headers['content-type'];
      const head = streamed?.head ?? request.body;
      const textual = !type || /^(text\/|application\/(json|x-www-form-urlencoded)|multipart\/)/.test(type);
      const bytes = streamed?.bytes ?? request.body.length;
      // Only what an entry shows is kept: not the body (its head becomes the preview).
      const headers = { ...request.headers };
      for (const name in headers) headers[name] = shared(headers[name]!);
      ring[counter % capacity] = {
        seq: ++counter,
        receivedAt: receivedAt.getTime(),
        method: request.method,
        path: shared(request.path),
        query: hasKeys(request.query) ? request.query : undefined,
        headers,
        api: match.api,
        operationId: match.operationId,
        bytes,
        sha256: bytes === 0 ? EMPTY_SHA256 : shared(streamed?.sha256 ?? createHash('sha256').update(request.body).digest('hex')),
        preview: textual && head.length ? shared(previewOf(head)) : '',
        status,
        refusal,
        durationMs,
      };
    },
    entries({ api, limit = 1000 }) {
      const oldestFirst = counter <= capacity ? ring.slice(0, counter) : [...ring.slice(counter % capacity), ...ring.slice(0, counter % capacity)];
      const chosen: JournalEntry[] = [];
      for (let i = oldestFirst.length - 1; i >= 0 && chosen.length < limit; i--) {
        const record = oldestFirst[i]!;
        if (!api || record.api === api) chosen.push(entryOf(record));
      }
      return chosen.reverse();
    },
    reset() {
      ring = [];
      counter = 0;
      shared = createSharing();
    },
  };
}
