// The emulator as one function from request to response, with no HTTP framework in sight:
// the node:http host, the express adapter and the msw handlers all call `handle`.
import { buildRouteTable, routeRequest, type RouteMatch, type RouteTable } from './api-routing.ts';
import { createEngine, type Engine } from '../engine/engine.ts';
import { CONTROL_PREFIX, CONTROL_TOKEN_SHAPE, controlAccess, controlValidators, handleControl, TENANT_HEADER, type ControlState } from './control.ts';
import { buildApiControlRoutes, checkControlAnswer, controlError, matchApiControl, readControlBody } from './api-control.ts';
import { createDocumentedResponder, type DocumentedResponder } from './documented-responses.ts';
import { jsonResponse, type EmulatorRequest, type EmulatorResponse } from './http-types.ts';
import { multipartFramingProblem } from '../../openapi/multipart-framing.ts';
import { createOwnership } from './ownership.ts';
import { bytesMediaType, UnsupportedEncodingError } from './request-body.ts';
import { resolveSettings, SettingError, type SettingOverrides } from './settings.ts';
import { resolveLimits, type EmulatorLimits } from './limits.ts';
import { hasPreferences, readPreferences } from './prefer.ts';
import { createClockWithControls, MANUAL_CLOCK_START, type Clock, type ClockMode } from './clock.ts';
import { createPersistence, openDataDir, type ControlRecord, type Persistence } from './persistence.ts';
import { createRandom } from './random.ts';
import type { ValidationFailure } from './validation-failure.ts';
import { createCallbackSender } from './callbacks.ts';
import { createOutboundPolicy, OutboundPatternError, type OutboundFlag, type OutboundPolicy } from './outbound-policy.ts';
import { createFaults, type Fault } from './faults.ts';
import { createJournal } from './journal.ts';
import { routeRefusal } from './validation-failure.ts';
import { bufferBody, meter, PayloadTooLargeError, UnreadableBodyError, type BodyMeter } from './body-stream.ts';
import { createFileStore, type FileStore } from './file-store.ts';
import type { ApiModule, Runtime, StatefulApi } from './api-definition.ts';
import { createKeyPolicy } from './credentials.ts';
import { API_NAMES, listOperations, loadSpec, loadSpecFile, type ApiName, type JsonObject, type LoadedSpec } from '../../openapi/specs.ts';

export interface EmulatorOptions {
  /** The APIs to serve, by name; all of them when omitted. */
  apis?: string[];
  /** When the server started listening (health reports it); now by default. */
  startedAt?: Date;
  clock?: { mode: ClockMode; timeScale?: number };
  /** Seeds every id the emulator makes. */
  seed?: number;
  /** Keys accepted besides test-key and the vendors' sample keys. */
  apiKeys?: string[];
  /** Accept any well-formed key. */
  anyKey?: boolean;
  /** Check every stateful response against the spec; a mismatch answers 500 naming the pointer. */
  strict?: boolean;
  /** Per API, then setting name (`{ speechmatics: { 'retention-days': 3 } }`); `*` for every API that has it. */
  settings?: SettingOverrides;
  /**
   * Hosts remote media (`fetch_data`, `audio_url`) may be fetched from (`--allow-fetch`): names
   * with `*` globs, IP addresses or CIDR blocks, each optionally with `:port`. None: every host
   * but link-local and cloud-metadata ones, which are refused unless a pattern names them.
   */
  allowFetch?: readonly string[];
  /** Hosts callbacks and webhooks may be sent to (`--allow-callback`), as `allowFetch`. */
  allowCallback?: readonly string[];
  /**
   * Every control request but `GET /__emulator/health` must carry `Authorization: Bearer <token>`
   * (`--control-token`); else 401. In-process controls (`controlInProcess`) need none.
   */
  controlToken?: string;
  /** `false`: no control API on the network (`--no-control`); its paths answer as unknown paths do. Default true. */
  control?: boolean;
  /**
   * What a client may send. The HTTP host enforces them all; the express adapter the URL's
   * only (the app's server sets the rest); msw, in-process, has no connection to bound.
   */
  limits?: EmulatorLimits;
  /**
   * Keep state in this directory (`--data-dir`): jobs, uploads, the clock, scheduled steps,
   * callback attempts and ids survive a restart and a `kill -9` (persistence.ts).
   */
  dataDir?: string;
}

