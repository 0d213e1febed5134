// Any OpenAPI document as the runner reads it: Swagger 2.0 converted, OpenAPI 3.0 schemas in
// 2020-12 form, the project's own specs recognised, operation ids and examples made where a
// document has none, and the path the servers put the operations under.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildExampleRequest } from '../openapi/example-requests.ts';
import { createSchemaCompiler } from '../openapi/schemas.ts';
import { listOperations, specPath, type JsonObject } from '../openapi/specs.ts';
import { loadSpecSource, normaliseSchema30, ownApiOf, serverBasePath } from './spec-source.ts';

const THINGS = new URL('./testing/things.swagger2.yaml', import.meta.url).pathname;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'speechdouble-spec-source-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const operation = (doc: JsonObject, id: string) => listOperations(doc).find((op) => op.operation.operationId === id)!;

describe('a Swagger 2.0 document', () => {
  it('becomes OpenAPI 3.0: basePath as servers, body and formData parameters as request bodies, schemas in 2020-12 form', async () => {
    const { spec, version, notes } = await loadSpecSource(THINGS);
    const doc = spec.dereferenced;
    expect(version).toBe('2.0');
    expect(spec.document.swagger).toBe('2.0');
    expect(doc.openapi).toBe('3.0.3');
    expect(doc.servers).toEqual([{ url: '/api/v1' }]);
    expect((doc.components as JsonObject).securitySchemes).toEqual({ key: { type: 'apiKey', name: 'X-Api-Key', in: 'header' } });

    const create = operation(doc, 'createThing').operation;
    const body = ((create.requestBody as JsonObject).content as JsonObject)['application/json'] as JsonObject;
    expect((body.schema as JsonObject).required).toEqual(['name']);
    // x-nullable, then OpenAPI 3.0's nullable, is a type that takes null.
    expect(((body.schema as JsonObject).properties as JsonObject).size).toEqual({ type: ['integer', 'null'], minimum: 0 });
    const label = operation(doc, 'labelThing').operation;
    // No example in the document: one made from the schema, and marked so.
    expect((label.requestBody as JsonObject).content).toEqual({
      'application/x-www-form-urlencoded': { schema: { type: 'object', properties: { label: { type: 'string', maxLength: 20 } }, required: ['label'] }, example: { label: 'a' }, 'x-speechdouble-synthesised': true },
    });
    // A path-item parameter reaches each operation; a response's schema each produced type.
    expect(label.parameters).toEqual([{ name: 'id', in: 'path', required: true, schema: { type: 'string' }, example: 'a', 'x-speechdouble-synthesised': true }]);
    expect(Object.keys((((operation(doc, 'getThing').operation.responses as JsonObject)['200'] as JsonObject).content as JsonObject))).toEqual(['application/json']);
    expect(notes.join('\n')).toMatch(/converted from Swagger 2\.0/);
  });

  it('loads from a URL as from a file', async () => {
    const text = await readFile(THINGS, 'utf8');
    const server = createServer((_req, res) => void res.writeHead(200, { 'content-type': 'application/yaml' }).end(text));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { spec, version } = await loadSpecSource(`http://127.0.0.1:${(server.address() as AddressInfo).port}/things.yaml`);
      expect(version).toBe('2.0');
      expect(listOperations(spec.dereferenced).map((op) => op.operation.operationId)).toEqual(['listThings', 'createThing', 'getThing', 'deleteThing', 'labelThing']);
    } finally {
      server.close();
    }
  });

  it('keeps its basePath, and its host, as the servers the paths are under', async () => {
    const { spec } = await loadSpecSource(THINGS);
    const op = operation(spec.dereferenced, 'getThing');
    expect(serverBasePath(spec.dereferenced, op.path, op.operation)).toBe('/api/v1');
    const hosted = join(dir, 'hosted.yaml');
    await writeFile(hosted, (await readFile(THINGS, 'utf8')).replace('basePath: /api/v1', 'host: things.example\nbasePath: /v3'));
    const converted = (await loadSpecSource(hosted)).spec.dereferenced;
    expect(converted.servers).toEqual([{ url: 'http://things.example/v3' }]);
    expect(serverBasePath(converted, op.path, op.operation)).toBe('/v3');
  });
});

