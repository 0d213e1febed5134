// Stenomatic's account API as a client meets it: a real port, two keys that are two customers,
// clients and rooms that only their customer sees, stream URLs, and usage that accrues while the
// control API makes a room stream, on the manual clock (advanced through the control API, never
// slept on). Strict mode is on: any answer outside specs/stenomatic.yaml (or, for the control
// API, specs/emulator-control.yaml) is a 500, and `send` throws on it.
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../compose.ts';
import { bearerRequests, type Reply } from '../../testing/bearer-requests.ts';
import { controlClient } from '../../testing/control-client.ts';

const TEST_KEY = 'test-key';
const SECOND_KEY = 'second-key';
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const GENERATED_ROOM_ID = /^[a-z0-9]{3}-[a-z0-9]{4}-[a-z0-9]{3}$/;
const ROOM_KEY = /^[A-Za-z0-9]{88}$/;
const PASSWORD = /^[A-Za-z0-9]{8}$/;
const ZERO_TIME = '0001-01-01T00:00:00.000Z';
const ROOM_ID_RULE = 'must match pattern "^[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*$"';
const SECOND = 1000;
const NS_PER_MS = 1_000_000;
const HOUR_MS = 3600 * SECOND;
const DAY_MS = 24 * HOUR_MS;

let server: RunningServer;

beforeAll(async () => {
  server = await startServer({ host: '127.0.0.1', port: 0, apis: ['stenomatic'], clock: { mode: 'manual' }, strict: true, apiKeys: [SECOND_KEY] });
});
afterAll(async () => {
  await server?.close();
});
beforeEach(async () => {
  await controlClient(server.url).reset();
});

/** Any answer from 500 up is a contract violation or a crash: it throws, and the test fails. */
const send = bearerRequests(() => server.url, TEST_KEY);

/** A JSON request: `body` is serialised unless it is already text. */
const sendJson = (method: string, path: string, body: unknown, key: string | null = TEST_KEY) =>
  send(method, path, { key, headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });

// ---- the API, by operation ----

const postClient = (body: unknown, key: string | null = TEST_KEY) => sendJson('POST', '/v1/clients', body, key);
const listClients = (key: string | null = TEST_KEY) => send('GET', '/v1/clients', { key });
const postRoom = (clientId: string, body: unknown, key: string | null = TEST_KEY) => sendJson('POST', `/v1/clients/${clientId}/rooms`, body, key);
const listRooms = (clientId: string, key: string | null = TEST_KEY) => send('GET', `/v1/clients/${clientId}/rooms`, { key });
const getRoom = (roomId: string, key: string | null = TEST_KEY) => send('GET', `/v1/rooms/${roomId}`, { key });
const patchRoom = (roomId: string, body: unknown, key: string | null = TEST_KEY) => sendJson('PATCH', `/v1/rooms/${roomId}`, body, key);
const getPasswords = (roomId: string, key: string | null = TEST_KEY) => send('GET', `/v1/rooms/${roomId}/passwords`, { key });
const postStreamUrl = (roomId: string, body: unknown, key: string | null = TEST_KEY) => sendJson('POST', `/v1/rooms/${roomId}/stream_url`, body, key);
/** `query` is the raw query string (without `?`), so tests can leave parameters out or break them. */
const customerUsage = (query: string, key: string | null = TEST_KEY) => send('GET', `/v1/customers/me/api_usage?${query}`, { key });
const clientUsage = (clientId: string, query: string, key: string | null = TEST_KEY) => send('GET', `/v1/clients/${clientId}/api_usage?${query}`, { key });
const between = (from: number, to: number) => `from=${from}&to=${to}`;

