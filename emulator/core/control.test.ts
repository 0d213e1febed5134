// The control API over a real port: the journal records what came in, faults make matching
// requests fail on purpose, and every answer fits specs/emulator-control.yaml.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../compose.ts';
import { createAjv, describeErrors } from '../../openapi/schemas.ts';
import { loadSpec, type JsonObject } from '../../openapi/specs.ts';

let server: RunningServer;
let schemas: JsonObject;
beforeAll(async () => {
  server = await startServer({ host: '127.0.0.1', port: 0, apis: ['speechmatics', 'gladia'], clock: { mode: 'manual' }, strict: true });
  schemas = ((await loadSpec('control')).dereferenced.components as JsonObject).schemas as JsonObject;
});
afterAll(() => server?.close());
beforeEach(async () => {
  await fetch(`${server.url}/__emulator/reset`, { method: 'POST' });
});

const ajv = createAjv();
function fits(schema: string, value: unknown): void {
  const validate = ajv.compile(schemas[schema] as JsonObject);
  expect(validate(value), describeErrors(validate.errors)).toBe(true);
}
const control = (path: string, init: RequestInit = {}) => fetch(`${server.url}/__emulator${path}`, { ...init, headers: { 'content-type': 'application/json', ...(init.headers as Record<string, string>) } });
const jobs = (init: RequestInit = {}) => fetch(`${server.url}/v2/jobs`, { ...init, headers: { authorization: 'Bearer test-key', ...(init.headers as Record<string, string>) } });

describe('the request journal', () => {
  it('records each request with its API, operation and status, oldest first', async () => {
    await jobs();
    await jobs({ headers: { authorization: 'Bearer wrong' } });
    await fetch(`${server.url}/v3/nowhere`);
    const { requests } = await (await control('/requests')).json();
    expect(requests.map((r: { api: string; operation_id: string; status: number; path: string }) => [r.api, r.operation_id, r.status, r.path])).toEqual([
      ['speechmatics', 'listJobs', 200, '/v2/jobs'],
      ['speechmatics', 'listJobs', 401, '/v2/jobs'],
      [null, null, 404, '/v3/nowhere'],
    ]);
    for (const entry of requests) fits('JournalEntry', entry);
  });

  it('records why a request was refused (the step, where, what the spec wanted), which the answer on the wire never shows', async () => {
    const form = new FormData();
    form.append('config', JSON.stringify({ transcription_config: { language: 'en' } }));
    form.append('data_file', new Blob([Buffer.from('RIFF')]), 'a.wav');
    const rejected = await jobs({ method: 'POST', body: form });
    expect([rejected.status, await rejected.json()]).toEqual([400, { code: 400, error: 'Job rejected', detail: expect.stringContaining("must have required property 'type'") }]);
    const denied = await jobs({ headers: { authorization: 'Bearer wrong' } });
    expect(await denied.json()).toEqual({ code: 401, error: 'Permission Denied' });
    await jobs();
    await fetch(`${server.url}/v2/jobs?limit=1000`, { headers: { authorization: 'Bearer test-key' } });
    await jobs({ method: 'DELETE' });
    await fetch(`${server.url}/v2/jobs/nosuchjob`, { headers: { authorization: 'Bearer test-key' } });
    const { requests } = await (await control('/requests')).json();
    expect(requests.map((r: { status: number; refusal?: unknown }) => [r.status, r.refusal])).toEqual([
      [400, { stage: 'body', pointer: '/config/type', message: "must have required property 'type'" }],
      [401, { stage: 'credentials', message: 'key not accepted (bearerAuth)' }],
      [200, undefined],
      [422, { stage: 'parameters', pointer: 'limit', message: 'must be <= 100 (query)' }],
      [405, { stage: 'method', message: 'DELETE is not allowed here; the path takes GET, POST' }],
      [404, { stage: 'handler', message: 'jobNotFound' }],
    ]);
    expect(requests[2]).not.toHaveProperty('refusal');
    for (const entry of requests) fits('JournalEntry', entry);
  });

  it('filters by API and keeps the newest with limit; control calls are not journaled', async () => {
    await jobs();
    await fetch(`${server.url}/v2/pre-recorded`, { headers: { 'x-gladia-key': 'test-key' } });
    await jobs();
    const only = await (await control('/requests?api=speechmatics&limit=1')).json();
    expect(only.requests).toHaveLength(1);
    expect(only.requests[0].id).toBe('req_0003');
    expect((await control('/requests?limit=0')).status).toBe(400);
  });
});

describe('faults', () => {
  const fault = (body: unknown) => control('/faults', { method: 'POST', body: JSON.stringify(body) });

  it('answer matching requests with the given status and body, N times', async () => {
    const created = await fault({ match: { method: 'GET', path: '/v2/jobs' }, response: { status: 429, headers: { 'retry-after': '1' }, body: { code: 429, error: 'Rate Limited' } }, times: 2 });
    expect(created.status).toBe(201);
    fits('Fault', await created.json());
    for (let i = 0; i < 2; i++) {
      const res = await jobs();
      expect([res.status, res.headers.get('retry-after'), await res.json()]).toEqual([429, '1', { code: 429, error: 'Rate Limited' }]);
    }
    expect((await jobs()).status).toBe(200);
    expect((await (await control('/faults')).json()).faults).toEqual([]);
  });

  it('match a path with * for one segment, and only the given API', async () => {
    await fault({ match: { path: '/v2/jobs/*/transcript' }, response: { status: 503, body: 'down' } });
    const res = await fetch(`${server.url}/v2/jobs/abc/transcript`, { headers: { authorization: 'Bearer test-key' } });
    expect([res.status, await res.text()]).toEqual([503, 'down']);
    expect((await jobs()).status).toBe(200);
  });

  it('drop the connection when asked', async () => {
    await fault({ match: { api: 'speechmatics' }, drop_connection: true, times: 1 });
    await expect(jobs()).rejects.toThrow();
    expect((await jobs()).status).toBe(200);
  });

  it('delay the answer on the emulator clock', async () => {
    await fault({ match: { method: 'GET' }, delay_ms: 5000, times: 1 });
    let answered = false;
    const pending = jobs().then((r) => {
      answered = true;
      return r.status;
    });
    // The delay is a step on the clock once the request has arrived: wait for it, not for time.
    while ((await (await control('/clock')).json()).pending === 0) await new Promise((resolve) => setImmediate(resolve));
    expect(answered).toBe(false);
    await control('/clock/advance', { method: 'POST', body: '{"seconds": 5}' });
    expect(await pending).toBe(200);
  });

  it('are listed, cleared, and refused when malformed', async () => {
    await fault({ match: { api: 'gladia' }, response: { status: 500 } });
    const { faults } = await (await control('/faults')).json();
    expect(faults).toHaveLength(1);
    expect((await control('/faults', { method: 'DELETE' })).status).toBe(204);
    expect((await (await control('/faults')).json()).faults).toEqual([]);
    const bad = await fault({ match: {} });
    expect(bad.status).toBe(400);
    fits('ControlError', await bad.json());
  });
});

describe('the clock', () => {
  it('reports a manual clock and advances it', async () => {
    const before = await (await control('/clock')).json();
    fits('Clock', before);
    expect(before.mode).toBe('manual');
    const after = await (await control('/clock/advance', { method: 'POST', body: '{"seconds": 90}' })).json();
    fits('ClockAdvanced', after);
    expect(Date.parse(after.now) - Date.parse(before.now)).toBe(90_000);
    expect((await control('/clock/advance', { method: 'POST', body: '{"seconds": -1}' })).status).toBe(400);
  });
});
