// A clock per tenant over the control API, on a real port: a test sharing the emulator moves
// its own tenant's time by a week (its jobs finish and expire, its callbacks go out) while
// another tenant's jobs and the global clock stay where they were.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../compose.ts';
import { FIXTURES_DIR } from '../engine/fixtures.ts';
import { startLoopbackPeer, type LoopbackPeer } from '../testing/loopback-peer.ts';
import { createAjv, describeErrors } from '../../openapi/schemas.ts';
import { loadSpec, type JsonObject } from '../../openapi/specs.ts';

const WEEK_AND_A_DAY = 8 * 24 * 3600;
let server: RunningServer;
let peer: LoopbackPeer;
let schemas: JsonObject;
beforeAll(async () => {
  server = await startServer({ host: '127.0.0.1', port: 0, apis: ['speechmatics'], clock: { mode: 'manual' }, strict: true, anyKey: true });
  peer = await startLoopbackPeer({});
  schemas = ((await loadSpec('control')).dereferenced.components as JsonObject).schemas as JsonObject;
});
afterAll(async () => {
  await server?.close();
  await peer?.close();
});
beforeEach(async () => {
  peer.clear();
  await fetch(`${server.url}/__emulator/reset`, { method: 'POST' });
});

const ajv = createAjv();
function fits(schema: string, value: unknown): void {
  const validate = ajv.compile(schemas[schema] as JsonObject);
  expect(validate(value), describeErrors(validate.errors)).toBe(true);
}

/** The control API's clock, the global one or (with `tenant`) that tenant's. */
async function clock(tenant?: string) {
  const res = await fetch(`${server.url}/__emulator/clock`, { headers: tenant === undefined ? {} : { 'x-speechdouble-tenant': tenant } });
  expect(res.status).toBe(200);
  const body = await res.json();
  fits('Clock', body);
  return body;
}
async function advance(seconds: number, tenant?: string) {
  const res = await fetch(`${server.url}/__emulator/clock/advance`, { method: 'POST', headers: { 'content-type': 'application/json', ...(tenant !== undefined && { 'x-speechdouble-tenant': tenant }) }, body: JSON.stringify({ seconds }) });
  expect(res.status).toBe(200);
  const body = await res.json();
  fits('ClockAdvanced', body);
  return body;
}

async function submit(key: string): Promise<string> {
  const body = new FormData();
  body.append('config', JSON.stringify({ type: 'transcription', transcription_config: { language: 'en' }, notification_config: [{ url: `${peer.url}/hooks/${key}`, contents: ['transcript.json-v2'] }] }));
  body.append('data_file', new Blob([new Uint8Array(readFileSync(FIXTURES_DIR + 'en-greeting.16k.wav'))]), 'en-greeting.16k.wav');
  const res = await fetch(`${server.url}/v2/jobs`, { method: 'POST', headers: { authorization: `Bearer ${key}` }, body });
  expect(res.status).toBe(201);
  return (await res.json()).id;
}
const getJob = (key: string, id: string) => fetch(`${server.url}/v2/jobs/${id}`, { headers: { authorization: `Bearer ${key}` } });
const statusOf = async (key: string, id: string) => {
  const res = await getJob(key, id);
  return res.status === 200 ? (await res.json()).job.status : res.status;
};

// Each test has its own keys: a tenant's clock is never rewound, not even by a reset.
describe('a tenant\'s clock on the control API', () => {
  it('moves that tenant alone: its job finishes, notifies and expires; the other tenant\'s and the global time stay', async () => {
    const before = await clock();
    const [a, b] = [await submit('key-a1'), await submit('key-b1')];
    const moved = await advance(WEEK_AND_A_DAY, 'key-a1');
    expect(moved).toMatchObject({ scope: 'tenant', ahead_seconds: WEEK_AND_A_DAY, pending: 0 });
    expect(moved.ran).toBeGreaterThan(0);
    expect(Date.parse(moved.now) - Date.parse(before.now)).toBe(WEEK_AND_A_DAY * 1000);
    expect(await statusOf('key-a1', a)).toBe(410);
    expect(await statusOf('key-b1', b)).toBe('running');
    expect(peer.received.map((call) => call.path.split('?')[0])).toEqual(['/hooks/key-a1']);
    // The global clock has not moved; it still counts every tenant's waiting steps.
    const global = await clock();
    expect(global).toMatchObject({ scope: 'global', ahead_seconds: 0, now: before.now });
    expect(global.pending).toBe((await clock('key-b1')).pending);
    expect(await clock('key-b1')).toMatchObject({ scope: 'tenant', ahead_seconds: 0, now: before.now });
  });

  it('dates what the tenant reads, and its callback records, by its own time', async () => {
    await submit('key-a2');
    const { now } = await advance(3600, 'key-a2');
    const res = await fetch(`${server.url}/v2/jobs`, { headers: { authorization: 'Bearer key-a2' } });
    expect(Date.parse(res.headers.get('date')!)).toBe(Math.floor(Date.parse(now) / 1000) * 1000);
    const other = await fetch(`${server.url}/v2/jobs`, { headers: { authorization: 'Bearer key-b2' } });
    expect(Date.parse(other.headers.get('date')!)).toBe(Math.floor(Date.parse((await clock()).now) / 1000) * 1000);
    const { callbacks } = await (await fetch(`${server.url}/__emulator/callbacks`)).json();
    expect(callbacks).toHaveLength(1);
    expect(Date.parse(callbacks[0].sent_at)).toBeGreaterThan(Date.parse((await clock()).now));
  });

  it('is moved with everyone by the global clock, and stays as far ahead', async () => {
    const [a, b] = [await submit('key-a3'), await submit('key-b3')];
    await advance(60, 'key-a3');
    expect(await statusOf('key-b3', b)).toBe('running');
    await advance(60);
    expect([await statusOf('key-a3', a), await statusOf('key-b3', b)]).toEqual(['done', 'done']);
    expect(await clock('key-a3')).toMatchObject({ ahead_seconds: 60 });
    expect(peer.received.map((call) => call.path.split('?')[0]).sort()).toEqual(['/hooks/key-a3', '/hooks/key-b3']);
  });

  it('is not rewound by a reset (time only moves forward), and a new job runs on it', async () => {
    await advance(100, 'key-a4');
    await fetch(`${server.url}/__emulator/reset`, { method: 'POST' });
    expect(await clock('key-a4')).toMatchObject({ ahead_seconds: 100 });
    const a = await submit('key-a4');
    await advance(60, 'key-a4');
    expect(await statusOf('key-a4', a)).toBe('done');
  });

  it('refuses an empty tenant header with the control API\'s 400', async () => {
    for (const res of [
      await fetch(`${server.url}/__emulator/clock`, { headers: { 'x-speechdouble-tenant': '' } }),
      await fetch(`${server.url}/__emulator/clock/advance`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-speechdouble-tenant': '' }, body: '{"seconds":1}' }),
    ]) {
      expect(res.status).toBe(400);
      const body = await res.json();
      fits('ControlError', body);
      expect(body.message).toContain('X-Speechdouble-Tenant');
    }
    expect((await clock()).now).toBe((await clock('key-a5')).now);
  });
});
