// The server as its users meet it: a real port on loopback, real HTTP, every answer checked
// against the spec that documents it.
import { Agent, get } from 'node:http';
import { connect, createServer as createNetServer, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../compose.ts';
import { STATEFUL_APIS } from '../apis/index.ts';
import type { JournalEntry } from '../core/journal.ts';
import { listen, ListenError, type Exchange } from './http-server.ts';
import type { Emulator } from '../core/emulator.ts';
import type { EmulatorResponse } from '../core/http-types.ts';
import { Readable } from 'node:stream';
import { operationNamer, readOutline } from './spec-outline.ts';
import { createAjv, describeErrors } from '../../openapi/schemas.ts';
import { API_NAMES, listOperations, loadSpec, specPath, type ApiName, type JsonObject, type LoadedSpec } from '../../openapi/specs.ts';
import { buildExampleRequest, TEST_KEY } from '../../openapi/example-requests.ts';
import type { EmulatorRequest } from '../core/http-types.ts';
import { probeBuffer } from '../engine/probe.ts';
import { joinTokens } from '../engine/transcript.ts';
import { sineWav } from '../../openapi/example-audio.ts';

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);
const ajv = createAjv();

let server: RunningServer;
const specs = new Map<string, LoadedSpec>();

beforeAll(async () => {
  server = await startServer({ host: '127.0.0.1', port: 0 });
  for (const name of [...API_NAMES, 'control'] as const) specs.set(name, await loadSpec(name));
}, 60_000);

afterAll(async () => {
  await server?.close();
});

interface Reply {
  status: number;
  contentType: string;
  headers: Headers;
  text: string;
  json(): unknown;
}

