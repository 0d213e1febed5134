// A spec failure as the emulator's refusal: the step, the place and the rule, in a phrase.
import { describe, expect, it } from 'vitest';
import { credentialRefusal, failureRefusal, routeRefusal, type ValidationFailure } from './validation-failure.ts';

describe('failureRefusal', () => {
  it.each<[string, ValidationFailure, ReturnType<typeof failureRefusal>]>([
    ['a body property, as a JSON pointer', { in: 'body', name: 'config/type', rule: 'required', expected: "must have required property 'type'" }, { stage: 'body', pointer: '/config/type', message: "must have required property 'type'" }],
    ['a body that is missing', { in: 'body', rule: 'required', expected: 'a body (application/json)' }, { stage: 'body', message: 'is missing: expected a body (application/json)' }],
    ['a body of the wrong media type', { in: 'body', rule: 'media-type', expected: 'application/json, multipart/form-data' }, { stage: 'body', message: 'Content-Type must be one of application/json, multipart/form-data' }],
    ['a form part that is not JSON', { in: 'body', name: 'config', rule: 'json', expected: 'a JSON document' }, { stage: 'body', pointer: '/config', message: 'is not valid JSON' }],
    [
      "a form part's own schema: its first finding, the allowed values kept",
      { in: 'body', name: 'config/type', rule: 'contentSchema', expected: '/type must be equal to one of the allowed values {"allowedValues":["alignment","transcription"]}; (root) must have required property \'x\' {"missingProperty":"x"}' },
      { stage: 'body', pointer: '/config/type', message: 'must be equal to one of the allowed values: alignment, transcription (and 1 more)' },
    ],
    ['a path parameter that does not decode', { in: 'path', name: 'jobid', rule: 'encoding', expected: 'valid percent-encoding (RFC 3986)' }, { stage: 'path', pointer: 'jobid', message: 'is not valid percent-encoding (RFC 3986)' }],
    [
      'a query parameter, with how many more failed',
      { in: 'query', name: 'limit', rule: 'type', expected: 'integer', all: [{ in: 'query', name: 'limit', rule: 'type' }, { in: 'query', name: 'skip', rule: 'type' }] },
      { stage: 'parameters', pointer: 'limit', message: 'must be integer (and 1 more) (query)' },
    ],
    ['a header parameter out of its enum', { in: 'header', name: 'x-mode', rule: 'enum', expected: 'a b' }, { stage: 'parameters', pointer: 'x-mode', message: 'must be one of: a b (header)' }],
    ['an Accept that admits nothing documented', { in: 'header', name: 'accept', rule: 'acceptable', expected: 'application/json, text/plain' }, { stage: 'accept', message: 'none of application/json, text/plain is acceptable' }],
  ])('%s', (_case, failure, refusal) => {
    expect(failureRefusal(failure)).toEqual(refusal);
  });
});

describe('credentialRefusal and routeRefusal', () => {
  it('say what was wrong with the credential, and by which scheme', () => {
    expect(credentialRefusal({ ok: false, problem: 'missing', scheme: 'bearerAuth' })).toEqual({ stage: 'credentials', message: 'no credential (bearerAuth)' });
    expect(credentialRefusal({ ok: false, problem: 'malformed' })).toEqual({ stage: 'credentials', message: 'malformed credential' });
  });

  it('say which methods a path takes, or that no operation has it', () => {
    expect(routeRefusal({ kind: 'wrong-method', allowed: ['GET', 'POST'] }, 'put')).toEqual({ stage: 'method', message: 'PUT is not allowed here; the path takes GET, POST' });
    expect(routeRefusal({ kind: 'unknown-path' }, 'GET')).toEqual({ stage: 'route', message: 'no operation has this path' });
    expect(routeRefusal({ kind: 'ambiguous', because: 'two credentials' }, 'POST')).toEqual({ stage: 'route', message: 'ambiguous: two credentials' });
  });
});
