// The request journal, as WireMock keeps one: every request to an emulated API with the
// operation it matched and the status it got. Control API calls are not journaled.
import { createHash } from 'node:crypto';
import type { EmulatorRequest, QueryValue } from './http-types.ts';

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
  duration_ms: number;
}

const PREVIEW_CHARS = 200;
/** The journal keeps the newest entries; a long-running emulator must not grow without bound. */
const CAPACITY = 10_000;

export interface Journal {
  /** `streamed` summarises a body that passed as a stream (request.body is empty then). */
  record(request: EmulatorRequest, receivedAt: Date, match: { api: string | null; operationId: string | null }, status: number, durationMs: number, streamed?: { bytes: number; sha256: string; head: Buffer }): void;
  entries(filter: { api?: string; limit?: number }): JournalEntry[];
  reset(): void;
}

export function createJournal(): Journal {
  let entries: JournalEntry[] = [];
  let counter = 0;
  return {
    record(request, receivedAt, match, status, durationMs, streamed) {
      const type = request.headers['content-type'] ?? null;
      const head = streamed?.head ?? request.body;
      const textual = !type || /^(text\/|application\/(json|x-www-form-urlencoded)|multipart\/)/.test(type);
      entries.push({
        id: `req_${String(++counter).padStart(4, '0')}`,
        received_at: receivedAt.toISOString(),
        api: match.api,
        operation_id: match.operationId,
        method: request.method,
        path: request.path,
        query: request.query,
        headers: request.headers,
        body: {
          content_type: type,
          bytes: streamed?.bytes ?? request.body.length,
          sha256: streamed?.sha256 ?? createHash('sha256').update(request.body).digest('hex'),
          preview: textual ? head.toString('utf8', 0, Math.min(head.length, PREVIEW_CHARS * 4)).slice(0, PREVIEW_CHARS) : '',
        },
        status,
        duration_ms: durationMs,
      });
      if (entries.length > CAPACITY) entries = entries.slice(-CAPACITY);
    },
    entries({ api, limit = 1000 }) {
      return entries.filter((e) => !api || e.api === api).slice(-limit);
    },
    reset() {
      entries = [];
      counter = 0;
    },
  };
}
