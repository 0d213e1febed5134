import { describe, expect, it } from 'vitest';
import { createBodyValidator, createParameterValidator } from './request-validation.ts';
import type { EmulatorRequest } from './http-types.ts';
import type { OperationRef } from '../../openapi/specs.ts';

const op = (operation: Record<string, unknown>): OperationRef => ({ method: 'get', path: '/things/{id}', operation: operation as never, pointer: '#/paths/~1things~1{id}/get' });
const request = (query: Record<string, string | string[]> = {}, body = '', headers: Record<string, string> = {}): EmulatorRequest => ({ method: 'GET', path: '/things/x', query, headers, body: Buffer.from(body) });

const listing = createParameterValidator(op({
  parameters: [
    { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 100, default: 100 } },
    { name: 'deleted', in: 'query', schema: { type: 'boolean', default: false } },
    { name: 'format', in: 'query', schema: { type: 'string', enum: ['json', 'txt'] } },
    { name: 'status', in: 'query', schema: { type: 'array', items: { type: 'string' } } },
    { name: 'X-Trace', in: 'header', required: true, schema: { type: 'string' } },
  ],
}), { parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }] });

describe('request validation', () => {
  it('coerces text to the spec types, fills defaults, keeps path params, ignores unknown query parameters', () => {
    const result = listing(request({ limit: '10', deleted: 'true', status: 'done', 'sm-sdk': 'js-5.1.0' }, '', { 'x-trace': 't1' }), { id: 'x' });
    expect(result).toEqual({ ok: true, params: { path: { id: 'x' }, query: { limit: 10, deleted: true, status: ['done'], 'sm-sdk': 'js-5.1.0' }, header: { 'x-trace': 't1' } } });
    const defaults = listing(request({}, '', { 'x-trace': 't' }), { id: 'x' });
    expect(defaults.ok && defaults.params.query).toEqual({ limit: 100, deleted: false });
  });

  it.each([
    [{ limit: 'ten' }, { in: 'query', name: 'limit', rule: 'type', expected: 'integer' }],
    [{ limit: '0' }, { in: 'query', name: 'limit', rule: 'minimum' }],
    [{ format: 'xml' }, { in: 'query', name: 'format', rule: 'enum', expected: 'json txt' }],
    [{ deleted: 'maybe' }, { in: 'query', name: 'deleted', rule: 'type', expected: 'boolean' }],
    [{ limit: '1e309' }, { in: 'query', name: 'limit', rule: 'type', expected: 'integer' }],
  ])('names the parameter and the rule it broke: %j', (query, failure) => {
    const result = listing(request(query, '', { 'x-trace': 't' }), { id: 'x' });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.failure).toMatchObject(failure);
  });

  it('requires required headers', () => {
    const result = listing(request(), { id: 'x' });
    expect(!result.ok && result.failure).toMatchObject({ in: 'header', name: 'x-trace', rule: 'required' });
  });

  const creating = createBodyValidator(op({
    requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', required: ['name'], properties: { name: { type: 'string' } } } } } },
  }));
  const json = (value: unknown) => ({ kind: 'json' as const, mediaType: 'application/json', value });

  it('checks JSON bodies against their schema', async () => {
    expect(await creating(json({ name: 'Jo' }))).toBeUndefined();
    expect(await creating(json({}))).toMatchObject({ in: 'body', name: 'name', rule: 'required' });
    expect(await creating(json({ name: 3 }))).toMatchObject({ in: 'body', name: 'name', rule: 'type' });
  });
});
