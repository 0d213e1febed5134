import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { Exchange } from './http-server.ts';
import { clockTime, formatExchange, refusalDetail } from './request-log.ts';

const at = new Date(2026, 0, 5, 9, 3, 7, 42);
const exchange = (over: Partial<Exchange>): Exchange => ({
  receivedAt: at, method: 'GET', url: '/v2/jobs?limit=5', path: '/v2/jobs', headers: {}, status: 200, outcome: 'answered', ms: 3.25,
  response: { status: 200, headers: {}, body: { jobs: [] } }, ...over,
});
const named = { api: 'speechmatics', operationId: 'listJobs' };

describe('formatExchange', () => {
  it('time, method, path as sent, API, operation, status, ms', () => {
    expect(clockTime(at)).toBe('09:03:07.042');
    expect(formatExchange(exchange({}), named)).toBe('09:03:07.042 GET /v2/jobs?limit=5 speechmatics listJobs 200 3.3ms');
    expect(formatExchange(exchange({ ms: 1234.5 }), { api: null, operationId: null })).toBe('09:03:07.042 GET /v2/jobs?limit=5 - - 200 1235ms');
  });

  it('adds what a refusal said', () => {
    const refused = exchange({ status: 401, response: { status: 401, headers: { 'content-type': 'application/json' }, body: { code: 401, error: 'Permission Denied' } } });
    expect(formatExchange(refused, named)).toBe('09:03:07.042 GET /v2/jobs?limit=5 speechmatics listJobs 401 3.3ms  Permission Denied');
  });

  it('says when no answer went out', () => {
    expect(formatExchange(exchange({ status: 0, outcome: 'dropped', response: { status: 0, headers: {}, dropConnection: true } }), named)).toMatch(/ listJobs dropped 3\.3ms$/);
    expect(formatExchange(exchange({ status: 0, outcome: 'aborted' }), named)).toMatch(/ listJobs aborted 3\.3ms$/);
  });
});

describe('refusalDetail', () => {
  const json = (status: number, body: unknown) => ({ status, headers: { 'content-type': 'application/json' }, body });
  it.each([
    ['Speechmatics', json(400, { code: 400, error: 'Job rejected', detail: 'language is required' }), 'Job rejected: language is required'],
    ['Bubble (Cadence)', json(400, { statusCode: 400, body: { status: 'MISSING_DATA', message: 'Missing parameter start_time' } }), 'Missing parameter start_time'],
    ['Gladia', json(400, { statusCode: 400, message: 'Invalid body', validation_errors: ['audio_url must be a URL'] }), 'Invalid body: audio_url must be a URL'],
    ['Stenomatic', json(400, { error: 'The request is invalid.', details: [{ field: '/name', message: 'is required' }] }), 'The request is invalid. /name: is required'],
    ['a JSON string body', { status: 404, headers: { 'Content-Type': 'application/json' }, body: '{"error":"Job not found"}' }, 'Job not found'],
    ['plain text', { status: 503, headers: { 'content-type': 'text/plain' }, body: 'down\nfor maintenance' }, 'down'],
  ])('%s', (_vendor, response, detail) => {
    expect(refusalDetail(response)).toBe(detail);
  });

  it('is undefined for a success, an empty or streamed body, or a body with no words', () => {
    expect(refusalDetail(json(200, { error: 'not read on a success' }))).toBeUndefined();
    expect(refusalDetail({ status: 404, headers: {} })).toBeUndefined();
    expect(refusalDetail({ status: 500, headers: {}, body: Readable.from(['x']) })).toBeUndefined();
    expect(refusalDetail(json(400, { code: 400 }))).toBeUndefined();
    expect(refusalDetail(undefined)).toBeUndefined();
  });

  it('keeps a long message to one short line', () => {
    const detail = refusalDetail(json(400, { message: `a\n${'x'.repeat(500)}` }))!;
    expect(detail.length).toBe(160);
    expect(detail).toMatch(/^a x+…$/);
  });
});
