// The HTTP edge on node:http: each request's target, headers and body stream become an
// EmulatorRequest, and the EmulatorResponse goes back as bytes (node-exchange.ts, shared with the
// express adapter). No framework: the core sees the neutral request, its body a plain stream.
//
// The limits (the emulator's `limits`) are enforced here: Node itself answers a request line and
// headers over `maxHeaderSize` with 431, and a client too slow to send its headers
// (`headersTimeout`) or its whole request (`requestTimeout`) with 408, closing the connection;
// a stalled client holds a socket, never the event loop. A target over the URL limit is 414,
// before anything reads it.
import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Emulator } from '../core/emulator.ts';
import { resolveLimits, type EmulatorLimits } from '../core/limits.ts';
import type { EmulatorResponse } from '../core/http-types.ts';
import { isLoopbackHost } from '../core/outbound-policy.ts';
import { badTarget, headersOf, originOf, parseTarget, send, sendFailure, toEmulatorRequest, uriTooLong } from './node-exchange.ts';

export interface ListenOptions {
  host: string;
  port: number;
}

/** One request and what became of it, for a log (`serve --log`); it changes nothing about the answer. */
export interface Exchange {
  /** Wall-clock time the request arrived. */
  receivedAt: Date;
  method: string;
  /** As the client sent it: path and query. */
  url: string;
  /** The path alone, as the emulator routes it. */
  path: string;
  headers: Record<string, string>;
  /** The status sent; 0 when the answer was a dropped connection or the client went away first. */
  status: number;
  /** `answered`, `dropped` (a fault's drop_connection) or `aborted` (the connection closed before the answer was sent). */
  outcome: 'answered' | 'dropped' | 'aborted';
  /** From arrival until the last byte of the answer was handed to the socket. */
  ms: number;
  /** What the emulator answered; undefined when it failed before answering (the host's 500 then). */
  response?: EmulatorResponse;
}

export type ExchangeListener = (exchange: Exchange) => void;

/** Every request to the emulator; an unexpected failure is a 500 answer, never a crash. */
function requestListener(emulator: Emulator, listeners: ReadonlySet<ExchangeListener>, maxUrlBytes: number): RequestListener {
  const onExchange: ExchangeListener = (exchange) => listeners.forEach((listener) => listener(exchange));
  return (req, res) => {
    // Node hands the target over as sent, one character per byte.
    const url = req.url ?? '';
    const tooLong = url.length > maxUrlBytes;
    const target = tooLong ? undefined : parseTarget(url);
    let response: EmulatorResponse | undefined;
    // Watched only while someone listens (`--log`): the watch costs a timer read and a header copy per request.
    if (listeners.size > 0) watch(req, res, target?.path ?? (tooLong ? `${url.slice(0, 64)}…` : url), () => response, onExchange);
    // A promise chain, not an async function around an await: one hop fewer per request.
    const fail = (error: unknown) => {
      try {
        sendFailure(res, error);
      } catch {
        res.destroy();
      }
    };
    const answer = (answer: EmulatorResponse) => {
      try {
        send(res, answer);
        response = answer;
      } catch (error) {
        fail(error);
      }
    };
    if (tooLong) return answer(uriTooLong(url.length, maxUrlBytes));
    if (!target) return answer(badTarget(req.url));
    let answered: Promise<EmulatorResponse>;
    try {
      answered = emulator.handle(toEmulatorRequest(req, target, originOf(req, target)));
    } catch (error) {
      return fail(error);
    }
    answered.then(answer, fail);
  };
}

function watch(req: IncomingMessage, res: ServerResponse, path: string, answer: () => EmulatorResponse | undefined, listener: ExchangeListener): void {
  const receivedAt = new Date();
  const started = process.hrtime.bigint();
  res.once('close', () => {
    const response = answer();
    const outcome = response?.dropConnection ? 'dropped' : res.writableFinished ? 'answered' : 'aborted';
    try {
      listener({
        receivedAt, method: req.method ?? '', url: req.url ?? '', path, headers: headersOf(req),
        status: outcome === 'answered' ? res.statusCode : 0, outcome, ms: Number(process.hrtime.bigint() - started) / 1e6,
        ...(response && { response }),
      });
    } catch {
      // A log that fails must not take the server with it.
    }
  });
}

