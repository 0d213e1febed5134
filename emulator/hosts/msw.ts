// The emulator in-process, as msw handlers: an SDK's requests to the vendor's own host are
// answered by the same core the HTTP server runs, without opening a port. Fetch objects
// stop here, as express objects stop at http-server.ts.
import { Readable } from 'node:stream';
import { http, HttpResponse, type HttpHandler } from 'msw';
import type { Emulator } from '../core/emulator.ts';
import { queryFrom, type EmulatorRequest, type EmulatorResponse } from '../core/http-types.ts';

export interface InProcessEmulator {
  emulator: Emulator;
  /** Give these to msw's setupServer (or server.use). */
  handlers: HttpHandler[];
  /** Stops the emulator's clock and removes its temporary files. */
  close(): void;
}

function toEmulatorRequest(request: Request): EmulatorRequest {
  const url = new URL(request.url);
  const query = queryFrom(url.searchParams);
  const headers: Record<string, string> = {};
  request.headers.forEach((value, name) => (headers[name.toLowerCase()] = value));
  // Bodies stream, as over HTTP: the core reads them by their operation's media type.
  const stream = request.body ? Readable.fromWeb(request.body as never) : undefined;
  if (stream && headers['content-length'] === undefined) headers['transfer-encoding'] ??= 'chunked';
  return { method: request.method, path: url.pathname, query, headers, body: Buffer.alloc(0), origin: url.origin, ...(stream && { stream }) };
}

function toFetchResponse(response: EmulatorResponse): Response {
  if (response.dropConnection) return HttpResponse.error();
  const { status, headers } = response;
  let body: BodyInit | null;
  if (response.body === undefined || response.body === null || status === 204 || status === 304) body = null;
  else if (Buffer.isBuffer(response.body)) body = new Uint8Array(response.body);
  else if (typeof response.body === 'string') body = response.body;
  else if (response.body instanceof Readable) body = Readable.toWeb(response.body) as ReadableStream;
  else {
    body = JSON.stringify(response.body);
    headers['content-type'] ??= 'application/json; charset=utf-8';
  }
  return new HttpResponse(body, { status, headers });
}

/** The emulator's answers as msw handlers; closing stops the emulator. */
export function mswHandlers(emulator: Emulator): InProcessEmulator {
  const handler = http.all('*', async ({ request }) => {
    // Requests no emulated API serves are not ours: other handlers, or the network, get them.
    if (!emulator.serves(new URL(request.url).pathname)) return undefined;
    return toFetchResponse(await emulator.handle(toEmulatorRequest(request)));
  });
  return { emulator, handlers: [handler], close: () => emulator.beginShutdown() };
}
