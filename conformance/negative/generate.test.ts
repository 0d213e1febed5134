// Negative cases generated from the specs: what each operation gets, where each rule comes
// from, and proof that they are not false positives: the emulator, which implements the specs,
// answers every one of them with a 4xx its operation documents.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../emulator/compose.ts';
import { controlClient } from '../../emulator/testing/control-client.ts';
import type { EmulatorRequest } from '../../emulator/core/http-types.ts';
import { API_NAMES, listOperations, loadSpec, type Json, type JsonObject, type LoadedSpec, type OperationRef } from '../../openapi/specs.ts';
import { buildExampleRequest } from '../../openapi/example-requests.ts';
import { generateNegativeCases, INVALID_KEY, type NegativeCase } from './generate.ts';

const specs = new Map<string, LoadedSpec>();
beforeAll(async () => {
  for (const name of API_NAMES) specs.set(name, await loadSpec(name));
});

function operation(api: string, operationId: string): { doc: JsonObject; op: OperationRef } {
  const doc = specs.get(api)!.dereferenced;
  const op = listOperations(doc).find((o) => o.operation.operationId === operationId);
  if (!op) throw new Error(`${api} has no operation ${operationId}`);
  return { doc, op };
}

const casesOf = (api: string, operationId: string) => {
  const { doc, op } = operation(api, operationId);
  return generateNegativeCases(doc, op);
};
const byName = (cases: NegativeCase[], name: string) => {
  const found = cases.find((c) => c.name === name);
  if (!found) throw new Error(`no case "${name}" among ${cases.map((c) => c.name).join(', ')}`);
  return found;
};

function resolvePointer(doc: JsonObject, pointer: string): Json | undefined {
  let node: Json | undefined = doc;
  for (const raw of pointer.replace(/^#\/?/, '').split('/').filter((t) => t !== '')) {
    const token = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(node)) node = node[Number(token)];
    else if (node && typeof node === 'object') node = node[token];
    else return undefined;
  }
  return node;
}

/** The places a request can differ in: its path, each query key, each header, the body (with its content type). */
function differences(a: EmulatorRequest, b: EmulatorRequest): string[] {
  const out: string[] = [];
  if (a.method !== b.method) out.push('method');
  if (a.path !== b.path) out.push('path');
  for (const key of new Set([...Object.keys(a.query), ...Object.keys(b.query)])) {
    if (JSON.stringify(a.query[key]) !== JSON.stringify(b.query[key])) out.push(`query ${key}`);
  }
  for (const key of new Set([...Object.keys(a.headers), ...Object.keys(b.headers)])) {
    if (key !== 'content-type' && a.headers[key] !== b.headers[key]) out.push(`header ${key}`);
  }
  if (!a.body.equals(b.body) || a.headers['content-type'] !== b.headers['content-type']) out.push('body');
  return out;
}