/** Creates a client, failing unless it was created; the answer's body. */
async function createClient(name = 'Northwind Conferences', key = TEST_KEY) {
  const res = await postClient({ name }, key);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

/** Creates a room, failing unless it was created; the answer's body. */
async function createRoom(clientId: string, body: Record<string, unknown> = { title: 'Council meeting', from_language: 'en-GB' }, key = TEST_KEY) {
  const res = await postRoom(clientId, body, key);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

/** The spec's `townHall` request example. */
const TOWN_HALL = {
  id: 'q3-town-hall',
  title: 'Q3 town hall',
  description: 'Quarterly all-hands with live German and French captions.',
  from_language: 'en-US',
  to_languages: ['de-DE', 'fr-FR'],
  sponsorship_credit_title: 'Captions sponsored by',
  sponsorship_title: 'Northwind Conferences',
  sponsorship_description: 'Live captions and translation for every session.',
  sponsorship_info_url: 'https://northwind.example.com/sponsors',
  passwords: { speaker: 'tW9rk2Lm', participant: 'Hq4nZ7pD' },
};

// ---- errors, as the spec words them ----

const stError = (code: string, message: unknown, details?: unknown) => ({ error: { code, message, ...(details !== undefined && { details }) } });
const UNAUTHORIZED = stError('unauthorized', 'Missing or invalid API key.');
const invalid = (...details: Array<[string, unknown]>) => stError('validation_failed', 'The request is invalid.', details.map(([field, message]) => ({ field, message })));
const INVALID_JSON = stError('invalid_json', expect.any(String));
const clientNotFound = (id: string) => stError('client_not_found', `Client ${id} was not found.`);
const roomNotFound = (id: string) => stError('room_not_found', `Room ${id} was not found.`);
const roomIdTaken = (id: string) => stError('room_id_taken', `A room with id "${id}" already exists.`);
const immutable = (...fields: string[]) => stError('immutable_field', `These fields cannot be changed: ${fields.join(', ')}.`, fields.map((field) => ({ field: `/${field}`, message: 'cannot be changed' })));
/** The body's JSON with every occurrence of `id` replaced, to compare two 404s but for the id they repeat. */
const withoutId = (body: unknown, id: string) => JSON.stringify(body).split(id).join('<ID>');

// ---- the control API and the clock ----

/** The room's simulated stream: GET, PUT (optionally with a body) or DELETE. */
async function streaming(method: 'GET' | 'PUT' | 'DELETE', roomId: string, body?: unknown): Promise<Reply> {
  const res = await fetch(`${server.url}/__emulator/stenomatic/rooms/${roomId}/streaming`, {
    method,
    ...(body !== undefined && { headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await res.text();
  if (res.status >= 500) throw new Error(`${method} streaming of ${roomId} answered ${res.status}: ${text}`);
  return { status: res.status, headers: res.headers, body: text === '' ? undefined : JSON.parse(text) };
}

/** Starts (or changes) the room's stream, failing unless it was accepted. */
async function startStreaming(roomId: string, services?: string[]) {
  const res = await streaming('PUT', roomId, services && { services });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}

async function stopStreaming(roomId: string) {
  const res = await streaming('DELETE', roomId);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}

/** The emulator's clock, epoch ms. */
async function clockNow(): Promise<number> {
  const res = await fetch(`${server.url}/__emulator/clock`);
  return Date.parse(((await res.json()) as { now: string }).now);
}

const iso = (ms: number) => new Date(ms).toISOString();

/** Moves the manual clock forward by `seconds` and checks where it landed. */
async function advance(seconds: number): Promise<number> {
  const before = await clockNow();
  const { now } = await controlClient(server.url).advance(seconds);
  expect(Date.parse(now)).toBe(before + Math.round(seconds * SECOND));
  return Date.parse(now);
}

describe('clients', () => {
  it('createClient answers 201 with a new v4 uuid, the name, and the key\'s customer as parent_customer_id', async () => {
    const res = await postClient({ name: 'Northwind Conferences' });
    expect(res.status).toBe(201);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.body).toEqual({ id: expect.stringMatching(UUID_V4), name: 'Northwind Conferences', parent_customer_id: expect.stringMatching(UUID_V4) });
    expect(res.body.id).not.toBe(res.body.parent_customer_id);
    // Unknown fields are ignored, as the spec's open request bodies say.
    const extra = await postClient({ name: 'Harbor City Council', colour: 'blue' });
    expect([extra.status, Object.keys(extra.body).sort()]).toEqual([201, ['id', 'name', 'parent_customer_id']]);
  });

  it('listClients is a bare array of the key\'s clients, oldest first; one parent_customer_id per key, another per other key; [] for a key with none', async () => {
    expect(await listClients()).toMatchObject({ status: 200, body: [] });
    expect(await listClients(SECOND_KEY)).toMatchObject({ status: 200, body: [] });
    const first = await createClient('Northwind Conferences');
    await advance(1);
    const second = await createClient('Harbor City Council');
    const third = await createClient('Third client');
    expect(await listClients(SECOND_KEY)).toMatchObject({ status: 200, body: [] });
    const theirs = await createClient('Elsewhere Ltd', SECOND_KEY);
    const mine = await listClients();
    expect(mine.status).toBe(200);
    expect(mine.body).toEqual([first, second, third]);
    expect(new Set(mine.body.map((client: { parent_customer_id: string }) => client.parent_customer_id))).toEqual(new Set([first.parent_customer_id]));
    expect(new Set([first.id, second.id, third.id, theirs.id]).size).toBe(4);
    expect((await listClients(SECOND_KEY)).body).toEqual([theirs]);
    expect(theirs.parent_customer_id).toMatch(UUID_V4);
    expect(theirs.parent_customer_id).not.toBe(first.parent_customer_id);
    // The customer is kept: a later client of either key has the same parent.
    expect((await createClient('Later', SECOND_KEY)).parent_customer_id).toBe(theirs.parent_customer_id);
    expect((await createClient('Later')).parent_customer_id).toBe(first.parent_customer_id);
  });

  it('a missing, empty or non-string name is 400 validation_failed naming /name, and creates nothing', async () => {
    expect(await postClient({})).toMatchObject({ status: 400, body: invalid(['/name', 'is required']) });
    expect(await postClient({ title: 'Northwind' })).toMatchObject({ status: 400, body: invalid(['/name', 'is required']) });
    for (const name of ['', 42, null, ['Northwind'], { first: 'Northwind' }]) {
      const res = await postClient({ name });
      expect([name, res.status, res.body]).toEqual([name, 400, invalid(['/name', expect.any(String)])]);
    }
    expect((await listClients()).body).toEqual([]);
  });

  it('a body that is not JSON is 400 invalid_json, without details', async () => {
    for (const body of ['{"name":', '{name: "Northwind"}', 'name=Northwind', '{"name":"Northwind"}}', "{'name':'Northwind'}"]) {
      const res = await postClient(body);
      expect([body, res.status, res.body]).toEqual([body, 400, INVALID_JSON]);
    }
    expect((await listClients()).body).toEqual([]);
  });

  it('a missing, unknown or malformed key is 401 unauthorized on every operation, before anything else is checked', async () => {
    const client = await createClient();
    const room = await createRoom(client.id, { ...TOWN_HALL });
    const calls: Array<[string, (key: string | null) => Promise<Reply>]> = [
      ['createClient', (key) => postClient({ name: 'X' }, key)],
      ['createClient, bad JSON', (key) => postClient('{"name":', key)],
      ['listClients', (key) => listClients(key)],
      ['createRoom', (key) => postRoom(client.id, { title: 'T', from_language: 'en-GB' }, key)],
      ['listRooms', (key) => listRooms(client.id, key)],
      ['getRoom', (key) => getRoom(room.id, key)],
      ['getRoom, undecodable id', (key) => getRoom('%ZZ', key)],
      ['updateRoom', (key) => patchRoom(room.id, { title: 'Hijacked' }, key)],
      ['getRoomPasswords', (key) => getPasswords(room.id, key)],
      ['getRoomStreamUrl', (key) => postStreamUrl(room.id, { speaker_name: 'A', language: 'en-GB' }, key)],
      ['getCustomerApiUsage', (key) => customerUsage(between(0, 1), key)],
      ['getClientApiUsage', (key) => clientUsage(client.id, between(0, 1), key)],
    ];
    for (const [name, call] of calls) {
      for (const key of [null, 'not-a-key', 'TEST-KEY', '']) {
        const res = await call(key);
        expect([name, key, res.status, res.body]).toEqual([name, key, 401, UNAUTHORIZED]);
      }
    }
    for (const authorization of ['Basic dGVzdC1rZXk6', 'Token test-key', 'Bearer', 'test-key']) {
      const res = await send('GET', '/v1/clients', { key: null, headers: { authorization } });
      expect([authorization, res.status, res.body]).toEqual([authorization, 401, UNAUTHORIZED]);
    }
    expect((await listClients()).body).toEqual([client]);
    expect((await getRoom(room.id)).body.title).toBe('Q3 town hall');
  });
});

describe('rooms', () => {
  it('creates the spec\'s townHall room with its chosen id: 201 and every field of Room', async () => {
    const client = await createClient();
    await advance(2.5);
    const now = await clockNow();
    const res = await postRoom(client.id, TOWN_HALL);
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: 'q3-town-hall',
      conference_id: expect.stringMatching(ROOM_KEY),
      title: 'Q3 town hall',
      description: 'Quarterly all-hands with live German and French captions.',
      api_key: expect.stringMatching(ROOM_KEY),
      secret: '',
      client_branch_id: client.id,
      from_language: 'en-US',
      to_languages: ['de-DE', 'fr-FR'],
      start_date: ZERO_TIME,
      end_date: ZERO_TIME,
      create_date: iso(now),
      update_date: iso(now),
      main_image_url: '',
      main_image_bucket_file_name: '',
      sponsorship_image_bucket_file_name: '',
      sponsorship_credit_title: 'Captions sponsored by',
      sponsorship_title: 'Northwind Conferences',
      sponsorship_description: 'Live captions and translation for every session.',
      sponsorship_info_url: 'https://northwind.example.com/sponsors',
      sponsorship_image_url: '',
      closed_captions_endpoint: '',
      usage_in_seconds: { total: 0, twenty_four_hour: 0 },
      is_archived: false,
    });
    expect(res.body.conference_id).not.toBe(res.body.api_key);
    // The answer is what getRoom reads back, and the passwords are the ones given.
    expect((await getRoom('q3-town-hall')).body).toEqual(res.body);
    expect(await getPasswords('q3-town-hall')).toMatchObject({ status: 200, body: { speaker: 'tW9rk2Lm', participant: 'Hq4nZ7pD' } });
  });

  it('without an id, the room gets an xxx-xxxx-xxx id, defaults for every optional field, and 8-character passwords readable at /passwords', async () => {
    const client = await createClient();
    const now = await clockNow();
    const room = await createRoom(client.id, { title: 'Council meeting', from_language: 'en-GB' });
    expect(room).toEqual({
      id: expect.stringMatching(GENERATED_ROOM_ID),
      conference_id: expect.stringMatching(ROOM_KEY),
      title: 'Council meeting',
      description: '',
      api_key: expect.stringMatching(ROOM_KEY),
      secret: '',
      client_branch_id: client.id,
      from_language: 'en-GB',
      to_languages: [],
      start_date: ZERO_TIME,
      end_date: ZERO_TIME,
      create_date: iso(now),
      update_date: iso(now),
      main_image_url: '',
      main_image_bucket_file_name: '',
      sponsorship_image_bucket_file_name: '',
      sponsorship_credit_title: '',
      sponsorship_title: '',
      sponsorship_description: '',
      sponsorship_info_url: '',
      sponsorship_image_url: '',
      closed_captions_endpoint: '',
      usage_in_seconds: { total: 0, twenty_four_hour: 0 },
      is_archived: false,
    });
    const passwords = await getPasswords(room.id);
    expect(passwords).toMatchObject({ status: 200, body: { speaker: expect.stringMatching(PASSWORD), participant: expect.stringMatching(PASSWORD) } });
    expect(Object.keys(passwords.body).sort()).toEqual(['participant', 'speaker']);
    // Reading them again gives the same passwords.
    expect((await getPasswords(room.id)).body).toEqual(passwords.body);

    const another = await createRoom(client.id, { title: 'Council meeting', from_language: 'en-GB' });
    expect(another.id).toMatch(GENERATED_ROOM_ID);
    expect(new Set([room.id, another.id]).size).toBe(2);
    expect(new Set([room.conference_id, room.api_key, another.conference_id, another.api_key]).size).toBe(4);

    // A password given is returned as given; one left out is generated.
    const halfGiven = await createRoom(client.id, { title: 'Panel', from_language: 'de-DE', passwords: { speaker: 'only-the-speaker' } });
    expect((await getPasswords(halfGiven.id)).body).toEqual({ speaker: 'only-the-speaker', participant: expect.stringMatching(PASSWORD) });
    const otherHalf = await createRoom(client.id, { title: 'Panel', from_language: 'de-DE', passwords: { participant: 'just viewers!' } });
    expect((await getPasswords(otherHalf.id)).body).toEqual({ speaker: expect.stringMatching(PASSWORD), participant: 'just viewers!' });
  });

  it('a taken room id is 409 room_id_taken: the key\'s own room, an archived one, another customer\'s; ids compare exactly', async () => {
    const mine = await createClient();
    const theirs = await createClient('Elsewhere Ltd', SECOND_KEY);
    const original = await createRoom(mine.id, { ...TOWN_HALL });
    expect(await postRoom(mine.id, { ...TOWN_HALL, title: 'Again' })).toMatchObject({ status: 409, body: roomIdTaken('q3-town-hall') });
    // Room ids are unique across customers: another key cannot take it either.
    expect(await postRoom(theirs.id, { id: 'q3-town-hall', title: 'Theirs', from_language: 'en-US' }, SECOND_KEY)).toMatchObject({ status: 409, body: roomIdTaken('q3-town-hall') });
    // 404 for the client comes before 409 for the id.
    expect(await postRoom(mine.id, { id: 'q3-town-hall', title: 'Theirs', from_language: 'en-US' }, SECOND_KEY)).toMatchObject({ status: 404, body: clientNotFound(mine.id) });
    // An archived room still holds its id.
    expect((await patchRoom('q3-town-hall', { is_archived: true })).status).toBe(200);
    expect(await postRoom(mine.id, { ...TOWN_HALL })).toMatchObject({ status: 409, body: roomIdTaken('q3-town-hall') });
    expect(await postRoom(theirs.id, { id: 'q3-town-hall', title: 'Theirs', from_language: 'en-US' }, SECOND_KEY)).toMatchObject({ status: 409, body: roomIdTaken('q3-town-hall') });
    // Case matters.
    const upper = await createRoom(theirs.id, { id: 'Q3-Town-Hall', title: 'Theirs', from_language: 'en-US' }, SECOND_KEY);
    expect(upper.id).toBe('Q3-Town-Hall');
    // The refusals changed nothing.
    expect((await listRooms(mine.id)).body.map((room: { id: string; title: string; is_archived: boolean }) => [room.id, room.title, room.is_archived])).toEqual([['q3-town-hall', 'Q3 town hall', true]]);
    expect((await listRooms(theirs.id, SECOND_KEY)).body.map((room: { id: string }) => room.id)).toEqual(['Q3-Town-Hall']);
    expect((await getRoom('q3-town-hall')).body.conference_id).toBe(original.conference_id);
  });

  it('an id off the pattern (or over 128 characters) is 400 validation_failed on /id, and creates nothing', async () => {
    const client = await createClient();
    for (const id of ['bad id', '-lead', 'trail-', 'a--b', '', 'q3_town_hall', 'café', 'a.b', 'a/b']) {
      const res = await postRoom(client.id, { id, title: 'T', from_language: 'en-GB' });
      expect([id, res.status, res.body]).toEqual([id, 400, invalid(['/id', ROOM_ID_RULE])]);
    }
    for (const id of ['x'.repeat(129), 42, null]) {
      const res = await postRoom(client.id, { id, title: 'T', from_language: 'en-GB' });
      expect([id, res.status, res.body]).toEqual([id, 400, invalid(['/id', expect.any(String)])]);
    }
    // 128 characters is still an id.
    expect((await createRoom(client.id, { id: 'x'.repeat(128), title: 'T', from_language: 'en-GB' })).id).toBe('x'.repeat(128));
    expect((await listRooms(client.id)).body).toHaveLength(1);
  });

  it('title and from_language are required and checked: 400 validation_failed naming the field', async () => {
    const client = await createClient();
    expect(await postRoom(client.id, { from_language: 'en-GB' })).toMatchObject({ status: 400, body: invalid(['/title', 'is required']) });
    expect(await postRoom(client.id, { title: 'T' })).toMatchObject({ status: 400, body: invalid(['/from_language', 'is required']) });
    expect(await postRoom(client.id, { ...TOWN_HALL, title: undefined })).toMatchObject({ status: 400, body: invalid(['/title', 'is required']) });
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ title: '', from_language: 'en-GB' }, '/title'],
      [{ title: 7, from_language: 'en-GB' }, '/title'],
      [{ title: 'T', from_language: 'english!' }, '/from_language'],
      [{ title: 'T', from_language: 'en-GB', to_languages: 'de-DE' }, '/to_languages'],
      [{ title: 'T', from_language: 'en-GB', to_languages: ['de DE'] }, '/to_languages/0'],
      [{ title: 'T', from_language: 'en-GB', passwords: { speaker: '' } }, '/passwords/speaker'],
    ];
    for (const [body, field] of cases) {
      const res = await postRoom(client.id, body);
      expect([body, res.status, res.body]).toEqual([body, 400, invalid([field, expect.any(String)])]);
    }
    expect(await postRoom(client.id, '{"title":"T",')).toMatchObject({ status: 400, body: INVALID_JSON });
    expect((await listRooms(client.id)).body).toEqual([]);
  });

  it('a body missing both required fields lists both in details (validation_failed lists every offending field)', async () => {
    const client = await createClient();
    const res = await postRoom(client.id, { description: 'neither title nor language' });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
    expect([...res.body.error.details].sort((a: { field: string }, b: { field: string }) => a.field.localeCompare(b.field))).toEqual([
      { field: '/from_language', message: 'is required' },
      { field: '/title', message: 'is required' },
    ]);
  });

  it('an unknown client and another key\'s client are the same 404 client_not_found; a client id that is not a uuid is 400', async () => {
    const theirs = await createClient('Elsewhere Ltd', SECOND_KEY);
    const unknown = '7c97aa3a-14d0-46d7-ac69-4f35e25391e9';
    const other = await postRoom(theirs.id, { ...TOWN_HALL });
    const absent = await postRoom(unknown, { ...TOWN_HALL });
    expect([other.status, other.body]).toEqual([404, clientNotFound(theirs.id)]);
    expect([absent.status, absent.body]).toEqual([404, clientNotFound(unknown)]);
    expect(withoutId(other.body, theirs.id)).toBe(withoutId(absent.body, unknown));
    for (const id of ['not-a-uuid', '7c97aa3a14d046d7ac694f35e25391e9', '7c97aa3a-14d0-46d7-ac69-4f35e25391e9a']) {
      const res = await postRoom(id, { ...TOWN_HALL });
      expect([id, res.status, res.body]).toEqual([id, 400, invalid(['client_id', expect.any(String)])]);
    }
    // The body is checked before the client is looked up.
    expect(await postRoom(unknown, { title: 'T' })).toMatchObject({ status: 400, body: invalid(['/from_language', 'is required']) });
    expect(await postRoom(theirs.id, '{"title":')).toMatchObject({ status: 400, body: INVALID_JSON });
    const undecodable = await postRoom('%ZZ', { ...TOWN_HALL });
    expect([undecodable.status, undecodable.body]).toEqual([400, stError('invalid_path', expect.stringContaining('%ZZ'))]);
    // Nothing was created, so the id is still free for its owner.
    expect((await listRooms(theirs.id, SECOND_KEY)).body).toEqual([]);
    expect((await createRoom(theirs.id, { ...TOWN_HALL }, SECOND_KEY)).id).toBe('q3-town-hall');
  });

  it('listRooms lists the client\'s rooms oldest first, archived ones included; [] for none; another key\'s client is 404', async () => {
    const client = await createClient();
    const sibling = await createClient('Harbor City Council');
    expect(await listRooms(client.id)).toMatchObject({ status: 200, body: [] });
    const first = await createRoom(client.id, { id: 'zz-first', title: 'First', from_language: 'en-GB' });
    await advance(1);
    const second = await createRoom(client.id, { id: 'aa-second', title: 'Second', from_language: 'en-GB' });
    await createRoom(sibling.id, { id: 'sibling-room', title: 'Sibling', from_language: 'en-GB' });
    const third = await createRoom(client.id, { title: 'Third', from_language: 'en-GB' });
    await advance(1);
    const archived = (await patchRoom(second.id, { is_archived: true })).body;
    expect(archived.is_archived).toBe(true);
    const list = await listRooms(client.id);
    expect(list.status).toBe(200);
    expect(list.body).toEqual([first, archived, third]);
    expect((await listRooms(sibling.id)).body.map((room: { id: string }) => room.id)).toEqual(['sibling-room']);

    const theirs = await createClient('Elsewhere Ltd', SECOND_KEY);
    await createRoom(theirs.id, { id: 'their-room', title: 'Theirs', from_language: 'en-GB' }, SECOND_KEY);
    const unknown = '0f536ef2-1bc8-41e1-ab3c-02a7fe5ca0e4';
    const other = await listRooms(theirs.id);
    const absent = await listRooms(unknown);
    expect([other.status, other.body]).toEqual([404, clientNotFound(theirs.id)]);
    expect([absent.status, absent.body]).toEqual([404, clientNotFound(unknown)]);
    expect(await listRooms(client.id, SECOND_KEY)).toMatchObject({ status: 404, body: clientNotFound(client.id) });
    expect(await listRooms('not-a-uuid')).toMatchObject({ status: 400, body: invalid(['client_id', expect.any(String)]) });
  });

  it('getRoom and /passwords: another key\'s room is 404 room_not_found exactly as one that never existed; %ZZ is 400 invalid_path; never a 5xx', async () => {
    const theirs = await createClient('Elsewhere Ltd', SECOND_KEY);
    const room = await createRoom(theirs.id, { ...TOWN_HALL }, SECOND_KEY);
    const never = 'q3-town-hall-2';
    for (const read of [getRoom, getPasswords]) {
      const other = await read(room.id);
      const absent = await read(never);
      expect([other.status, other.body]).toEqual([404, roomNotFound(room.id)]);
      expect([absent.status, absent.body]).toEqual([404, roomNotFound(never)]);
      expect(withoutId(other.body, room.id)).toBe(withoutId(absent.body, never));
      expect(Object.fromEntries(other.headers)['content-type']).toBe(Object.fromEntries(absent.headers)['content-type']);
      expect((await read(room.id, SECOND_KEY)).status).toBe(200);
      for (const id of ['%ZZ', 'q3-town%ZZhall', 'abc%E0%A4%A', '%']) {
        const res = await read(id);
        expect([id, res.status, res.body]).toEqual([id, 400, stError('invalid_path', expect.stringContaining('does not decode'))]);
      }
      for (const id of ['bad%20id', '-lead', 'a--b', 'a%2Fb', 'x'.repeat(129)]) {
        const res = await read(id);
        expect([id, res.status, res.body]).toEqual([id, 400, invalid(['room_id', expect.any(String)])]);
      }
      // Case matters: the upper-case id is another, unknown, room.
      expect(await read('Q3-TOWN-HALL', SECOND_KEY)).toMatchObject({ status: 404, body: roomNotFound('Q3-TOWN-HALL') });
    }
  });
});

