// The /__emulator control API (specs/emulator-control.yaml): health, reset, the clock, the
// callback record, the request journal, faults and fixture registration; and who may use it
// (`--control-token`: a bearer token every operation but health needs).
import { createHash, timingSafeEqual } from 'node:crypto';
import { sha256Hex } from '../engine/probe.ts';
import type { Engine } from '../engine/engine.ts';
import type { CallbackSender } from './callbacks.ts';
import type { FaultRequest, Faults } from './faults.ts';
import type { Journal } from './journal.ts';
import type { Clock } from './clock.ts';
import type { Registration } from '../engine/fixtures.ts';
import { jsonResponse, type EmulatorRequest, type EmulatorResponse } from './http-types.ts';
import { VERSION } from './package-info.ts';
import { createAjv, describeErrors, type ValidateFunction } from '../../openapi/schemas.ts';
import type { JsonObject, LoadedSpec } from '../../openapi/specs.ts';

export const CONTROL_PREFIX = '/__emulator';

const badRequest = (message: string) => jsonResponse(400, { error: 'bad_request', message });

const CONTROL_OPERATIONS: Record<string, string[]> = {
  '/health': ['GET'],
  '/reset': ['POST'],
  '/clock': ['GET'],
  '/clock/advance': ['POST'],
  '/callbacks': ['GET'],
  '/requests': ['GET'],
  '/faults': ['GET', 'POST', 'DELETE'],
  '/fixtures': ['POST'],
};

export interface ControlState {
  apis: string[];
  startedAt: Date;
  shuttingDown: boolean;
  engine: Engine;
  clock: Clock;
  callbacks: CallbackSender;
  journal: Journal;
  faults: Faults;
  reset(api?: string): Promise<void>;
  validateFixture: ValidateFunction;
  validateReset: ValidateFunction;
  validateAdvance: ValidateFunction;
  validateFault: ValidateFunction;
}

export function controlValidators(spec: LoadedSpec) {
  const schemas = (spec.dereferenced.components as JsonObject).schemas as JsonObject;
  const ajv = createAjv();
  return {
    validateFixture: ajv.compile(schemas.FixtureRequest as JsonObject),
    validateReset: ajv.compile(schemas.ResetRequest as JsonObject),
    validateAdvance: ajv.compile(schemas.ClockAdvance as JsonObject),
    validateFault: ajv.compile(schemas.FaultRequest as JsonObject),
  };
}

/** The JSON body of a control request, checked against its schema; undefined when empty and allowed. */
function readBody<T>(request: EmulatorRequest, validate: ValidateFunction, emptyAllowed: boolean): T | EmulatorResponse {
  const text = request.body.toString('utf8').trim();
  if (text === '' && emptyAllowed) return {} as T;
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return badRequest('The body must be JSON; see specs/emulator-control.yaml.');
  }
  return validate(body) ? (body as T) : badRequest(describeErrors(validate.errors));
}

const isResponse = (value: unknown): value is EmulatorResponse => typeof value === 'object' && value !== null && 'status' in value && 'headers' in value;

function clockState(clock: Clock, scope: 'global' | 'tenant') {
  return { mode: clock.mode, now: clock.now().toISOString(), time_scale: clock.timeScale, pending: clock.pending(), scope, ahead_seconds: clock.aheadMs() / 1000 };
}

/** The header naming whose clock a clock operation reads or moves (absent: the global one). */
export const TENANT_HEADER = 'x-speechdouble-tenant';

/** The clock `X-Speechdouble-Tenant` names, or the refusal of a header that names no one. */
function clockOf(state: ControlState, request: EmulatorRequest): { clock: Clock; scope: 'global' | 'tenant' } | EmulatorResponse {
  const tenant = request.headers[TENANT_HEADER];
  if (tenant === undefined) return { clock: state.clock, scope: 'global' };
  if (typeof tenant !== 'string' || tenant === '') return badRequest('X-Speechdouble-Tenant names one tenant by its credential (the API key, Bearer token or user:password); it was empty.');
  return { clock: state.clock.forTenant(tenant), scope: 'tenant' };
}


function registerFixture(state: ControlState, request: EmulatorRequest): EmulatorResponse {
  let body: unknown;
  try {
    body = JSON.parse(request.body.toString('utf8'));
  } catch {
    return badRequest('The body must be JSON (specs/emulator-control.yaml, FixtureRequest).');
  }
  if (!state.validateFixture(body)) return badRequest(describeErrors(state.validateFixture.errors));
  const input = body as { sha256?: string; audio_base64?: string; language?: string; text?: string; words?: Registration['words'] };
  const sha256 = input.sha256 ?? sha256Hex(Buffer.from(input.audio_base64!, 'base64'));
  const registration: Registration = { sha256, language: input.language ?? 'en', ...(input.text !== undefined && { text: input.text }), ...(input.words && { words: input.words }) };
  return jsonResponse(201, state.engine.register(registration));
}