async function send(request: EmulatorRequest, extraHeaders: Record<string, string> = {}): Promise<Reply> {
  const url = new URL(server.url + request.path);
  for (const [key, value] of Object.entries(request.query)) {
    for (const v of Array.isArray(value) ? value : [value]) url.searchParams.append(key, v);
  }
  const res = await fetch(url, {
    method: request.method,
    headers: { ...request.headers, ...extraHeaders },
    body: request.body.length ? new Uint8Array(request.body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, contentType: res.headers.get('content-type') ?? '', headers: res.headers, text, json: () => JSON.parse(text) };
}

function operation(api: string, operationId: string) {
  const spec = specs.get(api)!;
  const op = listOperations(spec.dereferenced).find((o) => o.operation.operationId === operationId);
  if (!op) throw new Error(`${api} has no operation ${operationId}`);
  return { spec, op, request: buildExampleRequest(spec.dereferenced, op) };
}

function operationWithPath(api: string, method: string, path: string) {
  const spec = specs.get(api)!;
  const op = listOperations(spec.dereferenced).find((o) => o.method === method && o.path === path);
  if (!op) throw new Error(`${api} has no ${method} ${path}`);
  return { spec, op, request: buildExampleRequest(spec.dereferenced, op) };
}

function responseSchema(op: { operation: JsonObject }, status: string, mediaType: string): JsonObject {
  const media = (((op.operation.responses as JsonObject)[status] as JsonObject).content as JsonObject)[mediaType] as JsonObject;
  return media.schema as JsonObject;
}

const isJson = (mediaType: string) => /^application\/([\w.+-]*\+)?json/.test(mediaType);

describe('every documented response of every operation', () => {
  for (const api of API_NAMES) {
    it(`${api}: Prefer code=… (and example=…) returns it, and it validates against the spec`, async () => {
      const spec = specs.get(api)!;
      const failures: string[] = [];
      let checked = 0;
      for (const op of listOperations(spec.dereferenced)) {
        const request = buildExampleRequest(spec.dereferenced, op);
        for (const [status, response] of Object.entries(op.operation.responses as JsonObject)) {
          if (!/^\d{3}$/.test(status) || !isObject(response)) continue;
          const where = `${op.method.toUpperCase()} ${op.path} ${status}`;
          const content = isObject(response.content) ? response.content : {};
          if (Object.keys(content).length === 0) {
            const reply = await send(request, { prefer: `code=${status}` });
            checked++;
            if (reply.status !== Number(status) || reply.text !== '') failures.push(`${where}: got ${reply.status} with ${reply.text.length} bytes, expected an empty ${status}`);
            continue;
          }
          for (const [mediaType, media] of Object.entries(content)) {
            if (!isObject(media)) continue;
            const examples = isObject(media.examples) ? Object.entries(media.examples) : [];
            const choices: (string | undefined)[] = examples.length ? examples.map(([name]) => name) : [undefined];
            for (const exampleName of choices) {
              const prefer = `code=${status}${exampleName ? `, example=${exampleName}` : ''}`;
              const reply = await send(request, { prefer, accept: mediaType });
              checked++;
              const at = `${where} ${mediaType}${exampleName ? ` example=${exampleName}` : ''}`;
              if (reply.status !== Number(status)) {
                failures.push(`${at}: status ${reply.status} ${reply.text.slice(0, 300)}`);
                continue;
              }
              if (!reply.contentType.startsWith(mediaType.split(';')[0]!)) failures.push(`${at}: content-type ${reply.contentType}`);
              if (!isJson(mediaType)) continue;
              const body = reply.json();
              const validate = ajv.compile(media.schema as JsonObject);
              if (!validate(body)) failures.push(`${at}: body does not fit the schema: ${describeErrors(validate.errors)}`);
              const example = exampleName ? (media.examples as JsonObject)[exampleName] : undefined;
              if (isObject(example) && JSON.stringify(body) !== JSON.stringify(example.value)) {
                failures.push(`${at}: body differs from the named example`);
              }
            }
          }
        }
      }
      expect(failures).toEqual([]);
      expect(checked).toBeGreaterThan(0);
    }, 120_000);
  }
});

describe('Speechmatics through the documented-response path', () => {
  it('GET /v2/jobs/a1b2c3d4e5 with Prefer: code=200 answers the documented job', async () => {
    const { op, request } = operationWithPath('speechmatics', 'get', '/v2/jobs/{jobid}');
    const reply = await send({ ...request, path: '/v2/jobs/a1b2c3d4e5' }, { prefer: 'code=200' });
    expect(reply.status).toBe(200);
    const validate = ajv.compile(responseSchema(op, '200', 'application/json'));
    expect(validate(reply.json()), describeErrors(validate.errors)).toBe(true);
    expect((reply.json() as { job: { id: string } }).job.id).toBe('a1b2c3d4e5');
  });

  it('DELETE with Prefer: code=423 answers the documented Resource Locked body', async () => {
    const { request } = operationWithPath('speechmatics', 'delete', '/v2/jobs/{jobid}');
    const reply = await send({ ...request, path: '/v2/jobs/a1b2c3d4e5' }, { prefer: 'code=423' });
    expect(reply.status).toBe(423);
    expect(reply.json()).toEqual({ code: 423, error: 'Resource Locked' });
  });

  it('takes Prism\'s query form too: ?__code=404', async () => {
    const { request } = operationWithPath('speechmatics', 'get', '/v2/jobs/{jobid}');
    const reply = await send({ ...request, query: { __code: '404' } });
    expect(reply.status).toBe(404);
    expect(reply.json()).toMatchObject({ code: 404, error: 'Job not found' });
  });

  it('refuses a body it cannot read as the API itself does, in its envelope and status, whatever was asked for', async () => {
    const ask = async (method: string, path: string, encoding: string, headers: Record<string, string>) => {
      const res = await fetch(server.url + path, { method, headers: { authorization: `Bearer ${TEST_KEY}`, 'content-encoding': encoding, ...headers }, body: '{"name":"x"}' });
      return { status: res.status, body: await res.text() };
    };
    // A coding nobody knows, and gzip that is not gzip, on an operation that takes a body.
    for (const encoding of ['x-bogus', 'gzip']) {
      const json = { 'content-type': 'application/json' };
      const [itself, documented] = [await ask('POST', '/v1/clients', encoding, json), await ask('POST', '/v1/clients', encoding, { ...json, prefer: 'code=201' })];
      expect(itself.status, encoding).toBe(400);
      expect(documented, encoding).toEqual(itself);
      expect(JSON.parse(documented.body)).toMatchObject({ error: { code: 'invalid_json' } });
    }
    // One that takes none ignores it, as the API does.
    const ignored = await ask('DELETE', '/v2/jobs/a1b2c3d4e5', 'x-bogus', { prefer: 'code=200' });
    expect(ignored.status).toBe(200);
  });

  it('generates a schema-valid body with Prefer: dynamic=true', async () => {
    const { op, request } = operationWithPath('speechmatics', 'get', '/v2/jobs');
    const reply = await send(request, { prefer: 'dynamic=true' });
    expect(reply.status).toBe(200);
    const validate = ajv.compile(responseSchema(op, '200', 'application/json'));
    expect(validate(reply.json()), describeErrors(validate.errors)).toBe(true);
  });
});

describe('credentials, the vendor way', () => {
  const cases: [ApiName, string, string][] = [
    ['speechmatics', 'get', '/v2/jobs'],
    ['assemblyai', 'post', '/v2/stream'],
    ['gladia', 'get', '/v2/pre-recorded'],
    ['cadence', 'post', '/api/1.1/wf/create_job'],
    ['stenomatic', 'get', '/v1/clients'],
  ];
  for (const [api, method, path] of cases) {
    it(`${api}: ${method.toUpperCase()} ${path} without credentials gets the spec's own 401`, async () => {
      const { op, request } = operationWithPath(api, method, path);
      const headers = { ...request.headers };
      delete headers.authorization;
      delete headers['x-gladia-key'];
      const reply = await send({ ...request, headers });
      expect(reply.status).toBe(401);
      const content = ((op.operation.responses as JsonObject)['401'] as JsonObject).content as JsonObject;
      const [mediaType, media] = Object.entries(content)[0] as [string, JsonObject];
      expect(reply.contentType.startsWith(mediaType)).toBe(true);
      const validate = ajv.compile(media.schema as JsonObject);
      expect(validate(reply.json()), describeErrors(validate.errors)).toBe(true);
    });
  }
});

describe('POST /v2/upload, shared by Gladia and AssemblyAI', () => {
  it('goes to Gladia with x-gladia-key and to AssemblyAI with authorization', async () => {
    const gladia = operationWithPath('gladia', 'post', '/v2/upload');
    const gladiaReply = await send(gladia.request);
    expect(gladiaReply.status).toBe(200);
    expect(gladiaReply.json()).toHaveProperty('audio_metadata');

    const assemblyai = operationWithPath('assemblyai', 'post', '/v2/upload');
    const assemblyaiReply = await send(assemblyai.request);
    expect(assemblyaiReply.status).toBe(200);
    expect(assemblyaiReply.json()).toHaveProperty('upload_url');
  });
});

describe('what no spec documents', () => {
  it('an unknown path gets 404 naming the APIs served', async () => {
    const reply = await send({ method: 'GET', path: '/v3/nothing', query: {}, headers: {}, body: Buffer.alloc(0) });
    expect(reply.status).toBe(404);
    expect(reply.json()).toMatchObject({ error: 'not_found' });
  });

  it('a known path with the wrong method gets 405 with Allow', async () => {
    const reply = await send({ method: 'PUT', path: '/v2/jobs', query: {}, headers: { authorization: `Bearer ${TEST_KEY}` }, body: Buffer.alloc(0) });
    expect(reply.status).toBe(405);
    expect(reply.headers.get('allow')).toBe('GET, POST');
  });

  it('a status the operation does not document is refused as Prism refuses it', async () => {
    const { request } = operationWithPath('speechmatics', 'get', '/v2/jobs');
    const reply = await send(request, { prefer: 'code=418' });
    expect(reply.status).toBe(404);
    expect(reply.contentType).toMatch(/^application\/problem\+json/);
  });

  it('a malformed Prefer header gets 422 problem+json', async () => {
    const { request } = operationWithPath('speechmatics', 'get', '/v2/jobs');
    const reply = await send(request, { prefer: 'code=teapot' });
    expect(reply.status).toBe(422);
    expect(reply.json()).toMatchObject({ title: 'Invalid Prefer header', status: 422 });
  });
});

describe('bad input never gets a 500', () => {
  it('malformed JSON gets a documented 4xx', async () => {
    const { request } = operationWithPath('stenomatic', 'post', '/v1/clients');
    const reply = await send({ ...request, body: Buffer.from('{"name": "Jo') });
    expect(reply.status).toBeGreaterThanOrEqual(400);
    expect(reply.status).toBeLessThan(500);
  });

  it('a truncated multipart upload gets the documented 400, even when its config part arrived whole', async () => {
    const { op, request } = operationWithPath('speechmatics', 'post', '/v2/jobs');
    const closing = request.body.lastIndexOf('--\r\n');
    const reply = await send({ ...request, body: request.body.subarray(0, closing - 20) });
    expect(reply.status).toBe(400);
    const validate = ajv.compile(responseSchema(op, '400', 'application/json'));
    expect(validate(reply.json()), describeErrors(validate.errors)).toBe(true);
  });

  it('a multipart upload without a boundary gets the documented 400', async () => {
    const { request } = operationWithPath('gladia', 'post', '/v2/upload');
    const reply = await send({ ...request, headers: { ...request.headers, 'content-type': 'multipart/form-data' } });
    expect(reply.status).toBe(400);
    expect(reply.json()).toMatchObject({ statusCode: 400 });
  });
});

describe('the control API', () => {
  it('GET /__emulator/health fits specs/emulator-control.yaml', async () => {
    const { op, request } = operation('control', 'getHealth');
    const reply = await send(request);
    expect(reply.status).toBe(200);
    const validate = ajv.compile(responseSchema(op, '200', 'application/json'));
    expect(validate(reply.json()), describeErrors(validate.errors)).toBe(true);
    expect(reply.json()).toMatchObject({ status: 'ok', apis: [...API_NAMES] });
  });

});

describe('POST /__emulator/fixtures', () => {
  const post = (body: string) => send({ method: 'POST', path: '/__emulator/fixtures', query: {}, headers: { 'content-type': 'application/json' }, body: Buffer.from(body) });

  it('registers the transcript that audio sent as base64 must produce', async () => {
    const wav = sineWav({ seconds: 2, frequency: 700, amplitude: 0.3 });
    const reply = await post(JSON.stringify({ audio_base64: wav.toString('base64'), language: 'en', text: 'Your call is important to us.' }));
    expect(reply.status).toBe(201);
    const { op } = operation('control', 'registerFixture');
    const validate = ajv.compile(responseSchema(op, '201', 'application/json'));
    expect(validate(reply.json()), describeErrors(validate.errors)).toBe(true);
    const audio = await probeBuffer(wav);
    expect(reply.json()).toEqual({ sha256: audio.sha256, language: 'en', words: 7 });
    const transcript = await server.emulator.engine.transcribe({ audio });
    expect(joinTokens(transcript.tokens)).toBe('Your call is important to us.');
  });

  it('registers by SHA-256 with timed words', async () => {
    const sha256 = 'e'.repeat(64);
    const reply = await post(JSON.stringify({ sha256, words: [{ text: 'Hi', start: 0.1, end: 0.4 }] }));
    expect(reply.status).toBe(201);
    expect(reply.json()).toEqual({ sha256, language: 'en', words: 1 });
  });

  it.each([
    ['malformed JSON', '{"sha256": '],
    ['neither a hash nor audio', '{"text": "hello"}'],
    ['both text and words', `{"sha256": "${'f'.repeat(64)}", "text": "a", "words": [{"text": "a"}]}`],
    ['a hash that is not hex', '{"sha256": "xyz", "text": "a"}'],
  ])('answers %s with the documented 400', async (_case, body) => {
    const reply = await post(body);
    expect(reply.status).toBe(400);
    expect(reply.json()).toMatchObject({ error: 'bad_request' });
  });
});

describe('--api serves only the named APIs', () => {
  it('serves Cadence and nothing else', async () => {
    const only = await startServer({ host: '127.0.0.1', port: 0, apis: ['cadence'] });
    try {
      const health = await (await fetch(`${only.url}/__emulator/health`)).json();
      expect(health).toMatchObject({ apis: ['cadence'] });
      const jobs = await fetch(`${only.url}/v2/jobs`, { headers: { authorization: `Bearer ${TEST_KEY}` } });
      expect(jobs.status).toBe(404);
    } finally {
      await only.close();
    }
  });
});

describe('listening', () => {
  it('a port in use rejects with a ListenError naming it, and the emulator is stopped', async () => {
    const held = createNetServer();
    await new Promise<void>((resolve) => held.listen(0, '127.0.0.1', resolve));
    const { port } = held.address() as AddressInfo;
    try {
      const failed = await startServer({ host: '127.0.0.1', port, apis: ['speechmatics'] }).then(() => undefined, (error: unknown) => error);
      expect(failed).toBeInstanceOf(ListenError);
      expect(failed).toMatchObject({ code: 'EADDRINUSE', host: '127.0.0.1', port, message: `port ${port} on 127.0.0.1 is in use` });
    } finally {
      held.close();
    }
  });
});

/** An upload to AssemblyAI whose body is still arriving; resolves once the server has the request (its 100 Continue). */
async function slowUpload(url: string, bytes: Buffer) {
  const socket = connect(Number(new URL(url).port), '127.0.0.1');
  await new Promise((resolve) => socket.once('connect', resolve));
  socket.on('error', () => {});
  let reply = '';
  const closed = new Promise((resolve) => socket.once('close', resolve));
  const continued = new Promise((resolve) => socket.on('data', (chunk) => {
    reply += chunk;
    if (reply.startsWith('HTTP/1.1 100')) resolve(undefined);
  }));
  socket.write(`POST /v2/upload HTTP/1.1\r\nHost: x\r\nAuthorization: ${TEST_KEY}\r\nContent-Type: application/octet-stream\r\nContent-Length: ${bytes.length}\r\nExpect: 100-continue\r\n\r\n`);
  await continued;
  socket.write(bytes.subarray(0, 100));
  return { socket, closed, reply: () => reply, finish: () => socket.write(bytes.subarray(100)) };
}

describe('closing', () => {
  it('closes idle connections at once: one kept alive after an answer, one that never sent a request', async () => {
    const running = await startServer({ host: '127.0.0.1', port: 0, apis: ['speechmatics'] });
    const agent = new Agent({ keepAlive: true });
    const answered = await new Promise<number>((resolve) => get(`${running.url}/__emulator/health`, { agent }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    }));
    expect(answered).toBe(200);
    const unused = connect(Number(new URL(running.url).port), '127.0.0.1');
    await new Promise((resolve) => unused.once('connect', resolve));
    unused.on('error', () => {});
    const unusedClosed = new Promise((resolve) => unused.once('close', resolve));
    expect(running.inFlight()).toBe(0);
    await running.close();
    await unusedClosed;
    agent.destroy();
    // Calling it again is harmless.
    await running.close();
  });

  it('lets a request in flight finish, then closes its connection; cuts one that outlasts the grace', async () => {
    const wav = sineWav({ seconds: 1, frequency: 440, amplitude: 0.2 });
    const running = await startServer({ host: '127.0.0.1', port: 0, apis: ['assemblyai'] });
    const upload = await slowUpload(running.url, wav);
    expect(running.inFlight()).toBe(1);
    const closed = running.close();
    upload.finish();
    await upload.closed;
    expect(upload.reply()).toMatch(/\r\n\r\nHTTP\/1\.1 200 OK\r\n/);
    await closed;

    const stuck = await startServer({ host: '127.0.0.1', port: 0, apis: ['assemblyai'] });
    const never = await slowUpload(stuck.url, wav);
    await stuck.close({ graceMs: 50 });
    await never.closed;
    expect(never.reply()).not.toMatch(/HTTP\/1\.1 200/);
  });
});

describe('onExchange (what serve --log prints)', () => {
  it('reports each request with its status, and names it as the journal does', async () => {
    const running = await startServer({ host: '127.0.0.1', port: 0 });
    const exchanges: Exchange[] = [];
    const stop = running.onExchange((exchange) => exchanges.push(exchange));
    try {
      const modules = new Map(STATEFUL_APIS.map((m) => [m.name, m]));
      const outlines = await Promise.all(running.emulator.apis.map((api) => readOutline(api, modules.get(api)!.spec)));
      const namer = operationNamer(outlines, Object.fromEntries(STATEFUL_APIS.map((m) => [m.name, m.namespaces])), await readOutline('control', specPath('control')));
      const call = async (method: string, path: string, headers: Record<string, string> = {}, body?: string) => {
        const before = exchanges.length;
        const res = await fetch(running.url + path, { method, headers, ...(body !== undefined && { body }) });
        await res.arrayBuffer();
        // The exchange is reported when the answer's last byte went out; the client may see it first.
        while (exchanges.length === before) await new Promise((resolve) => setImmediate(resolve));
        return res.status;
      };
      expect(await call('GET', '/v2/jobs', { authorization: `Bearer ${TEST_KEY}` })).toBe(200);
      expect(await call('GET', '/v2/jobs?limit=1')).toBe(401);
      expect(await call('PUT', '/v2/jobs', { authorization: `Bearer ${TEST_KEY}` })).toBe(405);
      expect(await call('GET', '/v3/nothing')).toBe(404);
      expect(await call('GET', '/api/1.1/obj/nothing', { authorization: `Bearer ${TEST_KEY}` })).toBe(404);
      expect(await call('POST', '/v2/upload', { 'x-gladia-key': 'wrong' }, 'x')).toBe(401);
      expect(await call('POST', '/v2/upload', { authorization: 'wrong' }, 'x')).toBe(401);
      expect(await call('GET', '/version-test/api/1.1/obj/language', { authorization: `Bearer ${TEST_KEY}` })).toBe(200);
      expect(await call('GET', '/__emulator/health')).toBe(200);
      stop();

      expect(exchanges.map((e) => [e.method, e.url, e.status, e.outcome])).toEqual([
        ['GET', '/v2/jobs', 200, 'answered'],
        ['GET', '/v2/jobs?limit=1', 401, 'answered'],
        ['PUT', '/v2/jobs', 405, 'answered'],
        ['GET', '/v3/nothing', 404, 'answered'],
        ['GET', '/api/1.1/obj/nothing', 404, 'answered'],
        ['POST', '/v2/upload', 401, 'answered'],
        ['POST', '/v2/upload', 401, 'answered'],
        ['GET', '/version-test/api/1.1/obj/language', 200, 'answered'],
        ['GET', '/__emulator/health', 200, 'answered'],
      ]);
      expect(exchanges.every((e) => e.ms >= 0 && e.response !== undefined)).toBe(true);
      const journal = ((await (await fetch(`${running.url}/__emulator/requests`)).json()) as { requests: JournalEntry[] }).requests;
      const named = exchanges.slice(0, -1).map((e) => namer.name(e.method, e.path, e.headers));
      expect(named).toEqual(journal.map((entry) => ({ api: entry.api, operationId: entry.operation_id })));
      expect(namer.name('GET', '/__emulator/health', {})).toEqual({ api: 'control', operationId: 'getHealth' });
    } finally {
      await running.close();
    }
  });
});

/** One request as raw bytes on a fresh connection (`Connection: close`); resolves with everything the server sent. */
async function rawExchange(url: string, requestLine: string, headers: Record<string, string> = {}, body = ''): Promise<{ status: number; head: string; body: string }> {
  const socket = connect(Number(new URL(url).port), '127.0.0.1');
  socket.on('error', () => {});
  let received = '';
  socket.on('data', (chunk) => (received += chunk));
  const closed = new Promise((resolve) => socket.once('close', resolve));
  const lines = Object.entries({ host: new URL(url).host, connection: 'close', ...headers, ...(body && { 'content-length': String(Buffer.byteLength(body)) }) }).map(([name, value]) => `${name}: ${value}\r\n`);
  socket.write(`${requestLine}\r\n${lines.join('')}\r\n${body}`);
  await closed;
  const split = received.indexOf('\r\n\r\n');
  const head = split < 0 ? received : received.slice(0, split);
  return { status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0), head, body: split < 0 ? '' : received.slice(split + 4) };
}