describe('updating a room (PATCH)', () => {
  it('changes only the fields given; update_date moves to the clock\'s now, create_date stays', async () => {
    const client = await createClient();
    const created = await createRoom(client.id, { ...TOWN_HALL });
    const passwords = (await getPasswords(created.id)).body;
    const later = await advance(90);
    const res = await patchRoom(created.id, { title: 'Q3 town hall (rescheduled)' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ...created, title: 'Q3 town hall (rescheduled)', update_date: iso(later) });
    expect((await getRoom(created.id)).body).toEqual(res.body);
    expect((await getPasswords(created.id)).body).toEqual(passwords);

    const latest = await advance(3600);
    const more = await patchRoom(created.id, { description: '', sponsorship_title: 'Contoso', sponsorship_info_url: 'contoso.example', from_language: 'en-GB', secret: 'ignored', usage_in_seconds: { total: 99 }, update_date: '2020-01-01T00:00:00.000Z' });
    expect(more.status).toBe(200);
    expect(more.body).toEqual({ ...created, title: 'Q3 town hall (rescheduled)', description: '', sponsorship_title: 'Contoso', sponsorship_info_url: 'contoso.example', from_language: 'en-GB', update_date: iso(latest) });
    // An update that changes no value still moves update_date.
    const last = await advance(1);
    expect((await patchRoom(created.id, { title: 'Q3 town hall (rescheduled)' })).body).toEqual({ ...more.body, update_date: iso(last) });
  });

  it('passwords given replace only themselves; to_languages is replaced as a whole', async () => {
    const client = await createClient();
    const room = await createRoom(client.id, { ...TOWN_HALL });
    expect((await patchRoom(room.id, { passwords: { speaker: 'n3wSpeak' } })).status).toBe(200);
    expect((await getPasswords(room.id)).body).toEqual({ speaker: 'n3wSpeak', participant: 'Hq4nZ7pD' });
    expect((await patchRoom(room.id, { passwords: { participant: 'n3wView' } })).status).toBe(200);
    expect((await getPasswords(room.id)).body).toEqual({ speaker: 'n3wSpeak', participant: 'n3wView' });
    expect((await patchRoom(room.id, { passwords: {} })).status).toBe(200);
    expect((await getPasswords(room.id)).body).toEqual({ speaker: 'n3wSpeak', participant: 'n3wView' });

    const languages = await patchRoom(room.id, { to_languages: ['ja-JP'] });
    expect([languages.status, languages.body.to_languages]).toEqual([200, ['ja-JP']]);
    expect((await getRoom(room.id)).body.to_languages).toEqual(['ja-JP']);
    expect((await patchRoom(room.id, { to_languages: ['de-DE', 'fr-FR', 'ja-JP'] })).body.to_languages).toEqual(['de-DE', 'fr-FR', 'ja-JP']);
    expect((await patchRoom(room.id, { to_languages: [] })).body.to_languages).toEqual([]);
    expect((await getRoom(room.id)).body).toMatchObject({ to_languages: [], title: 'Q3 town hall', from_language: 'en-US' });
  });

  it('{is_archived: true} archives the room (still listed, still readable) and {is_archived: false} restores it', async () => {
    const client = await createClient();
    const room = await createRoom(client.id, { ...TOWN_HALL });
    const archived = await patchRoom(room.id, { is_archived: true });
    expect(archived.status).toBe(200);
    expect(archived.body).toEqual({ ...room, is_archived: true, update_date: expect.any(String) });
    expect((await getRoom(room.id)).body.is_archived).toBe(true);
    expect((await listRooms(client.id)).body.map((r: { id: string; is_archived: boolean }) => [r.id, r.is_archived])).toEqual([[room.id, true]]);
    // An archived room still has its passwords and stream URL.
    expect((await getPasswords(room.id)).status).toBe(200);
    expect((await postStreamUrl(room.id, { speaker_name: 'A', language: 'en-GB' })).status).toBe(200);
    const restored = await patchRoom(room.id, { is_archived: false });
    expect(restored.body).toEqual({ ...room, is_archived: false, update_date: expect.any(String) });
    expect((await listRooms(client.id)).body.map((r: { id: string; is_archived: boolean }) => [r.id, r.is_archived])).toEqual([[room.id, false]]);
    expect(await patchRoom(room.id, { is_archived: 'yes' })).toMatchObject({ status: 400, body: invalid(['/is_archived', expect.any(String)]) });
  });

  it('id, conference_id, api_key and create_date are 400 immutable_field, even with the current value, naming each, and nothing changes', async () => {
    const client = await createClient();
    const room = await createRoom(client.id, { ...TOWN_HALL });
    await advance(60);
    const before = { room: (await getRoom(room.id)).body, passwords: (await getPasswords(room.id)).body };
    const attempts: Array<[Record<string, unknown>, string[]]> = [
      [{ id: room.id }, ['id']],
      [{ id: 'renamed-room' }, ['id']],
      [{ conference_id: room.conference_id }, ['conference_id']],
      [{ api_key: room.api_key }, ['api_key']],
      [{ api_key: 'x' }, ['api_key']],
      [{ create_date: room.create_date }, ['create_date']],
      [{ create_date: null }, ['create_date']],
      [{ id: room.id, title: 'Changed', passwords: { speaker: 'changed1' }, is_archived: true }, ['id']],
      [{ id: room.id, create_date: '2020-01-01T00:00:00.000Z', to_languages: ['ja-JP'] }, ['id', 'create_date']],
      [{ id: room.id, conference_id: 'c', api_key: 'k', create_date: 'd', title: 'Changed' }, ['id', 'conference_id', 'api_key', 'create_date']],
    ];
    for (const [body, fields] of attempts) {
      const res = await patchRoom(room.id, body);
      expect([body, res.status, res.body]).toEqual([body, 400, immutable(...fields)]);
    }
    expect((await getRoom(room.id)).body).toEqual(before.room);
    expect((await getPasswords(room.id)).body).toEqual(before.passwords);
    expect((await listRooms(client.id)).body).toEqual([before.room]);
    // A body that also breaks the schema gets validation_failed first.
    expect(await patchRoom(room.id, { id: room.id, title: '' })).toMatchObject({ status: 400, body: invalid(['/title', expect.any(String)]) });
    expect((await getRoom(room.id)).body).toEqual(before.room);
  });

  it('an empty, missing or unreadable body is 400, another key\'s room is 404 room_not_found, and neither changes anything', async () => {
    const client = await createClient();
    const room = await createRoom(client.id, { ...TOWN_HALL });
    await advance(5);
    const empty = await patchRoom(room.id, {});
    expect([empty.status, empty.body]).toEqual([400, invalid([expect.any(String), expect.any(String)])]);
    const none = await send('PATCH', `/v1/rooms/${room.id}`);
    expect([none.status, none.body]).toEqual([400, invalid([expect.any(String), expect.any(String)])]);
    for (const body of ['{"title":', '[', 'title=x']) expect(await patchRoom(room.id, body)).toMatchObject({ status: 400, body: INVALID_JSON });
    for (const body of [[], null, 'a string', 12]) {
      const res = await patchRoom(room.id, JSON.stringify(body));
      expect([body, res.status, res.body]).toEqual([body, 400, invalid([expect.any(String), expect.any(String)])]);
    }
    expect(await patchRoom(room.id, { title: 'Hijacked' }, SECOND_KEY)).toMatchObject({ status: 404, body: roomNotFound(room.id) });
    expect(await patchRoom(room.id, { is_archived: true }, SECOND_KEY)).toMatchObject({ status: 404, body: roomNotFound(room.id) });
    expect(await patchRoom('never-was', { title: 'Hijacked' })).toMatchObject({ status: 404, body: roomNotFound('never-was') });
    // The body is checked before the room is looked up: 400 first, alike for another key's room and none.
    expect(await patchRoom(room.id, { id: 'x', title: 'Hijacked' }, SECOND_KEY)).toMatchObject({ status: 400, body: immutable('id') });
    expect(await patchRoom('never-was', { id: 'x', title: 'Hijacked' })).toMatchObject({ status: 400, body: immutable('id') });
    expect(await patchRoom(room.id, { title: '' }, SECOND_KEY)).toMatchObject({ status: 400, body: invalid(['/title', expect.any(String)]) });
    expect(await patchRoom('never-was', {})).toMatchObject({ status: 400, body: invalid([expect.any(String), expect.any(String)]) });
    expect((await getRoom(room.id)).body).toEqual(room);
  });
});