/**
 * A non-loopback address asked for while anyone reaching it could use the control API (no
 * control token, control not off): the server does not listen, and the emulator is stopped.
 */
export class ExposureError extends Error {
  override readonly name = 'ExposureError';
  constructor(readonly host: string) {
    super(`${host} is not a loopback address, and the control API would be open to anyone who reaches it: give a control token (controlToken, --control-token) or turn the control API off (control: false, --no-control)`);
  }
}

/** Why a server could not listen; `code` is Node's (EADDRINUSE, EACCES, EADDRNOTAVAIL, ENOTFOUND…). */
export class ListenError extends Error {
  constructor(
    readonly code: string,
    readonly host: string,
    readonly port: number,
    cause: Error,
  ) {
    super(listenProblem(code, host, port, cause), { cause });
    this.name = 'ListenError';
  }
}

function listenProblem(code: string, host: string, port: number, cause: Error): string {
  switch (code) {
    case 'EADDRINUSE':
      return `port ${port} on ${host} is in use`;
    case 'EACCES':
      return `not allowed to listen on port ${port} on ${host} (EACCES; ports below 1024 need privileges)`;
    case 'EADDRNOTAVAIL':
      return `${host} is not an address of this machine (EADDRNOTAVAIL)`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_NONAME':
      return `${host} does not resolve to an address (${code})`;
    default:
      return `cannot listen on ${host} port ${port}: ${cause.message}`;
  }
}

export interface CloseOptions {
  /**
   * How long requests in flight get to finish before their connections are cut (default 10 s).
   * Idle connections, kept alive or not yet used, are closed at once.
   */
  graceMs?: number;
}

export interface RunningServer {
  url: string;
  emulator: Emulator;
  server: Server;
  /** Requests being answered right now. */
  inFlight(): number;
  /** Calls `listener` once for every request, when its answer is sent (or it fails); returns the unsubscribe. */
  onExchange(listener: ExchangeListener): () => void;
  /**
   * Stops listening; idle connections close at once, and each request in flight finishes before
   * its connection closes (cut after `graceMs`); then the emulator stops (health would answer 503).
   * Resolves when every connection is gone; calling it again returns the same promise.
   */
  close(options?: CloseOptions): Promise<void>;
}

const DEFAULT_GRACE_MS = 10_000;

/** Node's own answers to what its parser refuses (the same bytes its default handler writes). */
function clientErrorAnswer(code: string | undefined): string {
  const status = code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large'
    : code === 'HPE_CHUNK_EXTENSIONS_OVERFLOW' ? '413 Payload Too Large'
    : code === 'ERR_HTTP_REQUEST_TIMEOUT' ? '408 Request Timeout'
    : '400 Bad Request';
  return `HTTP/1.1 ${status}\r\nConnection: close\r\n\r\n`;
}

/** The node:http options the limits stand for. */
export function serverOptions(limits: EmulatorLimits | undefined) {
  const { maxHeaderKib, headersTimeout, requestTimeout } = resolveLimits(limits);
  const headersMs = Math.round(headersTimeout * 1000);
  const requestMs = Math.round(requestTimeout * 1000);
  return {
    maxHeaderSize: Math.round(maxHeaderKib * 1024),
    headersTimeout: headersMs,
    requestTimeout: requestMs,
    // Node looks for timed-out requests every 30 s by default: a short timeout would be noticed
    // that late. A quarter of the shortest timeout, from 50 ms to 1 s, notices it in time and
    // costs a walk over the connections list.
    connectionsCheckingInterval: Math.min(1000, Math.max(50, Math.round(Math.min(headersMs, requestMs || Infinity) / 4))),
  };
}

/**
 * Serves an emulator over HTTP; closing stops the emulator too. A port in use, an address not
 * this machine's and the like reject with a ListenError, and the emulator is stopped.
 */
