// The recording client: every request the runner makes goes through here and is kept, with
// its response and timing, so every check can run on every exchange and any failure can
// show the exchange and a curl line that reproduces it.
import type { Exchange, OperationTarget, RecordedRequest } from './types.ts';

export interface SendInput {
  method: string;
  /** The filled path, e.g. /v2/jobs/abc. */
  path: string;
  query?: Record<string, string | string[]>;
  headers?: Record<string, string>;
  body?: Buffer;
}

export interface RecordingClient {
  readonly exchanges: Exchange[];
  send(operation: OperationTarget, input: SendInput, step: string): Promise<Exchange>;
}

export function createRecordingClient(target: string, options: { timeoutMs: number }): RecordingClient {
  const exchanges: Exchange[] = [];
  const base = target.replace(/\/+$/, '');
  return {
    exchanges,
    async send(operation, input, step) {
      const url = new URL(base + input.path);
      for (const [key, value] of Object.entries(input.query ?? {})) {
        for (const v of Array.isArray(value) ? value : [value]) url.searchParams.append(key, v);
      }
      const request: RecordedRequest = { method: input.method, url: url.toString(), headers: input.headers ?? {}, ...(input.body && { body: input.body }) };
      const exchange: Exchange = { id: exchanges.length + 1, operation, request, durationMs: 0, step };
      exchanges.push(exchange);
      const started = process.hrtime.bigint();
      try {
        const res = await fetch(url, {
          method: input.method,
          headers: request.headers,
          body: input.body ? new Uint8Array(input.body) : undefined,
          redirect: 'manual',
          signal: AbortSignal.timeout(options.timeoutMs),
        });
        const headers: Record<string, string> = {};
        res.headers.forEach((value, name) => (headers[name.toLowerCase()] = value));
        exchange.response = { status: res.status, headers, body: Buffer.from(await res.arrayBuffer()) };
      } catch (error) {
        const cause = (error as { cause?: { code?: string; message?: string } }).cause;
        exchange.error = cause?.code ?? cause?.message ?? (error as Error).message;
      }
      exchange.durationMs = Number(process.hrtime.bigint() - started) / 1e6;
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
