// Callbacks are real HTTP: each is sent to the URL given, with the headers given, retried on
// the emulator's clock while the receiver fails, and every attempt is recorded for
// GET /__emulator/callbacks. APIs decide what to send and when to give up; this decides how.
// A URL whose host `--allow-callback` refuses (outbound-policy.ts) is not sent: the attempt is
// recorded with the refusal as its error, and retried as a receiver that cannot be reached is.
import { createHash } from 'node:crypto';
import type { Clock } from './clock.ts';
import { DEFAULT_CALLBACK_POLICY, type OutboundPolicy } from './outbound-policy.ts';
import { recordedIo } from './recorded-io.ts';

export interface OutgoingCallback {
  api: string;
  /** The job, transcription or request the callback reports on. */
  resourceId: string;
  url: string;
  method: 'POST' | 'PUT';
  headers: Record<string, string>;
  body?: Buffer;
}

export interface RetryPolicy {
  /** Seconds after the first attempt at which each retry is made. */
  retryAfterSeconds: number[];
}

export interface CallbackAttempt {
  id: string;
  api: string;
  resource_id: string;
  attempt: number;
  method: 'POST' | 'PUT';
  url: string;
  request_headers: Record<string, string>;
  body: { content_type: string | null; bytes: number; sha256: string; preview: string };
  status: number | null;
  error: string | null;
  sent_at: string;
  duration_ms: number;
}

export interface CallbackSender {
  /**
   * Sends now (at the clock's next step) and retries by the policy; `onGiveUp` runs after the
   * last failure, `onAttempt` after every attempt (AssemblyAI shows the receiver's status).
   */
  send(callback: OutgoingCallback, policy: RetryPolicy, onGiveUp?: (last: CallbackAttempt) => void, onAttempt?: (attempt: CallbackAttempt) => void): void;
  attempts(filter?: { api?: string; url?: string }): CallbackAttempt[];
  reset(): void;
  /** The same sender (one record, one reset) scheduling on another clock: a tenant's. */
  on(clock: Clock): CallbackSender;
}

/** A receiver that has not answered in this long (real time) has failed this attempt. */
const ATTEMPT_TIMEOUT_MS = 10_000;
const PREVIEW_CHARS = 200;

function summarise(body: Buffer | undefined, contentType: string | undefined) {
  const bytes = body ?? Buffer.alloc(0);
  const textual = !contentType || /^(text\/|application\/json|multipart\/)/.test(contentType);
  return {
    content_type: contentType ?? null,
    bytes: bytes.length,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    preview: textual ? bytes.toString('utf8', 0, Math.min(bytes.length, PREVIEW_CHARS * 4)).slice(0, PREVIEW_CHARS) : '',
  };
}

export interface CallbackSenderOptions {
  /** The hosts callbacks may go to (`--allow-callback`); by default all but link-local and cloud-metadata ones. */
  outbound?: OutboundPolicy;
}

export function createCallbackSender(clock: Clock, options: CallbackSenderOptions = {}): CallbackSender {
  const policy = options.outbound ?? DEFAULT_CALLBACK_POLICY;
  let log: CallbackAttempt[] = [];
  let generation = 0;

  /** The receiver's answer (or why there was none), and how long it took; recorded under `--data-dir`. */
  const deliver = async (callback: OutgoingCallback): Promise<{ status: number | null; error: string | null; duration_ms: number }> => {
    const started = process.hrtime.bigint();
    let status: number | null = null;
    let error: string | null = null;
    try {
      // A refused host is never asked: the attempt fails as an unreachable receiver's does.
      const refused = await policy.refusal(callback.url);
      if (refused !== undefined) {
        error = refused;
      } else {
        const response = await fetch(callback.url, {
          method: callback.method,
          headers: callback.headers,
          body: callback.body ? new Uint8Array(callback.body) : undefined,
          redirect: 'manual',
          signal: AbortSignal.timeout(ATTEMPT_TIMEOUT_MS),
        });
        await response.arrayBuffer().catch(() => undefined);
        status = response.status;
      }
    } catch (thrown) {
      // fetch wraps network failures; the cause says what happened (ECONNREFUSED, a timeout…).
      const cause = (thrown as { cause?: { code?: string; message?: string } }).cause;
      error = cause?.code ?? cause?.message ?? (thrown as Error).message;
    }
    return { status, error, duration_ms: Number(process.hrtime.bigint() - started) / 1e6 };
  };

  const attempt = async (clock: Clock, callback: OutgoingCallback, number: number): Promise<CallbackAttempt> => {
    const record: CallbackAttempt = {
      id: `cb_${String(log.length + 1).padStart(4, '0')}`,
      api: callback.api,
      resource_id: callback.resourceId,
      attempt: number,
      method: callback.method,
      url: callback.url,
      request_headers: callback.headers,
      body: summarise(callback.body, callback.headers['content-type']),
      status: null,
      error: null,
      sent_at: clock.now().toISOString(),
      duration_ms: 0,
    };
    log.push(record);
    Object.assign(record, await recordedIo('callback', () => deliver(callback), { save: (value) => value, load: (saved) => saved as Awaited<ReturnType<typeof deliver>> }));
    return record;
  };

  const sendOn = (clock: Clock): CallbackSender['send'] => (callback, policy, onGiveUp, onAttempt) => {
    const mine = generation;
    const start = clock.nowMs();
    const run = async (number: number) => {
      if (mine !== generation) return; // a reset forgot this callback
      const result = await attempt(clock, callback, number);
      onAttempt?.(result);
      const ok = result.status !== null && result.status >= 200 && result.status < 300;
      if (ok) return;
      const next = policy.retryAfterSeconds[number - 1];
      if (next === undefined) onGiveUp?.(result);
      else clock.schedule(start + next * 1000, `callback ${callback.url} attempt ${number + 1}`, () => run(number + 1));
    };
    clock.schedule(clock.nowMs(), `callback ${callback.url} attempt 1`, () => run(1));
  };

  const senderOn = (clock: Clock): CallbackSender => ({
    send: sendOn(clock),
    attempts(filter = {}) {
      return log.filter((a) => (!filter.api || a.api === filter.api) && (!filter.url || a.url === filter.url));
    },
    reset() {
      generation++;
      log = [];
    },
    on: senderOn,
  });
  return senderOn(clock);
}
