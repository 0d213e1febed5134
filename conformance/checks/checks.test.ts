// Each check, seen passing on a conforming exchange and failing on one that departs from the
// spec: a check that has never been seen to fail proves nothing.
import { describe, expect, it } from 'vitest';
import { createAjv } from '../../openapi/schemas.ts';
import type { JsonObject } from '../../openapi/specs.ts';
import type { Exchange } from '../types.ts';
import type { Check, CheckContext } from './check.ts';
import { CHECKS } from './index.ts';

const operation: JsonObject = {
  responses: {
    '200': {
      description: 'ok',
      headers: { 'x-request-id': { required: true, schema: { type: 'string' } } },
      content: { 'application/json': { schema: { type: 'object', required: ['id'], properties: { id: { type: 'string', pattern: '^[a-z0-9]{10}$' } } } } },
    },
    '204': { description: 'no content' },
    '404': { description: 'missing', content: { 'application/json': { schema: { type: 'object', required: ['error'], properties: { error: { type: 'string' } } } } } },
  },
};
const ajv = createAjv();
const context: CheckContext = { operation, pointer: '#/paths/~1things/get', compile: (s) => ajv.compile(s) };

function exchange(status: number | undefined, body = '', headers: Record<string, string> = {}): Exchange {
  return {
    id: 1, step: 's', durationMs: 1,
    operation: { api: 'speechmatics', operationId: 'getThing', method: 'GET', path: '/things', pointer: context.pointer },
    request: { method: 'GET', url: 'http://x/things', headers: {} },
    ...(status === undefined ? { error: 'ECONNRESET' } : { response: { status, headers, body: Buffer.from(body) } }),
  };
}

const good = exchange(200, '{"id":"a1b2c3d4e5"}', { 'content-type': 'application/json', 'x-request-id': 'r1' });
const check = (name: string): Check => CHECKS.find((c) => c.name === name)!;

describe('the checks', () => {
  it('all pass a conforming exchange', () => {
    for (const c of CHECKS) expect(c.run(good, context), c.name).toBeUndefined();
    expect(check('content_type_documented').run(exchange(204), context)).toBeUndefined();
  });

  it('read a media type in any case, with its parameters, as the type it is', () => {
    const shouted = exchange(200, '{"id":"a1b2c3d4e5"}', { 'content-type': 'Application/JSON; charset=UTF-8', 'x-request-id': 'r1' });
    for (const c of CHECKS) expect(c.run(shouted, context), c.name).toBeUndefined();
    const invalid = exchange(200, '{"id":"TOO-LONG"}', { 'content-type': 'Application/JSON; charset=UTF-8', 'x-request-id': 'r1' });
    expect(check('response_schema_conformance').run(invalid, context)?.message).toMatch(/does not match its schema/);
  });

  it.each([
    ['not_a_server_error', exchange(503, 'down', { 'content-type': 'text/plain' }), /Server error 503/],
    ['not_a_server_error', exchange(undefined), /No response/],
    ['status_code_documented', exchange(418, '', {}), /Undocumented status 418/],
    ['content_type_documented', exchange(200, '<html/>', { 'content-type': 'text/html', 'x-request-id': 'r' }), /Undocumented content type text\/html/],
    ['content_type_documented', exchange(204, 'surprise', { 'content-type': 'text/plain' }), /A body where the spec documents none/],
    ['response_schema_conformance', exchange(200, '{"id":"TOO-LONG-AND-UPPER"}', { 'content-type': 'application/json', 'x-request-id': 'r' }), /does not match its schema/],
    ['response_schema_conformance', exchange(200, 'not json', { 'content-type': 'application/json', 'x-request-id': 'r' }), /not JSON/],
    ['required_headers_present', exchange(200, '{"id":"a1b2c3d4e5"}', { 'content-type': 'application/json' }), /Missing required header x-request-id/],
    ['error_body_documented', exchange(404, '', { 'content-type': 'application/json' }), /Error 404 without its documented body/],
  ])('%s fails when it should (%#)', (name, bad, message) => {
    const failure = check(name).run(bad, context);
    expect(failure?.message).toMatch(message);
    expect(failure?.expected.length).toBeGreaterThan(0);
    expect(failure?.received.length).toBeGreaterThan(0);
    expect(failure?.pointer).toMatch(/^#\/paths\/~1things\/get/);
  });

  it('every registered check has a name and a description, and a failing case above', () => {
    const tested = new Set(['not_a_server_error', 'status_code_documented', 'content_type_documented', 'response_schema_conformance', 'required_headers_present', 'error_body_documented']);
    expect(CHECKS.map((c) => c.name).filter((n) => !tested.has(n))).toEqual([]);
    for (const c of CHECKS) expect(c.description.length).toBeGreaterThan(10);
  });
});