/** What a restart with `--data-dir` found and replayed. */
export interface Restored {
  dir: string;
  /** Executions replayed (handlers, steps, control operations). */
  executions: number;
  /** Bytes of a torn last record cut (the process died mid-write). */
  discardedBytes: number;
}

/** Who may use the control API over the network. */
export type ControlAccess = 'open' | 'token' | 'off';

function outboundPolicy(flag: OutboundFlag, patterns: readonly string[] | undefined): OutboundPolicy {
  try {
    return createOutboundPolicy(flag, patterns ?? []);
  } catch (error) {
    if (error instanceof OutboundPatternError) throw new SettingError(`${flag}: ${error.message}`);
    throw error;
  }
}

/** What the composition root adds: the stateful API modules, handed in (the core knows none). */
export interface EmulatorParts {
  modules: readonly ApiModule[];
}

export const DEFAULT_SEED = 1;

/** Bodies read whole (documented responses, control API) are bounded; stateful uploads stream. */
const BUFFERED_BODY_LIMIT = 256 * 2 ** 20;

export interface Emulator {
  apis: string[];
  engine: Engine;
  clock: Clock;
  files: FileStore;
  handle(request: EmulatorRequest): Promise<EmulatorResponse>;
  /**
   * A control request (`/__emulator/...`) from in-process code: startEmulator's controls, msw's
   * and the express adapter's `reset`. The control API as `handle` answers it, but neither the
   * control token nor `control: false` stops it: they guard the network, and in-process code
   * already holds the emulator.
   */
  controlInProcess(request: EmulatorRequest): Promise<EmulatorResponse>;
  /** Whether a request to this path is the emulator's (an emulated API's or the control API's, unless it is off). */
  serves(path: string): boolean;
  /** What the hosts enforce, defaults filled in. */
  limits: Required<EmulatorLimits>;
  /** `open`, `token` (Authorization: Bearer needed but for health) or `off` (`--no-control`). */
  controlAccess: ControlAccess;
  /** Health answers 503 from now on; the host finishes in-flight requests and closes. */
  beginShutdown(): void;
  /** With `--data-dir`: what was there and replayed. */
  restored?: Restored;
}

const isControlPath = (path: string) => path === CONTROL_PREFIX || path.startsWith(CONTROL_PREFIX + '/');

const decodes = (text: string) => {
  try {
    decodeURIComponent(text);
    return true;
  } catch {
    return false;
  }
};

const BODY_HEADERS = new Set(['content-type', 'content-length', 'content-encoding', 'transfer-encoding']);
/** A request's headers less those that describe its body (for one whose body is ignored). */
const withoutBodyHeaders = (headers: EmulatorRequest['headers']) => Object.fromEntries(Object.entries(headers).filter(([name]) => !BODY_HEADERS.has(name)));

/** Whether every percent-escape in the path decodes (`/v2/jobs/%ZZ` does not). */
const decodablePath = decodes;

/** The path with each undecodable segment escaped as text, so Prism can route it without throwing. */
const escapedPath = (path: string) => path.split('/').map((segment) => (decodes(segment) ? segment : encodeURIComponent(segment))).join('/');

function documentedBadRequestStatus(spec: LoadedSpec, template: string, method: string): number {
  const operation = ((spec.document.paths as JsonObject)[template] as JsonObject)[method.toLowerCase()] as JsonObject;
  const responses = Object.keys((operation.responses ?? {}) as JsonObject);
  return Number(['400', '422', '415'].find((code) => responses.includes(code)) ?? 400);
}

