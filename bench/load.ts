// The load generator: N keep-alive connections over plain sockets, each sending one
// pre-encoded HTTP/1.1 request, reading its answer (Content-Length or chunked), and sending
// the next. No HTTP client library and no per-request allocation beyond the answer's bytes,
// so on a 2-core machine it takes as little CPU as possible away from the server it loads.
// Two modes: for a duration (after a warm-up whose answers are not counted), or a fixed
// number of requests (to fill a server with resources).
import { connect, type Socket } from 'node:net';
import { percentile } from './system.ts';

export interface LoadResult {
  requests: number;
  seconds: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Answers by status code. */
  statuses: Record<number, number>;
  /** Connections that closed or failed mid-run (each is reopened). */
  socketErrors: number;
}

export interface LoadOptions {
  connections: number;
  /** Measure for this long after the warm-up … */
  durationMs?: number;
  warmupMs?: number;
  /** … or send exactly this many requests. */
  count?: number;
}

/** One HTTP/1.1 request, encoded once. */
export function encodeRequest(method: string, url: string, headers: Record<string, string>, body?: Buffer): Buffer {
  const { host, pathname, search } = new URL(url);
  const lines = [`${method} ${pathname}${search} HTTP/1.1`, `host: ${host}`, ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`)];
  if (body) lines.push(`content-length: ${body.length}`);
  return Buffer.concat([Buffer.from(lines.join('\r\n') + '\r\n\r\n'), body ?? Buffer.alloc(0)]);
}

const HEAD_END = Buffer.from('\r\n\r\n');
const CHUNKED_END = Buffer.from('\r\n0\r\n\r\n');

/** Where the first complete answer in `buffer` ends and its status, or undefined if incomplete. */
function answerEnd(buffer: Buffer): { end: number; status: number } | undefined {
  const head = buffer.indexOf(HEAD_END);
  if (head < 0) return undefined;
  const text = buffer.toString('latin1', 0, head);
  const status = Number(text.slice(9, 12));
  const length = /\r\ncontent-length:\s*(\d+)/i.exec(text);
  if (length) {
    const end = head + 4 + Number(length[1]);
    return buffer.length >= end ? { end, status } : undefined;
  }
  if (/\r\ntransfer-encoding:\s*chunked/i.test(text)) {
    const last = buffer.indexOf(CHUNKED_END, head + 4 - 2);
    return last < 0 ? undefined : { end: last + CHUNKED_END.length, status };
  }
  return { end: head + 4, status }; // no body (204, 304)
}

export async function load(url: string, request: Buffer, options: LoadOptions): Promise<LoadResult> {
  const { hostname, port } = new URL(url);
  const latencies: number[] = [];
  const statuses: Record<number, number> = {};
  let socketErrors = 0;
  let measuring = options.count !== undefined;
  let running = true;
  let sent = 0;
  let done = 0;
  let finish!: () => void;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  const sockets = new Set<Socket>();

  const open = () => {
    let buffer: Buffer = Buffer.alloc(0);
    let sentAt = 0;
    let waiting = false;
    const socket = connect(Number(port), hostname);
    sockets.add(socket);
    socket.setNoDelay(true);
    const next = () => {
      if (!running || (options.count !== undefined && sent >= options.count)) return;
      sent++;
      waiting = true;
      sentAt = performance.now();
      socket.write(request);
    };
    socket.on('connect', next);
    socket.on('data', (chunk: Buffer) => {
      buffer = buffer.length ? Buffer.concat([buffer, chunk]) : chunk;
      const answer = answerEnd(buffer);
      if (!answer) return;
      buffer = buffer.subarray(answer.end);
      waiting = false;
      if (measuring) {
        latencies.push(performance.now() - sentAt);
        statuses[answer.status] = (statuses[answer.status] ?? 0) + 1;
      }
      done++;
      if (options.count !== undefined && done >= options.count) finish();
      next();
    });
    const lost = () => {
      if (!sockets.delete(socket)) return;
      if (waiting) {
        socketErrors++;
        if (options.count !== undefined) sent--; // that request is sent again
      }
      if (running) open();
    };
    socket.on('error', lost);
    socket.on('close', lost);
  };

  for (let i = 0; i < options.connections; i++) open();
  let started = performance.now();
  if (options.count === undefined) {
    await new Promise((resolve) => setTimeout(resolve, options.warmupMs ?? 1000));
    measuring = true;
    started = performance.now();
    await new Promise((resolve) => setTimeout(resolve, options.durationMs ?? 5000));
    measuring = false;
  } else {
    await finished;
  }
  const seconds = (performance.now() - started) / 1000;
  running = false;
  for (const socket of sockets) socket.destroy();
  sockets.clear();
  return {
    requests: latencies.length,
    seconds,
    perSecond: latencies.length / seconds,
    p50Ms: latencies.length ? percentile(latencies, 0.5) : NaN,
    p99Ms: latencies.length ? percentile(latencies, 0.99) : NaN,
    statuses,
    socketErrors,
  };
}
