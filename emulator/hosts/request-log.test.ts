import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Exchange } from './http-server.ts';
import { clockTime, formatExchange, formatRefusal, refusalDetail } from './request-log.ts';
import { composeEmulator } from '../compose.ts';
import type { Emulator } from '../core/emulator.ts';
import type { EmulatorRequest } from '../core/http-types.ts';

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

  it('names the refusal the answer carries rather than guess from its body, and falls back to the body without one', () => {
    const refusal = { stage: 'credentials' as const, message: 'key not accepted (bearerAuth)' };
    const body = { code: 401, error: 'Permission Denied' };
    const refused = exchange({ status: 401, response: { status: 401, headers: { 'content-type': 'application/json' }, body, refusal } });
    expect(formatExchange(refused, named)).toBe('09:03:07.042 GET /v2/jobs?limit=5 speechmatics listJobs 401 3.3ms  credentials: key not accepted (bearerAuth)');
    expect(formatRefusal({ stage: 'body', pointer: '/config/type', message: `must be\n${'x'.repeat(500)}` })).toMatch(/^body \/config\/type: must be x+…$/);
    expect(formatRefusal({ stage: 'body', pointer: '/a', message: 'x'.repeat(500) })).toHaveLength(160);
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

describe('a refusal the core found, as the log prints it', () => {
  let emulator: Emulator;
  beforeAll(async () => {
    emulator = await composeEmulator({ apis: ['speechmatics'], clock: { mode: 'manual' } });
  });
  afterAll(() => emulator?.beginShutdown());

  const bearer = { authorization: 'Bearer test-key' };
  /** The line `serve --log` prints for this request, once the emulator has answered it. */
  async function logged(request: Partial<EmulatorRequest> & { method: string; path: string }, operationId: string | null): Promise<string> {
    const response = await emulator.handle({ query: {}, headers: {}, body: Buffer.alloc(0), ...request });
    return formatExchange(exchange({ method: request.method, url: request.path, path: request.path, status: response.status, response }), { api: 'speechmatics', operationId });
  }

  it('a body the spec refuses: the pointer into it and the rule, where Speechmatics says only that the job was rejected', async () => {
    const form = new FormData();
    form.append('config', JSON.stringify({ transcription_config: { language: 'en' } }));
    form.append('data_file', new Blob([Buffer.from('RIFF')]), 'a.wav');
    const encoded = new Response(form);
    const line = await logged({ method: 'POST', path: '/v2/jobs', headers: { ...bearer, 'content-type': encoded.headers.get('content-type')! }, body: Buffer.from(await encoded.arrayBuffer()) }, 'createJob');
    expect(line).toBe(`09:03:07.042 POST /v2/jobs speechmatics createJob 400 3.3ms  body /config/type: must have required property 'type'`);
  });

  it('a credential: missing or not accepted, and by which scheme, where Speechmatics says Permission Denied to both', async () => {
    expect(await logged({ method: 'GET', path: '/v2/jobs', headers: { authorization: 'Bearer wrong' } }, 'listJobs')).toMatch(/ listJobs 401 3\.3ms  credentials: key not accepted \(bearerAuth\)$/);
    expect(await logged({ method: 'GET', path: '/v2/jobs' }, 'listJobs')).toMatch(/ listJobs 401 3\.3ms  credentials: no credential \(bearerAuth\)$/);
  });

  it('a path that does not decode, and a query parameter out of bounds', async () => {
    expect(await logged({ method: 'GET', path: '/v2/jobs/%ZZ', headers: bearer }, 'getJob')).toMatch(/ getJob 404 3\.3ms  path jobid: is not valid percent-encoding \(RFC 3986\)$/);
    expect(await logged({ method: 'GET', path: '/v2/jobs', query: { limit: '1000' }, headers: bearer }, 'listJobs')).toMatch(/ listJobs 422 3\.3ms  parameters limit: must be <= 100 \(query\)$/);
  });

  it('a method the path does not take, and a path no operation has', async () => {
    expect(await logged({ method: 'DELETE', path: '/v2/jobs', headers: bearer }, null)).toMatch(/ 405 3\.3ms  method: DELETE is not allowed here; the path takes GET, POST$/);
    expect(await logged({ method: 'GET', path: '/v3/nowhere' }, null)).toMatch(/ 404 3\.3ms  route: no operation has this path$/);
  });

  it('a business rule the handler refused by, named by its error', async () => {
    expect(await logged({ method: 'GET', path: '/v2/jobs/nosuchjob', headers: bearer }, 'getJob')).toMatch(/ getJob 404 3\.3ms  handler: jobNotFound$/);
  });
});
