// Stenomatic operations, by the spec's operationIds: read the request, ask the model, answer.
// Credentials, parameters and bodies are checked by the core against the spec; ownership (a
// key sees its own clients and rooms only, the same 404 as for none), unique room ids and the
// fields a PATCH may not touch are here.
import type { Handler, OperationRequest } from '../../core/api-definition.ts';
import { jsonResponse } from '../../core/http-types.ts';
import { stError } from './errors.ts';
import { alphanumeric, customerOf, type Client, type Room, type StenomaticRuntime, type StenomaticState } from './model.ts';
import { clientView, roomView } from './records.ts';
import type { SETTINGS } from './settings.ts';
import { streamUrl } from './stream-url.ts';
import { usageReport } from './usage.ts';

type StenomaticHandler = Handler<StenomaticState, typeof SETTINGS>;

const IMMUTABLE = ['id', 'conference_id', 'api_key', 'create_date'] as const;
/** Lengths of the documentation's samples: 88-character conference ids and room keys, 8-character passwords. */
const KEY_LENGTH = 88;
const PASSWORD_LENGTH = 8;

const bodyOf = (request: OperationRequest) => (request.body.kind === 'json' ? request.body.value : {}) as Record<string, unknown>;

function ownClient(request: OperationRequest, state: StenomaticState): Client {
  const id = request.pathParams.client_id!;
  const client = state.clients.get(request.tenant, id);
  if (!client) throw stError('clientNotFound', `Client ${id} was not found.`);
  return client;
}

function ownRoom(request: OperationRequest, state: StenomaticState): Room {
  const id = request.pathParams.room_id!;
  const room = state.rooms.get(request.tenant, id);
  if (!room) throw stError('roomNotFound', `Room ${id} was not found.`);
  return room;
}

/** `k3f-9x2m-q7p`: the documentation's `xxx-xxxx-xxx`, lowercase letters and digits, never one in use. */
function generatedRoomId(state: StenomaticState, runtime: StenomaticRuntime): string {
  for (;;) {
    const id = [3, 4, 3].map((n) => runtime.random.alnum(n)).join('-');
    if (state.rooms.tenantOf(id) === undefined) return id;
  }
}

const createClient: StenomaticHandler = async (request, state, runtime) => {
  const { name } = bodyOf(request) as { name: string };
  const customer = customerOf(state, request.tenant, runtime);
  const client: Client = { id: runtime.random.uuid(), name, createdMs: runtime.clock.nowMs(), held: {} };
  state.clients.add(request.tenant, client);
  return jsonResponse(201, clientView(client, customer));
};

const listClients: StenomaticHandler = async (request, state, runtime) => {
  const clients = state.clients.list(request.tenant);
  if (clients.length === 0) return jsonResponse(200, []);
  const customer = customerOf(state, request.tenant, runtime);
  return jsonResponse(200, clients.map((client) => clientView(client, customer)));
};

interface RoomFields {
  id?: string;
  title: string;
  description?: string;
  from_language: string;
  to_languages?: string[];
  sponsorship_credit_title?: string;
  sponsorship_title?: string;
  sponsorship_description?: string;
  sponsorship_info_url?: string;
  passwords?: { speaker?: string; participant?: string };
  is_archived?: boolean;
}

const createRoom: StenomaticHandler = async (request, state, runtime) => {
  const client = ownClient(request, state);
  const body = bodyOf(request) as unknown as RoomFields;
  if (body.id !== undefined && state.rooms.tenantOf(body.id) !== undefined) throw stError('roomIdTaken', `A room with id "${body.id}" already exists.`);
  const now = runtime.clock.nowMs();
  const room: Room = {
    id: body.id ?? generatedRoomId(state, runtime),
    tenant: request.tenant,
    clientId: client.id,
    conferenceId: alphanumeric(runtime, KEY_LENGTH),
    apiKey: alphanumeric(runtime, KEY_LENGTH),
    title: body.title,
    description: body.description ?? '',
    fromLanguage: body.from_language,
    toLanguages: body.to_languages ?? [],
    sponsorship: {
      credit_title: body.sponsorship_credit_title ?? '',
      title: body.sponsorship_title ?? '',
      description: body.sponsorship_description ?? '',
      info_url: body.sponsorship_info_url ?? '',
    },
    passwords: {
      speaker: body.passwords?.speaker ?? alphanumeric(runtime, PASSWORD_LENGTH),
      participant: body.passwords?.participant ?? alphanumeric(runtime, PASSWORD_LENGTH),
    },
    isArchived: false,
    createdMs: now,
    updatedMs: now,
    streamed: [],
    held: {},
  };
  state.rooms.add(request.tenant, room);
  return jsonResponse(201, roomView(room, now));
};