describe('Speechmatics negative cases', () => {
  it('listJobs: no and wrong credentials, then each query parameter broken against its own schema', () => {
    const cases = casesOf('speechmatics', 'listJobs');
    expect(cases.map((c) => [c.kind, c.name])).toEqual([
      ['credentials', 'no credentials'],
      ['credentials', 'wrong credentials'],
      ['format', 'query created_before not a date-time'],
      ['type', 'query limit not a number'],
      ['range', 'query limit below minimum'],
      ['range', 'query limit above maximum'],
      ['type', 'query include_deleted not a boolean'],
    ]);
    expect(byName(cases, 'no credentials').request.headers.authorization).toBeUndefined();
    expect(byName(cases, 'no credentials').rule).toBe('security: bearerAuth required (#/security)');
    expect(byName(cases, 'wrong credentials').request.headers.authorization).toBe(`Bearer ${INVALID_KEY}`);
    expect(byName(cases, 'wrong credentials').rule).toContain('(#/components/securitySchemes/bearerAuth)');
    expect(byName(cases, 'query limit above maximum').rule).toBe('query limit: maximum 100 (#/paths/~1v2~1jobs/get/parameters/1/schema/maximum)');
    expect(byName(cases, 'query limit above maximum').request.query.limit).toBe('101');
    expect(byName(cases, 'query limit below minimum').request.query.limit).toBe('0');
    expect(byName(cases, 'query limit not a number').request.query.limit).toBe('not-a-number');
    expect(byName(cases, 'query include_deleted not a boolean').request.query.include_deleted).toBe('maybe');
    expect(byName(cases, 'query created_before not a date-time').rule).toBe('query created_before: format date-time (#/paths/~1v2~1jobs/get/parameters/0/schema/format)');
    expect(byName(cases, 'query created_before not a date-time').request.query.created_before).toBe('yesterday');
  });

  it('deleteJob: credentials and force, nothing for the plain-string jobid', () => {
    const cases = casesOf('speechmatics', 'deleteJob');
    expect(cases.map((c) => c.name)).toEqual(['no credentials', 'wrong credentials', 'query force not a boolean']);
    expect(byName(cases, 'query force not a boolean').rule).toBe('query force: type boolean (#/paths/~1v2~1jobs~1{jobid}/delete/parameters/1/schema/type)');
  });

  it('createJob: the multipart body truncated, its required config part left out, and config that is not JSON', () => {
    const cases = casesOf('speechmatics', 'createJob');
    expect(cases.map((c) => [c.kind, c.name])).toEqual([
      ['credentials', 'no credentials'],
      ['credentials', 'wrong credentials'],
      ['multipart', 'multipart truncated before the closing boundary'],
      ['required', 'multipart missing config part'],
      ['json', 'multipart config part malformed JSON'],
    ]);
    const media = '#/paths/~1v2~1jobs/post/requestBody/content/multipart~1form-data';
    const truncated = byName(cases, 'multipart truncated before the closing boundary');
    expect(truncated.pointer).toBe(media);
    expect(truncated.request.body.toString('latin1')).not.toContain('------speechdouble-example--');
    const missing = byName(cases, 'multipart missing config part');
    expect(missing.rule).toBe(`part config: required (${media}/schema/required/0)`);
    expect(missing.request.body.toString('latin1')).not.toContain('name="config"');
    expect(missing.request.body.toString('latin1')).toContain('name="data_file"');
    expect(byName(cases, 'multipart config part malformed JSON').rule).toBe(`part config: contentMediaType application/json (${media}/schema/properties/config/contentMediaType)`);
  });

  it('getJobTranscript: format outside its enum', () => {
    const cases = casesOf('speechmatics', 'getJobTranscript');
    expect(cases.map((c) => c.name)).toEqual(['no credentials', 'wrong credentials', 'query format not in enum']);
    const format = byName(cases, 'query format not in enum');
    expect(format.rule).toBe('query format: enum [json-v2, txt, srt] (#/paths/~1v2~1jobs~1{jobid}~1transcript/get/parameters/1/schema/enum)');
    expect(format.request.query.format).toBe('speechdouble-not-in-enum');
  });

  it('unconstrained string parameters (jobid, X-SM-EAR-Tag) get no case: any string is allowed', () => {
    const doc = specs.get('speechmatics')!.dereferenced;
    const names = listOperations(doc).flatMap((op) => generateNegativeCases(doc, op).map((c) => c.name));
    expect(names.filter((n) => /jobid|ear-tag/i.test(n))).toEqual([]);
  });
});

describe('every generated case, for every operation of every spec', () => {
  it('differs from the valid example request in exactly one place', () => {
    for (const api of API_NAMES) {
      const doc = specs.get(api)!.dereferenced;
      for (const op of listOperations(doc)) {
        const base = buildExampleRequest(doc, op);
        for (const c of generateNegativeCases(doc, op)) {
          expect(differences(base, c.request), `${api} ${op.operation.operationId}: ${c.name}`).toHaveLength(1);
        }
      }
    }
  });

  it('names a rule whose pointer resolves in the spec, under a name unique within its operation', () => {
    for (const api of API_NAMES) {
      const doc = specs.get(api)!.dereferenced;
      for (const op of listOperations(doc)) {
        const cases = generateNegativeCases(doc, op);
        expect(new Set(cases.map((c) => c.name)).size).toBe(cases.length);
        for (const c of cases) {
          const where = `${api} ${op.operation.operationId}: ${c.name}`;
          expect(c.rule, where).toContain(`(${c.pointer})`);
          expect(resolvePointer(doc, c.pointer), `${where}: ${c.pointer}`).toBeDefined();
        }
      }
    }
  });

  it('is the same on every run, and no two cases share a request object', () => {
    for (const api of API_NAMES) {
      const doc = specs.get(api)!.dereferenced;
      for (const op of listOperations(doc)) {
        const first = generateNegativeCases(doc, op);
        expect(generateNegativeCases(doc, op)).toEqual(first);
        expect(new Set(first.flatMap((c) => [c.request, c.request.query, c.request.headers, c.request.body])).size).toBe(first.length * 4);
      }
    }
  });

  it('generates for the other specs too, each case with its rule', () => {
    for (const api of API_NAMES.filter((a) => a !== 'speechmatics')) {
      const doc = specs.get(api)!.dereferenced;
      const cases = listOperations(doc).flatMap((op) => generateNegativeCases(doc, op));
      expect(cases.length, api).toBeGreaterThan(0);
      for (const c of cases) expect(c.rule.trim(), `${api}: ${c.name}`).not.toBe('');
    }
  });
});

