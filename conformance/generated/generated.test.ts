// The generated requests: values valid by their schemas, strings that shrink to `aaaa…` in a few
// dozen runs, inputs with one place broken that the schema really refuses, and the requests they
// encode to.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createSchemaCompiler } from '../../openapi/schemas.ts';
import { listOperations, loadSpec, type Json, type JsonObject, type OperationRef } from '../../openapi/specs.ts';
import { Referee } from '../negative/generate.ts';
import { parseMultipart } from '../negative/multipart.ts';
import { BINARY, schemaArbitrary } from './arbitrary.ts';
import { encodeInput, invalidity, negativeArbitrary, operationModel, validArbitrary, type NegativeInput } from './requests.ts';
import { sampleValue } from './sample.ts';

const compile = createSchemaCompiler();

describe('schemaArbitrary', () => {
  it.each<[string, JsonObject]>([
    ['string lengths', { type: 'string', minLength: 3, maxLength: 5 }],
    ['a pattern', { type: 'string', pattern: '^[a-z]{2}-\\d{3}$' }],
    ['formats', { type: 'object', required: ['at', 'id', 'url', 'day'], properties: { at: { type: 'string', format: 'date-time' }, id: { type: 'string', format: 'uuid' }, url: { type: 'string', format: 'uri' }, day: { type: 'string', format: 'date' } } }],
    ['exclusive bounds and multipleOf', { type: 'object', required: ['n', 'x'], properties: { n: { type: 'integer', exclusiveMinimum: 2, exclusiveMaximum: 9 }, x: { type: 'number', multipleOf: 0.5, minimum: -3, maximum: 3 } } }],
    ['null among the types, and an enum', { type: 'object', required: ['a', 'b'], properties: { a: { type: ['string', 'null'] }, b: { enum: ['x', 'y', 3] } } }],
    ['oneOf, allOf', { type: 'object', required: ['pick', 'both'], properties: { pick: { oneOf: [{ type: 'integer', minimum: 0 }, { type: 'string', maxLength: 2 }] }, both: { allOf: [{ type: 'object', required: ['p'], properties: { p: { type: 'boolean' } } }, { required: ['q'], properties: { q: { type: 'array', items: { type: 'string' }, minItems: 1, maxItems: 2 } } }] } } }],
    ['JSON text with its own schema', { type: 'string', contentMediaType: 'application/json', contentSchema: { type: 'object', required: ['k'], properties: { k: { type: 'integer' } } } }],
  ])('makes values valid by %s', (_, schema) => {
    const validate = compile(schema);
    for (const value of fc.sample(schemaArbitrary(schema), { seed: 42, numRuns: 200 })) expect(validate(value), JSON.stringify(value)).toBe(true);
    if (schema.contentSchema) {
      for (const value of fc.sample(schemaArbitrary(schema), { seed: 1, numRuns: 50 })) expect(compile(schema.contentSchema as JsonObject)(JSON.parse(value as string))).toBe(true);
    }
  });

  it('makes text values never empty and printable, and files a placeholder the encoder replaces', () => {
    for (const value of fc.sample(schemaArbitrary({ type: 'string' }, { text: true }), { seed: 3, numRuns: 200 })) expect(value).toMatch(/^[\x20-\x7e]+$/);
    expect(fc.sample(schemaArbitrary({ type: 'string', format: 'binary' }), { seed: 3, numRuns: 3 })).toEqual([BINARY, BINARY, BINARY]);
  });

  it('shrinks a string to the shortest `aaaa…` that still fails, in a few dozen runs (each run is a request)', async () => {
    const arbitrary = schemaArbitrary({ type: 'object', required: ['name'], properties: { name: { type: 'string', minLength: 1 }, size: { type: ['integer', 'null'] } } });
    for (const seed of [1, 2, 3]) {
      let runs = 0;
      const result = await fc.check(fc.asyncProperty(arbitrary, async (value) => {
        runs++;
        return ((value as JsonObject).name as string).length <= 40;
      }), { numRuns: 100, seed });
      expect(result.failed).toBe(true);
      expect(result.counterexample?.[0]).toEqual({ name: 'a'.repeat(41) });
      expect(runs).toBeLessThan(150);
    }
  });
});

describe('sampleValue', () => {
  it('gives the plainest value a schema takes, else one fast-check makes that it takes', () => {
    expect(sampleValue({ type: 'integer', minimum: 7 }, compile, {})).toBe(7);
    expect(sampleValue({ type: 'object', required: ['a'], properties: { a: { type: 'string', format: 'date' }, b: { type: 'string' } } }, compile, {})).toEqual({ a: '2024-01-01' });
    const patterned = sampleValue({ type: 'string', pattern: '^[A-Z]{3}[0-9]$' }, compile, { text: true });
    expect(patterned).toMatch(/^[A-Z]{3}[0-9]$/);
  });
});

