// One emulator with every API, strict, on a manual clock, and a few real resources of each kind
// made through the APIs themselves (a finished job and a running one, an upload, a booking, an
// add-on request, a client with a room), for generated and hostile requests to aim at. And the
// state a refused request must not change: the files the emulator holds, and what each tenant's
// lists and reads show.
import { readFileSync } from 'node:fs';
import { startServer, type RunningServer, type ServeOptions } from '../../compose.ts';
import { FIXTURES_DIR } from '../../engine/fixtures.ts';
import { encodeMultipart } from '../../../openapi/multipart-encoding.ts';
import { API_NAMES, type ApiName } from '../../../openapi/specs.ts';

export const GREETING = readFileSync(FIXTURES_DIR + 'en-greeting.16k.wav');

/** The credentials a tenant presents, in each API's own form. */
export interface Tenant {
  /** The key: Bearer (Speechmatics, Cadence booking, Stenomatic), raw `authorization` (AssemblyAI), `x-gladia-key` (Gladia). */
  key: string;
  /** `user:password` for Cadence's Twilio add-on (HTTP basic). */
  basic: string;
}

export const DEFAULT_TENANT: Tenant = { key: 'test-key', basic: 'cadence:friend' };

/** The headers that carry a tenant's credential for a path of `api`. */
export function credentialHeaders(api: ApiName, tenant: Tenant, path = ''): Record<string, string> {
  switch (api) {
    case 'assemblyai': return { authorization: tenant.key };
    case 'gladia': return { 'x-gladia-key': tenant.key };
    case 'cadence': return path.startsWith('/cadence/twilio') ? { authorization: `Basic ${Buffer.from(tenant.basic).toString('base64')}` } : { authorization: `Bearer ${tenant.key}` };
    default: return { authorization: `Bearer ${tenant.key}` };
  }
}

export interface Reply {
  status: number;
  headers: Record<string, string>;
  text: string;
  json<T = any>(): T;
}

export interface Client {
  base: string;
  send(api: ApiName, method: string, path: string, options?: { tenant?: Tenant; headers?: Record<string, string>; body?: Buffer | string }): Promise<Reply>;
  advance(seconds: number): Promise<void>;
}

export function clientFor(base: string): Client {
  return {
    base,
    async send(api, method, path, options = {}) {
      const headers = { ...credentialHeaders(api, options.tenant ?? DEFAULT_TENANT, path), ...options.headers };
      const body = typeof options.body === 'string' ? options.body : options.body && new Uint8Array(options.body);
      const res = await fetch(base + path, { method, headers, ...(body !== undefined && { body }) });
      const text = await res.text();
      const replyHeaders: Record<string, string> = {};
      res.headers.forEach((value, name) => (replyHeaders[name] = value));
      return { status: res.status, headers: replyHeaders, text, json: () => JSON.parse(text) };
    },
    async advance(seconds) {
      const res = await fetch(`${base}/__emulator/clock/advance`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ seconds }) });
      if (res.status !== 200) throw new Error(`advancing the clock answered ${res.status}: ${await res.text()}`);
    },
  };
}

const BOUNDARY = 'speechdouble-guarantees';