describe('a case that breaks a path parameter', () => {
  it('names it, so a runner aiming the case at real resources keeps its broken value; no other case names one', () => {
    const getRoom = casesOf('stenomatic', 'getRoom');
    expect(getRoom.filter((c) => c.pathParam).map((c) => [c.name, c.pathParam])).toEqual([
      ['path room_id longer than maxLength', 'room_id'],
      ['path room_id does not match pattern', 'room_id'],
    ]);
    for (const api of API_NAMES) {
      const doc = specs.get(api)!.dereferenced;
      for (const c of listOperations(doc).flatMap((op) => generateNegativeCases(doc, op))) expect(c.pathParam !== undefined, `${api}: ${c.name}`).toBe(c.name.startsWith('path '));
    }
  });
});

describe('what the generator refuses to claim', () => {
  // A small spec that exercises the edges: exclusive bounds, a pattern, oneOf, optional auth,
  // a closed object.
  const doc: JsonObject = {
    openapi: '3.1.0',
    info: { title: 'edges', version: '1' },
    security: [{ key: [] }],
    components: { securitySchemes: { key: { type: 'apiKey', in: 'header', name: 'X-Api-Key' } } },
    paths: {
      '/things/{thing}': {
        post: {
          parameters: [
            { name: 'thing', in: 'path', required: true, schema: { type: 'string' }, example: 't1' },
            { name: 'n', in: 'query', required: true, schema: { type: 'integer', exclusiveMinimum: 0, exclusiveMaximum: 10 }, example: 5 },
            { name: 'code', in: 'query', schema: { type: 'string', pattern: '^[A-Za-z0-9-]+$' } },
            { name: 'either', in: 'query', schema: { oneOf: [{ type: 'integer' }, { type: 'string', enum: ['all'] }] } },
            { name: 'note', in: 'query', schema: { type: 'string', minLength: 1 } },
          ],
          requestBody: {
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  additionalProperties: false,
                  required: ['name'],
                  properties: {
                    name: { type: 'string' },
                    mode: { oneOf: [{ type: 'string' }, { type: 'integer' }] },
                    ratio: { type: 'number', exclusiveMaximum: 1.5 },
                  },
                },
                example: { name: 'x' },
              },
            },
          },
          responses: { '201': { description: 'made' } },
        },
      },
      '/open': {
        get: { security: [{ key: [] }, {}], responses: { '200': { description: 'ok' } } },
      },
    },
  };
  const ops = listOperations(doc);

  it('breaks exclusive bounds at the bound itself, checks that a pattern really fails, and leaves oneOf and plain strings alone', () => {
    const cases = generateNegativeCases(doc, ops[0]!);
    expect(cases.map((c) => c.name)).toEqual([
      'no credentials',
      'wrong credentials',
      'query n missing',
      'query n not a number',
      'query n not above exclusiveMinimum',
      'query n not below exclusiveMaximum',
      'query code does not match pattern',
      'body malformed JSON',
      'body missing name',
      'body name not a string',
      'body ratio not a number',
      'body ratio not below exclusiveMaximum',
      'body unexpected property',
    ]);
    expect(byName(cases, 'wrong credentials').request.headers['x-api-key']).toBe(INVALID_KEY);
    expect(byName(cases, 'query n not above exclusiveMinimum').request.query.n).toBe('0');
    expect(byName(cases, 'query n not below exclusiveMaximum').request.query.n).toBe('10');
    expect(new RegExp('^[A-Za-z0-9-]+$', 'u').test(String(byName(cases, 'query code does not match pattern').request.query.code))).toBe(false);
    expect(JSON.parse(byName(cases, 'body ratio not below exclusiveMaximum').request.body.toString()).ratio).toBe(1.5);
    expect(byName(cases, 'body unexpected property').rule).toBe('body: additionalProperties false (#/paths/~1things~1{thing}/post/requestBody/content/application~1json/schema/additionalProperties)');
  });

  it('makes no credential case when the operation also accepts no credentials ({} among its requirements)', () => {
    expect(generateNegativeCases(doc, ops[1]!)).toEqual([]);
  });
});

