// HTTP/1.1 on a bare socket, for the requests fetch cannot make: any bytes as the target, any
// header (repeated, out of charset), any body, a body cut short of its Content-Length. The
// answer is read as far as it goes: a whole response (by Content-Length, chunks, or the close),
// or `dropped` when the connection ended before one arrived.
import { connect } from 'node:net';

export interface RawRequest {
  method: string;
  /** The request target exactly as sent (`/v2/jobs/%ZZ?x=1`). */
  target: string;
  /** In order; a name may repeat. `host` and `content-length` are added unless given. */
  headers: Array<[string, string]>;
  body?: Buffer;
  /** Send only this many bytes of the body, then close our side (a client that gave up). */
  sendBytes?: number;
  /** How long to wait for an answer (ms); then the socket is closed and the answer is `timeout`. */
  timeoutMs?: number;
  /** A slow sender: the request's bytes (head and body) in this many pieces, `delayMs` apart. */
  trickle?: { pieces: number; delayMs: number };
}

export type RawAnswer =
  | { kind: 'response'; status: number; headers: Record<string, string>; body: Buffer }
  /** The connection closed (or was reset) before a whole response arrived. */
  | { kind: 'dropped'; reason: string; received: Buffer }
  | { kind: 'timeout'; received: Buffer };

const HEAD_END = Buffer.from('\r\n\r\n');

/** A whole response at the start of `data` (interim 1xx skipped), or undefined while more is needed; `closed`: no more will come. */
function parseResponse(data: Buffer, closed: boolean, head: boolean): Extract<RawAnswer, { kind: 'response' }> | undefined {
  let start = 0;
  for (;;) {
    const end = data.indexOf(HEAD_END, start);
    if (end < 0) return undefined;
    const lines = data.subarray(start, end).toString('latin1').split('\r\n');
    const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? '')?.[1] ?? NaN);
    if (!Number.isFinite(status)) return undefined;
    const headers: Record<string, string> = {};
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(':');
      if (colon <= 0) continue;
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
    }
    const bodyStart = end + HEAD_END.length;
    if (status >= 100 && status < 200) {
      start = bodyStart;
      continue;
    }
    // A HEAD's answer, a 204 and a 304 have no body, whatever their headers say.
    if (head || status === 204 || status === 304) return { kind: 'response', status, headers, body: Buffer.alloc(0) };
    if (/chunked/i.test(headers['transfer-encoding'] ?? '')) {
      const chunks: Buffer[] = [];
      let at = bodyStart;
      for (;;) {
        const lineEnd = data.indexOf('\r\n', at);
        if (lineEnd < 0) return undefined;
        const size = parseInt(data.subarray(at, lineEnd).toString('latin1'), 16);
        if (!Number.isFinite(size)) return undefined;
        if (size === 0) return { kind: 'response', status, headers, body: Buffer.concat(chunks) };
        if (data.length < lineEnd + 2 + size + 2) return undefined;
        chunks.push(data.subarray(lineEnd + 2, lineEnd + 2 + size));
        at = lineEnd + 2 + size + 2;
      }
    }
    if (headers['content-length'] !== undefined) {
      const length = Number(headers['content-length']);
      if (data.length - bodyStart < length) return undefined;
      return { kind: 'response', status, headers, body: data.subarray(bodyStart, bodyStart + length) };
    }
    return closed ? { kind: 'response', status, headers, body: data.subarray(bodyStart) } : undefined;
  }
}

/** Sends one request on a new connection and reads one answer; the connection is closed after it. */
export function rawRequest(base: string, request: RawRequest): Promise<RawAnswer> {
  const url = new URL(base);
  const body = request.body ?? Buffer.alloc(0);
  const names = new Set(request.headers.map(([name]) => name.toLowerCase()));
  const headers: Array<[string, string]> = [...request.headers];
  if (!names.has('host')) headers.unshift(['Host', url.host]);
  if (!names.has('content-length') && !names.has('transfer-encoding') && body.length > 0) headers.push(['Content-Length', String(body.length)]);
  const head = Buffer.from(`${request.method} ${request.target} HTTP/1.1\r\n${headers.map(([n, v]) => `${n}: ${v}`).join('\r\n')}\r\n\r\n`, 'latin1');
  return new Promise((resolve) => {
    const socket = connect({ host: url.hostname, port: Number(url.port) });
    const received: Buffer[] = [];
    let settled = false;
    const finish = (answer: RawAnswer) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(answer);
    };
    const timer = setTimeout(() => finish({ kind: 'timeout', received: Buffer.concat(received) }), request.timeoutMs ?? 15_000);
    const check = (closed: boolean, reason = 'closed') => {
      const data = Buffer.concat(received);
      const answer = parseResponse(data, closed, request.method.toUpperCase() === 'HEAD');
      if (answer) finish(answer);
      else if (closed) finish({ kind: 'dropped', reason, received: data });
    };
    socket.on('data', (chunk: Buffer) => {
      received.push(chunk);
      check(false);
    });
    socket.on('end', () => check(true));
    socket.on('close', () => check(true));
    // A reset after the answer arrived is no drop: what was read is judged first.
    socket.on('error', (error) => check(true, (error as NodeJS.ErrnoException).code ?? error.message));
    socket.on('connect', () => {
      const part = request.sendBytes === undefined ? body : body.subarray(0, request.sendBytes);
      const bytes = Buffer.concat([head, part]);
      const end = () => {
        if (request.sendBytes !== undefined) socket.end();
      };
      if (!request.trickle) {
        socket.write(bytes);
        return end();
      }
      const size = Math.ceil(bytes.length / request.trickle.pieces);
      let at = 0;
      const next = () => {
        if (settled || socket.destroyed) return;
        socket.write(bytes.subarray(at, (at += size)));
        if (at < bytes.length) setTimeout(next, request.trickle!.delayMs);
        else end();
      };
      next();
    });
  });
}

/** A request in a line or few, for a failure's message: method, target, headers, the first bytes of the body. */
export function describeRaw(request: RawRequest): string {
  const body = request.body ?? Buffer.alloc(0);
  const shown = body.subarray(0, 200).toString('latin1').replace(/[^\x20-\x7e]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  const target = request.target.length > 300 ? `${request.target.slice(0, 300)}… (${request.target.length} characters)` : request.target;
  const headers = request.headers.map(([n, v]) => `${n}: ${v.length > 200 ? `${v.slice(0, 200)}… (${v.length} characters)` : v}`).join('\n  ');
  const cut = (request.sendBytes !== undefined ? ` (only ${request.sendBytes} of them sent, then closed)` : '') + (request.trickle ? ` (sent in ${request.trickle.pieces} pieces, ${request.trickle.delayMs} ms apart)` : '');
  return `${request.method} ${target}\n  ${headers}\n  body: ${body.length} bytes${cut}${body.length ? `: ${shown}${body.length > 200 ? '…' : ''}` : ''}`;
}
