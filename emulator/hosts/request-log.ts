// `serve --log`: one line per request, as Prism's console prints them: the time, the method and
// path, the API and operation it went to (named as the journal names them), the status and how
// long it took; for a refusal, why: the step that refused it, where and what the spec wanted
// (the answer's `refusal`, as the journal records it), or else what the answer said. It reads
// exchanges the host reports and never touches an answer.
import { Readable } from 'node:stream';
import type { EmulatorResponse, Refusal } from '../core/http-types.ts';
import type { Exchange, RunningServer } from './http-server.ts';
import type { OperationNamer } from './spec-outline.ts';

const DETAIL_CHARS = 160;

/** One line, at most DETAIL_CHARS long. */
const bounded = (text: string) => {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > DETAIL_CHARS ? `${line.slice(0, DETAIL_CHARS - 1)}…` : line;
};

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** Local wall-clock time, to the millisecond. */
export const clockTime = (date: Date) => `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}`;

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The human-readable parts of an error body, in the vendors' shapes (`error`, `message`, `detail`, Bubble's `body.message`, Gladia's `validation_errors`, Stenomatic's `details`). */
function messages(value: unknown, depth = 0): string[] {
  if (typeof value === 'string') return [value];
  if (!isRecord(value) || depth > 2) return [];
  const found: string[] = [];
  for (const key of ['error', 'title', 'message', 'detail', 'reason', 'body']) {
    const field = value[key];
    if (typeof field === 'string') found.push(field);
    else if (isRecord(field)) found.push(...messages(field, depth + 1));
  }
  for (const key of ['validation_errors', 'details', 'errors']) {
    const list = value[key];
    const first: unknown = Array.isArray(list) ? list[0] : undefined;
    if (typeof first === 'string') found.push(first);
    else if (isRecord(first)) found.push([first.field ?? first.path ?? first.name, first.message ?? first.detail].filter((part) => typeof part === 'string').join(': '));
  }
  return found;
}

function bodyValue(response: EmulatorResponse): unknown {
  const { body } = response;
  if (body === undefined || body === null || body instanceof Readable) return undefined;
  const type = Object.entries(response.headers).find(([name]) => name.toLowerCase() === 'content-type')?.[1] ?? '';
  if (!Buffer.isBuffer(body) && typeof body !== 'string') return body;
  const text = body.toString().slice(0, 64 * 1024);
  if (/json/i.test(type)) {
    try {
      return JSON.parse(text);
    } catch {
      return undefined;
    }
  }
  return /^text\//i.test(type) ? text.split('\n')[0] : undefined;
}

/**
 * What a refused request's answer says, in a line: the vendor's own error words (which carry the
 * spec's validation failure where the API words it). Undefined for a success or a bare status.
 */
export function refusalDetail(response: EmulatorResponse | undefined): string | undefined {
  if (!response || response.status < 400) return undefined;
  const parts = [...new Set(messages(bodyValue(response)).map((m) => m.replace(/\s+/g, ' ').trim()).filter(Boolean))];
  if (parts.length === 0) return undefined;
  return bounded(parts.reduce((line, part) => (line ? `${line}${/[.!?:;]$/.test(line) ? ' ' : ': '}${part}` : part), ''));
}

/** Why the emulator refused, in a line: `body /config/type: must have required property 'type'`. */
export function formatRefusal(refusal: Refusal): string {
  return bounded(`${refusal.stage}${refusal.pointer ? ` ${refusal.pointer}` : ''}: ${refusal.message}`);
}

/** `12:00:01.234 POST /v2/jobs speechmatics createJob 401 3ms  credentials: key not accepted (bearerAuth)` */
export function formatExchange(exchange: Exchange, named: { api: string | null; operationId: string | null }): string {
  const status = exchange.outcome === 'answered' ? String(exchange.status) : exchange.outcome;
  const refusal = exchange.outcome === 'answered' ? exchange.response?.refusal : undefined;
  const detail = exchange.outcome !== 'answered' ? undefined : refusal ? formatRefusal(refusal) : refusalDetail(exchange.response);
  const ms = exchange.ms < 10 ? exchange.ms.toFixed(1) : exchange.ms.toFixed(0);
  return `${clockTime(exchange.receivedAt)} ${exchange.method} ${exchange.url} ${named.api ?? '-'} ${named.operationId ?? '-'} ${status} ${ms}ms${detail ? `  ${detail}` : ''}`;
}

/** Writes a line for every request `running` answers; returns the way to stop. */
export function logRequests(running: RunningServer, namer: OperationNamer, write: (line: string) => void): () => void {
  return running.onExchange((exchange) => write(formatExchange(exchange, namer.name(exchange.method, exchange.path, exchange.headers))));
}