describe('against the emulator, which implements the spec: no false positives', () => {
  let server: RunningServer;
  let doc: JsonObject;
  beforeAll(async () => {
    server = await startServer({ host: '127.0.0.1', port: 0, apis: ['speechmatics'], clock: { mode: 'manual' }, strict: true });
    doc = specs.get('speechmatics')!.dereferenced;
  }, 60_000);
  afterAll(async () => {
    await server?.close();
  });

  async function send(request: EmulatorRequest): Promise<{ status: number; text: string }> {
    const url = new URL(server.url + request.path);
    for (const [key, value] of Object.entries(request.query)) {
      for (const v of Array.isArray(value) ? value : [value]) url.searchParams.append(key, v);
    }
    const res = await fetch(url, { method: request.method, headers: request.headers, body: request.body.length ? new Uint8Array(request.body) : undefined });
    return { status: res.status, text: await res.text() };
  }

  const documented = (op: OperationRef) => Object.keys(op.operation.responses as JsonObject);
  const isDocumented4xx = (op: OperationRef, status: number) => status >= 400 && status < 500 && documented(op).includes(String(status));

  it('answers every case, as generated, with a 4xx the operation documents', async () => {
    await controlClient(server.url).reset();
    const wrong: string[] = [];
    let sent = 0;
    for (const op of listOperations(doc)) {
      for (const c of generateNegativeCases(doc, op)) {
        const reply = await send(c.request);
        sent++;
        if (!isDocumented4xx(op, reply.status)) {
          wrong.push(`${op.operation.operationId} "${c.name}": ${reply.status} ${reply.text.slice(0, 200)} (documented: ${documented(op).join(', ')})`);
        }
      }
    }
    expect(wrong).toEqual([]);
    expect(sent).toBeGreaterThan(20);
  }, 60_000);

  it('on a job that exists, rejects the broken parameter itself (not a 404 for an unknown id), where the intact request succeeds', async () => {
    const control = controlClient(server.url);
    await control.reset();
    const create = operation('speechmatics', 'createJob').op;
    const created = await send(buildExampleRequest(doc, create));
    expect(created.status).toBe(201);
    const id = (JSON.parse(created.text) as { id: string }).id;
    await control.advance(3600);

    const wrong: string[] = [];
    let parameterCases = 0;
    const withId = (request: EmulatorRequest) => ({ ...request, path: request.path.replace('a1b2c3d4e5', id) });
    const jobOps = listOperations(doc).filter((op) => op.path.includes('{jobid}'));
    const succeeding: string[] = [];
    for (const op of jobOps) {
      // The intact DELETE would delete the job: it is sent last, below.
      const intact = op.method === 'get' ? (await send(withId(buildExampleRequest(doc, op)))).status : 200;
      if (intact < 300) succeeding.push(String(op.operation.operationId));
      for (const c of generateNegativeCases(doc, op)) {
        const reply = await send(withId(c.request));
        const isParameterCase = c.kind !== 'credentials';
        if (isParameterCase) parameterCases++;
        const ok = isDocumented4xx(op, reply.status) && !(isParameterCase && intact < 300 && reply.status === 404);
        if (!ok) wrong.push(`${op.operation.operationId} "${c.name}" on ${id}: ${reply.status} ${reply.text.slice(0, 200)}`);
      }
    }
    expect(wrong).toEqual([]);
    expect(parameterCases).toBe(3);
    // Alignment outputs of a transcription job are a 404 even when intact; the rest succeed.
    expect(succeeding).toEqual(['getJob', 'deleteJob', 'getJobTranscript', 'getJobData']);
    // None of the cases deleted the job; the intact DELETE does.
    const del = await send(withId(buildExampleRequest(doc, operation('speechmatics', 'deleteJob').op)));
    expect(del.status).toBe(200);
  }, 60_000);
});