describe('stream URLs (getRoomStreamUrl)', () => {
  it('encodes the spec\'s special characters exactly as URLSearchParams does, one phrases parameter per phrase in order', async () => {
    const client = await createClient();
    const room = await createRoom(client.id, { ...TOWN_HALL });
    const res = await postStreamUrl(room.id, { speaker_name: 'Zoë & Max', language: 'en-GB', phrases: ['C++ / R&D café', 'Rust'] });
    expect([res.status, res.body]).toEqual([200, { url: 'rtmps://rtmp.stenomatic.com/q3-town-hall?lang=en-GB&name=Zo%C3%AB+%26+Max&phrases=C%2B%2B+%2F+R%26D+caf%C3%A9&phrases=Rust' }]);
    // Nothing is stored: the same body gives the same URL.
    expect((await postStreamUrl(room.id, { speaker_name: 'Zoë & Max', language: 'en-GB', phrases: ['C++ / R&D café', 'Rust'] })).body).toEqual(res.body);
    const odd = await postStreamUrl(room.id, { speaker_name: "O'Brien (guest)! ~x", language: 'de-DE', phrases: ['a*b-c._d', '100%', 'x=y?z#w'] });
    expect(odd.body).toEqual({ url: 'rtmps://rtmp.stenomatic.com/q3-town-hall?lang=de-DE&name=O%27Brien+%28guest%29%21+%7Ex&phrases=a*b-c._d&phrases=100%25&phrases=x%3Dy%3Fz%23w' });
  });

  it('no phrases (omitted or empty) means no phrases parameter; the documentation\'s sample body and the spec\'s examples give their URLs', async () => {
    const client = await createClient();
    const room = await createRoom(client.id, { ...TOWN_HALL });
    const base = 'rtmps://rtmp.stenomatic.com/q3-town-hall';
    expect((await postStreamUrl(room.id, { speaker_name: 'Lukas Brandt', language: 'de-DE' })).body).toEqual({ url: `${base}?lang=de-DE&name=Lukas+Brandt` });
    expect((await postStreamUrl(room.id, { speaker_name: 'Lukas Brandt', language: 'de-DE', phrases: [] })).body).toEqual({ url: `${base}?lang=de-DE&name=Lukas+Brandt` });
    expect((await postStreamUrl(room.id, { speaker_name: 'John Doe', language: 'en-GB', phrases: ['phrase 1', 'phrase 2'] })).body).toEqual({ url: `${base}?lang=en-GB&name=John+Doe&phrases=phrase+1&phrases=phrase+2` });
    expect((await postStreamUrl(room.id, { speaker_name: 'Amara Okafor', language: 'en-GB', phrases: ['Northwind', 'quarterly roadmap'], unknown: 1 })).body).toEqual({ url: `${base}?lang=en-GB&name=Amara+Okafor&phrases=Northwind&phrases=quarterly+roadmap` });
    const generated = await createRoom(client.id);
    expect((await postStreamUrl(generated.id, { speaker_name: 'A', language: 'fr-FR' })).body).toEqual({ url: `rtmps://rtmp.stenomatic.com/${generated.id}?lang=fr-FR&name=A` });
  });

  it('speaker_name and language are required and checked (400 validation_failed); another key\'s room is 404', async () => {
    const client = await createClient();
    const room = await createRoom(client.id, { ...TOWN_HALL });
    expect(await postStreamUrl(room.id, { language: 'en-GB' })).toMatchObject({ status: 400, body: invalid(['/speaker_name', 'is required']) });
    expect(await postStreamUrl(room.id, { speaker_name: 'A' })).toMatchObject({ status: 400, body: invalid(['/language', 'is required']) });
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ speaker_name: '', language: 'en-GB' }, '/speaker_name'],
      [{ speaker_name: 3, language: 'en-GB' }, '/speaker_name'],
      [{ speaker_name: 'A', language: 'English' }, '/language'],
      [{ speaker_name: 'A', language: 'en-GB', phrases: 'Rust' }, '/phrases'],
      [{ speaker_name: 'A', language: 'en-GB', phrases: [''] }, '/phrases/0'],
    ];
    for (const [body, field] of cases) {
      const res = await postStreamUrl(room.id, body);
      expect([body, res.status, res.body]).toEqual([body, 400, invalid([field, expect.any(String)])]);
    }
    expect(await postStreamUrl(room.id, '{"speaker_name"')).toMatchObject({ status: 400, body: INVALID_JSON });
    const other = await postStreamUrl(room.id, { speaker_name: 'A', language: 'en-GB' }, SECOND_KEY);
    const absent = await postStreamUrl('never-was', { speaker_name: 'A', language: 'en-GB' }, SECOND_KEY);
    expect([other.status, other.body]).toEqual([404, roomNotFound(room.id)]);
    expect(withoutId(other.body, room.id)).toBe(withoutId(absent.body, 'never-was'));
    // The body is checked before the room is looked up.
    expect(await postStreamUrl(room.id, { language: 'en-GB' }, SECOND_KEY)).toMatchObject({ status: 400, body: invalid(['/speaker_name', 'is required']) });
    expect(await postStreamUrl('never-was', '{"speaker_name"')).toMatchObject({ status: 400, body: INVALID_JSON });
  });
});

