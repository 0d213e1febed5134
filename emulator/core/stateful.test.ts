// What the core gives every API, shown on a test-only API (testing/tiny-api.ts) over a real
// port: credentials from the spec's securitySchemes, bodies of every media type read and
// checked from the spec, uploads named by URL and resolved without the network, remote media
// fetched for real, lifecycles by progression policy, per-API settings, and reset.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmulator, type EmulatorOptions } from './emulator.ts';
import { SettingError } from './settings.ts';
import { tinyApi } from './testing/tiny-api.ts';
import { listen, type RunningServer } from '../hosts/http-server.ts';
import { controlClient } from '../testing/control-client.ts';
import { defineApi } from './stateful.ts';
import { jsonResponse } from './http-types.ts';
import { ApiError } from './api-error.ts';

const servers: RunningServer[] = [];
async function start(options: EmulatorOptions = {}): Promise<RunningServer> {
  const server = await listen(await createEmulator({ apis: ['tiny'], clock: { mode: 'manual' }, strict: true, apiKeys: ['other-key'], ...options }, { modules: [tinyApi] }), { host: '127.0.0.1', port: 0 });
  servers.push(server);
  return server;
}
afterAll(async () => {
  for (const server of servers) await server.close();
});

const bearer = (key = 'test-key') => ({ authorization: `Bearer ${key}` });