export const multipart = (fields: Array<{ name: string; value: string | Buffer; filename?: string; contentType?: string }>) => ({
  body: encodeMultipart(fields, BOUNDARY),
  headers: { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` },
});

const json = (value: unknown) => ({ body: JSON.stringify(value), headers: { 'content-type': 'application/json' } });

function expectStatus(reply: Reply, ok: number[], what: string): Reply {
  if (!ok.includes(reply.status)) throw new Error(`${what} answered ${reply.status}: ${reply.text.slice(0, 500)}`);
  return reply;
}

/** The real resources a tenant made: path parameter values by name, and upload URLs to aim bodies at. */
export interface Resources {
  /** Path parameter values, by parameter name, finished resources. */
  done: Record<string, string>;
  /** The same, resources still running (a job still processing), where the API has such. */
  running: Record<string, string>;
  uploads: { assemblyai: string; gladia: string };
  /** Request SIDs of Cadence add-on requests made. */
  addonSid: string;
}

const hex = (n: number, seed: number) => Array.from({ length: n }, (_, i) => ((seed * 7 + i * 13) % 16).toString(16)).join('');

let sids = 0;

/** Makes one of everything as `tenant`, finishes it (the clock moves), then starts one more of each job. */
export async function makeResources(client: Client, tenant: Tenant = DEFAULT_TENANT): Promise<Resources> {
  const as = { tenant };
  const smJob = async () => expectStatus(await client.send('speechmatics', 'POST', '/v2/jobs', { ...as, ...multipart([
    { name: 'config', value: JSON.stringify({ type: 'transcription', transcription_config: { language: 'en' } }) },
    { name: 'data_file', value: GREETING, filename: 'greeting.wav', contentType: 'audio/wav' },
  ]) }), [201], 'a Speechmatics job').json().id as string;
  const aaiUpload = async () => expectStatus(await client.send('assemblyai', 'POST', '/v2/upload', { ...as, body: GREETING, headers: { 'content-type': 'application/octet-stream' } }), [200], 'an AssemblyAI upload').json().upload_url as string;
  const aaiTranscript = async (audioUrl: string) => expectStatus(await client.send('assemblyai', 'POST', '/v2/transcript', { ...as, ...json({ audio_url: audioUrl }) }), [200], 'an AssemblyAI transcript').json().id as string;
  const glUpload = async () => expectStatus(await client.send('gladia', 'POST', '/v2/upload', { ...as, ...multipart([{ name: 'audio', value: GREETING, filename: 'greeting.wav', contentType: 'audio/wav' }]) }), [200], 'a Gladia upload').json().audio_url as string;
  const glJob = async (audioUrl: string) => expectStatus(await client.send('gladia', 'POST', '/v2/pre-recorded', { ...as, ...json({ audio_url: audioUrl }) }), [201], 'a Gladia job').json().id as string;

  const smDone = await smJob();
  const aaiUrl = await aaiUpload();
  const aaiDone = await aaiTranscript(aaiUrl);
  const glUrl = await glUpload();
  const glDone = await glJob(glUrl);
  const booking = expectStatus(await client.send('cadence', 'POST', '/api/1.1/wf/create_job', { ...as, ...json({ api_token: tenant.key, start_time: '2031-03-04T10:15:00Z', timezone: 'Europe/Berlin', languages: [1, 2], notes: 'guarantees' }) }), [200], 'a Cadence booking').json().response as { job_id: string; user_id: string };
  const addonSid = `XR${hex(32, ++sids)}`;
  expectStatus(await client.send('cadence', 'POST', '/cadence/twilio', { ...as, ...multipart([
    { name: 'request_sid', value: addonSid },
    { name: 'callback_url', value: 'http://callbacks.invalid/cadence' },
    { name: 'requested_service', value: 'transcription' },
    { name: 'source_language', value: 'en' },
    { name: 'target_language', value: 'en' },
    { name: 'audio_data', value: GREETING, filename: 'call.wav', contentType: 'audio/wav' },
  ]) }), [202], 'a Cadence add-on request');
  const clientId = expectStatus(await client.send('stenomatic', 'POST', '/v1/clients', { ...as, ...json({ name: 'guarantees' }) }), [201], 'a Stenomatic client').json().id as string;
  const roomId = expectStatus(await client.send('stenomatic', 'POST', `/v1/clients/${clientId}/rooms`, { ...as, ...json({ title: 'Guarantees', from_language: 'en-US', to_languages: ['de-DE'] }) }), [201], 'a Stenomatic room').json().id as string;

  await client.advance(600);
  const running = { jobid: await smJob(), transcript_id: await aaiTranscript(aaiUrl), id: await glJob(glUrl) };
  return {
    done: { jobid: smDone, transcript_id: aaiDone, id: glDone, job_id: booking.job_id, user_id: booking.user_id, client_id: clientId, room_id: roomId },
    running: { ...running, job_id: booking.job_id, user_id: booking.user_id, client_id: clientId, room_id: roomId },
    uploads: { assemblyai: aaiUrl, gladia: glUrl },
    addonSid,
  };
}

/** A tenant and the resources it made. */
export interface Party {
  tenant: Tenant;
  resources: Resources;
}

export interface World {
  server: RunningServer;
  client: Client;
  /** The default tenant (test-key, cadence:friend) and what it made. */
  main: Party;
  resources: Resources;
  /** A second set of the main tenant's, for requests that may delete what they aim at. */
  spare: Resources;
  close(): Promise<void>;
}

/**
 * An emulator for guarantees: strict, on a manual clock, every API, and outbound requests only to
 * loopback by name (`localhost`): the made-up hosts generated URLs name are refused at once, with
 * no DNS lookup to wait for (a lookup of a `.invalid` name may take seconds here).
 */
export async function startWorld(options: Partial<ServeOptions> = {}): Promise<World> {
  const server = await startServer({ host: '127.0.0.1', port: 0, clock: { mode: 'manual' }, strict: true, allowFetch: ['localhost'], allowCallback: ['localhost'], ...options });
  const client = clientFor(server.url);
  try {
    const resources = await makeResources(client);
    const spare = await makeResources(client);
    return { server, client, main: { tenant: DEFAULT_TENANT, resources }, resources, spare, close: () => server.close({ graceMs: 1000 }) };
  } catch (error) {
    await server.close({ graceMs: 0 });
    throw error;
  }
}

/** The reads that show a tenant's state in one API: its lists, and its real resources read one by one. */
export function stateReads(api: ApiName, resources: Resources): string[] {
  const { done, running } = resources;
  switch (api) {
    case 'speechmatics': return ['/v2/jobs?include_deleted=true&limit=100', `/v2/jobs/${done.jobid}`, `/v2/jobs/${running.jobid}`, '/v2/usage'];
    case 'assemblyai': return ['/v2/transcript?limit=200', `/v2/transcript/${done.transcript_id}`, `/v2/transcript/${running.transcript_id}`];
    case 'gladia': return ['/v2/pre-recorded?limit=1000', `/v2/pre-recorded/${done.id}`, `/v2/pre-recorded/${running.id}`];
    case 'cadence': return ['/api/1.1/obj/job?limit=100', `/api/1.1/obj/job/${done.job_id}`];
    case 'stenomatic': return ['/v1/clients', `/v1/clients/${done.client_id}/rooms`, `/v1/rooms/${done.room_id}`, `/v1/rooms/${done.room_id}/passwords`];
  }
}

/** What a refused request must leave as it was: one API's reads as `tenant`, and every file the emulator holds. */
export interface Snapshot {
  files: string[];
  reads: Record<string, string>;
}

export async function snapshot(world: World, api: ApiName, party: Party = world.main): Promise<Snapshot> {
  const reads: Record<string, string> = {};
  await Promise.all(stateReads(api, party.resources).map(async (path) => {
    const reply = await world.client.send(api, 'GET', path, { tenant: party.tenant });
    // Gladia's error bodies carry a request id of their own (`G-` and 8 hex digits), new every time.
    reads[path] = `${reply.status} ${reply.status >= 400 ? reply.text.replace(/"request_id":"G-[0-9a-f]+"/g, '"request_id":"G-…"') : reply.text}`;
  }));
  return { files: world.server.emulator.files.list().sort(), reads };
}

/** What changed between two snapshots, in words; undefined when nothing did. */
export function snapshotDifference(before: Snapshot, after: Snapshot): string | undefined {
  const problems: string[] = [];
  const added = after.files.filter((file) => !before.files.includes(file));
  const removed = before.files.filter((file) => !after.files.includes(file));
  if (added.length) problems.push(`files left behind: ${added.join(', ')}`);
  if (removed.length) problems.push(`files removed: ${removed.join(', ')}`);
  for (const [path, text] of Object.entries(after.reads)) {
    if (before.reads[path] !== text) problems.push(`GET ${path} changed:\n    before: ${before.reads[path]?.slice(0, 400)}\n    after:  ${text.slice(0, 400)}`);
  }
  return problems.length ? problems.join('\n  ') : undefined;
}

export const APIS: readonly ApiName[] = API_NAMES;
