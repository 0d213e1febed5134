// The Stenomatic journeys, run as `conform` runs them: against a conforming implementation (the
// emulator) they find nothing; against implementations broken in one way each, they fail exactly
// the step that checks that behaviour.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../emulator/compose.ts';
import { controlClient } from '../emulator/testing/control-client.ts';
import { runConformance, type RunOptions } from './runner/run.ts';
import { stenomatic } from './scenarios/stenomatic/index.ts';
import { json, startBrokenProxy, type Defect, type ProxiedRequest, type ProxiedResponse } from './testing/broken-proxy.ts';
import { defectRowTests } from './testing/defect-rows.ts';
import type { RunReport, StepResult } from './types.ts';

let emulator: RunningServer;
beforeAll(async () => {
  emulator = await startServer({ host: '127.0.0.1', port: 0, apis: ['stenomatic'], clock: { mode: 'manual' }, strict: true, apiKeys: ['second-key'] });
});
afterAll(() => emulator?.close());
beforeEach(() => controlClient(emulator.url).reset());

type Options = Omit<RunOptions, 'api' | 'scenarios' | 'existingResources'> & Partial<Pick<RunOptions, 'scenarios'>>;
const runStenomatic = (options: Options) => runConformance({ api: 'stenomatic', ...stenomatic, ...options });
const run = (target: string, only?: string) => runStenomatic({
  target, credentials: { token: 'test-key' }, secondCredentials: { token: 'second-key' }, timeoutSeconds: 30, ...(only && { only }),
});
const steps = (report: RunReport): StepResult[] => report.groups.flatMap((g) => g.steps);
const failed = (report: RunReport) => steps(report).filter((s) => s.outcome === 'failed');
const describeFailures = (report: RunReport) => failed(report).map((s) => `${s.name}: ${s.failures.map((f) => `${f.check} ${f.message} (${f.received.slice(0, 160)})`).join('; ')}`);
const journeySteps = (report: RunReport) => report.groups.filter((g) => g.kind === 'scenario').flatMap((g) => g.steps.map((st) => `${g.name} / ${st.name}`));

// Every step the journeys plan, in order: the report of a full run must list exactly these,
// and each has a defect below that makes it fail.
const PLANNED: Array<[string, string]> = [
  ['clients', 'creating a client answers 201 with a new uuid id, the name given and a uuid parent_customer_id'],
  ['clients', 'the key\'s client list is a bare array holding the client as created'],
  ['clients', 'a second client of the same key has the same parent_customer_id'],
  ['rooms', 'creating a room with a chosen id answers 201 with that id, every Room field typed as the spec says, and the inputs echoed'],
  ['rooms', 'a room created without an id gets one matching the room id pattern'],
  ['rooms', 'an id already in use is refused with 409 room_id_taken, and the room keeps its values'],
  ['rooms', 'an id that breaks the room id pattern is refused with 400 validation_failed naming /id'],
  ['rooms', 'the client\'s room list holds exactly the two rooms, oldest first'],
  ['update', 'renaming a room answers 200 with the new title, every other field as it was, and update_date not before create_date (later when the target\'s clock moved)'],
  ['update', 'each immutable field (id, conference_id, api_key, create_date) is refused with 400 immutable_field naming it, and a re-read shows nothing changed'],
  ['update', 'is_archived true archives the room and false restores it, and it stays readable and listed'],
  ['passwords', 'passwords given at creation are returned by /passwords'],
  ['passwords', 'updating the speaker password changes only that one'],
  ['stream-url', 'a speaker\'s stream URL is rtmps and its query is lang, name and each phrase form-encoded, in order'],
  ['stream-url', 'without phrases the query is lang and name only, and asking again gives the same URL'],
  ['usage', 'a room streams with speech_recognition and voice_translate for 60 s of the target\'s clock'],
  ['usage', 'the customer\'s usage over a window covering the stream is 60 s of each service, in nanoseconds'],
  ['usage', 'a window ending halfway through the stream counts exactly half'],
  ['usage', 'the client\'s usage agrees with the customer\'s'],
  ['usage', 'the room\'s usage_in_seconds is 60 s in all and in the last 24 hours'],
  ['usage', 'a window before the room existed has no usage: {}, nor one from its creation to its stream'],
  ['usage', 'a period whose to is before its from is refused with 400 validation_failed naming to'],
  ['tenants', 'the first key creates a client and a room'],
  ['tenants', 'the second key gets, for the first key\'s client and room, exactly the 404 of ids that do not exist'],
  ['tenants', 'nor can it change the first key\'s room'],
  ['tenants', 'nor create a room under the first key\'s client: 404 client_not_found'],
  ['tenants', 'the second key\'s lists hold none of the first key\'s clients or rooms'],
  ['tenants', 'the second key creating a room with the first key\'s room id gets 409 room_id_taken'],
  ['errors', 'a body that is not JSON is refused with 400 invalid_json'],
  ['errors', 'a room id whose percent-encoding does not decode is refused with 400 invalid_path'],
  ['errors', 'a wrong or missing key is refused with 401 unauthorized'],
  ['errors', 'an unknown client or room is 404 client_not_found or room_not_found'],
];

