// The neutral request and response every part below the hosts works with. Express (and msw)
// objects are turned into these at the edge, so the core never depends on a framework.
import type { Readable } from 'node:stream';

export type QueryValue = string | string[];

export interface EmulatorRequest {
  method: string;
  /** The path without the query string, as received (not decoded). */
  path: string;
  query: Record<string, QueryValue>;
  /** Lower-cased names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  body: Buffer;
  /**
   * The body as the host received it, unread, so an upload is never held in memory; `body`
   * is empty then. The core reads it by the operation's media type (request-body.ts); paths
   * that need the bytes whole call `bufferBody` (body-stream.ts).
   */
  stream?: Readable;
  /** `http://host:port` as the client addressed the emulator, for URLs it hands out. */
  origin?: string;
}

export interface EmulatorResponse {
  status: number;
  headers: Record<string, string>;
  /** A Buffer, string or stream is sent as is; anything else as JSON. Undefined means no body. */
  body?: unknown;
  /** Close the connection without answering (a fault a test asked for). */
  dropConnection?: boolean;
  /** Why the request was refused, for the journal and `serve --log`; never sent. */
  refusal?: Refusal;
}

/**
 * Where a request was refused: the step that refused it, in the order the core runs them
 * (`handler` is the API's own business rule, `route` and `method` a path no operation serves),
 * where in the request, and what the spec (or the API) wanted. The answer the client gets is the
 * vendor's, in its words; this is the emulator's, for the journal and the log.
 */
export type RefusalStage = 'credentials' | 'accept' | 'path' | 'parameters' | 'body' | 'authorize' | 'handler' | 'route' | 'method';

export interface Refusal {
  stage: RefusalStage;
  /** A JSON pointer into the body (`/config/type`), or a parameter's name (`limit`, `x-request-id`). */
  pointer?: string;
  message: string;
}

export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): EmulatorResponse {
  return { status, headers: { 'content-type': 'application/json; charset=utf-8', ...headers }, body };
}

export function textResponse(status: number, body: string | Buffer, headers: Record<string, string> = {}): EmulatorResponse {
  return { status, headers: { 'content-type': 'text/plain; charset=utf-8', ...headers }, body };
}

/** A URL's query as the core reads it: repeated names keep every value, in order. */
export function queryFrom(params: URLSearchParams): Record<string, QueryValue> {
  const query: Record<string, QueryValue> = {};
  for (const [key, value] of params) {
    const existing = query[key];
    query[key] = existing === undefined ? value : Array.isArray(existing) ? [...existing, value] : [existing, value];
  }
  return query;
}
