// The server as its users meet it: a real port on loopback, real HTTP, every answer checked
// against the spec that documents it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../compose.ts';
import { createAjv, describeErrors } from '../../openapi/schemas.ts';
import { API_NAMES, listOperations, loadSpec, type ApiName, type JsonObject, type LoadedSpec } from '../../openapi/specs.ts';
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