async function call(server: RunningServer, path: string, init: RequestInit = {}) {
  const res = await fetch(server.url + path, { ...init, headers: { ...bearer(), ...(init.headers as Record<string, string>) } });
  const text = await res.text();
  if (res.status === 500) throw new Error(`contract violation or crash: ${text}`);
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

const multipart = (parts: Record<string, string | Blob>) => {
  const form = new FormData();
  for (const [name, value] of Object.entries(parts)) {
    if (typeof value === 'string') form.append(name, value);
    else form.append(name, value, `${name}.bin`);
  }
  return form;
};
const bytes = (n: number) => new Blob([new Uint8Array(n).fill(7)]);

describe('credentials come from the spec\'s securitySchemes', () => {
  let server: RunningServer;
  beforeAll(async () => (server = await start()));

  it('bearer: a known key is the tenant; a missing, malformed or unknown one is the API\'s 401', async () => {
    expect((await call(server, '/tiny/jobs')).status).toBe(200);
    for (const [headers, problem] of [[{}, 'missing'], [{ authorization: 'Token test-key' }, 'malformed'], [bearer('nobody'), 'rejected']] as const) {
      const res = await fetch(server.url + '/tiny/jobs', { headers });
      expect([res.status, await res.json()]).toEqual([401, { problem: 'unauthorized', detail: problem }]);
    }
  });

  it('apiKey in a header, and the API\'s sample key', async () => {
    const upload = (key: string) => fetch(server.url + '/tiny/uploads', { method: 'POST', headers: { 'x-tiny-key': key, 'content-type': 'application/octet-stream' }, body: 'abc' });
    expect((await upload('test-key')).status).toBe(200);
    expect((await upload('tiny:sample')).status).toBe(200);
    expect((await upload('Bearer test-key')).status).toBe(401);
  });

  it('basic: user:pass is the credential', async () => {
    const form = (auth: string) => fetch(server.url + '/tiny/forms', { method: 'POST', headers: { authorization: `Basic ${Buffer.from(auth).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' }, body: 'count=1' });
    expect((await form('tiny:sample')).status).toBe(200);
    expect((await form('tiny:wrong')).status).toBe(401);
  });

  it('an API\'s own extra check runs once the body is read (a credential repeated in the body)', async () => {
    const post = (token: string) => call(server, '/tiny/jobs', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ media_url: 'http://127.0.0.1:9/x', api_token: token }) });
    expect((await post('test-key')).status).toBe(201);
    expect(await post('other-key')).toEqual({ status: 401, body: { problem: 'unauthorized', detail: 'api_token is not the key in the header' } });
  });

  it('keeps two tenants apart', async () => {
    const made = await call(server, '/tiny/jobs', { method: 'POST', body: multipart({ options: '{"language":"en"}', media: bytes(10) }) });
    expect((await call(server, `/tiny/jobs/${made.body.id}`, { headers: bearer('other-key') })).status).toBe(404);
    expect((await call(server, '/tiny/jobs', { headers: bearer('other-key') })).body.jobs).toEqual([]);
  });
});

describe('bodies are read by their media type and checked against the spec', () => {
  let server: RunningServer;
  beforeAll(async () => (server = await start()));

  it('multipart: required parts, a JSON document inside a part, coerced scalars', async () => {
    const post = (parts: Record<string, string | Blob>) => call(server, '/tiny/jobs', { method: 'POST', body: multipart(parts) });
    expect((await post({ options: '{"language":"en"}', media: bytes(10), priority: '3' })).status).toBe(201);
    expect((await post({ options: '{"language":"en"}' })).body).toEqual({ problem: 'body:required', detail: 'media: must have required property \'media\'' });
    expect((await post({ options: '{"language":', media: bytes(1) })).body).toEqual({ problem: 'body:json', detail: 'options: a JSON document' });
    expect((await post({ options: '{"language":"fr"}', media: bytes(1) })).body).toMatchObject({ problem: 'body:contentSchema', detail: expect.stringMatching(/^options\/language: \/language must be equal to one of the allowed values/) });
    expect((await post({ options: '{"language":"en"}', media: bytes(1), priority: 'high' })).body).toMatchObject({ problem: 'body:type', detail: 'priority: must be integer' });
  });

  it('multipart: a JSON part sent as a file is read like a field', async () => {
    const form = new FormData();
    form.append('options', new Blob(['{"language":"de"}'], { type: 'application/json' }), 'options.json');
    form.append('media', bytes(4), 'a.bin');
    expect((await call(server, '/tiny/jobs', { method: 'POST', body: form })).status).toBe(201);
  });

  it('url-encoded forms: coerced to the spec\'s types, repeated names kept', async () => {
    const post = (body: string) => fetch(server.url + '/tiny/forms', { method: 'POST', headers: { authorization: `Basic ${Buffer.from('tiny:sample').toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' }, body }).then(async (r) => [r.status, await r.json()]);
    expect(await post('count=2&tags=a&tags=b')).toEqual([200, { count: 2, tags: ['a', 'b'] }]);
    expect(await post('count=-1')).toEqual([400, { problem: 'body:minimum', detail: 'count: must be >= 0' }]);
    expect(await post('tags=a')).toEqual([400, { problem: 'body:required', detail: 'count: must have required property \'count\'' }]);
  });

  it('JSON: malformed, wrong shape, a media type the operation does not take, a gzip body', async () => {
    const post = (body: BodyInit, headers: Record<string, string> = { 'content-type': 'application/json' }) => call(server, '/tiny/jobs', { method: 'POST', headers, body });
    expect((await post('{"media_url":')).body).toEqual({ problem: 'body:json', detail: 'a JSON document' });
    expect((await post('{"media_url": 3}')).body).toMatchObject({ problem: 'body:type', detail: 'media_url: must be string' });
    expect((await post('<xml/>', { 'content-type': 'application/xml' })).body).toEqual({ problem: 'body:media-type', detail: 'multipart/form-data, application/json' });
    expect((await post('{}', { 'content-type': 'application/json', 'content-encoding': 'x-bogus' })).body).toEqual({ problem: 'body:encoding', detail: 'unsupported content encoding "x-bogus"' });
    expect((await post('not gzip', { 'content-type': 'application/json', 'content-encoding': 'gzip' })).body).toMatchObject({ problem: 'body:malformed' });
    const zipped = gzipSync(JSON.stringify({ media_url: 'http://127.0.0.1:9/none' }));
    expect((await post(new Uint8Array(zipped), { 'content-type': 'application/json', 'content-encoding': 'gzip' })).status).toBe(201);
  });

  it('a path whose percent-encoding does not decode is the API\'s own 400, not a 500', async () => {
    expect(await call(server, '/tiny/jobs/%ZZ')).toEqual({ status: 400, body: { problem: 'path:encoding', detail: 'id: valid percent-encoding (RFC 3986)' } });
  });
});

describe('uploads', () => {
  let server: RunningServer;
  let emulatorFiles: () => string[];
  beforeAll(async () => {
    server = await start();
    emulatorFiles = () => server.emulator.files.list();
  });

  it('streams raw bytes to disk, chunked too, and names them by a URL on this emulator', async () => {
    async function* chunks() {
      for (let i = 0; i < 64; i++) yield new Uint8Array(16 * 1024).fill(i);
    }
    const res = await fetch(server.url + '/tiny/uploads', { method: 'POST', headers: { 'x-tiny-key': 'test-key', 'content-type': 'audio/wav' }, body: chunks() as never, duplex: 'half' } as RequestInit);
    const answer = await res.json();
    expect(res.status).toBe(200);
    expect(answer.bytes).toBe(64 * 16 * 1024);
    expect(answer.url.startsWith(`${server.url}/tiny/files/`)).toBe(true);
  });

  it('resolves its own URL later without a request, whatever host it is given under, for its tenant only', async () => {
    const { url } = await (await fetch(server.url + '/tiny/uploads', { method: 'POST', headers: { 'x-tiny-key': 'test-key', 'content-type': 'application/octet-stream' }, body: 'twelve bytes' })).json();
    // The host is unroutable: only resolving it locally can make this job work.
    const elsewhere = url.replace(server.url, 'http://upload-host.invalid');
    const mine = await call(server, '/tiny/jobs', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ media_url: elsewhere }) });
    expect(mine.body).toMatchObject({ status: 'queued', media_bytes: 12 });
    const theirs = await call(server, '/tiny/jobs', { method: 'POST', headers: { 'content-type': 'application/json', ...bearer('other-key') }, body: JSON.stringify({ media_url: url }) });
    expect(theirs.body).toMatchObject({ status: 'error', error: 'not your upload' });
  });

  it('fetches any other URL for real, and reports one that cannot be fetched', async () => {
    const media = createServer((req, res) => (req.url === '/ok.bin' ? res.end(Buffer.alloc(300, 1)) : res.writeHead(404).end()));
    await new Promise<void>((resolve) => media.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(media.address() as AddressInfo).port}`;
    try {
      const job = async (url: string) => (await call(server, '/tiny/jobs', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ media_url: url }) })).body.id;
      const ok = await job(`${base}/ok.bin`);
      const missing = await job(`${base}/missing.bin`);
      await controlClient(server.url).advance(0);
      expect((await call(server, `/tiny/jobs/${ok}`)).body).toMatchObject({ status: 'queued', media_bytes: 300 });
      expect((await call(server, `/tiny/jobs/${missing}`)).body).toMatchObject({ status: 'error', error: 'http status 404' });
    } finally {
      await new Promise((resolve) => media.close(resolve));
    }
  });

  it('removes what a request wrote and no resource kept, refused or not', async () => {
    await controlClient(server.url).reset();
    // Refused after the parts were written: options is not valid.
    await call(server, '/tiny/jobs', { method: 'POST', body: multipart({ options: '{"language":"xx"}', media: bytes(1000) }) });
    // Accepted, but the extra part is nobody's.
    await call(server, '/tiny/jobs', { method: 'POST', body: multipart({ options: '{"language":"en"}', media: bytes(1000), stray: bytes(10) }) });
    expect(emulatorFiles()).toHaveLength(1);
    // Over the API's own limit (max-upload-mb 1): refused whole, nothing left.
    const big = await fetch(server.url + '/tiny/uploads', { method: 'POST', headers: { 'x-tiny-key': 'test-key', 'content-type': 'application/octet-stream' }, body: new Uint8Array(2 ** 20 + 1) });
    expect([big.status, (await big.json()).problem]).toEqual([400, 'body:size']);
    expect(emulatorFiles()).toHaveLength(1);
  });
});

describe('lifecycles follow the progression policy, a per-API setting', () => {
  const statuses = async (server: RunningServer, id: string, polls: number) => {
    const seen: string[] = [];
    for (let i = 0; i < polls; i++) seen.push((await call(server, `/tiny/jobs/${id}`)).body.status);
    return seen;
  };
  const create = async (server: RunningServer) => (await call(server, '/tiny/jobs', { method: 'POST', body: multipart({ options: '{"language":"en"}', media: bytes(8) }) })).body.id as string;

  it.each([
    ['seconds:5', [[4, 'queued'], [1, 'processing'], [5, 'done']]],
    ['immediate', [[0, 'done']]],
    ['share:0.5,min:3', [[2.9, 'queued'], [0.1, 'processing'], [3, 'done']]],
  ] as const)('%s moves on with the clock', async (policy, steps) => {
    const server = await start({ settings: { tiny: { processing: policy } } });
    const id = await create(server);
    for (const [seconds, status] of steps) {
      await controlClient(server.url).advance(seconds);
      expect((await call(server, `/tiny/jobs/${id}`)).body.status).toBe(status);
    }
  });

  it('reads:2 moves on every second read, whatever the clock says', async () => {
    const server = await start({ settings: { '*': { processing: 'reads:2' } } });
    const id = await create(server);
    await controlClient(server.url).advance(3600);
    expect(await statuses(server, id, 5)).toEqual(['queued', 'processing', 'processing', 'done', 'done']);
  });

  it('a deleted or reset resource never moves again: its steps are cancelled, its files removed', async () => {
    const server = await start({ settings: { tiny: { processing: 'seconds:5' } } });
    const deleted = await create(server);
    await create(server);
    expect(server.emulator.clock.pending()).toBe(2);
    expect(server.emulator.files.list()).toHaveLength(2);
    expect((await call(server, `/tiny/jobs/${deleted}`, { method: 'DELETE' })).status).toBe(204);
    expect(server.emulator.clock.pending()).toBe(1);
    expect(server.emulator.files.list()).toHaveLength(1);
    await controlClient(server.url).reset();
    expect(server.emulator.clock.pending()).toBe(0);
    expect(server.emulator.files.list()).toHaveLength(0);
  });
});

describe('settings per API', () => {
  const emulator = (settings: EmulatorOptions['settings'], apis = ['tiny']) => createEmulator({ apis, clock: { mode: 'manual' }, settings }, { modules: [tinyApi] });

  it('refuses unknown names and bad values at start-up, naming what there is', async () => {
    await expect(emulator({ tiny: { speed: 'fast' } })).rejects.toThrow(new SettingError('tiny has no setting "speed"; it has: processing, max-upload-mb'));
    await expect(emulator({ tiny: { processing: 'soon' } })).rejects.toThrow(/tiny.processing=soon: "soon" is not a progression/);
    await expect(emulator({ gladia: { x: 1 } }, ['tiny', 'gladia'])).rejects.toThrow('gladia has no settings: it answers documented responses only');
    await expect(emulator({ nope: { x: 1 } })).rejects.toThrow('nope has no settings: there is no such API');
  });

  it('checks an API\'s settings even when the API is not served', async () => {
    await expect(emulator({ tiny: { speed: 'fast' } }, ['gladia'])).rejects.toThrow('tiny has no setting "speed"');
  });

  it('`*` sets a setting for every API that has it and passes over the others', async () => {
    await expect(emulator({ '*': { processing: 'immediate', 'retention-days': 1 } })).resolves.toBeDefined();
  });
});

describe('an API module', () => {
  it('refuses to start when an operation in its spec has no handler', async () => {
    const partial = defineApi({ ...baseDefinition(), handlers: { listJobs: async () => jsonResponse(200, { jobs: [] }) } });
    await expect(createEmulator({ apis: ['tiny'] }, { modules: [partial] })).rejects.toThrow(/tiny: POST \/tiny\/uploads \(upload\) is in the spec but has no handler/);
  });

  it('in strict mode, turns an answer the spec does not allow into a 500 naming the spec pointer', async () => {
    const lying = defineApi({ ...baseDefinition(), handlers: Object.fromEntries(['upload', 'createJob', 'listJobs', 'getJob', 'deleteJob', 'submitForm'].map((id) => [id, async () => jsonResponse(200, { jobs: [{ id: 7 }] })])) });
    for (const strict of [true, false]) {
      const server = await listen(await createEmulator({ apis: ['tiny'], strict }, { modules: [lying] }), { host: '127.0.0.1', port: 0 });
      servers.push(server);
      const res = await fetch(server.url + '/tiny/jobs', { headers: bearer() });
      if (strict) expect([res.status, (await res.json()).message]).toEqual([500, expect.stringMatching(/^#\/paths\/~1tiny~1jobs\/get\/responses\/200\/content\/application~1json\/schema: .*\/jobs\/0\/id must be string/)]);
      else expect(res.status).toBe(200);
    }
  });
});

describe('routes: server prefixes, and misses in the API\'s own words', () => {
  let server: RunningServer;
  beforeAll(async () => (server = await start()));

  it('serves every operation under the path of each of its servers too, with the same state', async () => {
    const created = await call(server, '/v-test/tiny/jobs', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ media_url: 'http://127.0.0.1:9/never-fetched' }) });
    expect(created.status).toBe(201);
    expect((await call(server, `/tiny/jobs/${created.body.id}`)).body).toMatchObject({ id: created.body.id });
    expect((await call(server, `/v-test/tiny/jobs/${created.body.id}`)).body).toMatchObject({ id: created.body.id });
    // A prefix is a whole segment: `/v-testing/...` is not `/v-test/...`.
    expect((await call(server, '/v-testing/tiny/jobs')).body).toMatchObject({ error: 'not_found' });
  });

  it('a known path with another method is the API\'s 405, with Allow, under a prefix too', async () => {
    for (const path of ['/tiny/jobs', '/v-test/tiny/jobs']) {
      const res = await fetch(server.url + path, { method: 'PUT', headers: bearer() });
      expect([res.status, res.headers.get('allow'), await res.json()]).toEqual([405, 'GET, POST', { problem: 'wrongMethod', detail: 'PUT /tiny/jobs' }]);
    }
  });

  it('Accept is checked where the operation documents a 406, after the credential', async () => {
    const job = (accept: string, key = 'test-key') => call(server, '/tiny/jobs/nothing', { headers: { ...bearer(key), accept } });
    expect(await job('text/html')).toEqual({ status: 400, body: { problem: 'header:acceptable', detail: 'accept: application/json' } });
    expect((await job('text/html', 'nobody')).status).toBe(401);
    expect((await job('text/html, application/*;q=0.2')).status).toBe(404);
    // listJobs documents no 406: its Accept is not the core's business.
    expect((await call(server, '/tiny/jobs', { headers: { accept: 'text/html' } })).status).toBe(200);
  });

  it('an unknown path in the API\'s namespace is its 404; elsewhere the emulator\'s', async () => {
    for (const path of ['/tiny/nothing-here', '/v-test/tiny/nothing/here']) {
      expect(await call(server, path)).toEqual({ status: 404, body: { problem: 'noSuchPath', detail: path } });
    }
    expect((await call(server, '/nowhere')).body).toMatchObject({ error: 'not_found' });
  });
});

function baseDefinition() {
  return {
    name: 'tiny', spec: tinyApi.spec, settings: {}, createState: () => null,
    errors: { render: () => jsonResponse(400, { problem: 'x' }), validation: () => jsonResponse(400, { problem: 'x' }), credentials: () => new ApiError('unauthorized') },
  };
}

// The shared POST /v2/upload: a request with both vendors' credentials is not guessed.
describe('a path two APIs share', () => {
  it('answers 400 naming both when a request carries both credentials', async () => {
    const { startServer } = await import('../compose.ts');
    const running = await startServer({ host: '127.0.0.1', port: 0, apis: ['gladia', 'assemblyai'] });
    servers.push(running);
    const res = await fetch(running.url + '/v2/upload', { method: 'POST', headers: { 'x-gladia-key': 'test-key', authorization: 'test-key', 'content-type': 'application/octet-stream' }, body: 'x' });
    expect(res.status).toBe(400);
    expect((await res.json()).message).toMatch(/gladia and assemblyai.*both x-gladia-key \(Gladia\) and authorization \(AssemblyAI\)/);
  });

  it('bytes labelled as a form (curl --data-binary) are still bytes to an upload that takes only bytes', async () => {
    const { startServer } = await import('../compose.ts');
    const running = await startServer({ host: '127.0.0.1', port: 0, apis: ['assemblyai'] });
    servers.push(running);
    const res = await fetch(running.url + '/v2/upload', { method: 'POST', headers: { authorization: 'test-key', 'content-type': 'application/x-www-form-urlencoded' }, body: new Uint8Array([0x25, 0xff, 0x25, 0x5a]) });
    expect(res.status).toBe(200);
  });

  it('a documented-only API answers an undecodable path with a documented 4xx, not 500', async () => {
    const { startServer } = await import('../compose.ts');
    const running = await startServer({ host: '127.0.0.1', port: 0, apis: ['gladia', 'speechmatics'] });
    servers.push(running);
    // Gladia documents no 400 on this path: its documented 404 is the nearest honest answer.
    const gladia = await fetch(running.url + '/v2/pre-recorded/%ZZ', { headers: { 'x-gladia-key': 'test-key' } });
    expect([gladia.status, await gladia.json()]).toEqual([404, expect.objectContaining({})]);
    // A stateful API renders it in its own words, with a status its spec documents: no job path
    // of Speechmatics' documents a 400 (strict mode would make one a 500), and an id that does
    // not decode names no job.
    const speechmatics = await fetch(running.url + '/v2/jobs/%ZZ', { headers: { authorization: 'Bearer test-key' } });
    expect([speechmatics.status, await speechmatics.json()]).toEqual([404, { code: 404, error: 'Job not found' }]);
  });
});
