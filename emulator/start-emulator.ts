// `import { startEmulator } from 'speechdouble'`: the emulator on a port, started from a test
// setup file, with its clock, state, journals and faults at hand. It is `speechdouble serve`
// without a child process: the same composition (compose.ts), the same host, the same options.
// `expressMiddleware` (the package's `express`) is that emulator mounted in the caller's own app
// instead of on a port of its own (hosts/express-adapter.ts).
import { composeEmulator, startServer, type RunningServer } from './compose.ts';
import { isLoopbackHost } from './core/outbound-policy.ts';
import { ExposureError } from './hosts/http-server.ts';
import { emulatorMiddleware, type EmulatorMiddleware } from './hosts/express-adapter.ts';
import type { EmulatorOptions } from './core/emulator.ts';
import type { EmulatorLimits } from './core/limits.ts';
import type { CallbackAttempt } from './core/callbacks.ts';
import type { ClockMode } from './core/clock.ts';
import { clockControls, type ClockAdvanced, type ClockControls } from './core/clock-controls.ts';
import { CONTROL_PREFIX } from './core/control.ts';
import type { Fault, FaultRequest } from './core/faults.ts';
import type { EmulatorRequest } from './core/http-types.ts';
import type { JournalEntry } from './core/journal.ts';
import type { SettingOverrides } from './core/settings.ts';
import type { ApiName } from '../openapi/specs.ts';

export type { ApiName, CallbackAttempt, ClockMode, EmulatorLimits, EmulatorMiddleware, Fault, FaultRequest, JournalEntry, SettingOverrides };

/**
 * How the emulator's clock runs.
 *
 * - `'manual'` (the default): time moves only when the test calls `clock.advance` or
 *   `clock.set`, from 2026-01-05T09:00:00Z, so every run sees the same times and ids.
 * - `'real'`: the wall clock; jobs take as long as they would on the vendor's service.
 * - `{ timeScale: N }`: real time running N times faster, for SDK helpers that poll on their own
 *   (an SDK's `transcribe()` waits for a job that, on a manual clock, never finishes by itself).
 * - `{ mode, timeScale? }`: the form `createEmulatorHandlers` (`speechdouble/msw`) takes.
 */
export type ClockOption = 'manual' | 'real' | { timeScale: number } | { mode: ClockMode; timeScale?: number };

/** What `startEmulator` takes; every field is optional. The names are those of `speechdouble serve`'s options. */
export interface StartEmulatorOptions {
  /**
   * The address to listen on. Default `127.0.0.1`. Any address but loopback (127.0.0.0/8, ::1,
   * `localhost`) needs `controlToken` or `control: false`, else `startEmulator` rejects: the
   * control API resets, faults and steers the emulator for whoever reaches it.
   */
  host?: string;
  /** The port. Default `0`: a free port, read the address from `url`. */
  port?: number;
  /** Serve only these APIs (`--api`). Default: all of them. */
  apis?: readonly ApiName[];
  /** How time runs. Default `'manual'`, so tests are deterministic (`--manual-clock`, `--time-scale N`). */
  clock?: ClockOption;
  /** Seeds every id the emulator makes (`--seed`). Default `1`. */
  seed?: number;
  /**
   * Keys accepted besides `test-key` and the vendors' documented sample keys (`--api-key`).
   * `SPEECHDOUBLE_API_KEYS` is not read here: a setup file says what it accepts.
   */
  apiKeys?: readonly string[];
  /** Accept any well-formed key (`--any-key`). */
  anyKey?: boolean;
  /** Check every stateful answer against the spec; a mismatch answers 500 naming the pointer (`--strict`). */
  strict?: boolean;
  /**
   * Each API's settings, by API then name (`--set API.NAME=VALUE`); `'*'` for every API that has
   * the name: `{ speechmatics: { processing: 'reads:1' }, '*': { 'max-upload-mb': 10 } }`.
   * An unknown API or setting, or a value that does not parse, makes `startEmulator` reject.
   */
  settings?: SettingOverrides;
  /**
   * Every `/__emulator` request over HTTP but `GET /__emulator/health` must carry
   * `Authorization: Bearer <controlToken>` (`--control-token`); others get 401. This object's own
   * controls (`reset`, `clock`, `callbacks`…) need nothing.
   */
  controlToken?: string;
  /**
   * `false`: no control API over HTTP (`--no-control`): `/__emulator/...`, health included,
   * answers 404 as an unknown path does. This object's own controls still work. Default true.
   */
  control?: boolean;
  /**
   * Hosts remote media (`fetch_data`, `audio_url`) may be fetched from (`--allow-fetch`): a name,
   * `*` standing for any run of characters (`*.example.com`), an IP address or a CIDR block
   * (`10.0.0.0/8`), each optionally with `:port`. Default: every host but link-local and
   * cloud-metadata ones (169.254.0.0/16, fe80::/10, fd00:ec2::254, 100.100.100.200,
   * metadata.google.internal), which are refused unless a pattern names them. The address a
   * name resolves to is checked too.
   */
  allowFetch?: readonly string[];
  /** Hosts callbacks and webhooks may be sent to (`--allow-callback`), as `allowFetch`; a refused one is recorded as a failed attempt, never sent. */
  allowCallback?: readonly string[];
  /**
   * What a client may send (`--max-header-kib`, `--max-url-kib`, `--headers-timeout`,
   * `--request-timeout`): `{ maxHeaderKib: 16, maxUrlKib: 8, headersTimeout: 60, requestTimeout: 300 }`
   * by default (KiB and seconds). Over them: 431, 414, 408.
   */
  limits?: EmulatorLimits;
  /**
   * Keep state in this directory (`--data-dir`): an emulator started again on it, with the same
   * seed, clock and settings, has the jobs, uploads, clock and ids the last one had, even after a
   * `kill -9`. Default: in memory. `close()` leaves the directory as it is.
   */
  dataDir?: string;
}

