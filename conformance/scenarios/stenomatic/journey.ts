// What the Stenomatic journeys share: the spec's schemas (Client, Room, Error, the room id),
// names and room ids no other run uses, creating and reading clients and rooms, Stenomatic's
// error body, and the emulator's simulated streaming (control API) for the usage journey.
//
// Nothing in this API deletes a client or a room (the spec has no such operation), so every run
// leaves what it made behind: client names and room ids name the run, so a person can find them.
import { randomBytes, randomUUID } from 'node:crypto';
import { createSchemaCompiler, describeErrors, type ValidateFunction } from '../../../openapi/schemas.ts';
import { loadSpec } from '../../../openapi/specs.ts';
import type { Call, ScenarioContext } from '../../scenario.ts';

export type Who = 'primary' | 'secondary';

/** A uuid as real ids have it (hex digits in 8-4-4-4-12); the spec's `Uuid` also allows the docs' `x` placeholders. */
export const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

export const SCHEMA = {
  Client: '#/components/schemas/Client',
  Room: '#/components/schemas/Room',
  RoomIdentifier: '#/components/schemas/RoomIdentifier',
  Error: '#/components/schemas/Error',
  ApiUsage: '#/components/schemas/ApiUsage',
} as const;

export interface Client {
  id: string;
  name: string;
  parent_customer_id: string;
}

export interface Room {
  id: string;
  conference_id: string;
  title: string;
  description: string;
  api_key: string;
  secret: string;
  client_branch_id: string;
  from_language: string;
  to_languages: string[];
  start_date: string;
  end_date: string;
  create_date: string;
  update_date: string;
  sponsorship_credit_title: string;
  sponsorship_title: string;
  sponsorship_description: string;
  sponsorship_info_url: string;
  usage_in_seconds: { total: number; twenty_four_hour: number };
  is_archived: boolean;
  [field: string]: unknown;
}

export interface StError {
  error?: { code?: unknown; message?: unknown; details?: Array<{ field?: unknown; message?: unknown }> };
}

let compiled: Promise<Record<keyof typeof SCHEMA, ValidateFunction>> | undefined;
/** The spec's component schemas, compiled once. */
export const schemas = () => (compiled ??= loadSpec('stenomatic').then((spec) => {
  const components = (spec.dereferenced.components as Record<string, Record<string, object>>).schemas!;
  const compile = createSchemaCompiler();
  return Object.fromEntries(Object.keys(SCHEMA).map((name) => [name, compile(components[name]!)])) as Record<keyof typeof SCHEMA, ValidateFunction>;
}));

/** Whether `value` is what the spec's schema `name` describes; the reasons when it is not. */
export async function conforms(name: keyof typeof SCHEMA, value: unknown): Promise<{ ok: boolean; why: string }> {
  const validate = (await schemas())[name];
  const ok = validate(value);
  return { ok, why: ok ? '' : describeErrors(validate.errors).slice(0, 500) };
}

/** A client name no other run uses: it says what made it. */
export const runName = (journey: string) => `speechdouble conformance ${journey} ${randomUUID()}`;

/** A room id no other run (of any customer: ids are unique across all of them) uses: `sd-<journey>-<12 hex>`. */
export const uniqueRoomId = (journey: string) => `sd-${journey}-${randomBytes(6).toString('hex')}`;

/** Eight characters, as the documentation's sample passwords. */
export const newPassword = () => randomBytes(4).toString('hex');

export const brief = (call: Call) => `${call.status} ${call.text().slice(0, 300)}`;

/** JSON with object keys sorted, to compare records whatever order a target writes their fields in. */
export const canonical = (value: unknown): string => JSON.stringify(value, (_key, v: unknown) => (v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v));