describe('usage', () => {
  /** A client with one room, streamed 90 s with recognition, then 30 s with both services; times of each step. */
  async function streamedRoom() {
    const client = await createClient();
    const room = await createRoom(client.id, { ...TOWN_HALL });
    const start = await clockNow();
    await startStreaming(room.id);
    const switched = await advance(90);
    await startStreaming(room.id, ['speech_recognition', 'voice_translate']);
    const end = await advance(30);
    await stopStreaming(room.id);
    return { client, room, start, switched, end };
  }

  it('accrues while the room streams: 90 s of recognition, then 30 s with voice_translate, in nanoseconds', async () => {
    const client = await createClient();
    const room = await createRoom(client.id, { ...TOWN_HALL });
    const start = await clockNow();
    const period = between(start - DAY_MS, start + DAY_MS);
    expect(await customerUsage(period)).toMatchObject({ status: 200, body: {} });
    expect(await startStreaming(room.id)).toEqual({ room_id: room.id, streaming: true, services: ['speech_recognition'], since: iso(start), total_seconds: 0 });
    expect((await customerUsage(period)).body).toEqual({});
    await advance(90);
    const recognised = await customerUsage(period);
    expect([recognised.status, recognised.body]).toEqual([200, { speech_recognition: 90e9 }]);
    expect('voice_translate' in recognised.body).toBe(false);
    expect((await clientUsage(client.id, period)).body).toEqual({ speech_recognition: 90e9 });

    await startStreaming(room.id, ['speech_recognition', 'voice_translate']);
    await advance(30);
    expect((await customerUsage(period)).body).toEqual({ speech_recognition: 120e9, voice_translate: 30e9 });
    await stopStreaming(room.id);
    await advance(600);
    expect((await customerUsage(period)).body).toEqual({ speech_recognition: 120e9, voice_translate: 30e9 });
    expect((await clientUsage(client.id, period)).body).toEqual({ speech_recognition: 120e9, voice_translate: 30e9 });
    // Streaming is not an update.
    expect((await getRoom(room.id)).body).toEqual({ ...room, usage_in_seconds: { total: 120, twenty_four_hour: 120 } });
  });

  it('counts exactly the part of the stream inside [from, to): from inclusive, to exclusive, the future empty, to == from empty', async () => {
    const { client, start, switched, end } = await streamedRoom();
    const now = await clockNow();
    const both = async (from: number, to: number) => {
      const customer = await customerUsage(between(from, to));
      const own = await clientUsage(client.id, between(from, to));
      expect([from - start, to - start, customer.status, own.status, own.body]).toEqual([from - start, to - start, 200, 200, customer.body]);
      return customer.body;
    };
    expect(await both(start, end)).toEqual({ speech_recognition: 120e9, voice_translate: 30e9 });
    expect(await both(start + 60 * SECOND, switched + 10 * SECOND)).toEqual({ speech_recognition: 40e9, voice_translate: 10e9 });
    expect(await both(start + 10 * SECOND, start + 20 * SECOND)).toEqual({ speech_recognition: 10e9 });
    expect(await both(switched + 5 * SECOND, now + DAY_MS)).toEqual({ speech_recognition: 25e9, voice_translate: 25e9 });
    // from is inclusive, to exclusive, to the millisecond.
    expect(await both(start, start + 1)).toEqual({ speech_recognition: NS_PER_MS });
    expect(await both(start - 1, start)).toEqual({});
    expect(await both(end - 1, end)).toEqual({ speech_recognition: NS_PER_MS, voice_translate: NS_PER_MS });
    expect(await both(end, end + HOUR_MS)).toEqual({});
    expect(await both(switched - 1, switched + 1)).toEqual({ speech_recognition: 2 * NS_PER_MS, voice_translate: NS_PER_MS });
    expect(await both(start - HOUR_MS, start)).toEqual({});
    // An empty period, and one in the future.
    expect(await both(start + 30 * SECOND, start + 30 * SECOND)).toEqual({});
    expect(await both(0, 0)).toEqual({});
    expect(await both(now + SECOND, now + DAY_MS)).toEqual({});
    expect(await both(0, now + DAY_MS)).toEqual({ speech_recognition: 120e9, voice_translate: 30e9 });
  });

  it('a live stream counts up to now and not beyond, for a period reaching into the future', async () => {
    const client = await createClient();
    const room = await createRoom(client.id);
    const start = await clockNow();
    await startStreaming(room.id, ['speech_recognition', 'voice_translate']);
    await advance(45.5);
    const period = between(start, start + DAY_MS);
    expect((await customerUsage(period)).body).toEqual({ speech_recognition: 45_500 * NS_PER_MS, voice_translate: 45_500 * NS_PER_MS });
    expect((await customerUsage(between(start + 50 * SECOND, start + DAY_MS))).body).toEqual({});
    await advance(4.5);
    expect((await customerUsage(period)).body).toEqual({ speech_recognition: 50e9, voice_translate: 50e9 });
    expect((await getRoom(room.id)).body.usage_in_seconds).toEqual({ total: 50, twenty_four_hour: 50 });
  });

  it('refuses a to before from, a missing, non-integer or negative from or to: 400 validation_failed naming the parameter', async () => {
    const client = await createClient();
    const to = await clockNow();
    const from = to + 1;
    const cases: Array<[string, string, unknown]> = [
      [between(from, to), 'to', `must not be before from (${from})`],
      [`to=${to}`, 'from', 'is required'],
      [`from=${from}`, 'to', 'is required'],
      [`from=1.5&to=${to}`, 'from', expect.any(String)],
      [`from=abc&to=${to}`, 'from', expect.any(String)],
      [`from=${from}&to=soon`, 'to', expect.any(String)],
      [`from=${from}&to=${to}.25`, 'to', expect.any(String)],
      [`from=-1&to=${to}`, 'from', expect.any(String)],
      [`from=&to=${to}`, 'from', expect.any(String)],
    ];
    for (const [query, field, message] of cases) {
      const customer = await customerUsage(query);
      const own = await clientUsage(client.id, query);
      expect([query, customer.status, customer.body]).toEqual([query, 400, invalid([field, message])]);
      expect([query, own.status, own.body]).toEqual([query, 400, invalid([field, message])]);
    }
    // 400 for the query comes before 404 for the client.
    expect(await clientUsage('0f536ef2-1bc8-41e1-ab3c-02a7fe5ca0e4', between(from, to))).toMatchObject({ status: 400, body: invalid(['to', `must not be before from (${from})`]) });
  });

  it('a query with both parameters missing or broken lists both in details (validation_failed lists every offending field)', async () => {
    const client = await createClient();
    const sorted = (details: Array<{ field: string }>) => [...details].sort((a, b) => a.field.localeCompare(b.field));
    for (const query of ['', 'from=abc&to=soon', 'from=1.5']) {
      const customer = await customerUsage(query);
      const own = await clientUsage(client.id, query);
      for (const res of [customer, own]) {
        expect([query, res.status, res.body.error.code]).toEqual([query, 400, 'validation_failed']);
        expect([query, sorted(res.body.error.details).map((detail) => detail.field)]).toEqual([query, ['from', 'to']]);
      }
    }
  });

  it('a client\'s usage counts only its own rooms, archived ones included; another key\'s client is 404; the other key\'s usage is its own', async () => {
    const northwind = await createClient('Northwind Conferences');
    const harbor = await createClient('Harbor City Council');
    const theirs = await createClient('Elsewhere Ltd', SECOND_KEY);
    const a = await createRoom(northwind.id, { id: 'room-a', title: 'A', from_language: 'en-GB' });
    const b = await createRoom(northwind.id, { id: 'room-b', title: 'B', from_language: 'en-GB' });
    const c = await createRoom(harbor.id, { id: 'room-c', title: 'C', from_language: 'en-GB' });
    const t = await createRoom(theirs.id, { id: 'room-t', title: 'T', from_language: 'en-GB' }, SECOND_KEY);
    const start = await clockNow();
    await startStreaming(a.id);
    await startStreaming(c.id, ['speech_recognition', 'voice_translate']);
    await startStreaming(t.id);
    await advance(10);
    await startStreaming(b.id);
    await stopStreaming(c.id);
    await advance(20);
    for (const room of [a, b, t]) await stopStreaming(room.id);
    expect((await patchRoom(b.id, { is_archived: true })).status).toBe(200);
    await advance(5);
    const period = between(start, start + DAY_MS);
    expect((await clientUsage(northwind.id, period)).body).toEqual({ speech_recognition: 50e9 });
    expect((await clientUsage(harbor.id, period)).body).toEqual({ speech_recognition: 10e9, voice_translate: 10e9 });
    expect((await customerUsage(period)).body).toEqual({ speech_recognition: 60e9, voice_translate: 10e9 });
    expect((await customerUsage(period, SECOND_KEY)).body).toEqual({ speech_recognition: 30e9 });
    expect((await clientUsage(theirs.id, period, SECOND_KEY)).body).toEqual({ speech_recognition: 30e9 });
    const other = await clientUsage(theirs.id, period);
    const unknown = '7c97aa3a-14d0-46d7-ac69-4f35e25391e9';
    const absent = await clientUsage(unknown, period);
    expect([other.status, other.body]).toEqual([404, clientNotFound(theirs.id)]);
    expect([absent.status, absent.body]).toEqual([404, clientNotFound(unknown)]);
    expect(await clientUsage(northwind.id, period, SECOND_KEY)).toMatchObject({ status: 404, body: clientNotFound(northwind.id) });
    expect(await clientUsage('not-a-uuid', period)).toMatchObject({ status: 400, body: invalid(['client_id', expect.any(String)]) });
    // A client with rooms that never streamed, and a key with no clients at all.
    const idle = await createClient('Idle');
    await createRoom(idle.id);
    expect((await clientUsage(idle.id, period)).body).toEqual({});
    expect(await customerUsage(period, TEST_KEY)).toMatchObject({ status: 200 });
    // Each room's usage_in_seconds is its own recognition time.
    const seconds = async (id: string, key = TEST_KEY) => (await getRoom(id, key)).body.usage_in_seconds;
    expect(await seconds(a.id)).toEqual({ total: 30, twenty_four_hour: 30 });
    expect(await seconds(b.id)).toEqual({ total: 20, twenty_four_hour: 20 });
    expect(await seconds(c.id)).toEqual({ total: 10, twenty_four_hour: 10 });
    expect(await seconds(t.id, SECOND_KEY)).toEqual({ total: 30, twenty_four_hour: 30 });
  });

  it('a room\'s usage_in_seconds.total is its speech_recognition time in whole seconds, rounded down, the same in getRoom, listRooms, PATCH and the control API', async () => {
    const client = await createClient();
    const room = await createRoom(client.id, { ...TOWN_HALL });
    const start = await clockNow();
    await startStreaming(room.id, ['speech_recognition', 'voice_translate']);
    await advance(90.999);
    const live = (await getRoom(room.id)).body.usage_in_seconds;
    expect(live).toEqual({ total: 90, twenty_four_hour: 90 });
    await startStreaming(room.id);
    await advance(29.5);
    await stopStreaming(room.id);
    const usage = (await customerUsage(between(start, start + DAY_MS))).body;
    expect(usage).toEqual({ speech_recognition: 120_499 * NS_PER_MS, voice_translate: 90_999 * NS_PER_MS });
    const expected = { total: Math.floor(usage.speech_recognition / 1e9), twenty_four_hour: 120 };
    expect(expected.total).toBe(120);
    expect((await getRoom(room.id)).body.usage_in_seconds).toEqual(expected);
    expect((await listRooms(client.id)).body[0].usage_in_seconds).toEqual(expected);
    expect((await patchRoom(room.id, { title: 'After' })).body.usage_in_seconds).toEqual(expected);
    expect((await streaming('GET', room.id)).body.total_seconds).toBe(120);
  });

  it('twenty_four_hour counts only the 24 hours before now: partly across the boundary, then 0, while total stays', async () => {
    const client = await createClient();
    const room = await createRoom(client.id, { ...TOWN_HALL });
    const start = await clockNow();
    await startStreaming(room.id);
    await advance(2 * 3600);
    await stopStreaming(room.id);
    const seconds = async () => (await getRoom(room.id)).body.usage_in_seconds;
    expect(await seconds()).toEqual({ total: 7200, twenty_four_hour: 7200 });
    // Now start + 25 h: the last 24 h begin at start + 1 h, half way through the stream.
    await advance(23 * 3600);
    expect(await seconds()).toEqual({ total: 7200, twenty_four_hour: 3600 });
    await advance(1800.5);
    expect(await seconds()).toEqual({ total: 7200, twenty_four_hour: 1799 });
    // start + 26 h + 0.5 s: the stream is all older than 24 h.
    await advance(1800);
    expect(await seconds()).toEqual({ total: 7200, twenty_four_hour: 0 });
    await advance(7 * 24 * 3600);
    expect(await seconds()).toEqual({ total: 7200, twenty_four_hour: 0 });
    expect((await listRooms(client.id)).body[0].usage_in_seconds).toEqual({ total: 7200, twenty_four_hour: 0 });
    // The usage endpoints still report it for a period that covers it.
    expect((await customerUsage(between(start, start + DAY_MS))).body).toEqual({ speech_recognition: 7200e9 });
    // A stream that runs across the 24-hour mark counts in twenty_four_hour only from then.
    await startStreaming(room.id);
    await advance(25 * 3600);
    expect(await seconds()).toEqual({ total: 7200 + 25 * 3600, twenty_four_hour: 24 * 3600 });
    await stopStreaming(room.id);
    await advance(12 * 3600);
    expect(await seconds()).toEqual({ total: 7200 + 25 * 3600, twenty_four_hour: 12 * 3600 });
  });
});