export async function listen(emulator: Emulator, options: ListenOptions): Promise<RunningServer> {
  // A stand-in emulator (tests) may not say; only an open control API is refused off loopback.
  if (emulator.controlAccess === 'open' && !isLoopbackHost(options.host)) {
    emulator.beginShutdown();
    throw new ExposureError(options.host);
  }
  const limits = resolveLimits(emulator.limits);
  const listeners = new Set<ExchangeListener>();
  const answer = requestListener(emulator, listeners, Math.round(limits.maxUrlKib * 1024));
  // Per connection, the requests on it being answered: a connection with none is idle, even one
  // that has not sent a request yet (server.closeIdleConnections() would leave that one open).
  const connections = new Map<Socket, number>();
  let closing: Promise<void> | undefined;
  // One 'request' listener, answering and then counting: with two, every request's emit copies the list.
  const server = createServer(serverOptions(limits), (req, res) => {
    answer(req, res);
    count(req, res);
  });
  server.on('connection', (socket: Socket) => {
    connections.set(socket, 0);
    socket.once('close', () => connections.delete(socket));
  });
  // What the parser refuses after a complete request on the same connection (pipelined junk)
  // waits for that request's answer: Node's default handler would write its 400 and cut the
  // connection at once, and a request already acknowledged by its handler would lose its answer.
  // (Only behind a request received whole: junk inside a request's own body, its framing
  // refused, means that body never ends, and the request is answered by the cut, as before.)
  const refusedAfter = new Map<Socket, () => void>();
  const latest = new WeakMap<Socket, IncomingMessage>();
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
    const refuse = (after: boolean) => {
      refusedAfter.delete(socket);
      if (!socket.writable || error.code === 'ECONNRESET') return void socket.destroy();
      if (!after) {
        // As Node's own handler: nothing else is on its way out.
        socket.write(clientErrorAnswer(error.code));
        return void socket.destroy();
      }
      // Behind an answer that may still be in the socket's buffer: ended, so both go out first.
      socket.end(clientErrorAnswer(error.code));
      const cut = setTimeout(() => socket.destroy(), 5000);
      cut.unref();
      socket.once('close', () => clearTimeout(cut));
    };
    if ((connections.get(socket) ?? 0) > 0 && latest.get(socket)?.complete && error.code !== 'ERR_HTTP_REQUEST_TIMEOUT') refusedAfter.set(socket, () => refuse(true));
    else refuse(false);
  });
  const count = (req: IncomingMessage, res: ServerResponse) => {
    const socket = req.socket;
    latest.set(socket, req);
    connections.set(socket, (connections.get(socket) ?? 0) + 1);
    // While closing, an answer on a kept-alive connection is its last.
    if (closing && !res.headersSent) res.setHeader('connection', 'close');
    // 'close' comes once: `on`, not `once` (which wraps the listener on every request).
    res.on('close', () => {
      const left = Math.max(0, (connections.get(socket) ?? 1) - 1);
      if (connections.has(socket)) connections.set(socket, left);
      if (left === 0) refusedAfter.get(socket)?.();
      if (closing && left === 0) socket.end();
    });
  };
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, options.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    emulator.beginShutdown();
    const cause = error as NodeJS.ErrnoException;
    throw new ListenError(cause.code ?? 'EUNKNOWN', options.host, options.port, cause);
  }
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `http://${host}:${port}`,
    emulator,
    server,
    inFlight: () => [...connections.values()].reduce((sum, n) => sum + n, 0),
    onExchange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close({ graceMs = DEFAULT_GRACE_MS } = {}) {
      closing ??= new Promise<void>((resolve, reject) => {
        const cut = setTimeout(() => {
          server.closeAllConnections();
          for (const socket of connections.keys()) socket.destroy();
        }, graceMs);
        cut.unref();
        // The emulator stops (its clock, its temporary files) once the last request is answered,
        // so an upload still arriving or a delay still running finishes as it would have.
        server.close((error) => {
          clearTimeout(cut);
          emulator.beginShutdown();
          if (error) reject(error);
          else resolve();
        });
        for (const [socket, requests] of connections) if (requests === 0) socket.destroy();
      });
      return closing;
    },
  };
}