describe('against the emulator', () => {
  it('every scenario, probe and negative case passes, every planned step is reported, and every documented status is seen', async () => {
    const report = await run(emulator.url);
    expect(describeFailures(report)).toEqual([]);
    expect(steps(report).filter((s) => s.outcome === 'skipped').map((s) => s.name)).toEqual([]);
    expect(report.groups.map((g) => g.name)).toEqual(['clients', 'rooms', 'update', 'passwords', 'stream-url', 'usage', 'tenants', 'errors', 'documented-requests', 'negative-cases']);
    expect(journeySteps(report)).toEqual(PLANNED.map(([scenario, step]) => `${scenario} / ${step}`));
    expect(report.coverage.every((op) => op.seen.length > 0)).toBe(true);
    const unseen = report.coverage.flatMap((op) => op.documented.filter((s) => !op.seen.includes(Number(s))).map((s) => `${op.operationId} ${s}`));
    expect(unseen).toEqual([]);
  }, 60_000);
});

describe('against a target without the control API or a second key', () => {
  it('skips the usage and tenants journeys, each with its reason, and passes the rest', async () => {
    const proxy = await startBrokenProxy(emulator.url, { hideControlApi: true });
    try {
      const report = await runStenomatic({ target: proxy.url, credentials: { token: 'test-key' }, timeoutSeconds: 30 });
      const skipped = steps(report).filter((s) => s.outcome === 'skipped').map((s) => [s.name, s.skippedReason]);
      expect(skipped).toEqual([
        ['Usage: a minute streamed with both services, in nanoseconds per period, for the customer, the client and the room', expect.stringMatching(/control API/)],
        ['Two keys never see each other\'s clients or rooms; room ids are unique across both', 'needs a second key (--token2)'],
      ]);
      expect(describeFailures(report)).toEqual([]);
    } finally {
      await proxy.close();
    }
  }, 60_000);
});

// ---- defects: which step each must fail ------------------------------------------------

const ROOMS_OF = /^\/v1\/clients\/[^/]+\/rooms$/;
const ROOM = /^\/v1\/rooms\/[^/]+$/;
const PASSWORDS = /^\/v1\/rooms\/[^/]+\/passwords$/;
const STREAM_URL = /^\/v1\/rooms\/[^/]+\/stream_url$/;
const CLIENT_USAGE = /^\/v1\/clients\/[^/]+\/api_usage$/;
const is = (method: string, path: string | RegExp) => (req: ProxiedRequest) => req.method === method && (typeof path === 'string' ? req.path === path : path.test(req.path));
const isCreateClient = is('POST', '/v1/clients');
const isListClients = is('GET', '/v1/clients');
const isCreateRoom = is('POST', ROOMS_OF);
const isListRooms = is('GET', ROOMS_OF);
const isGetRoom = is('GET', ROOM);
const isPatch = is('PATCH', ROOM);
const isPasswords = is('GET', PASSWORDS);
const isStreamUrl = is('POST', STREAM_URL);
const isCustomerUsage = is('GET', '/v1/customers/me/api_usage');
const isClientUsage = is('GET', CLIENT_USAGE);
const isUsage = (req: ProxiedRequest) => isCustomerUsage(req) || isClientUsage(req);

