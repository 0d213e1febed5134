// Node's own HTTP objects and the core's neutral ones: an IncomingMessage becomes an
// EmulatorRequest, an EmulatorResponse becomes bytes on a ServerResponse. The HTTP host
// (http-server.ts) and the express adapter (express-adapter.ts) both translate here, so they
// read targets, headers and bodies, and send answers, the same way.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { pipeline, Readable } from 'node:stream';
import { queryFrom, type EmulatorRequest, type EmulatorResponse, type QueryValue } from '../core/http-types.ts';

/** A request target (`req.url`) read: its path as sent (not decoded), its query, and its authority when it named one. */
export interface RequestTarget {
  path: string;
  query: Record<string, QueryValue>;
  /** `http://host:port` from an absolute-form target (`GET http://host/path`), which names the origin itself. */
  origin?: string;
}

// Parsed against a fixed origin by concatenation, not as a relative reference: `new URL('//x', base)`
// would read `//x` as a host. The path is normalised as WHATWG URLs are (dot segments resolved).
const BASE = 'http://emulator.invalid';

/**
 * A path (and query) the URL parser would leave as it is: no character it percent-encodes or
 * reads otherwise (`\\`, `#`, spaces, non-ASCII), no percent-escape in the path (`%2e` is a dot),
 * and no dot segment (below). The query may hold escapes: URLSearchParams decodes them the same
 * (given a `?` to strip, so a query that starts with one keeps it).
 */
const PLAIN_TARGET = /^(\/[\w\-.~!$&()*+,;=:@/]*)(?:\?([\w\-.~!$&()*+,;=:@/?%]*))?$/;
const DOT_SEGMENT = /(?:^|\/)\.\.?(?:\/|$)/;

/**
 * The request target read, or undefined when it is neither a path (origin-form, `/v2/jobs?x=1`)
 * nor an http(s) URL (absolute-form): `*`, `host:port`. Never throws; percent-escapes are kept
 * as sent (the core answers an undecodable one as the API's 400 or 404).
 */
export function parseTarget(target: string): RequestTarget | undefined {
  // Most targets are a plain path (and a plain query): read as URL would read them, without one.
  const plain = PLAIN_TARGET.exec(target);
  if (plain && !DOT_SEGMENT.test(plain[1]!)) return { path: plain[1]!, query: plain[2] === undefined ? {} : queryFrom(new URLSearchParams('?' + plain[2])) };
  try {
    if (target.startsWith('/')) {
      const url = new URL(BASE + target);
      return { path: url.pathname, query: queryFrom(url.searchParams) };
    }
    if (/^https?:\/\//i.test(target)) {
      const url = new URL(target);
      return { path: url.pathname, query: queryFrom(url.searchParams), origin: url.origin };
    }
  } catch {
    // A target URL parsing refuses is a bad request, as one that is no path at all.
  }
  return undefined;
}

/** Lower-cased names (as Node gives them); repeated headers joined with ", ". */
export function headersOf(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  const given = req.headers;
  // Indexed, not Object.entries: this runs on every request.
  const names = Object.keys(given);
  for (let i = 0; i < names.length; i++) {
    const name = names[i]!;
    const value = given[name];
    if (value !== undefined) headers[name] = typeof value === 'string' ? value : value.join(', ');
  }
  return headers;
}