describe('simulated streaming (control API)', () => {
  it('GET, PUT and DELETE answer the room\'s stream; since is the start and stays when services change; DELETE is idempotent', async () => {
    const client = await createClient();
    const room = await createRoom(client.id, { ...TOWN_HALL });
    const idle = { room_id: room.id, streaming: false, services: [], since: null, total_seconds: 0 };
    expect(await streaming('GET', room.id)).toMatchObject({ status: 200, body: idle });
    expect(await streaming('DELETE', room.id)).toMatchObject({ status: 200, body: idle });
    expect((await streaming('GET', room.id)).body).toEqual(idle);

    const start = await clockNow();
    const started = await streaming('PUT', room.id, {});
    expect([started.status, started.body]).toEqual([200, { room_id: room.id, streaming: true, services: ['speech_recognition'], since: iso(start), total_seconds: 0 }]);
    await advance(600);
    const changed = await streaming('PUT', room.id, { services: ['speech_recognition', 'voice_translate'] });
    expect(changed.body).toEqual({ room_id: room.id, streaming: true, services: ['speech_recognition', 'voice_translate'], since: iso(start), total_seconds: 600 });
    await advance(150.5);
    expect((await streaming('GET', room.id)).body).toEqual({ room_id: room.id, streaming: true, services: ['speech_recognition', 'voice_translate'], since: iso(start), total_seconds: 750 });
    const back = await streaming('PUT', room.id, { services: ['speech_recognition'] });
    expect(back.body).toEqual({ room_id: room.id, streaming: true, services: ['speech_recognition'], since: iso(start), total_seconds: 750 });
    await advance(49.5);
    const stopped = { room_id: room.id, streaming: false, services: [], since: null, total_seconds: 800 };
    expect(await streaming('DELETE', room.id)).toMatchObject({ status: 200, body: stopped });
    await advance(60);
    expect(await streaming('DELETE', room.id)).toMatchObject({ status: 200, body: stopped });
    expect((await streaming('GET', room.id)).body).toEqual(stopped);

    // A new stream after a stop has a new since; the total goes on.
    const restart = await clockNow();
    expect((await streaming('PUT', room.id)).body).toEqual({ room_id: room.id, streaming: true, services: ['speech_recognition'], since: iso(restart), total_seconds: 800 });
    // Archived rooms stream too.
    expect((await patchRoom(room.id, { is_archived: true })).status).toBe(200);
    await advance(10);
    expect((await streaming('GET', room.id)).body).toMatchObject({ streaming: true, since: iso(restart), total_seconds: 810 });
    // Any customer's room, by id alone.
    const theirs = await createClient('Elsewhere Ltd', SECOND_KEY);
    const their = await createRoom(theirs.id, { id: 'their-room', title: 'T', from_language: 'en-GB' }, SECOND_KEY);
    expect((await streaming('PUT', their.id)).body).toMatchObject({ room_id: 'their-room', streaming: true });
  });

  it('an unknown room is 404 not_found on GET, PUT and DELETE', async () => {
    const client = await createClient();
    await createRoom(client.id, { ...TOWN_HALL });
    for (const method of ['GET', 'PUT', 'DELETE'] as const) {
      for (const id of ['board-meeting-2024', 'Q3-TOWN-HALL']) {
        const res = await streaming(method, id);
        expect([method, id, res.status, res.body]).toEqual([method, id, 404, { error: 'not_found', message: `No Stenomatic room has the id ${id}.` }]);
      }
      const undecodable = await streaming(method, 'q3%ZZ');
      expect([method, undecodable.status, undecodable.body]).toEqual([method, 400, { error: 'bad_request', message: expect.any(String) }]);
    }
  });

  it('services without speech_recognition, unknown, duplicated or not a list, and bodies that are not JSON, are 400 bad_request and change nothing', async () => {
    const client = await createClient();
    const room = await createRoom(client.id, { ...TOWN_HALL });
    const bodies: unknown[] = [
      { services: [] },
      { services: ['voice_translate'] },
      { services: ['speech_recognition', 'speech_recognition'] },
      { services: ['speech_recognition', 'voice_translate', 'voice_translate'] },
      { services: ['speech_recognition', 'sign_language'] },
      { services: ['Speech_Recognition'] },
      { services: 'speech_recognition' },
      { services: null },
      { service: ['speech_recognition'] },
      [],
      '{"services":',
      'speech_recognition',
    ];
    for (const body of bodies) {
      const res = await streaming('PUT', room.id, body);
      expect([body, res.status, res.body]).toEqual([body, 400, { error: 'bad_request', message: expect.any(String) }]);
    }
    expect((await streaming('GET', room.id)).body).toEqual({ room_id: room.id, streaming: false, services: [], since: null, total_seconds: 0 });
    // The same refusals while streaming leave the stream as it was.
    const start = await clockNow();
    await startStreaming(room.id, ['voice_translate', 'speech_recognition']);
    await advance(10);
    for (const body of bodies.slice(0, 5)) expect((await streaming('PUT', room.id, body)).status).toBe(400);
    await advance(10);
    expect((await streaming('GET', room.id)).body).toEqual({ room_id: room.id, streaming: true, services: ['voice_translate', 'speech_recognition'], since: iso(start), total_seconds: 20 });
    expect((await customerUsage(between(start, start + DAY_MS))).body).toEqual({ speech_recognition: 20e9, voice_translate: 20e9 });
  });

  it('a reset stops every stream and forgets every room, client and customer', async () => {
    const client = await createClient();
    const room = await createRoom(client.id, { ...TOWN_HALL });
    const theirs = await createClient('Elsewhere Ltd', SECOND_KEY);
    const their = await createRoom(theirs.id, { id: 'their-room', title: 'T', from_language: 'en-GB' }, SECOND_KEY);
    await startStreaming(room.id);
    await startStreaming(their.id, ['speech_recognition', 'voice_translate']);
    const start = await clockNow();
    await advance(60);
    await controlClient(server.url).reset();
    for (const id of [room.id, their.id]) {
      for (const method of ['GET', 'DELETE', 'PUT'] as const) expect((await streaming(method, id)).status).toBe(404);
      expect((await getRoom(id)).status).toBe(404);
      expect((await getRoom(id, SECOND_KEY)).status).toBe(404);
    }
    expect((await listClients()).body).toEqual([]);
    expect((await listClients(SECOND_KEY)).body).toEqual([]);
    expect((await listRooms(client.id)).status).toBe(404);
    await advance(60);
    expect((await customerUsage(between(start - DAY_MS, start + DAY_MS))).body).toEqual({});
    expect((await customerUsage(between(start - DAY_MS, start + DAY_MS), SECOND_KEY)).body).toEqual({});
    // The ids are free again, and the new room has not streamed.
    const again = await createRoom((await createClient()).id, { ...TOWN_HALL });
    expect(again.usage_in_seconds).toEqual({ total: 0, twenty_four_hour: 0 });
    expect((await streaming('GET', again.id)).body).toEqual({ room_id: again.id, streaming: false, services: [], since: null, total_seconds: 0 });

    // A reset of stenomatic alone does the same.
    await startStreaming(again.id);
    await advance(5);
    const res = await fetch(`${server.url}/__emulator/reset`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ api: 'stenomatic' }) });
    expect(res.status).toBe(204);
    expect((await streaming('GET', again.id)).status).toBe(404);
    expect((await getRoom(again.id)).status).toBe(404);
    expect((await listClients()).body).toEqual([]);
  });
});