describe('request targets as node:http hands them over', () => {
  it('reads an absolute-form target (GET http://host/path) by its path, and hands out URLs on its host', async () => {
    const health = await rawExchange(server.url, 'GET http://elsewhere.test:8080/__emulator/health?x=1 HTTP/1.1');
    expect(health.status).toBe(200);
    expect(JSON.parse(health.body)).toMatchObject({ status: 'ok' });
    const upload = await rawExchange(server.url, 'POST http://elsewhere.test:8080/v2/upload HTTP/1.1', { authorization: TEST_KEY, 'content-type': 'application/octet-stream' }, 'not much audio');
    expect(upload.status).toBe(200);
    expect((JSON.parse(upload.body) as { upload_url: string }).upload_url).toMatch(/^http:\/\/elsewhere\.test:8080\/upload\//);
  });

  it('keeps a path that starts with // a path (not a host), and the Host header the origin', async () => {
    const reply = await rawExchange(server.url, 'GET //double HTTP/1.1');
    expect(reply.status).toBe(404);
    expect(JSON.parse(reply.body)).toMatchObject({ error: 'not_found', message: expect.stringContaining('GET //double') });
    const upload = await rawExchange(server.url, 'POST //v2/upload HTTP/1.1', { authorization: TEST_KEY, 'content-type': 'application/octet-stream' }, 'x');
    expect(upload.status).toBe(404);
    const byHost = await rawExchange(server.url, 'POST /v2/upload HTTP/1.1', { host: 'emulator.example:9', authorization: TEST_KEY, 'content-type': 'application/octet-stream' }, 'x');
    expect((JSON.parse(byHost.body) as { upload_url: string }).upload_url).toMatch(/^http:\/\/emulator\.example:9\/upload\//);
  });

  it('answers malformed percent-encoding as the API or control API does, never with a 500', async () => {
    const job = await rawExchange(server.url, 'GET /v2/jobs/%ZZ HTTP/1.1', { authorization: `Bearer ${TEST_KEY}` });
    expect(job.status).toBe(404);
    const control = await rawExchange(server.url, 'GET /__emulator/%E0%A4%A HTTP/1.1');
    expect(control.status).toBe(404);
    const query = await rawExchange(server.url, 'GET /v2/jobs?limit=%ZZ%ZZ HTTP/1.1', { authorization: `Bearer ${TEST_KEY}` });
    expect(query.status).toBeGreaterThanOrEqual(200);
    expect(query.status).toBeLessThan(500);
    expect((await rawExchange(server.url, 'GET /__emulator/health HTTP/1.1')).status).toBe(200);
  });

  it('answers a target that is no path (OPTIONS *) with 400', async () => {
    const reply = await rawExchange(server.url, 'OPTIONS * HTTP/1.1');
    expect(reply.status).toBe(400);
    expect(JSON.parse(reply.body)).toMatchObject({ error: 'bad_request' });
  });

  it('sends HEAD answers without a body, and no framework headers', async () => {
    const head = await rawExchange(server.url, 'HEAD /__emulator/health HTTP/1.1');
    const get = await rawExchange(server.url, 'GET /__emulator/health HTTP/1.1');
    expect(head.status).toBe(405); // the control API documents GET only, as before
    expect(head.head).toMatch(/\r\nallow: GET\r\n/i);
    expect(head.body).toBe('');
    expect(get.body).not.toBe('');
    for (const reply of [head, get]) expect(reply.head).not.toMatch(/\r\n(x-powered-by|etag):/i);
  });
});

describe('what goes wrong in the emulator is an answer, not a crash', () => {
  /** A stand-in emulator that answers every request with `answer()`. */
  async function serving(answer: () => Promise<EmulatorResponse>) {
    const fake = { handle: answer, beginShutdown() {} } as unknown as Emulator;
    return listen(fake, { host: '127.0.0.1', port: 0 });
  }

  it('an exception becomes a JSON 500, or the error\'s own status', async () => {
    const failing = await serving(async () => {
      throw new Error('boom');
    });
    const tooLarge = await serving(async () => {
      throw Object.assign(new Error('too big'), { status: 413 });
    });
    try {
      const reply = await rawExchange(failing.url, 'GET /v2/jobs HTTP/1.1');
      expect(reply.status).toBe(500);
      expect(JSON.parse(reply.body)).toEqual({ error: 'internal', message: 'boom' });
      expect(JSON.parse((await rawExchange(tooLarge.url, 'GET /x HTTP/1.1')).body)).toEqual({ error: 'payload_too_large', message: 'too big' });
    } finally {
      await failing.close();
      await tooLarge.close();
    }
  });

  it('an answer Node refuses to send (a header value with a newline, a status out of range) becomes a clean 500', async () => {
    const badHeader = await serving(async () => ({ status: 200, headers: { 'x-fine': 'yes', 'x-bad': 'a\nb' }, body: 'hello' }));
    const badStatus = await serving(async () => ({ status: 42, headers: { 'x-fine': 'yes' }, body: 'hello' }));
    try {
      for (const running of [badHeader, badStatus]) {
        const reply = await rawExchange(running.url, 'GET / HTTP/1.1');
        expect(reply.status).toBe(500);
        expect(reply.head).not.toMatch(/x-fine/);
        expect(JSON.parse(reply.body)).toMatchObject({ error: 'internal' });
      }
    } finally {
      await badHeader.close();
      await badStatus.close();
    }
  });

  it('a streamed body that fails half-way cuts the connection (the status is already sent)', async () => {
    const running = await serving(async () => {
      const body = new Readable({ read() {} });
      body.push('first part ');
      setTimeout(() => body.destroy(new Error('disk gone')), 20);
      return { status: 200, headers: { 'content-type': 'text/plain' }, body };
    });
    try {
      const reply = await rawExchange(running.url, 'GET / HTTP/1.1');
      expect(reply.status).toBe(200);
      expect(reply.body).toContain('first part');
      // Chunked, and never finished: no terminating chunk.
      expect(reply.body.endsWith('0\r\n\r\n')).toBe(false);
      expect((await rawExchange(running.url, 'GET / HTTP/1.1')).status).toBe(200);
    } finally {
      await running.close();
    }
  });
});