// Bodies pass through unread, as a stream: the core reads each by its operation's media type
// (JSON into memory within a bound, uploads straight to disk as they arrive).
export const mayHaveBody = (req: IncomingMessage): boolean =>
  req.headers['transfer-encoding'] !== undefined || (req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0');

export interface OriginParts {
  /** `http` or `https`; by default from the socket (TLS or not). */
  protocol?: string;
  /** A path the emulator is mounted under (`/mock`), so URLs it hands out come back through it. */
  mount?: string;
}

/** `http(s)://host[:port][/mount]` as the client addressed the emulator, for the URLs it hands out. */
export function originOf(req: IncomingMessage, target: RequestTarget, parts: OriginParts = {}): string {
  const protocol = parts.protocol ?? ((req.socket as Partial<TLSSocket> | null)?.encrypted ? 'https' : 'http');
  const origin = target.origin ?? `${protocol}://${req.headers.host ?? 'localhost'}`;
  return origin + (parts.mount ?? '');
}

/** The neutral request; `body` is the request stream itself when one may follow. */
export function toEmulatorRequest(req: IncomingMessage, target: RequestTarget, origin: string): EmulatorRequest {
  const method = req.method ?? 'GET';
  const headers = headersOf(req);
  return mayHaveBody(req)
    ? { method, path: target.path, query: target.query, headers, body: NO_BYTES, stream: req, origin }
    : { method, path: target.path, query: target.query, headers, body: NO_BYTES, origin };
}

/** The `body` of a request whose bytes are still in its stream (or that has none): no byte to share. */
const NO_BYTES = Buffer.alloc(0);

/** The answer to a target that is no path (`OPTIONS *`, `CONNECT host:port`). */
export function badTarget(target: string | undefined): EmulatorResponse {
  return {
    status: 400,
    headers: { 'content-type': 'application/json; charset=utf-8' },
    body: { error: 'bad_request', message: `the request target ${JSON.stringify(target ?? '')} is neither a path nor an http(s) URL` },
  };
}

/**
 * The answer to a request target over the URL limit (`--max-url-kib`), given before the target
 * is read or routed. (Over the header limit, which the request line counts towards, Node
 * answers 431 itself.)
 */
export function uriTooLong(bytes: number, limit: number): EmulatorResponse {
  return {
    status: 414,
    headers: { 'content-type': 'application/json; charset=utf-8' },
    body: { error: 'uri_too_long', message: `the request target is ${bytes} bytes; the limit is ${limit} (--max-url-kib ${limit / 1024})` },
  };
}

/**
 * Sends the answer. Throws (before anything is written) when it cannot be sent: a status or
 * header value Node refuses; the caller answers that as any failure (`sendFailure`).
 */
export function send(res: ServerResponse, response: EmulatorResponse): void {
  if (response.dropConnection) {
    res.socket?.destroy();
    return;
  }
  const { body } = response;
  const empty = body === undefined || body === null || response.status === 204 || response.status === 304;
  const json = !empty && !(Buffer.isBuffer(body) || typeof body === 'string' || body instanceof Readable);
  const bytes = empty ? undefined : json ? JSON.stringify(body) : body instanceof Readable ? undefined : (body as Buffer | string);
  // A copy (the answer stays as the emulator gave it, for the log), made in one pass that also
  // notes whether the answer names its type and length itself.
  const headers: Record<string, string | number> = {};
  let typed = false;
  let sized = false;
  const given = response.headers;
  const names = Object.keys(given);
  for (let i = 0; i < names.length; i++) {
    const name = names[i]!;
    headers[name] = given[name]!;
    if (name.length === 12) typed ||= name.toLowerCase() === 'content-type';
    else if (name.length === 14) sized ||= name.toLowerCase() === 'content-length';
  }
  if (json && !typed) headers['content-type'] = 'application/json; charset=utf-8';
  // writeHead fixes the head at once, so the length is ours to give (else Node would chunk).
  if (bytes !== undefined && !sized) headers['content-length'] = Buffer.byteLength(bytes);
  // One writeHead, not a setHeader per header: this runs on every answer.
  res.writeHead(response.status, headers);
  if (body instanceof Readable && !empty) {
    // An error on either side ends both: the connection is cut (the status is already sent),
    // and a file the body reads from is closed when the client goes away first.
    pipeline(body, res, () => {});
  } else {
    res.end(bytes);
  }
}

/**
 * Anything unexpected becomes an answer, never a crash: a JSON 500 (or the error's own 4xx/5xx
 * `status`) in place of whatever was being sent; once the status line is out, the connection is
 * cut instead, so the client cannot take a truncated body for a whole one.
 */
export function sendFailure(res: ServerResponse, error: unknown): void {
  if (res.headersSent) {
    if (!res.writableEnded) res.destroy();
    return;
  }
  const { status: own, message } = (error ?? {}) as { status?: unknown; message?: unknown };
  const status = typeof own === 'number' && own >= 400 && own < 600 ? own : 500;
  for (const name of res.getHeaderNames()) res.removeHeader(name);
  res.statusCode = status;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.end(JSON.stringify({ error: status === 413 ? 'payload_too_large' : 'internal', message: typeof message === 'string' ? message : String(error) }));
}