describe('tenancy', () => {
  it('a customer never sees another\'s clients or rooms anywhere: every way in is the 404 of an id that does not exist', async () => {
    const mine = await createClient('Northwind Conferences');
    const myRoom = await createRoom(mine.id, { ...TOWN_HALL });
    const theirs = await createClient('Elsewhere Ltd', SECOND_KEY);
    const theirRoom = await createRoom(theirs.id, { id: 'their-room', title: 'Theirs', from_language: 'en-GB', passwords: { speaker: 'secret1', participant: 'secret2' } }, SECOND_KEY);
    const start = await clockNow();
    await startStreaming(theirRoom.id, ['speech_recognition', 'voice_translate']);
    await advance(30);
    await stopStreaming(theirRoom.id);
    const theirView = { room: (await getRoom(theirRoom.id, SECOND_KEY)).body, passwords: (await getPasswords(theirRoom.id, SECOND_KEY)).body };
    const period = between(start - HOUR_MS, start + HOUR_MS);
    const ghostClient = '7c97aa3a-14d0-46d7-ac69-4f35e25391e9';
    const ghostRoom = 'board-meeting-2024';

    // Both ways round: my key on their things, their key on mine.
    const pairs: Array<[string, string, string, string]> = [
      [TEST_KEY, theirs.id, theirRoom.id, 'test-key on second-key\'s'],
      [SECOND_KEY, mine.id, myRoom.id, 'second-key on test-key\'s'],
    ];
    for (const [key, clientId, roomId, label] of pairs) {
      const clientCalls: Array<[string, (id: string) => Promise<Reply>]> = [
        ['createRoom', (id) => postRoom(id, { title: 'Intruder', from_language: 'en-GB' }, key)],
        ['listRooms', (id) => listRooms(id, key)],
        ['getClientApiUsage', (id) => clientUsage(id, period, key)],
      ];
      for (const [name, call] of clientCalls) {
        const real = await call(clientId);
        const ghost = await call(ghostClient);
        expect([label, name, real.status, real.body]).toEqual([label, name, 404, clientNotFound(clientId)]);
        expect([label, name, withoutId(real.body, clientId)]).toEqual([label, name, withoutId(ghost.body, ghostClient)]);
      }
      const roomCalls: Array<[string, (id: string) => Promise<Reply>]> = [
        ['getRoom', (id) => getRoom(id, key)],
        ['getRoomPasswords', (id) => getPasswords(id, key)],
        ['getRoomStreamUrl', (id) => postStreamUrl(id, { speaker_name: 'Intruder', language: 'en-GB' }, key)],
        ['updateRoom', (id) => patchRoom(id, { title: 'Hijacked', is_archived: true, passwords: { speaker: 'mine' } }, key)],
      ];
      for (const [name, call] of roomCalls) {
        const real = await call(roomId);
        const ghost = await call(ghostRoom);
        expect([label, name, real.status, real.body]).toEqual([label, name, 404, roomNotFound(roomId)]);
        expect([label, name, withoutId(real.body, roomId)]).toEqual([label, name, withoutId(ghost.body, ghostRoom)]);
      }
    }
    // Lists and usage show each key only its own.
    expect((await listClients()).body).toEqual([mine]);
    expect((await listClients(SECOND_KEY)).body).toEqual([theirs]);
    expect((await customerUsage(period)).body).toEqual({});
    expect((await customerUsage(period, SECOND_KEY)).body).toEqual({ speech_recognition: 30e9, voice_translate: 30e9 });
    // Nothing the other key tried changed anything.
    expect((await getRoom(theirRoom.id, SECOND_KEY)).body).toEqual(theirView.room);
    expect((await getPasswords(theirRoom.id, SECOND_KEY)).body).toEqual(theirView.passwords);
    expect((await getRoom(myRoom.id)).body).toEqual(myRoom);
    expect((await listRooms(mine.id)).body).toEqual([myRoom]);
    expect((await listRooms(theirs.id, SECOND_KEY)).body).toEqual([theirView.room]);
  });
});