/** The emulator's clock, read and moved in-process. */
export type EmulatorClock = ClockControls;
export type { ClockAdvanced };

/** Which callback attempts to list (`GET /__emulator/callbacks?api=&url=`). */
export interface CallbackFilter {
  /** Only attempts made by this API. */
  api?: ApiName;
  /** Only attempts to this exact URL, query string included. */
  url?: string;
}

/** Which journal entries to list (`GET /__emulator/requests?api=&limit=`). */
export interface RequestFilter {
  /** Only requests this API served. */
  api?: ApiName;
  /** The newest `limit` entries (1 to 10000); default 1000. */
  limit?: number;
}

/** A running emulator. Its methods reject once `close()` has been called. */
export interface RunningEmulator {
  /** The origin, `http://127.0.0.1:PORT`: give it to an SDK or HTTP client as the vendor's base URL. */
  readonly url: string;
  readonly clock: EmulatorClock;
  /**
   * Forgets every job, upload, callback record, journal entry, fault and fixture; ids start
   * again from the seed (`POST /__emulator/reset`). With `api`, only that API's jobs are
   * forgotten. The clock is not reset: time only moves forward.
   */
  reset(api?: ApiName): Promise<void>;
  /** Every callback delivery attempt, oldest first, retries included (`GET /__emulator/callbacks`). */
  callbacks(filter?: CallbackFilter): Promise<CallbackAttempt[]>;
  /** The requests the emulated APIs received, oldest first; control calls are not listed (`GET /__emulator/requests`). */
  requests(filter?: RequestFilter): Promise<JournalEntry[]>;
  /** Faults make matching requests fail on purpose (`/__emulator/faults`). */
  readonly faults: {
    /** Puts a fault in force; the first fault that matches a request decides its answer. Rejects when the fault is malformed. */
    add(fault: FaultRequest): Promise<Fault>;
    /** The faults in force, with how many times each has left. */
    list(): Promise<Fault[]>;
    /** Removes every fault. */
    clear(): Promise<void>;
  };
  /**
   * Stops serving and removes the emulator's temporary files. In-flight requests get a moment
   * to finish, then their connections are closed. Calling it again resolves at once.
   */
  close(): Promise<void>;
}

/** A control call the emulator refused (a malformed fault, a limit out of range). */
export class EmulatorControlError extends Error {
  override readonly name = 'EmulatorControlError';
  constructor(
    message: string,
    /** The control API's status (400, 404…). */
    readonly status: number,
    /** The control API's error code (`bad_request`, …). */
    readonly code: string,
  ) {
    super(message);
  }
}

/** How long `close()` lets in-flight requests finish (one waiting on a stopped manual clock never would). */
const CLOSE_GRACE_MS = 1000;

