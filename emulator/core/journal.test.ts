import { describe, expect, it } from 'vitest';
import { createJournal } from './journal.ts';
import type { EmulatorRequest } from './http-types.ts';

const request = (path: string, body = ''): EmulatorRequest => ({ method: 'POST', path, query: {}, headers: { 'content-type': 'application/json' }, body: Buffer.from(body) });
const match = { api: 'speechmatics', operationId: 'createJob' };

describe('the request journal', () => {
  it('keeps the newest entries, oldest first, once it is full', () => {
    const journal = createJournal(3);
    for (let i = 1; i <= 7; i++) journal.record(request(`/r${i}`), new Date(Date.UTC(2026, 0, 5, 9, 0, i)), match, 200, 1);
    const entries = journal.entries({});
    expect(entries.map((e) => [e.id, e.path, e.received_at])).toEqual([
      ['req_0005', '/r5', '2026-01-05T09:00:05.000Z'],
      ['req_0006', '/r6', '2026-01-05T09:00:06.000Z'],
      ['req_0007', '/r7', '2026-01-05T09:00:07.000Z'],
    ]);
    expect(journal.entries({ limit: 2 }).map((e) => e.path)).toEqual(['/r6', '/r7']);
  });

  it('filters by API before the limit, and starts again after a reset', () => {
    const journal = createJournal(10);
    journal.record(request('/a'), new Date(0), match, 200, 1);
    journal.record(request('/b'), new Date(0), { api: 'gladia', operationId: null }, 404, 1);
    journal.record(request('/c'), new Date(0), match, 201, 1);
    expect(journal.entries({ api: 'speechmatics', limit: 1 }).map((e) => e.path)).toEqual(['/c']);
    journal.reset();
    expect(journal.entries({})).toEqual([]);
    journal.record(request('/d'), new Date(0), match, 200, 1);
    expect(journal.entries({})[0]!.id).toBe('req_0001');
  });

  it('shows each request as it came, however compactly it is kept', () => {
    const journal = createJournal();
    const headers = { host: 'localhost', authorization: 'Bearer k', 'content-type': 'application/json', 'x-n': '1' };
    journal.record({ method: 'GET', path: '/v2/jobs', query: {}, headers, body: Buffer.alloc(0) }, new Date(0), match, 200, 1.25);
    journal.record({ method: 'GET', path: '/v2/jobs', query: { limit: '5', tag: ['a', 'b'] }, headers: { ...headers, 'x-n': '2' }, body: Buffer.alloc(0) }, new Date(1), { api: null, operationId: null }, 404, 2);
    const [first, second] = journal.entries({});
    expect(first).toMatchObject({ method: 'GET', path: '/v2/jobs', query: {}, headers, api: 'speechmatics', operation_id: 'createJob', status: 200, duration_ms: 1.25 });
    expect(Object.keys(first!.headers)).toEqual(['host', 'authorization', 'content-type', 'x-n']);
    expect(second).toMatchObject({ query: { limit: '5', tag: ['a', 'b'] }, headers: { ...headers, 'x-n': '2' }, api: null, operation_id: null, status: 404 });
    expect(first!.query).not.toBe(second!.query);
  });

  it('summarises the body: its size, its sha256 and a preview, without keeping it', () => {
    const journal = createJournal();
    journal.record(request('/x', '{"a":1}'), new Date(0), match, 200, 1);
    journal.record(request('/y'), new Date(0), match, 200, 1);
    const [withBody, empty] = journal.entries({});
    expect(withBody!.body).toEqual({ content_type: 'application/json', bytes: 7, sha256: '015abd7f5cc57a2dd94b7590f04ad8084273905ee33ec5cebeae62276a97f862', preview: '{"a":1}' });
    expect(empty!.body.sha256).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(Object.keys(withBody!)).not.toContain('stream');
  });
});