const keyOf = (req: ProxiedRequest) => /^Bearer (.+)$/.exec(String(req.headers.authorization ?? ''))?.[1];
const bySecond = (req: ProxiedRequest) => keyOf(req) === 'second-key';
const asKey = (key: string) => (req: ProxiedRequest): ProxiedRequest => ({ ...req, headers: { ...req.headers, authorization: `Bearer ${key}` } });
/** The request's JSON body, or {} when it has none (or it does not parse). */
const bodyOf = (req: ProxiedRequest): Record<string, any> => {
  try { return JSON.parse(req.body.toString('utf8')) ?? {}; } catch { return {}; }
};
const withBody = (req: ProxiedRequest, body: unknown): ProxiedRequest => ({ ...req, body: Buffer.from(JSON.stringify(body)) });
const stError = (code: string, message: string) => ({ error: { code, message } });

/** Edits the JSON answer of requests `when` selects, when it has `status`. */
const editAnswer = (when: (req: ProxiedRequest) => boolean, status: number, edit: (body: any, req: ProxiedRequest) => any, newStatus?: number): Defect => ({
  response: (req, res) => (when(req) && res.status === status ? json.write(res, edit(json.read(res), req), newStatus ?? res.status) : res),
});
/** Edits the JSON body of requests `when` selects on their way in. */
const editRequest = (when: (req: ProxiedRequest) => boolean, edit: (body: Record<string, any>) => unknown): Defect => ({
  request: (req) => (when(req) ? withBody(req, edit(bodyOf(req))) : req),
});
/** Sends the second key's requests that `when` selects as the first key's. */
const secondAsFirst = (when: (req: ProxiedRequest) => boolean): Defect => ({ request: (req) => (bySecond(req) && when(req) ? asKey('test-key')(req) : req) });
const serverError = (when: (req: ProxiedRequest) => boolean): Defect => ({
  response: (req, res: ProxiedResponse) => (when(req) ? json.write(res, stError('internal', 'Internal Server Error'), 500) : res),
});
/** A second client of the key answered under another customer. */
const newCustomerForLaterClients = (): Defect => {
  let made = 0;
  return editAnswer(isCreateClient, 201, (client) => (++made > 1 ? { ...client, parent_customer_id: randomUUID() } : client));
};

