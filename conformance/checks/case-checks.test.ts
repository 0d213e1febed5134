// The checks the runner's own cases apply (not every exchange): each seen passing and failing.
import { describe, expect, it } from 'vitest';
import type { JsonObject } from '../../openapi/specs.ts';
import type { Exchange } from '../types.ts';
import { ignoredAuth, securityFailures } from './ignored-auth.ts';
import { isDocumentedSuccess, positiveDataAcceptance } from './positive-data-acceptance.ts';
import { useAfterFree } from './use-after-free.ts';

const operation: JsonObject = { responses: { '201': { description: 'made' }, '401': { description: 'no key' }, '404': { description: 'missing' } } };
const pointer = '#/paths/~1things/post';

function exchange(method: string, status: number | undefined, body = '', type = 'application/json'): Exchange {
  return {
    id: 1, step: 's', durationMs: 1,
    operation: { api: 'speechmatics', operationId: 'op', method, path: '/things/{id}', pointer },
    request: { method, url: 'http://x/things/t1', headers: {} },
    ...(status === undefined ? { error: 'ECONNRESET' } : { response: { status, headers: { 'content-type': type }, body: Buffer.from(body) } }),
  };
}

describe('positive_data_acceptance', () => {
  it('passes a documented success, and fails anything else, with the documented ones as expected', () => {
    expect(positiveDataAcceptance.run(exchange('POST', 201), { operation, pointer })).toBeUndefined();
    for (const bad of [exchange('POST', 200), exchange('POST', 500, 'down'), exchange('POST', 404), exchange('POST', undefined)]) {
      const failure = positiveDataAcceptance.run(bad, { operation, pointer });
      expect(failure?.expected).toBe('a documented success (201)');
      expect(failure?.pointer).toBe(`${pointer}/responses`);
    }
    expect(isDocumentedSuccess({ responses: { '2XX': {} } }, 204)).toBe(true);
    expect(isDocumentedSuccess({ responses: { default: {} } }, 200)).toBe(false);
  });
});

describe('ignored_auth', () => {
  it('expects the security failures the operation documents: 401 and 403, else any documented 4xx', () => {
    expect(securityFailures(operation)).toEqual([401]);
    expect(securityFailures({ responses: { '400': {}, '401': {}, '403': {} } })).toEqual([401, 403]);
    expect(securityFailures({ responses: { '200': {}, '404': {} } })).toEqual([404]);
  });

  it('fails a case that was accepted, and passes one refused, whatever the refusal', () => {
    expect(ignoredAuth.accepted(exchange('DELETE', 200), operation, 'security', pointer)?.message).toMatch(/was accepted/);
    expect(ignoredAuth.accepted(exchange('DELETE', 401), operation, 'security', pointer)).toBeUndefined();
    expect(ignoredAuth.accepted(exchange('DELETE', 404), operation, 'security', pointer)).toBeUndefined();
  });

  it('fails when the resource read before and after differs in status or body (JSON in any key order is the same)', () => {
    const before = exchange('GET', 200, '{"a":1,"b":{"c":2,"d":3}}');
    expect(ignoredAuth.changed(before, exchange('GET', 200, '{"b":{"d":3,"c":2},"a":1}'), 'security', pointer)).toBeUndefined();
    expect(ignoredAuth.changed(before, exchange('GET', 200, '{"a":1,"b":{"c":2,"d":4}}'), 'security', pointer)?.message).toMatch(/changed the resource/);
    expect(ignoredAuth.changed(before, exchange('GET', 404, '{"a":1,"b":{"c":2,"d":3}}'), 'security', pointer)?.received).toMatch(/^404/);
    expect(ignoredAuth.changed(exchange('GET', 200, 'abc', 'text/plain'), exchange('GET', 200, 'abd', 'text/plain'), 'security', pointer)).toBeDefined();
  });
});

describe('use_after_free', () => {
  it('fails a read of a deleted resource that succeeds, and passes one refused', () => {
    const deleted = exchange('DELETE', 200);
    expect(useAfterFree.run(deleted, exchange('GET', 200, '{}'), pointer)?.message).toMatch(/still served: GET \/things\/t1 answered 200 after DELETE \/things\/t1 answered 200/);
    expect(useAfterFree.run(deleted, exchange('GET', 404), pointer)).toBeUndefined();
    expect(useAfterFree.run(deleted, exchange('GET', 410), pointer)).toBeUndefined();
  });
});
