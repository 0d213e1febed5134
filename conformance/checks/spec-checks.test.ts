// The checks issue 14 adds, each seen passing and failing: max_response_time, unsupported_method;
// and every check's name known to --checks.
import { describe, expect, it } from 'vitest';
import type { Exchange } from '../types.ts';
import { CHECKS, KNOWN_CHECKS } from './index.ts';
import { maxResponseTime } from './max-response-time.ts';
import { unsupportedMethod } from './unsupported-method.ts';

function exchange(method: string, status: number | undefined, headers: Record<string, string> = {}, durationMs = 5): Exchange {
  return {
    id: 1, step: 's', durationMs,
    operation: { api: 'x', operationId: 'op', method, path: '/things', pointer: '#/paths/~1things' },
    request: { method, url: 'http://x/things', headers: {} },
    ...(status === undefined ? { error: 'ECONNRESET' } : { response: { status, headers, body: Buffer.from('') } }),
  };
}

describe('max_response_time', () => {
  it('fails an answer slower than the limit, and nothing else', () => {
    const check = maxResponseTime(100);
    expect(check.run(exchange('GET', 200, {}, 99.9), { operation: {}, pointer: '#/p', compile: () => (() => true) as never })).toBeUndefined();
    expect(check.run(exchange('GET', undefined, {}, 500), { operation: {}, pointer: '#/p', compile: () => (() => true) as never })).toBeUndefined();
    expect(check.run(exchange('GET', 200, {}, 250.4), { operation: {}, pointer: '#/p', compile: () => (() => true) as never })).toEqual({
      message: 'Answered in 250 ms, over the 100 ms --max-response-time allows', expected: 'at most 100 ms', received: '250 ms', pointer: '#/p',
    });
  });
});

describe('unsupported_method', () => {
  const run = (e: Exchange, has405 = false) => unsupportedMethod.run(e, ['GET', 'POST'], '#/paths/~1things', has405)?.message;
  it('passes 405 with an Allow listing every documented method (HEAD, OPTIONS besides)', () => {
    expect(run(exchange('PATCH', 405, { allow: 'GET, POST' }))).toBeUndefined();
    expect(run(exchange('PATCH', 405, { allow: 'get,head,post,options' }))).toBeUndefined();
  });
  it('fails anything else, saying what', () => {
    expect(run(exchange('PATCH', 405))).toBe('405 without an Allow header (RFC 9110 §15.5.6 requires one)');
    expect(run(exchange('PATCH', 405, { allow: 'GET' }))).toBe('Allow leaves out POST, which the spec documents for this path');
    expect(run(exchange('PATCH', 405, { allow: 'GET, POST, PATCH' }))).toBe('Allow lists PATCH, the method it refused');
    expect(run(exchange('PATCH', 200))).toBe('PATCH, which the spec does not document here, was answered 200 and was accepted, not 405 Method Not Allowed');
    expect(run(exchange('PATCH', 404))).toMatch(/answered 404, not 405 Method Not Allowed \(the spec documents no 405 for this path/);
    expect(run(exchange('PATCH', 404), true)).toBe('PATCH, which the spec does not document here, was answered 404, not 405 Method Not Allowed');
    expect(run(exchange('PATCH', undefined))).toBe('PATCH, which the spec does not document here, got no answer');
  });
});

describe('KNOWN_CHECKS', () => {
  it('names every check once, those run on every exchange first', () => {
    const names = KNOWN_CHECKS.map((c) => c.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names.slice(0, CHECKS.length)).toEqual(CHECKS.map((c) => c.name));
    expect(names.slice(CHECKS.length)).toEqual(['positive_data_acceptance', 'negative_data_rejection', 'ignored_auth', 'use_after_free', 'unsupported_method', 'max_response_time']);
    for (const check of KNOWN_CHECKS) expect(check.description.length).toBeGreaterThan(10);
  });
});