/** The fields of `a` and `b` (but `except`) whose values differ, as `field: a → b`. */
export function differences(a: Record<string, unknown>, b: Record<string, unknown>, except: string[] = []): string[] {
  const fields = [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((f) => !except.includes(f));
  return fields.filter((f) => canonical(a[f]) !== canonical(b[f])).map((f) => `${f}: ${JSON.stringify(a[f])} → ${JSON.stringify(b[f])}`);
}

/**
 * Stenomatic's error body as every 4xx must carry it: the status, `{error: {code, message,
 * details?}}` as the spec's Error schema has it, the code asked for and, when `field` is given,
 * a `details` entry naming it.
 */
export async function expectStError(ctx: ScenarioContext, call: Call, status: number, code: string, what: string, field?: string): Promise<void> {
  ctx.expect(call.status === status, { message: `${what} did not answer ${status}`, expected: `${status} ${code}`, received: brief(call), call });
  const body = call.json<StError | undefined>();
  const shape = await conforms('Error', body);
  ctx.expect(shape.ok, { message: `${what}: the answer is not Stenomatic's error body`, expected: '{error: {code, message, details?}}', received: `${shape.why} in ${call.text().slice(0, 300)}`, call, pointer: SCHEMA.Error });
  ctx.expect(body!.error!.code === code, { message: `${what} did not answer with the error code ${code}`, expected: code, received: String(body!.error!.code), call, pointer: '#/components/schemas/Error/properties/error/properties/code' });
  if (field !== undefined) {
    const named = (body!.error!.details ?? []).map((d) => d.field);
    ctx.expect(named.includes(field), { message: `${what}: details do not name ${field}`, expected: `details with {field: "${field}"}`, received: JSON.stringify(body!.error!.details ?? null), call, pointer: '#/components/schemas/Error/properties/error/properties/details' });
  }
}

/** Creates a client; the answer must be a 201 Client. */
export async function createClient(ctx: ScenarioContext, name: string, as: Who = 'primary'): Promise<{ client: Client; call: Call }> {
  const call = await ctx.call('createClient', { json: { name }, as });
  const client = call.json<Client | undefined>();
  ctx.expect(call.status === 201 && typeof client?.id === 'string', { message: 'Creating a client did not create it', expected: '201 with {id, name, parent_customer_id}', received: brief(call), call, pointer: `${ctx.pointerOf('createClient')}/responses/201` });
  return { client: client!, call };
}

/** Creates a room under `clientId`; the answer must be a 201 Room. */
export async function createRoom(ctx: ScenarioContext, clientId: string, body: Record<string, unknown>, as: Who = 'primary'): Promise<{ room: Room; call: Call }> {
  const call = await ctx.call('createRoom', { pathParams: { client_id: clientId }, json: body, as });
  const room = call.json<Room | undefined>();
  ctx.expect(call.status === 201 && typeof room?.id === 'string', { message: 'Creating a room did not create it', expected: '201 with the Room', received: brief(call), call, pointer: `${ctx.pointerOf('createRoom')}/responses/201` });
  return { room: room!, call };
}

/** A client of its own and a room under it: what most journeys start from. */
export async function clientWithRoom(ctx: ScenarioContext, journey: string, body: Record<string, unknown> = {}, as: Who = 'primary'): Promise<{ client: Client; room: Room; call: Call }> {
  const { client } = await createClient(ctx, runName(journey), as);
  const { room, call } = await createRoom(ctx, client.id, { id: uniqueRoomId(journey), title: `${journey} room`, from_language: 'en-GB', ...body }, as);
  return { client, room, call };
}

/** Reads a room; 200 with a Room. */
export async function readRoom(ctx: ScenarioContext, id: string, as: Who = 'primary'): Promise<{ room: Room; call: Call }> {
  const call = await ctx.call('getRoom', { pathParams: { room_id: id }, as });
  const room = call.json<Room | undefined>();
  ctx.expect(call.status === 200 && room?.id === id, { message: 'The room could not be read', expected: `200 with the room ${id}`, received: brief(call), call, pointer: `${ctx.pointerOf('getRoom')}/responses/200` });
  return { room: room!, call };
}

/** Lists a client's rooms; 200 with a bare array. */
export async function listRooms(ctx: ScenarioContext, clientId: string, as: Who = 'primary'): Promise<{ rooms: Room[]; call: Call }> {
  const call = await ctx.call('listRooms', { pathParams: { client_id: clientId }, as });
  const rooms = call.json<Room[] | undefined>();
  ctx.expect(call.status === 200 && Array.isArray(rooms), { message: 'The client\'s rooms could not be listed', expected: '200 with a bare array of rooms', received: brief(call), call, pointer: `${ctx.pointerOf('listRooms')}/responses/200` });
  return { rooms: rooms!, call };
}

/** Lists the key's clients; 200 with a bare array. */
export async function listClients(ctx: ScenarioContext, as: Who = 'primary'): Promise<{ clients: Client[]; call: Call }> {
  const call = await ctx.call('listClients', { as });
  const clients = call.json<Client[] | undefined>();
  ctx.expect(call.status === 200 && Array.isArray(clients), { message: 'The key\'s clients are not a bare array', expected: '200 with a bare array of clients', received: brief(call), call, pointer: `${ctx.pointerOf('listClients')}/responses/200` });
  return { clients: clients!, call };
}

/** Updates a room. */
export const patchRoom = (ctx: ScenarioContext, id: string, json: Record<string, unknown>, as: Who = 'primary') =>
  ctx.call('updateRoom', { pathParams: { room_id: id }, json, as });

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Lets a moment of the target's time pass: moved when it can be, waited for otherwise. */
export async function aMomentLater(ctx: ScenarioContext, seconds: number): Promise<void> {
  if (ctx.time.controllable) await ctx.time.advance(seconds);
  else await sleep(seconds * 1000);
}

// ---- the emulator's simulated streaming (specs/emulator-control.yaml, tag stenomatic) ----

/** The target's base URL, read off a call the runner made to `path` (the filled path): scenarios are not handed it. */
export function targetBase(call: Call, path: string): string {
  const url = new URL(call.exchange.request.url);
  const base = url.pathname.endsWith(path) ? url.pathname.slice(0, url.pathname.length - path.length) : '';
  return url.origin + base;
}

export interface StreamingAnswer {
  status: number;
  text: string;
  body: { room_id?: string; streaming?: boolean; services?: string[]; since?: string | null; total_seconds?: number } | undefined;
}

/** Starts (PUT), reads (GET) or stops (DELETE) a room's simulated stream on the emulator. */
export async function streaming(base: string, method: 'PUT' | 'GET' | 'DELETE', roomId: string, services?: string[]): Promise<StreamingAnswer> {
  const res = await fetch(`${base}/__emulator/stenomatic/rooms/${encodeURIComponent(roomId)}/streaming`, {
    method,
    ...(services && { headers: { 'content-type': 'application/json' }, body: JSON.stringify({ services }) }),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  let body: StreamingAnswer['body'];
  try { body = JSON.parse(text); } catch { body = undefined; }
  return { status: res.status, text, body };
}

/** `from` and `to` as the usage endpoints take them: milliseconds since the epoch, as text. */
export const period = (from: number, to: number) => ({ from: String(from), to: String(to) });
