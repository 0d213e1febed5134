// What the command line says of every request, as the recording client applies it: extra
// headers, the per-request timeout, the rate, and the stop signal (in-flight requests aborted,
// later ones refused, the clean-up let through within its budget).
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRecordingClient } from './client.ts';
import { SkipStep } from './scenario.ts';
import type { Exchange, OperationTarget } from './types.ts';

const op: OperationTarget = { api: 'speechmatics', operationId: 'listJobs', method: 'GET', path: '/v2/jobs', pointer: '#/paths/~1v2~1jobs/get' };
const seen: Array<{ url: string; headers: IncomingHttpHeaders; at: number }> = [];
let server: Server;
let base: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push({ url: req.url ?? '', headers: req.headers, at: Date.now() });
    if (req.url?.startsWith('/hang')) return;
    res.end('ok');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});

describe('the recording client', () => {
  it('adds -H headers to every request; a header the request sets itself keeps its value', async () => {
    const client = createRecordingClient(base, { timeoutMs: 2000, headers: { 'X-Env': 'staging', Authorization: 'Bearer from-H' } });
    const exchange = await client.send(op, { method: 'GET', path: '/one', headers: { authorization: 'Bearer own' } }, 'step');
    expect(seen.at(-1)!.headers).toMatchObject({ 'x-env': 'staging', authorization: 'Bearer own' });
    expect(exchange.request.headers).toEqual({ 'X-Env': 'staging', authorization: 'Bearer own' });
  });

  it('ends a request at its timeout, saying so', async () => {
    const client = createRecordingClient(base, { timeoutMs: 200 });
    const started = Date.now();
    const exchange = await client.send(op, { method: 'GET', path: '/hang' }, 'step');
    expect(Date.now() - started).toBeLessThan(1500);
    expect(exchange.error).toBe('timed out after 0.2 s (--request-timeout)');
  });

  it('starts requests no faster than the rate, in the order they were asked for', async () => {
    const client = createRecordingClient(base, { timeoutMs: 2000, ratePerSecond: 20 });
    const before = seen.length;
    await Promise.all(['/a', '/b', '/c', '/d'].map((path) => client.send(op, { method: 'GET', path }, 'step')));
    const mine = seen.slice(before);
    expect(mine.map((r) => r.url)).toEqual(['/a', '/b', '/c', '/d']);
    expect(mine.at(-1)!.at - mine[0]!.at).toBeGreaterThanOrEqual(3 * 50 - 20);
  });

  it('on a stop, aborts the request in flight and refuses the next; the clean-up sends again, within its budget', async () => {
    const stop = new AbortController();
    const observed: Exchange[] = [];
    const client = createRecordingClient(base, { timeoutMs: 5000, signal: stop.signal, cleanupBudgetMs: 300, observe: (e) => void observed.push(e) });
    await client.send(op, { method: 'GET', path: '/before' }, 'step');
    const inFlight = client.send(op, { method: 'GET', path: '/hang' }, 'step');
    setTimeout(() => stop.abort('interrupted'), 50);
    const started = Date.now();
    await expect(inFlight).rejects.toEqual(new SkipStep('aborted: interrupted'));
    expect(Date.now() - started).toBeLessThan(1000);
    await expect(client.send(op, { method: 'GET', path: '/after' }, 'step')).rejects.toBeInstanceOf(SkipStep);
    expect(observed.map((e) => new URL(e.request.url).pathname)).toEqual(['/before']);

    client.cleanUp();
    expect((await client.send(op, { method: 'GET', path: '/cleanup' }, 'cleanup')).response?.status).toBe(200);
    await expect(client.send(op, { method: 'GET', path: '/hang' }, 'cleanup')).rejects.toEqual(new SkipStep('aborted: the clean-up ran out of time'));
    await expect(client.send(op, { method: 'GET', path: '/late' }, 'cleanup')).rejects.toEqual(new SkipStep('the clean-up ran out of time (0.3 s after the run stopped)'));
  });
});