/**
 * What `buildApiControlRoutes` checks first, without compiling anything: every control
 * operation under a mounted API's path (`/__emulator/<api>/...`) has a handler, so a missing
 * one fails at start, not on its first request.
 */
function checkApiControlHandlers(spec: LoadedSpec, modules: readonly ApiModule[]): void {
  for (const op of listOperations(spec.dereferenced)) {
    const module = modules.find((m) => op.path.startsWith(`/__emulator/${m.name}/`));
    const operationId = String(op.operation.operationId);
    if (module && !module.controlOperations.includes(operationId)) throw new Error(`${module.name}: control operation ${operationId} (${op.method.toUpperCase()} ${op.path}) has no handler`);
  }
}

export async function createEmulator(options: EmulatorOptions, parts: EmulatorParts): Promise<Emulator> {
  const modules = new Map(parts.modules.map((module) => [module.name, module]));
  const known = [...new Set<string>([...API_NAMES, ...modules.keys()])];
  const apis = options.apis?.length ? [...new Set(options.apis)] : known;
  for (const api of apis) if (!known.includes(api)) throw new SettingError(`no API is called ${api}; there are: ${known.join(', ')}`);
  for (const api of Object.keys(options.settings ?? {})) {
    if (api !== '*' && !modules.has(api)) throw new SettingError(`${api} has no settings: ${known.includes(api) ? 'it answers documented responses only' : 'there is no such API'}`);
  }
  // Every API's settings are checked, served or not: a typo is an error even under --api.
  for (const module of modules.values()) resolveSettings(module.name, module.settings, options.settings);
  const limits = resolveLimits(options.limits);
  const fetchPolicy = outboundPolicy('--allow-fetch', options.allowFetch);
  const callbackPolicy = outboundPolicy('--allow-callback', options.allowCallback);
  const controlOn = options.control !== false;
  if (options.controlToken !== undefined && !controlOn) throw new SettingError('a control token and no control API (--control-token and --no-control) contradict each other; give one');
  if (options.controlToken !== undefined && !(typeof options.controlToken === 'string' && CONTROL_TOKEN_SHAPE.test(options.controlToken))) {
    throw new SettingError('a control token (--control-token) is visible ASCII without spaces, so that it fits an Authorization header');
  }
  const controlAccessOf = controlAccess(options.controlToken);
  const access: ControlAccess = !controlOn ? 'off' : options.controlToken !== undefined ? 'token' : 'open';
  const specs = await Promise.all(apis.map((api) => (modules.has(api) ? loadSpecFile(api, modules.get(api)!.spec) : loadSpec(api as ApiName))));
  const routes: RouteTable = buildRouteTable(specs, Object.fromEntries([...modules.values()].map((module) => [module.name, module.namespaces])));
  const specByApi = new Map(specs.map((spec) => [spec.name, spec]));
  const documented: DocumentedResponder = createDocumentedResponder(specs);
  const engine = await createEngine();
  const clockOptions = options.clock ?? { mode: 'real' as const };
  const seed = options.seed ?? DEFAULT_SEED;
  // A data dir replays what ran under the same seed, clock and settings: anything else would make other state.
  const stored = options.dataDir === undefined ? undefined : openDataDir(options.dataDir, { seed, clock: clockOptions.mode, timeScale: clockOptions.timeScale ?? 1, apis, settings: options.settings ?? {} }, {
    start: clockOptions.mode === 'manual' ? MANUAL_CLOCK_START.getTime() : Date.now(),
    wallStart: Date.now(),
  });
  let persistence: Persistence | undefined;
  const { clock, controls: clockControls } = createClockWithControls({
    ...clockOptions,
    ...(stored && { start: new Date(stored.opened.start), wallStart: stored.opened.wallStart, execute: (step, run) => persistence!.step(step, run), moved: () => persistence!.clockMoved() }),
  });
  persistence = stored && createPersistence(stored, clockControls, { get: () => runtime.random.state(), set: (state) => runtime.random.setState(state) });
  const callbacks = createCallbackSender(clock, { outbound: callbackPolicy });
  const journal = createJournal();
  const faults = createFaults();
  const files = createFileStore(stored?.opened.filesDir);
  // `fetchPolicy` reaches remote-media.ts's fetches through the runtime (and every tenant's view of it).
  const runtime: Runtime = { clock, random: createRandom(seed), engine, callbacks, files, own: createOwnership(clock, files), fetchPolicy, ...(persistence && { persistence }) };
  const keys = createKeyPolicy(options.apiKeys ?? [], options.anyKey ?? false);
  const stateful = new Map<string, StatefulApi>();
  for (const spec of specs) {
    const module = modules.get(spec.name);
    if (module) stateful.set(spec.name, module.mount(spec, runtime, { keys, strict: options.strict ?? false, ...(options.settings && { settings: options.settings }) }));
  }
  const controlSpec = await loadSpec('control');
  // Only mounted APIs' control operations are routed; the others answer the control API's 404.
  const controlModules = [...modules.values()].filter((module) => stateful.has(module.name));
  checkApiControlHandlers(controlSpec, controlModules);
  // The routes compile their body schemas (ajv, tens of milliseconds): they are built on the
  // first request under an API's own control path, as the control API's validators are on the
  // first request that needs one. `serve` answers health before it has compiled anything.
  let apiControl: ReturnType<typeof buildApiControlRoutes> | undefined;
  const apiControlRoutes = () => (apiControl ??= buildApiControlRoutes(controlSpec, controlModules));
  const underApiControl = (path: string) => controlModules.some((module) => path.startsWith(`${CONTROL_PREFIX}/${module.name}/`));
  let validators: ReturnType<typeof controlValidators> | undefined;
  const validator = <K extends keyof ReturnType<typeof controlValidators>>(name: K) => (validators ??= controlValidators(controlSpec))[name];
  const control: ControlState = {
    apis, startedAt: options.startedAt ?? new Date(), shuttingDown: false, engine, clock, callbacks, journal, faults,
    get validateFixture() {
      return validator('validateFixture');
    },
    get validateReset() {
      return validator('validateReset');
    },
    get validateAdvance() {
      return validator('validateAdvance');
    },
    get validateFault() {
      return validator('validateFault');
    },
    async reset(api) {
      // Ids repeat after a reset, so a test that resets and replays gets the same bytes.
      if (!api) runtime.random = createRandom(seed);
      for (const [name, state] of stateful) if (!api || api === name) await state.reset();
      if (!api) {
        files.clear();
        engine.reset();
        callbacks.reset();
        journal.reset();
        faults.clear();
        // Nothing before a full reset matters to a replay.
        await persistence?.emptied();
      }
    },
  };

  // Not an async function: the request is routed and handed on in the same turn, and the answer
  // is awaited once (in `settle`); every `await` of an async function is a hop through the
  // microtask queue. A throw is still a rejection, as from an async function.
  function handle(incoming: EmulatorRequest): Promise<EmulatorResponse> {
    try {
      if (controlOn && isControlPath(incoming.path)) return answerControl(incoming);
      const receivedAt = clock.now();
      const started = performance.now();
      const metered: BodyMeter | undefined = incoming.stream && meter(incoming.stream);
      const request = metered ? { ...incoming, stream: metered.stream } : incoming;
      const match = routeRequest(routes, request.method, request.path, request.headers);
      const matched = match.kind === 'matched' ? { api: match.api, operationId: match.operationId } : { api: (match.kind === 'wrong-method' || match.kind === 'unknown-path' ? match.api : undefined) ?? null, operationId: null };
      const fault = faults.take(request, matched.api);
      const answer = fault ? applyFault(fault, () => answerTo(request, match)) : answerTo(request, match);
      return settle(answer, request, receivedAt, started, matched, metered);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  async function answerControl(request: EmulatorRequest): Promise<EmulatorResponse> {
    const refused = controlAccessOf(request);
    if (refused) {
      // The body of a refused request is not read, only drained, so the connection can be reused.
      request.stream?.resume();
      return dated(refused);
    }
    return controlInProcess(request);
  }

  async function controlInProcess(request: EmulatorRequest): Promise<EmulatorResponse> {
    return dated(await withBody(request, (buffered) => serveControl(buffered)));
  }

  /** A route miss (the API's own answer or ours) says so in the journal and the log, as the stateful API's refusals do. */
  function answerTo(request: EmulatorRequest, match: RouteMatch): EmulatorResponse | Promise<EmulatorResponse> {
    const response = serve(request, match);
    if (match.kind === 'matched') return response;
    const refuse = (response: EmulatorResponse) => (response.refusal ? response : { ...response, refusal: routeRefusal(match, request.method) });
    return response instanceof Promise ? response.then(refuse) : refuse(response);
  }

  /** The answer, journaled and dated. */
  async function settle(answer: EmulatorResponse | Promise<EmulatorResponse>, request: EmulatorRequest, receivedAt: Date, started: number, matched: { api: string | null; operationId: string | null }, metered: BodyMeter | undefined): Promise<EmulatorResponse> {
    const response = await answer;
    // A body nobody read (a 401, a fault) still has to be drained before the connection is reused.
    if (request.stream && !request.stream.readableEnded) request.stream.resume();
    journal.record(request, receivedAt, matched, response.dropConnection ? 0 : response.status, performance.now() - started, metered?.summary(), response.refusal);
    return dated(response);
  }

  /** `Date` is the emulated clock's, so a client that reads the server's time (Cadence's "future") agrees with it. */
  // The Date header changes once a second: formatted once per second, not once per answer.
  let dateSecond = NaN;
  let dateText = '';
  function dated(response: EmulatorResponse): EmulatorResponse {
    if (response.dropConnection) return response;
    const headers = response.headers;
    const names = Object.keys(headers);
    for (let i = 0; i < names.length; i++) if (names[i]!.length === 4 && names[i]!.toLowerCase() === 'date') return response;
    const second = Math.floor(clock.nowMs() / 1000);
    if (second !== dateSecond) {
      dateSecond = second;
      dateText = new Date(second * 1000).toUTCString();
    }
    return { ...response, headers: { date: dateText, ...headers } };
  }

  /** With `--data-dir`, a control operation that changes state is recorded as handlers are; an advance records where the clock stands. */
  async function serveControl(request: EmulatorRequest): Promise<EmulatorResponse> {
    if (!persistence || request.method === 'GET') return serveControlNow(request);
    const sub = request.path.slice(CONTROL_PREFIX.length).replace(/\/$/, '');
    // Faults are instructions for a running emulator's next requests: a restart drops them.
    if (sub === '/faults' || sub.startsWith('/faults/')) return serveControlNow(request);
    // Not one execution: the steps an advance runs are each one, and the clock records where it stands after (its `moved` hook).
    if (sub === '/clock/advance') return serveControlNow(request);
    const headers: Record<string, string> = {};
    for (const name of ['content-type', TENANT_HEADER]) if (request.headers[name] !== undefined) headers[name] = request.headers[name]!;
    const record: Omit<ControlRecord, 't' | 'n' | 'r' | 'tenant' | 'a' | 'io'> = { k: 'control', method: request.method, path: request.path, query: request.query as ControlRecord['query'], headers, body: request.body.toString('base64') };
    return persistence.execute(() => record, () => serveControlNow(request));
  }

  async function serveControlNow(request: EmulatorRequest): Promise<EmulatorResponse> {
    // Every API control route is under `/__emulator/<api>/`: another path matches none of them.
    const match = underApiControl(request.path) ? matchApiControl(apiControlRoutes(), request.method, request.path) : { kind: 'none' as const };
    if (match.kind === 'none') return handleControl(control, request);
    if (match.kind === 'undecodable') return controlError(400, 'bad_request', `${request.path} does not decode (bad percent-encoding)`);
    if (match.kind === 'wrong-method') return controlError(405, 'bad_request', `${request.path} takes ${match.allowed.join(', ')}`);
    const read = readControlBody(match.route, request);
    if (!read.ok) return checkControlAnswer(options.strict ?? false, match.route, read.response);
    const answer = await stateful.get(match.route.api)!.control(match.route.operationId, { pathParams: match.pathParams, body: read.body });
    return checkControlAnswer(options.strict ?? false, match.route, answer);
  }

  /**
   * Runs `next` with the body read whole: every path but a stateful API's needs the bytes. A body that cannot be read is refused: on an API's path by
   * that API, in its own envelope and status, as its stateful path refuses it (`refuse`); on the
   * control API in the control API's words.
   */
  async function withBody(request: EmulatorRequest, next: (request: EmulatorRequest) => Promise<EmulatorResponse>, refuse?: (failure: ValidationFailure) => EmulatorResponse): Promise<EmulatorResponse> {
    try {
      return await next(await bufferBody(request, BUFFERED_BODY_LIMIT));
    } catch (error) {
      const rule = error instanceof UnsupportedEncodingError ? 'encoding' : error instanceof UnreadableBodyError ? 'malformed' : error instanceof PayloadTooLargeError ? 'size' : undefined;
      if (!rule) throw error;
      if (refuse) return refuse({ in: 'body', rule, expected: (error as Error).message });
      if (rule === 'encoding') return jsonResponse(415, { error: 'unsupported_encoding', message: (error as Error).message });
      if (rule === 'malformed') return jsonResponse(400, { error: 'bad_request', message: `the body cannot be read: ${(error as Error).message}` });
      return jsonResponse(413, { error: 'payload_too_large', message: (error as Error).message });
    }
  }

  async function applyFault(fault: Fault, next: () => EmulatorResponse | Promise<EmulatorResponse>): Promise<EmulatorResponse> {
    if (fault.delay_ms > 0) await new Promise<void>((resolve) => clock.after(fault.delay_ms, `fault ${fault.id} delay`, resolve));
    if (fault.drop_connection) return { status: 0, headers: {}, dropConnection: true };
    if (!fault.response) return next();
    const { status, headers = {}, body } = fault.response;
    if (body === undefined || typeof body === 'string') return { status, headers, ...(body !== undefined && { body }) };
    return jsonResponse(status, body, headers);
  }

  /** A stateful API's answer is its handler's promise, handed on as it is; route misses answer at once. */
  function serve(request: EmulatorRequest, match: RouteMatch): EmulatorResponse | Promise<EmulatorResponse> {
    if (match.kind === 'wrong-method' || match.kind === 'unknown-path') {
      const owner = match.api === undefined ? undefined : stateful.get(match.api);
      const miss = match.kind === 'wrong-method' ? { kind: match.kind, allowed: match.allowed } : { kind: match.kind };
      const own = owner?.routeMiss(match.kind === 'wrong-method' ? { ...request, path: match.path } : request, miss);
      if (own) return own;
    }
    if (match.kind === 'unknown-path') {
      return jsonResponse(404, {
        error: 'not_found',
        message: `No emulated API serves ${request.method} ${request.path}. Serving: ${apis.join(', ')}.`,
      });
    }
    if (match.kind === 'ambiguous') {
      return jsonResponse(400, {
        error: 'ambiguous_credentials',
        message: `${request.method} ${request.path} is served by ${match.apis.join(' and ')}, and this request cannot be told apart: ${match.because}. Send one vendor's credential.`,
      });
    }
    if (match.kind === 'wrong-method') {
      return jsonResponse(405, {
        error: 'method_not_allowed',
        message: `${match.api} serves ${request.path} with ${match.allowed.join(', ')}, not ${request.method}.`,
      }, { allow: match.allowed.join(', ') });
    }
    const live = stateful.get(match.api);
    // Handlers and Prism see the operation's own path, whatever server prefix it came under.
    const routed = match.path === request.path ? request : { ...request, path: match.path };
    // No Prefer header and none of its query parameters: nothing to read (readPreferences would find no preference).
    const { query } = request;
    if (live && !request.headers.prefer && query.__code === undefined && query.__example === undefined && query.__dynamic === undefined) return live.handle(routed, match.template);
    const prefer = readPreferences(request.headers, request.query);
    if (live && prefer.ok && !hasPreferences(prefer.preferences)) return live.handle(routed, match.template);
    // An operation that takes no body ignores one, as its stateful handler does (the host drains it).
    const operation = operationOf(match, request.method);
    if (operation && !operation.requestBody) return serveDocumented({ ...routed, headers: withoutBodyHeaders(routed.headers), body: Buffer.alloc(0) }, match, prefer);
    return withBody(routed, (buffered) => serveDocumented(buffered, match, prefer), live && ((failure) => live.refuse(routed, failure)));
  }

  /** The matched operation, as its spec documents it. */
  function operationOf(match: Extract<RouteMatch, { kind: 'matched' }>, method: string): JsonObject | undefined {
    return ((specByApi.get(match.api)!.dereferenced.paths as JsonObject)[match.template] as JsonObject)[method.toLowerCase()] as JsonObject | undefined;
  }

  async function serveDocumented(request: EmulatorRequest, match: Extract<RouteMatch, { kind: 'matched' }>, prefer: ReturnType<typeof readPreferences>): Promise<EmulatorResponse> {
    if (!prefer.ok) {
      // Prism answers a malformed Prefer header with 422 problem+json; so do we.
      return { status: 422, headers: { 'content-type': 'application/problem+json' }, body: { type: 'https://stoplight.io/prism/errors#UNPROCESSABLE_ENTITY', title: 'Invalid Prefer header', status: 422, detail: prefer.problem } };
    }
    if (multipartFramingProblem(request.headers['content-type'], request.body) || !decodablePath(request.path)) {
      // A malformed body or an undecodable path is the client's error: the operation's documented 400 (or 422, 415).
      const code = documentedBadRequestStatus(specByApi.get(match.api)!, match.template, request.method);
      return documented.respond(match.api, { ...request, path: escapedPath(request.path) }, { code });
    }
    // Prism would parse bytes labelled as a form as a form, and throw on them.
    const relabel = request.body.length > 0 ? bytesMediaType(operationOf(match, request.method)?.requestBody as JsonObject | undefined, request.headers['content-type']) : undefined;
    return documented.respond(match.api, relabel ? { ...request, headers: { ...request.headers, 'content-type': relabel } } : request, prefer.preferences);
  }

  // A restart: the log replayed before the first request is served.
  let restored: Restored | undefined;
  if (persistence) {
    let replayed: Awaited<ReturnType<Persistence['replay']>>;
    try {
      replayed = await persistence.replay({
        operation: (record, paths) => stateful.get(record.api)!.replay(record, paths),
        control: async (record) => void (await serveControlNow({ method: record.method, path: record.path, query: record.query, headers: record.headers, body: Buffer.from(record.body, 'base64') })),
      }, () => files.newPath('upload'));
    } catch (error) {
      // The data dir is let go: a fixed emulator may start on it again in this process.
      clock.stop();
      await persistence.close();
      throw error;
    }
    restored = { dir: options.dataDir!, executions: replayed.executions, discardedBytes: replayed.discardedBytes };
  }

  return {
    apis,
    engine,
    clock,
    files,
    ...(restored && { restored }),
    handle,
    controlInProcess,
    limits,
    controlAccess: access,
    serves: (path) => (controlOn && isControlPath(path)) || ((match) => match.kind !== 'unknown-path' || match.api !== undefined)(routeRequest(routes, 'GET', path, {})),
    beginShutdown() {
      control.shuttingDown = true;
      clock.stop();
      files.close();
      void persistence?.close();
    },
  };
}