function clockOptions(clock: ClockOption | undefined): NonNullable<EmulatorOptions['clock']> {
  if (clock === undefined || clock === 'manual') return { mode: 'manual' };
  if (clock === 'real') return { mode: 'real' };
  if (typeof clock === 'object' && clock !== null) {
    if ('mode' in clock) {
      if (!['manual', 'real', 'scaled'].includes(clock.mode)) throw new TypeError(`clock.mode must be manual, real or scaled, not ${String(clock.mode)}`);
      if (clock.mode !== 'scaled') return { mode: clock.mode };
      return { mode: 'scaled', timeScale: timeScale(clock.timeScale ?? 1) };
    }
    if ('timeScale' in clock) return { mode: 'scaled', timeScale: timeScale(clock.timeScale) };
  }
  throw new TypeError(`clock must be 'manual', 'real' or { timeScale: N }, not ${JSON.stringify(clock)}`);
}

function timeScale(value: number): number {
  if (!(typeof value === 'number' && Number.isFinite(value) && value > 0)) throw new RangeError(`a time scale is a number greater than 0, not ${String(value)}`);
  return value;
}

function checkOptions(options: StartEmulatorOptions): void {
  const { port, seed, host, controlToken, control, allowFetch, allowCallback, dataDir } = options;
  if (dataDir !== undefined && (typeof dataDir !== 'string' || dataDir === '')) throw new TypeError('dataDir must be a non-empty string (a directory)');
  if (port !== undefined && !(Number.isInteger(port) && port >= 0 && port <= 65535)) throw new RangeError(`a port is an integer from 0 to 65535, not ${String(port)}`);
  if (seed !== undefined && !(Number.isInteger(seed) && seed >= 0)) throw new RangeError(`a seed is a whole number >= 0, not ${String(seed)}`);
  if (host !== undefined && (typeof host !== 'string' || host === '')) throw new TypeError('host must be a non-empty string');
  if (controlToken !== undefined && typeof controlToken !== 'string') throw new TypeError('controlToken must be a string');
  if (control !== undefined && typeof control !== 'boolean') throw new TypeError('control must be true or false');
  for (const [name, list] of [['allowFetch', allowFetch], ['allowCallback', allowCallback]] as const) {
    if (list !== undefined && !(Array.isArray(list) && list.every((pattern) => typeof pattern === 'string'))) throw new TypeError(`${name} must be an array of host patterns (strings)`);
  }
  // Refused before anything is composed (listen refuses it too).
  if (host !== undefined && control !== false && controlToken === undefined && !isLoopbackHost(host)) throw new ExposureError(host);
}

/**
 * Starts the emulator on a port, as `speechdouble serve` does, and resolves once it listens.
 *
 * By default: every API, on `127.0.0.1` and a free port, with a **manual clock** (time moves only
 * through `clock.advance`/`clock.set`), so a test's jobs, times and ids are the same on every run.
 *
 * ```ts
 * const emu = await startEmulator();
 * // ... point your code at emu.url, submit a job ...
 * await emu.clock.advance(10);
 * await emu.close();
 * ```
 */
export async function startEmulator(options: StartEmulatorOptions = {}): Promise<RunningEmulator> {
  const running = await startServer({ host: options.host ?? '127.0.0.1', port: options.port ?? 0, ...emulatorOptions(options) });
  return controlling(running);
}

/**
 * The emulator's options from `startEmulator`'s (the same names as `serve`'s), checked: a
 * malformed port, seed, host or clock throws a TypeError or RangeError. Host and port are not
 * the emulator's and are left out.
 */
export function emulatorOptions(options: StartEmulatorOptions): EmulatorOptions & { clock: NonNullable<EmulatorOptions['clock']> } {
  checkOptions(options);
  return {
    clock: clockOptions(options.clock),
    ...(options.apis !== undefined && { apis: [...options.apis] }),
    ...(options.seed !== undefined && { seed: options.seed }),
    ...(options.apiKeys !== undefined && { apiKeys: [...options.apiKeys] }),
    ...(options.anyKey !== undefined && { anyKey: options.anyKey }),
    ...(options.strict !== undefined && { strict: options.strict }),
    ...(options.settings !== undefined && { settings: options.settings }),
    ...(options.controlToken !== undefined && { controlToken: options.controlToken }),
    ...(options.control !== undefined && { control: options.control }),
    ...(options.allowFetch !== undefined && { allowFetch: [...options.allowFetch] }),
    ...(options.allowCallback !== undefined && { allowCallback: [...options.allowCallback] }),
    ...(options.limits !== undefined && { limits: { ...options.limits } }),
    ...(options.dataDir !== undefined && { dataDir: options.dataDir }),
  };
}

/** What `speechdouble.express()` takes: `startEmulator`'s options but the address (the app has one). */
export type ExpressMiddlewareOptions = Omit<StartEmulatorOptions, 'host' | 'port'>;

