// The recording client: every request the runner makes goes through here and is kept, with
// its response and timing, so every check can run on every exchange and any failure can
// show the exchange and a curl line that reproduces it. It also holds what the command line
// says of every request: its timeout (--request-timeout), extra headers (-H), a rate
// (--rate-limit), and the stop signal (Ctrl-C, credentials refused, a target that stopped
// answering): requests in flight are aborted, later ones refused, until the clean-up may send.
import { setTimeout as delay } from 'node:timers/promises';
import { SkipStep } from './scenario.ts';
import type { Exchange, OperationTarget, RecordedRequest } from './types.ts';

export interface SendInput {
  method: string;
  /** The filled path, e.g. /v2/jobs/abc. */
  path: string;
  query?: Record<string, string | string[]>;
  headers?: Record<string, string>;
  body?: Buffer;
}

export interface ClientOptions {
  /** Longest one request may take, its answer's body included (--request-timeout). */
  timeoutMs: number;
  /** Sent with every request (-H), except where the request sets the same header itself (credentials, content type). */
  headers?: Record<string, string>;
  /** At most this many requests a second, started in the order they were asked for (--rate-limit). */
  ratePerSecond?: number;
  /**
   * Stops the run: requests in flight are aborted and later ones refused, with a SkipStep whose
   * reason is the signal's, until `cleanUp()` lets the clean-up send.
   */
  signal?: AbortSignal;
  /** Once the run was stopped, the clean-up's requests all end within this many ms (default `timeoutMs`). */
  cleanupBudgetMs?: number;
  /** Sees every exchange once it is complete, answered or not (not those the stop aborted). */
  observe?(exchange: Exchange): void;
}

export interface RecordingClient {
  readonly exchanges: Exchange[];
  send(operation: OperationTarget, input: SendInput, step: string): Promise<Exchange>;
  /**
   * The run is over: the clean-up may send. After a stop, for `cleanupBudgetMs` at most; a
   * request it would send later is refused, one in flight then is aborted.
   */
  cleanUp(): void;
}

/** What an AbortSignal was aborted with, as a sentence. */
export function reasonOf(signal: AbortSignal): string {
  const reason: unknown = signal.reason;
  if (typeof reason === 'string') return reason;
  if (reason instanceof Error && reason.name !== 'AbortError') return reason.message;
  return 'interrupted';
}

const seconds = (ms: number) => `${Number((ms / 1000).toFixed(3))} s`;

export function createRecordingClient(target: string, options: ClientOptions): RecordingClient {
  const exchanges: Exchange[] = [];
  const base = target.replace(/\/+$/, '');
  const extra = Object.entries(options.headers ?? {});
  /** What may end a request besides its timeout: the stop signal while the run goes on, the clean-up's budget after a stop. */
  let active: AbortSignal | undefined = options.signal;
  let cleaningUp = false;

  // Requests start one after another, `interval` ms apart at least, in the order they were asked for.
  const interval = options.ratePerSecond ? 1000 / options.ratePerSecond : 0;
  let queue: Promise<void> = Promise.resolve();
  let nextStart = 0;
  const turn = (signal: AbortSignal | undefined): Promise<void> => {
    if (!interval) return Promise.resolve();
    const mine = queue.then(async () => {
      const wait = nextStart - Date.now();
      if (wait > 0) await delay(wait, undefined, signal ? { signal } : {});
      nextStart = Date.now() + interval;
    });
    queue = mine.catch(() => undefined);
    return mine;
  };

  return {
    exchanges,
    cleanUp() {
      if (cleaningUp) return;
      cleaningUp = true;
      // The budget starts with the stop: now, or when a stop comes during the clean-up itself.
      const budget = () => void (active = AbortSignal.timeout(options.cleanupBudgetMs ?? options.timeoutMs));
      active = undefined;
      if (options.signal?.aborted) budget();
      else options.signal?.addEventListener('abort', budget, { once: true });
    },
    async send(operation, input, step) {
      const stop = active;
      if (stop?.aborted) throw new SkipStep(cleaningUp ? `the clean-up ran out of time (${seconds(options.cleanupBudgetMs ?? options.timeoutMs)} after the run stopped)` : reasonOf(stop));
      const url = new URL(base + input.path);
      for (const [key, value] of Object.entries(input.query ?? {})) {
        for (const v of Array.isArray(value) ? value : [value]) url.searchParams.append(key, v);
      }
      const own = input.headers ?? {};
      const ownNames = new Set(Object.keys(own).map((name) => name.toLowerCase()));
      const headers = { ...Object.fromEntries(extra.filter(([name]) => !ownNames.has(name.toLowerCase()))), ...own };
      const request: RecordedRequest = { method: input.method, url: url.toString(), headers, ...(input.body && { body: input.body }) };
      const exchange: Exchange = { id: exchanges.length + 1, operation, request, durationMs: 0, step };
      exchanges.push(exchange);
      const timeout = AbortSignal.timeout(options.timeoutMs);
      const signal = stop ? AbortSignal.any([timeout, stop]) : timeout;
      let started = process.hrtime.bigint();
      try {
        await turn(stop);
        started = process.hrtime.bigint();
        const res = await fetch(url, {
          method: input.method,
          headers,
          body: input.body ? new Uint8Array(input.body) : undefined,
          redirect: 'manual',
          signal,
        });
        const received: Record<string, string> = {};
        res.headers.forEach((value, name) => (received[name.toLowerCase()] = value));
        exchange.response = { status: res.status, headers: received, body: Buffer.from(await res.arrayBuffer()) };
      } catch (error) {
        const cause = (error as { cause?: { code?: string; message?: string } }).cause;
        exchange.error = stop?.aborted
          ? `aborted: ${cleaningUp ? 'the clean-up ran out of time' : reasonOf(stop)}`
          : timeout.aborted
            ? `timed out after ${seconds(options.timeoutMs)} (--request-timeout)`
            : (cause?.code ?? cause?.message ?? (error as Error).message);
      }
      exchange.durationMs = Number(process.hrtime.bigint() - started) / 1e6;
      // A request the stop cut short was not the target's doing: the step it belongs to is skipped.
      if (stop?.aborted) throw new SkipStep(exchange.error ?? reasonOf(stop));
      options.observe?.(exchange);
      return exchange;
    },
  };
}

/** The response body as JSON, or undefined when it is not JSON. */
export function jsonOf(exchange: Exchange): unknown {
  try {
    return exchange.response ? JSON.parse(exchange.response.body.toString('utf8')) : undefined;
  } catch {
    return undefined;
  }
}

export function textOf(exchange: Exchange): string {
  return exchange.response?.body.toString('utf8') ?? '';
}