describe('an OpenAPI 3.0 document', () => {
  it('has its schemas in the JSON Schema 2020-12 the checks compile: nullable, boolean exclusive bounds', () => {
    const schema: JsonObject = {
      type: 'object',
      properties: {
        name: { type: 'string', nullable: true },
        colour: { type: 'string', enum: ['red', 'blue'], nullable: true },
        owner: { allOf: [{ type: 'object', properties: { id: { type: 'string' } } }], nullable: true, description: 'who' },
        score: { type: 'number', minimum: 0, exclusiveMinimum: true, maximum: 10, exclusiveMaximum: false },
      },
    };
    normaliseSchema30(schema);
    const properties = schema.properties as JsonObject;
    expect(properties.name).toEqual({ type: ['string', 'null'] });
    expect(properties.colour).toEqual({ type: ['string', 'null'], enum: ['red', 'blue', null] });
    expect(properties.owner).toEqual({ description: 'who', anyOf: [{ allOf: [{ type: 'object', properties: { id: { type: 'string' } } }] }, { type: 'null' }] });
    expect(properties.score).toEqual({ type: 'number', exclusiveMinimum: 0, maximum: 10 });
    const validate = createSchemaCompiler()(schema);
    expect(validate({ name: null, colour: null, owner: null, score: 10 })).toBe(true);
    expect(validate({ score: 0 })).toBe(false);
  });

  it('loads from a file with operation ids and examples made where it gives none, its unknown keywords ignored', async () => {
    const file = join(dir, 'three-oh.json');
    await writeFile(file, JSON.stringify({
      openapi: '3.0.3',
      info: { title: 'three oh', version: '1' },
      servers: [{ url: 'https://{region}.example.invalid/base/{version}', variables: { region: { default: 'eu' }, version: { default: 'v2' } } }],
      paths: {
        '/items/{item}': {
          get: {
            'x-vendor-thing': true,
            parameters: [
              { name: 'item', in: 'path', required: true, schema: { type: 'string', format: 'vendor-id', pattern: '^it-[0-9]+$' } },
              { name: 'count', in: 'query', required: true, schema: { type: 'integer', minimum: 5, exclusiveMinimum: true } },
            ],
            responses: { '200': { description: 'ok', content: { 'application/json': { schema: { type: 'object', nullable: true, 'x-vendor': 1 } } } } },
          },
        },
      },
    }));
    const { spec } = await loadSpecSource(file);
    const op = listOperations(spec.dereferenced)[0]!;
    expect(op.operation.operationId).toBe('GET /items/{item}');
    const request = buildExampleRequest(spec.dereferenced, op);
    expect(request.path).toMatch(/^\/items\/it-\d+$/);
    expect(Number(request.query.count)).toBeGreaterThan(5);
    expect(serverBasePath(spec.dereferenced, op.path, op.operation)).toBe('/base/v2');
    const lenient = createSchemaCompiler({ lenient: true });
    const schema = (((op.operation.responses as JsonObject)['200'] as JsonObject).content as JsonObject)['application/json'] as JsonObject;
    expect(lenient(schema.schema as JsonObject)(null)).toBe(true);
  });
});

describe('the project\'s own specs', () => {
  it('are recognised by their file, or by the same info.title and info.version', async () => {
    const own = await readFile(specPath('gladia'), 'utf8');
    const copy = join(dir, 'copy.yaml');
    await writeFile(copy, own);
    expect(await ownApiOf({}, specPath('speechmatics'))).toBe('speechmatics');
    expect((await loadSpecSource(copy)).ownApi).toBe('gladia');
    const edited = join(dir, 'edited.yaml');
    await writeFile(edited, own.replace(/^(  version: ).*$/m, '$19.9.9'));
    expect((await loadSpecSource(edited)).ownApi).toBeUndefined();
  });

  it('put no prefix before their paths: each lists speechdouble\'s own address, at the root', async () => {
    for (const api of ['speechmatics', 'cadence', 'stenomatic'] as const) {
      const { spec } = await loadSpecSource(specPath(api));
      for (const op of listOperations(spec.dereferenced)) expect(serverBasePath(spec.dereferenced, op.path, op.operation), `${api} ${op.path}`).toBe('');
    }
  });
});