/**
 * The emulator as a middleware for an app of the caller's own, as `startEmulator` has it (a
 * manual clock by default): `app.use(speechdouble.express())`, or under a path,
 * `app.use('/mock', speechdouble.express())`. Requests the emulator does not serve go on to the
 * app's next handler. Malformed options throw here; composing (settings, APIs) rejects `ready`
 * and reaches the app's error handler with the first request.
 *
 * ```ts
 * const emulator = speechdouble.express();
 * app.use('/mock', emulator);
 * await emulator.ready;
 * // ... point your code at http://host:port/mock, submit a job ...
 * await emulator.clock.advance(10);
 * await emulator.close();
 * ```
 */
export function expressMiddleware(options: ExpressMiddlewareOptions = {}): EmulatorMiddleware {
  const { host: _host, port: _port, ...rest } = options as StartEmulatorOptions;
  const mapped = emulatorOptions(rest);
  return emulatorMiddleware(() => composeEmulator(mapped), mapped.clock.mode);
}

/** Internals the tests of this file read (not part of the package's API). */
export const serverOf = new WeakMap<RunningEmulator, RunningServer>();

function controlling(running: RunningServer): RunningEmulator {
  const { emulator } = running;
  const clock = emulator.clock;
  let closing: Promise<void> | undefined;

  const open = (what: string) => {
    if (closing) throw new Error(`speechdouble: ${what} after close(); this emulator at ${running.url} is closed`);
  };

  // The control operations go through `emulator.controlInProcess`, the control API the HTTP host
  // reaches through `handle`, so they are checked against specs/emulator-control.yaml and
  // behave exactly as for a CLI user's curl. They skip only the socket: that keeps them working
  // in a test process where msw (`onUnhandledRequest: 'error'`), a stubbed `fetch`, fake timers
  // or an HTTP proxy would intercept a request to `url`. (With the socket they skip the control
  // token and `control: false`, which guard the network, not the process that holds the
  // emulator.) The clock is the exception: it is the core's own object, which
  // `POST /__emulator/clock/advance` calls in the same way.
  async function control(method: string, path: string, options: { body?: unknown; query?: Record<string, string> } = {}): Promise<unknown> {
    open(`${method} ${CONTROL_PREFIX}${path}`);
    const body = options.body === undefined ? Buffer.alloc(0) : Buffer.from(JSON.stringify(options.body), 'utf8');
    const request: EmulatorRequest = {
      method,
      path: CONTROL_PREFIX + path,
      query: options.query ?? {},
      headers: { ...(options.body !== undefined && { 'content-type': 'application/json', 'content-length': String(body.length) }) },
      body,
      origin: running.url,
    };
    const response = await emulator.controlInProcess(request);
    if (response.status >= 400) {
      const error = (response.body ?? {}) as { error?: string; message?: string };
      throw new EmulatorControlError(`speechdouble: ${method} ${CONTROL_PREFIX}${path} answered ${response.status}: ${error.message ?? 'no message'}`, response.status, error.error ?? 'internal');
    }
    // As the host would send it: a copy, so what a test holds does not change under it later
    // (a callback attempt's status, a fault's remaining times).
    return response.body === undefined ? undefined : JSON.parse(JSON.stringify(response.body));
  }

  const self: RunningEmulator = {
    url: running.url,
    clock: clockControls(clock, open),
    async reset(api) {
      await control('POST', '/reset', { body: api === undefined ? {} : { api } });
    },
    async callbacks(filter = {}) {
      const query = Object.fromEntries(Object.entries(filter).filter(([, v]) => v !== undefined).map(([k, v]) => [k, String(v)]));
      return ((await control('GET', '/callbacks', { query })) as { callbacks: CallbackAttempt[] }).callbacks;
    },
    async requests(filter = {}) {
      const query = Object.fromEntries(Object.entries(filter).filter(([, v]) => v !== undefined).map(([k, v]) => [k, String(v)]));
      return ((await control('GET', '/requests', { query })) as { requests: JournalEntry[] }).requests;
    },
    faults: {
      add: async (fault) => (await control('POST', '/faults', { body: fault })) as Fault,
      list: async () => ((await control('GET', '/faults')) as { faults: Fault[] }).faults,
      clear: async () => void (await control('DELETE', '/faults')),
    },
    close() {
      closing ??= (async () => {
        const closed = running.close();
        const force = setTimeout(() => running.server.closeAllConnections(), CLOSE_GRACE_MS);
        force.unref();
        try {
          await closed;
        } finally {
          clearTimeout(force);
        }
      })();
      return closing;
    },
  };
  serverOf.set(self, running);
  return self;
}