const listRooms: StenomaticHandler = async (request, state, runtime) => {
  const client = ownClient(request, state);
  const now = runtime.clock.nowMs();
  return jsonResponse(200, state.rooms.list(request.tenant).filter((room) => room.clientId === client.id).map((room) => roomView(room, now)));
};

const getRoom: StenomaticHandler = async (request, state, runtime) => jsonResponse(200, roomView(ownRoom(request, state), runtime.clock.nowMs()));

const updateRoom: StenomaticHandler = async (request, state, runtime) => {
  const body = bodyOf(request);
  const refused = IMMUTABLE.filter((field) => field in body);
  if (refused.length) {
    throw stError('immutableField', `These fields cannot be changed: ${refused.join(', ')}.`, refused.map((field) => ({ field: `/${field}`, message: 'cannot be changed' })));
  }
  const room = ownRoom(request, state);
  const changes = body as unknown as Partial<RoomFields>;
  if (changes.title !== undefined) room.title = changes.title;
  if (changes.description !== undefined) room.description = changes.description;
  if (changes.from_language !== undefined) room.fromLanguage = changes.from_language;
  if (changes.to_languages !== undefined) room.toLanguages = changes.to_languages;
  if (changes.sponsorship_credit_title !== undefined) room.sponsorship.credit_title = changes.sponsorship_credit_title;
  if (changes.sponsorship_title !== undefined) room.sponsorship.title = changes.sponsorship_title;
  if (changes.sponsorship_description !== undefined) room.sponsorship.description = changes.sponsorship_description;
  if (changes.sponsorship_info_url !== undefined) room.sponsorship.info_url = changes.sponsorship_info_url;
  if (changes.passwords?.speaker !== undefined) room.passwords.speaker = changes.passwords.speaker;
  if (changes.passwords?.participant !== undefined) room.passwords.participant = changes.passwords.participant;
  if (changes.is_archived !== undefined) room.isArchived = changes.is_archived;
  room.updatedMs = runtime.clock.nowMs();
  return jsonResponse(200, roomView(room, room.updatedMs));
};

const getRoomPasswords: StenomaticHandler = async (request, state) => jsonResponse(200, { ...ownRoom(request, state).passwords });

const getRoomStreamUrl: StenomaticHandler = async (request, state) => {
  const room = ownRoom(request, state);
  const { speaker_name: name, language, phrases } = bodyOf(request) as { speaker_name: string; language: string; phrases?: string[] };
  return jsonResponse(200, { url: streamUrl(room.id, language, name, phrases ?? []) });
};

/** `from` and `to` as the spec checked them; `to` before `from` is refused here. */
function usageWindow(request: OperationRequest): { from: number; to: number } {
  const { from, to } = request.params.query as { from: number; to: number };
  if (to < from) throw stError('validationFailed', 'The request is invalid.', [{ field: 'to', message: `must not be before from (${from})` }]);
  return { from, to };
}

const getCustomerApiUsage: StenomaticHandler = async (request, state, runtime) => {
  const { from, to } = usageWindow(request);
  return jsonResponse(200, usageReport(state.rooms.list(request.tenant), from, to, runtime.clock.nowMs()));
};

const getClientApiUsage: StenomaticHandler = async (request, state, runtime) => {
  const { from, to } = usageWindow(request);
  const client = ownClient(request, state);
  const rooms = state.rooms.list(request.tenant).filter((room) => room.clientId === client.id);
  return jsonResponse(200, usageReport(rooms, from, to, runtime.clock.nowMs()));
};

export const HANDLERS: Record<string, StenomaticHandler> = {
  createClient, listClients, createRoom, listRooms, getRoom, updateRoom, getRoomPasswords, getRoomStreamUrl, getCustomerApiUsage, getClientApiUsage,
};