describe('generated requests of the project\'s specs', async () => {
  const specs = await Promise.all((['speechmatics', 'assemblyai', 'gladia', 'cadence', 'stenomatic'] as const).map(async (api) => [api, (await loadSpec(api)).dereferenced] as const));

  it('are valid by their schemas often enough for ten examples an operation', () => {
    const rates: string[] = [];
    for (const [api, doc] of specs) {
      for (const op of listOperations(doc)) {
        const model = operationModel(doc, op);
        const samples = fc.sample(validArbitrary(model, {}), { seed: 7, numRuns: 40 });
        const valid = samples.filter((input) => invalidity(model, input, compile) === undefined).length;
        if (valid < 10) rates.push(`${api} ${String(op.operation.operationId)}: ${valid}/40`);
      }
    }
    expect(rates).toEqual([]);
  });

  it('with one place broken are refused by the schema there, and only there', () => {
    const referee = new Referee();
    for (const [, doc] of specs) {
      for (const op of listOperations(doc)) {
        const model = operationModel(doc, op);
        const negatives = negativeArbitrary(model, {}, referee);
        if (!negatives) continue;
        for (const value of fc.sample(negatives.arbitrary, { seed: 11, numRuns: 20 }) as NegativeInput[]) {
          if (!negatives.refused(value)) continue;
          // Everything else about the input is valid: putting the broken place back makes it valid again.
          const broken = value.broken.subject;
          const others = model.params.filter((p) => `${p.in} ${p.name}` !== broken);
          const rest = { ...model, params: others, ...(broken.startsWith('body') || broken.startsWith('part') ? {} : model.body && { body: model.body }) } as typeof model;
          if (!broken.startsWith('body') && !broken.startsWith('part')) expect(invalidity(rest, value.input, compile), `${String(op.operation.operationId)} ${broken}`).toBeUndefined();
        }
      }
    }
  });
});

describe('encodeInput', () => {
  const op = (operation: JsonObject, path = '/things/{id}'): OperationRef => ({ method: 'post', path, operation, pointer: '#/paths/~1things~1{id}/post' });
  const doc = (ref: OperationRef): JsonObject => ({ paths: { [ref.path]: { post: ref.operation } } });

  it('encodes path, query (exploded or not), headers and a multipart body with its files', () => {
    const ref = op({
      parameters: [
        { name: 'id', in: 'path', required: true, schema: { type: 'string' } },
        { name: 'tags', in: 'query', schema: { type: 'array', items: { type: 'string' } } },
        { name: 'ids', in: 'query', explode: false, schema: { type: 'array', items: { type: 'integer' } } },
        { name: 'X-Trace', in: 'header', schema: { type: 'integer' } },
      ],
      requestBody: { content: { 'multipart/form-data': { schema: { type: 'object', properties: { config: { type: 'string' }, file: { type: 'string', format: 'binary' } } } } } },
    });
    const model = operationModel(doc(ref), ref);
    const request = encodeInput(model, { path: { id: 'a b/c' }, query: { tags: ['x', 'y'], ids: [1, 2] }, headers: { 'X-Trace': 7 }, body: { config: '{"k":1}', file: BINARY } as Json });
    expect(request.path).toBe('/things/a%20b%2Fc');
    expect(request.query).toEqual({ tags: ['x', 'y'], ids: '1,2' });
    expect(request.headers['x-trace']).toBe('7');
    const boundary = /boundary=(.+)$/.exec(request.headers['content-type']!)![1]!;
    const parts = parseMultipart(request.body, boundary)!;
    expect(parts.map((p) => p.head)).toEqual(['Content-Disposition: form-data; name="config"', 'Content-Disposition: form-data; name="file"; filename="file.wav"\r\nContent-Type: audio/wav']);
    expect(parts[1]!.content.subarray(0, 4).toString('latin1')).toBe('RIFF');
  });

  it('encodes a form-urlencoded body field by field', () => {
    const ref = op({ requestBody: { content: { 'application/x-www-form-urlencoded': { schema: { type: 'object', properties: { label: { type: 'string' }, n: { type: 'integer' } } } } } } }, '/things');
    const request = encodeInput(operationModel(doc(ref), ref), { path: {}, query: {}, headers: {}, body: { label: 'a&b', n: 3 } });
    expect(request.body.toString()).toBe('label=a%26b&n=3');
    expect(request.headers['content-type']).toBe('application/x-www-form-urlencoded');
  });
});