export async function handleControl(state: ControlState, request: EmulatorRequest): Promise<EmulatorResponse> {
  const sub = request.path.slice(CONTROL_PREFIX.length).replace(/\/$/, '') || '/';
  const methods = CONTROL_OPERATIONS[sub];
  if (!methods) {
    return jsonResponse(404, { error: 'not_found', message: `No control operation at ${request.path}. See specs/emulator-control.yaml.` });
  }
  if (!methods.includes(request.method)) {
    return jsonResponse(405, { error: 'bad_request', message: `${request.path} takes ${methods.join(', ')}` }, { allow: methods.join(', ') });
  }
  if (sub === '/health') {
    if (state.shuttingDown) {
      return jsonResponse(503, { error: 'shutting_down', message: 'The emulator is shutting down and finishing in-flight requests.' });
    }
    return jsonResponse(200, { status: 'ok', version: VERSION, apis: state.apis, started_at: state.startedAt.toISOString() });
  }
  if (sub === '/fixtures') return registerFixture(state, request);
  if (sub === '/reset') {
    const body = readBody<{ api?: string }>(request, state.validateReset, true);
    if (isResponse(body)) return body;
    await state.reset(body.api);
    return { status: 204, headers: {} };
  }
  if (sub === '/clock') {
    const whose = clockOf(state, request);
    return isResponse(whose) ? whose : jsonResponse(200, clockState(whose.clock, whose.scope));
  }
  const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);
  if (sub === '/callbacks') {
    return jsonResponse(200, { callbacks: state.callbacks.attempts({ api: first(request.query.api), url: first(request.query.url) }) });
  }
  if (sub === '/requests') {
    const limitText = first(request.query.limit);
    const limit = limitText === undefined ? undefined : Number(limitText);
    if (limit !== undefined && !(Number.isInteger(limit) && limit >= 1 && limit <= 10000)) return badRequest('limit must be a whole number from 1 to 10000');
    return jsonResponse(200, { requests: state.journal.entries({ api: first(request.query.api), limit }) });
  }
  if (sub === '/faults') {
    if (request.method === 'GET') return jsonResponse(200, { faults: state.faults.list() });
    if (request.method === 'DELETE') {
      state.faults.clear();
      return { status: 204, headers: {} };
    }
    const body = readBody<FaultRequest>(request, state.validateFault, false);
    if (isResponse(body)) return body;
    return jsonResponse(201, state.faults.add(body));
  }
  if (sub === '/clock/advance') {
    const whose = clockOf(state, request);
    if (isResponse(whose)) return whose;
    const body = readBody<{ seconds: number }>(request, state.validateAdvance, false);
    if (isResponse(body)) return body;
    const ran = await whose.clock.advance(body.seconds);
    return jsonResponse(200, { ...clockState(whose.clock, whose.scope), ran });
  }
  return jsonResponse(500, { error: 'internal', message: `${request.method} ${request.path} is listed but not handled` });
}

/** A token fit for an Authorization header: visible ASCII, no spaces. */
export const CONTROL_TOKEN_SHAPE = /^[\x21-\x7e]+$/;

const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();

/**
 * Who may use the control API, given `--control-token`: undefined lets every request through;
 * a token makes every request but `GET /__emulator/health` show `Authorization: Bearer <token>`.
 * Returns the 401 for a request that does not, or undefined. The tokens are compared as SHA-256
 * digests (equal lengths) in constant time, so the time taken says nothing about the token.
 */
export function controlAccess(token: string | undefined): (request: EmulatorRequest) => EmulatorResponse | undefined {
  if (token === undefined) return () => undefined;
  const expected = digest(token);
  return (request) => {
    if (request.method === 'GET' && (request.path.slice(CONTROL_PREFIX.length).replace(/\/$/, '') || '/') === '/health') return undefined;
    const given = /^bearer +(\S+) *$/i.exec(request.headers.authorization ?? '')?.[1];
    if (given !== undefined && timingSafeEqual(digest(given), expected)) return undefined;
    const realm = 'Bearer realm="speechdouble control"';
    return given === undefined
      ? jsonResponse(401, { error: 'unauthorized', message: 'The control API needs Authorization: Bearer <token>, the token the emulator was started with (--control-token).' }, { 'www-authenticate': realm })
      : jsonResponse(401, { error: 'unauthorized', message: 'The control token does not match the one the emulator was started with (--control-token).' }, { 'www-authenticate': `${realm}, error="invalid_token"` });
  };
}

/**
 * `reset(api?)` for in-process hosts (msw, the express adapter): the control API's own reset,
 * asked through `handle` (the emulator's `controlInProcess`, which a control token or
 * `--no-control` does not stop: those guard the network), so it checks `api` and resets
 * exactly what `POST /__emulator/reset` does.
 */
export async function resetThroughControl(handle: (request: EmulatorRequest) => Promise<EmulatorResponse>, api?: string): Promise<void> {
  const body = Buffer.from(JSON.stringify(api === undefined ? {} : { api }), 'utf8');
  const response = await handle({
    method: 'POST', path: `${CONTROL_PREFIX}/reset`, query: {},
    headers: { 'content-type': 'application/json', 'content-length': String(body.length) }, body,
  });
  if (response.status >= 400) {
    const error = (response.body ?? {}) as { message?: string };
    throw new Error(`speechdouble: reset(${api === undefined ? '' : JSON.stringify(api)}) was refused (${response.status}): ${error.message ?? 'no message'}`);
  }
}