const DEFECTS: Array<[string, string, Defect]> = [
  // clients
  ['clients', PLANNED[0]![1], editAnswer(isCreateClient, 201, (client) => ({ ...client, name: String(client.name).toUpperCase() }))],
  ['clients', PLANNED[1]![1], editAnswer(isListClients, 200, (list) => ({ clients: list }))],
  ['clients', PLANNED[2]![1], newCustomerForLaterClients()],
  // rooms
  ['rooms', PLANNED[3]![1], editAnswer((req) => isCreateRoom(req) && 'id' in bodyOf(req), 201, (room) => ({ ...room, sponsorship_title: 'Someone else' }))],
  ['rooms', PLANNED[4]![1], editAnswer((req) => isCreateRoom(req) && !('id' in bodyOf(req)), 201, (room) => ({ ...room, id: 'k3f_9x2m_q7p' }))],
  ['rooms', PLANNED[5]![1], editAnswer(isCreateRoom, 409, (body) => body, 400)],
  ['rooms', PLANNED[6]![1], editRequest((req) => isCreateRoom(req) && String(bodyOf(req).id ?? '').includes('--'), (body) => ({ ...body, id: String(body.id).replace('--', '-') }))],
  ['rooms', PLANNED[7]![1], editAnswer(isListRooms, 200, (list: unknown[]) => [...list].reverse())],
  // update
  ['update', PLANNED[8]![1], editAnswer((req) => isPatch(req) && 'title' in bodyOf(req), 200, (room) => ({ ...room, description: '' }))],
  ['update', PLANNED[9]![1], editRequest(isPatch, ({ id: _id, conference_id: _c, api_key: _k, create_date: _d, ...rest }) => rest)],
  ['update', PLANNED[10]![1], editRequest((req) => isPatch(req) && bodyOf(req).is_archived === true, (body) => ({ ...body, is_archived: false }))],
  // passwords
  ['passwords', PLANNED[11]![1], editAnswer(isPasswords, 200, ({ speaker, participant }) => ({ speaker: participant, participant: speaker }))],
  ['passwords', PLANNED[12]![1], editRequest((req) => isPatch(req) && bodyOf(req).passwords !== undefined, (body) => ({ ...body, passwords: { participant: 'reset000', ...body.passwords } }))],
  // stream-url
  ['stream-url', PLANNED[13]![1], editAnswer(isStreamUrl, 200, ({ url }) => ({ url: String(url).replace(/\+/g, '%20') }))],
  ['stream-url', PLANNED[14]![1], editAnswer((req) => isStreamUrl(req) && bodyOf(req).phrases === undefined, 200, ({ url }) => ({ url: `${url}&phrases=` }))],
  // usage
  ['usage', PLANNED[15]![1], serverError(isCreateRoom)],
  ['usage', PLANNED[16]![1], editAnswer(isCustomerUsage, 200, (usage: Record<string, number>) => Object.fromEntries(Object.entries(usage).map(([service, ns]) => [service, ns / 1000])))],
  ['usage', PLANNED[17]![1], { request: (req) => (isCustomerUsage(req) ? { ...req, query: new URLSearchParams({ from: req.query.get('from')!, to: String(Number(req.query.get('to')) + 30_000) }) } : req) }],
  ['usage', PLANNED[18]![1], editAnswer(isClientUsage, 200, ({ voice_translate: _v, ...rest }) => rest)],
  ['usage', PLANNED[19]![1], editAnswer(isGetRoom, 200, (room) => ({ ...room, usage_in_seconds: { ...room.usage_in_seconds, total: room.usage_in_seconds.total * 1000 } }))],
  ['usage', PLANNED[20]![1], editAnswer(isClientUsage, 200, (usage) => (Object.keys(usage).length ? usage : { speech_recognition: 1_000_000 }))],
  ['usage', PLANNED[21]![1], editAnswer(isUsage, 400, () => ({}), 200)],
  // tenants: the second key's requests answered as if it were the first's
  ['tenants', PLANNED[22]![1], serverError(isCreateRoom)],
  ['tenants', PLANNED[23]![1], secondAsFirst((req) => isListRooms(req) || isClientUsage(req) || isGetRoom(req) || isPasswords(req) || isStreamUrl(req))],
  ['tenants', PLANNED[24]![1], secondAsFirst(isPatch)],
  ['tenants', PLANNED[25]![1], secondAsFirst(isCreateRoom)],
  ['tenants', PLANNED[26]![1], secondAsFirst(isListClients)],
  ['tenants', PLANNED[27]![1], editRequest((req) => bySecond(req) && isCreateRoom(req), (body) => ({ ...body, id: `${body.id}-b` }))],
  // errors
  ['errors', PLANNED[28]![1], editAnswer(isCreateClient, 400, () => stError('validation_failed', 'The request is invalid.'))],
  ['errors', PLANNED[29]![1], editAnswer(isGetRoom, 400, () => stError('room_not_found', 'Room was not found.'), 404)],
  ['errors', PLANNED[30]![1], { request: (req) => (isListClients(req) && !['test-key', 'second-key'].includes(keyOf(req) ?? '') ? asKey('test-key')(req) : req) }],
  ['errors', PLANNED[31]![1], editAnswer((req) => isListRooms(req) || isGetRoom(req), 404, () => ({ message: 'Not Found' }))],
  // the generic groups
  ['negative-cases', 'listClients: wrong credentials', { request: asKey('test-key') }],
  ['documented-requests', 'GET /v1/clients', serverError(isListClients)],
];

defectRowTests({ rows: DEFECTS, planned: PLANNED, target: () => emulator.url, run: (target, only) => run(target, only) });