describe('a barrage of refused client creations', () => {
  it('40 malformed requests among 4 good ones: exactly the 4 are kept, nothing answers 5xx, every 4xx is the Error body', async () => {
    const json = { 'content-type': 'application/json' };
    const post = (body: string | Uint8Array | undefined, headers: Record<string, string> = json, key: string | null = TEST_KEY) => () => send('POST', '/v1/clients', { key, headers, ...(body !== undefined && { body }) });
    const sample = JSON.stringify({ name: 'Northwind' });
    const huge = 'n'.repeat(200 * 1024);
    // What each refusal must answer: the Error body, with details exactly where the schema was broken.
    const notJson = INVALID_JSON;
    const noName = invalid(['/name', 'is required']);
    const badName = invalid(['/name', expect.any(String)]);
    const badBody = invalid([expect.any(String), expect.any(String)]);
    const bad: Array<[string, () => Promise<Reply>, unknown]> = [
      ['truncated JSON', post('{"name":'), notJson],
      ['unclosed string', post('{"name": "Unclosed'), notJson],
      ['unquoted key', post('{name: "Northwind"}'), notJson],
      ['single quotes', post("{'name': 'Northwind'}"), notJson],
      ['trailing comma', post('{"name": "Northwind",}'), notJson],
      ['trailing text', post('{"name": "Northwind"} trailing'), notJson],
      ['plain text', post('not json at all'), notJson],
      ['control bytes', post('\u0000\u0001\u0002'), notJson],
      ['200 KiB unclosed name', post(`{"name": "${huge}`), notJson],
      ['text/plain', post(sample, { 'content-type': 'text/plain' }), notJson],
      ['JSON sent as a form', post(sample, { 'content-type': 'application/x-www-form-urlencoded' }), notJson],
      ['a real form', post('name=Northwind', { 'content-type': 'application/x-www-form-urlencoded' }), notJson],
      ['application/xml', post(sample, { 'content-type': 'application/xml' }), notJson],
      ['multipart', post(sample, { 'content-type': 'multipart/form-data; boundary=x' }), notJson],
      ['{}', post('{}'), noName],
      ['title instead of name', post(JSON.stringify({ title: 'Northwind' })), noName],
      ['Name (case)', post(JSON.stringify({ Name: 'Northwind' })), noName],
      ['empty name', post(JSON.stringify({ name: '' })), badName],
      ['name 42', post(JSON.stringify({ name: 42 })), badName],
      ['name 0', post(JSON.stringify({ name: 0 })), badName],
      ['name true', post(JSON.stringify({ name: true })), badName],
      ['name null', post(JSON.stringify({ name: null })), badName],
      ['name as a list', post(JSON.stringify({ name: ['Northwind'] })), badName],
      ['name as an object', post(JSON.stringify({ name: { first: 'Northwind' } })), badName],
      ['200 KiB name in a list', post(JSON.stringify({ name: [huge] })), badName],
      ['empty body', post(''), badBody],
      ['no body', post(undefined), badBody],
      ['[]', post('[]'), badBody],
      ['a list of clients', post(JSON.stringify([{ name: 'Northwind' }])), badBody],
      ['null', post('null'), badBody],
      ['a string', post('"Northwind"'), badBody],
      ['a number', post('42'), badBody],
      ['gzip header, plain body', post(sample, { ...json, 'content-encoding': 'gzip' }), notJson],
      ['deflate header, plain body', post(sample, { ...json, 'content-encoding': 'deflate' }), notJson],
      ['bogus content-encoding', post(sample, { ...json, 'content-encoding': 'bogus' }), notJson],
      ['gzip then zstd', post(sample, { ...json, 'content-encoding': 'gzip, zstd' }), notJson],
      ['gzipped broken JSON', post(gzipSync(Buffer.from('{"name":')), { ...json, 'content-encoding': 'gzip' }), notJson],
      ['truncated gzip', post(gzipSync(Buffer.from(sample)).subarray(0, 12), { ...json, 'content-encoding': 'gzip' }), notJson],
      ['no key', post(sample, json, null), UNAUTHORIZED],
      ['unknown key', post(sample, json, 'not-a-key'), UNAUTHORIZED],
    ];
    expect(bad).toHaveLength(40);
    const good: Array<() => Promise<Reply>> = [
      post(JSON.stringify({ name: 'Northwind Conferences' })),
      post(JSON.stringify({ name: 'Harbor City Council', ignored: [1, 2] }), { 'content-type': 'application/json; charset=utf-8' }),
      post(gzipSync(Buffer.from(JSON.stringify({ name: 'Gzipped Ltd' }))), { ...json, 'content-encoding': 'gzip' }),
      // The spec sets no length limit on a name: 200 KiB of it is a client.
      post(JSON.stringify({ name: huge })),
    ];
    const accepted: unknown[] = [];
    for (const [i, [label, attempt, expected]] of bad.entries()) {
      if (i % 10 === 5) {
        const res = await good[accepted.length]!();
        expect([i, res.status], JSON.stringify(res.body)?.slice(0, 300)).toEqual([i, 201]);
        accepted.push(res.body);
      }
      const res = await attempt();
      const status = expected === UNAUTHORIZED ? 401 : 400;
      expect([label, res.status, res.body]).toEqual([label, status, expected]);
    }
    expect(accepted).toHaveLength(4);
    expect((accepted as Array<{ name: string }>).map((client) => client.name)).toEqual(['Northwind Conferences', 'Harbor City Council', 'Gzipped Ltd', huge]);
    expect((await listClients()).body).toEqual(accepted);
    expect((await listClients(SECOND_KEY)).body).toEqual([]);
  });
});

describe('determinism', () => {
  it('after a reset, the same requests give the same ids, conference_ids, api_keys, passwords and parent_customer_ids', async () => {
    const run = async () => {
      const mine = await createClient('Northwind Conferences');
      const theirs = await createClient('Elsewhere Ltd', SECOND_KEY);
      const rooms = [
        await createRoom(mine.id),
        await createRoom(theirs.id, { title: 'Theirs', from_language: 'de-DE' }, SECOND_KEY),
        await createRoom(mine.id, { ...TOWN_HALL }),
        await createRoom(mine.id, { title: 'Half', from_language: 'en-GB', passwords: { speaker: 'given123' } }),
      ];
      const passwords = [];
      for (const [i, room] of rooms.entries()) passwords.push((await getPasswords(room.id, i === 1 ? SECOND_KEY : TEST_KEY)).body);
      return {
        clients: [mine, theirs].map((client) => [client.id, client.parent_customer_id]),
        rooms: rooms.map((room) => [room.id, room.conference_id, room.api_key]),
        passwords,
      };
    };
    const before = await run();
    expect(before.rooms[0]![0]).toMatch(GENERATED_ROOM_ID);
    await controlClient(server.url).reset();
    expect((await listClients()).body).toEqual([]);
    const after = await run();
    expect(after).toEqual(before);
  });
});
