// `startEmulator`, as a test setup file uses it: a real port, plain fetch, the clock moved
// in-process, and the control operations mirrored from the control API.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { BatchClient } from '@speechmatics/batch-client';
import { GladiaClient } from '@gladiaio/sdk';
import { AssemblyAI } from 'assemblyai';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as entry from '../index.ts';
import { EmulatorControlError, serverOf, startEmulator, type RunningEmulator } from './start-emulator.ts';
import { MANUAL_CLOCK_START } from './core/clock.ts';
import { FIXTURES_DIR } from './engine/fixtures.ts';
import { startLoopbackPeer, type LoopbackPeer } from './testing/loopback-peer.ts';

const GREETING = readFileSync(FIXTURES_DIR + 'en-greeting.16k.wav');
const GREETING_TEXT = 'Good morning, and welcome to the weather report. Will it rain today?';

const bearer = (key = 'test-key') => ({ authorization: `Bearer ${key}` });

/** Submits the greeting as a Speechmatics job (it runs 2.474 s of emulated time); resolves with its id. */
async function submit(emu: RunningEmulator, extraConfig: Record<string, unknown> = {}, key?: string): Promise<string> {
  const body = new FormData();
  body.append('config', JSON.stringify({ type: 'transcription', transcription_config: { language: 'en' }, ...extraConfig }));
  body.append('data_file', new Blob([new Uint8Array(GREETING)], { type: 'audio/wav' }), 'greeting.wav');
  const res = await fetch(`${emu.url}/v2/jobs`, { method: 'POST', headers: bearer(key), body });
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

async function jobStatus(emu: RunningEmulator, id: string): Promise<string | number> {
  const res = await fetch(`${emu.url}/v2/jobs/${id}`, { headers: bearer() });
  return res.status === 200 ? ((await res.json()) as { job: { status: string } }).job.status : res.status;
}

const getJson = async (url: string, headers: Record<string, string> = {}) => {
  const res = await fetch(url, { headers });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

describe('startEmulator with the defaults', () => {
  let emu: RunningEmulator;
  beforeAll(async () => {
    emu = await startEmulator({ strict: true });
  });
  afterEach(() => emu.reset());
  afterAll(() => emu?.close());

  it('listens on 127.0.0.1 and a real port, serves every API and answers health', async () => {
    const match = /^http:\/\/127\.0\.0\.1:(\d+)$/.exec(emu.url);
    expect(match).not.toBeNull();
    expect(Number(match![1])).toBeGreaterThan(0);
    const health = await getJson(`${emu.url}/__emulator/health`);
    expect(health).toMatchObject({ status: 200, body: { status: 'ok', apis: ['speechmatics', 'assemblyai', 'gladia', 'cadence', 'stenomatic'] } });
  });

  it('is on a manual clock that starts at the fixed instant, as the control API reports it', async () => {
    expect(emu.clock.mode).toBe('manual');
    const { body } = await getJson(`${emu.url}/__emulator/clock`);
    expect(body).toMatchObject({ mode: 'manual', time_scale: 1 });
    expect(new Date(body.now as string).getTime()).toBe(emu.clock.now().getTime());
    expect(emu.clock.now().getTime()).toBeGreaterThanOrEqual(MANUAL_CLOCK_START.getTime());
  });

  it('finishes a Speechmatics job sent with plain fetch once the clock is advanced, and not before', async () => {
    const id = await submit(emu);
    expect(await jobStatus(emu, id)).toBe('running');
    const before = emu.clock.now().getTime();
    const first = await emu.clock.advance(1);
    expect(first).toEqual({ now: new Date(before + 1000), ran: 0 });
    expect(emu.clock.now().getTime()).toBe(before + 1000);
    expect(await jobStatus(emu, id)).toBe('running');
    const second = await emu.clock.advance(2);
    expect(second.ran).toBeGreaterThanOrEqual(1);
    expect(emu.clock.now().getTime()).toBe(before + 3000);
    // The advance resolved after the job moved on: the very next read sees it done.
    expect(await jobStatus(emu, id)).toBe('done');
    const transcript = await fetch(`${emu.url}/v2/jobs/${id}/transcript?format=txt`, { headers: bearer() });
    expect((await transcript.text()).trim()).toBe(GREETING_TEXT);
  });

  it('moves by exactly the seconds asked, fractions included, and refuses negative or non-finite ones', async () => {
    const before = emu.clock.now().getTime();
    await emu.clock.advance(0.25);
    await emu.clock.advance(86_400);
    expect(emu.clock.now().getTime()).toBe(before + 250 + 86_400_000);
    await expect(emu.clock.advance(-1)).rejects.toThrow(RangeError);
    await expect(emu.clock.advance(Number.NaN)).rejects.toThrow(RangeError);
    await expect(emu.clock.advance(Number.POSITIVE_INFINITY)).rejects.toThrow(RangeError);
    expect(emu.clock.now().getTime()).toBe(before + 250 + 86_400_000);
  });

  it('sets the clock forward to an instant (Date, ISO string or epoch ms), running what falls due, and refuses the past', async () => {
    const id = await submit(emu);
    const start = emu.clock.now().getTime();
    const target = new Date(start + 3_000);
    expect(await emu.clock.set(target)).toMatchObject({ now: target });
    expect(await jobStatus(emu, id)).toBe('done');
    await emu.clock.set(new Date(start + 3_600_123).toISOString());
    expect(emu.clock.now().getTime()).toBe(start + 3_600_123);
    await emu.clock.set(start + 7_200_000);
    expect(emu.clock.now().getTime()).toBe(start + 7_200_000);
    await emu.clock.set(emu.clock.now()); // where it is already: a no-op, not an error

    const now = emu.clock.now();
    await expect(emu.clock.set(new Date(now.getTime() - 1))).rejects.toThrow(/cannot move time back to .* only moves forward/);
    await expect(emu.clock.set(new Date(now.getTime() - 1))).rejects.toBeInstanceOf(RangeError);
    await expect(emu.clock.set('not a date')).rejects.toThrow(RangeError);
    expect(emu.clock.now()).toEqual(now);
  });

  it('clock.forTenant(key) moves that key\'s jobs and time only, as X-Speechdouble-Tenant does', async () => {
    const id = await submit(emu);
    const before = emu.clock.now().getTime();
    const own = emu.clock.forTenant('test-key');
    expect(own.mode).toBe('manual');
    const moved = await own.advance(3);
    expect([moved.now.getTime(), own.now().getTime(), emu.clock.now().getTime()]).toEqual([before + 3000, before + 3000, before]);
    expect(moved.ran).toBeGreaterThanOrEqual(1);
    expect(await jobStatus(emu, id)).toBe('done');
    const { body } = await getJson(`${emu.url}/__emulator/clock`, { 'x-speechdouble-tenant': 'test-key' });
    expect(body).toMatchObject({ scope: 'tenant', ahead_seconds: 3, now: new Date(before + 3000).toISOString() });
    await expect(own.set(before + 1000)).rejects.toThrow(/only moves forward/);
    expect(() => emu.clock.forTenant('')).toThrow(RangeError);
  });

  it('reset() forgets jobs and makes ids repeat; reset(api) only that API', async () => {
    const first = await submit(emu);
    await emu.reset();
    expect(await jobStatus(emu, first)).toBe(404);
    expect(await submit(emu)).toBe(first);
    const gladia = await fetch(`${emu.url}/v2/upload`, { method: 'POST', headers: { 'x-gladia-key': 'test-key' }, body: (() => { const f = new FormData(); f.append('audio', new Blob([new Uint8Array(GREETING)]), 'greeting.wav'); return f; })() });
    expect(gladia.status).toBe(200);
    await emu.reset('gladia');
    expect(await jobStatus(emu, first)).toBe('running');
    await expect(emu.reset('nonsense' as never)).rejects.toMatchObject({ name: 'EmulatorControlError', status: 400 });
  });

  it('requests() lists what the emulated APIs received, oldest first, without control calls', async () => {
    const id = await submit(emu);
    await jobStatus(emu, id);
    await fetch(`${emu.url}/v2/jobs`, { headers: bearer('wrong-key') });
    await emu.callbacks();
    const requests = await emu.requests();
    expect(requests.map((r) => [r.method, r.path, r.status, r.api, r.operation_id])).toEqual([
      ['POST', '/v2/jobs', 201, 'speechmatics', 'createJob'],
      ['GET', `/v2/jobs/${id}`, 200, 'speechmatics', 'getJob'],
      ['GET', '/v2/jobs', 401, 'speechmatics', 'listJobs'],
    ]);
    expect(requests[0]!.body).toMatchObject({ content_type: expect.stringMatching(/^multipart\/form-data/), bytes: expect.any(Number) });
    expect((await emu.requests({ limit: 1 })).map((r) => r.path)).toEqual(['/v2/jobs']);
    expect(await emu.requests({ api: 'gladia' })).toEqual([]);
    await expect(emu.requests({ limit: 0 })).rejects.toBeInstanceOf(EmulatorControlError);
    await expect(emu.requests({ limit: 0 })).rejects.toThrow(/limit must be a whole number/);
  });

  it('a fault added with faults.add() answers the next request, and faults.clear() removes it', async () => {
    const fault = await emu.faults.add({ match: { api: 'speechmatics', method: 'GET', path: '/v2/jobs' }, response: { status: 503, headers: { 'retry-after': '1' }, body: { code: 503, error: 'Service Unavailable' } } });
    expect(fault).toMatchObject({ id: expect.stringMatching(/^fault_/), delay_ms: 0, drop_connection: false, times: null, remaining: null });
    const failed = await fetch(`${emu.url}/v2/jobs`, { headers: bearer() });
    expect([failed.status, failed.headers.get('retry-after'), await failed.json()]).toEqual([503, '1', { code: 503, error: 'Service Unavailable' }]);
    expect((await emu.faults.list()).map((f) => f.id)).toEqual([fault.id]);

    await emu.faults.clear();
    expect(await emu.faults.list()).toEqual([]);
    expect((await fetch(`${emu.url}/v2/jobs`, { headers: bearer() })).status).toBe(200);
  });

  it('a fault with `times` retires after that many requests; a malformed fault is refused with the control API\'s message', async () => {
    const added = await emu.faults.add({ match: { path: '/v2/jobs/*' }, response: { status: 500 }, times: 1 });
    expect(added.remaining).toBe(1);
    expect((await fetch(`${emu.url}/v2/jobs/abc`, { headers: bearer() })).status).toBe(500);
    expect(added.remaining).toBe(1); // a copy, as the control API answered it
    expect((await fetch(`${emu.url}/v2/jobs/abc`, { headers: bearer() })).status).toBe(404);
    expect(await emu.faults.list()).toEqual([]);
    const refused = await emu.faults.add({ match: {} } as never).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(EmulatorControlError);
    expect(refused).toMatchObject({ status: 400, code: 'bad_request' });
  });
});

describe('callbacks()', () => {
  let emu: RunningEmulator;
  let peer: LoopbackPeer;
  beforeAll(async () => {
    [emu, peer] = await Promise.all([startEmulator({ apis: ['speechmatics'] }), startLoopbackPeer({})]);
  });
  afterAll(async () => {
    await emu?.close();
    await peer?.close();
  });

  it('sees a notification sent to a loopback receiver, and filters by API and URL', async () => {
    const hook = `${peer.url}/hooks/speechmatics`;
    const id = await submit(emu, { notification_config: [{ url: hook, contents: ['transcript.txt'] }] });
    expect(await emu.callbacks()).toEqual([]);
    await emu.clock.advance(3);
    expect(peer.received).toHaveLength(1);
    const callbacks = await emu.callbacks();
    expect(callbacks).toHaveLength(1);
    expect(callbacks[0]).toMatchObject({ api: 'speechmatics', resource_id: id, attempt: 1, method: 'POST', status: 200, error: null });
    expect(callbacks[0]!.url).toBe(`${hook}?id=${id}&status=success`);
    expect(await emu.callbacks({ api: 'speechmatics', url: callbacks[0]!.url })).toHaveLength(1);
    expect(await emu.callbacks({ url: hook })).toEqual([]);
    expect(await emu.callbacks({ api: 'gladia' })).toEqual([]);
  });
});

describe('options', () => {
  const running: RunningEmulator[] = [];
  const start = async (...args: Parameters<typeof startEmulator>) => {
    const emu = await startEmulator(...args);
    running.push(emu);
    return emu;
  };
  afterAll(() => Promise.all(running.map((emu) => emu.close())));

  it('apis: serves only the APIs named', async () => {
    const emu = await start({ apis: ['cadence'] });
    expect((await getJson(`${emu.url}/__emulator/health`)).body.apis).toEqual(['cadence']);
    expect((await fetch(`${emu.url}/v2/jobs`, { headers: bearer() })).status).toBe(404);
    expect((await fetch(`${emu.url}/api/1.1/obj/language`)).status).toBe(200);
  });

  it('apiKeys and anyKey: which keys are accepted', async () => {
    const listed = await start({ apis: ['speechmatics'], apiKeys: ['team-key'] });
    expect((await fetch(`${listed.url}/v2/jobs`, { headers: bearer('team-key') })).status).toBe(200);
    expect((await fetch(`${listed.url}/v2/jobs`, { headers: bearer('test-key') })).status).toBe(200);
    expect((await fetch(`${listed.url}/v2/jobs`, { headers: bearer('stranger') })).status).toBe(401);
    const any = await start({ apis: ['speechmatics'], anyKey: true });
    expect((await fetch(`${any.url}/v2/jobs`, { headers: bearer('stranger') })).status).toBe(200);
  });

  it('settings: an API\'s settings apply, and a bad one makes startEmulator reject', async () => {
    const emu = await start({ apis: ['speechmatics'], settings: { speechmatics: { processing: 'seconds:10' } } });
    const id = await submit(emu);
    await emu.clock.advance(9.999);
    expect(await jobStatus(emu, id)).toBe('running');
    await emu.clock.advance(0.001);
    expect(await jobStatus(emu, id)).toBe('done');
    await expect(startEmulator({ settings: { speechmatics: { 'no-such-setting': 1 } } })).rejects.toThrow(/speechmatics has no setting "no-such-setting"/);
    await expect(startEmulator({ apis: ['nope' as never] })).rejects.toThrow(/no API is called nope/);
  });

  it('seed: the same seed gives the same ids, another seed others', async () => {
    const [a, b, c] = await Promise.all([start({ apis: ['speechmatics'], seed: 7 }), start({ apis: ['speechmatics'], seed: 7 }), start({ apis: ['speechmatics'] })]);
    const [idA, idB, idC] = await Promise.all([submit(a!), submit(b!), submit(c!)]);
    expect(idA).toBe(idB);
    expect(idA).not.toBe(idC);
  });

  it('clock: real, and scaled with { timeScale }', async () => {
    const real = await start({ apis: ['cadence'], clock: 'real' });
    expect(real.clock.mode).toBe('real');
    expect(Math.abs(real.clock.now().getTime() - Date.now())).toBeLessThan(5_000);
    const scaled = await start({ apis: ['cadence'], clock: { timeScale: 100 } });
    expect(scaled.clock.mode).toBe('scaled');
    expect((await getJson(`${scaled.url}/__emulator/clock`)).body).toMatchObject({ mode: 'scaled', time_scale: 100 });
    const msw = await start({ apis: ['cadence'], clock: { mode: 'manual' } });
    expect(msw.clock.mode).toBe('manual');
    expect(msw.clock.now()).toEqual(MANUAL_CLOCK_START);
    // A real clock can be set forward too: it lands there and keeps running.
    const ahead = new Date(Date.now() + 86_400_000);
    await real.clock.set(ahead);
    expect(real.clock.now().getTime() - ahead.getTime()).toBeGreaterThanOrEqual(0);
    expect(real.clock.now().getTime() - ahead.getTime()).toBeLessThan(5_000);
  });

  it('refuses options that cannot be right before opening a port', async () => {
    await expect(startEmulator({ port: 70_000 })).rejects.toThrow(/a port is an integer from 0 to 65535/);
    await expect(startEmulator({ seed: -1 })).rejects.toThrow(/a seed is a whole number/);
    await expect(startEmulator({ clock: { timeScale: 0 } })).rejects.toThrow(/a time scale is a number greater than 0/);
    await expect(startEmulator({ clock: 'fast' as never })).rejects.toThrow(/clock must be 'manual', 'real' or \{ timeScale: N \}/);
  });

  it('dataDir: an emulator started again on the directory has the jobs, clock and ids the last one had', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'sd-data-'));
    try {
      const first = await startEmulator({ apis: ['speechmatics'], dataDir });
      const running = await submit(first);
      const finished = await submit(first);
      await first.clock.advance(1);
      await first.close();
      const again = await start({ apis: ['speechmatics'], dataDir });
      expect(again.clock.now().getTime()).toBe(MANUAL_CLOCK_START.getTime() + 1000);
      expect(await jobStatus(again, running)).toBe('running');
      await again.clock.advance(60);
      expect([await jobStatus(again, running), await jobStatus(again, finished)]).toEqual(['done', 'done']);
      // The next id is the one the first emulator would have given next, not the seed's first again.
      const next = await submit(again);
      expect([running, finished]).not.toContain(next);
      // One emulator at a time on a directory; then only under the settings it was made with.
      await expect(startEmulator({ apis: ['speechmatics'], dataDir })).rejects.toThrow(/is in use by another emulator \(process \d+, this one\)/);
      await again.close();
      await expect(startEmulator({ apis: ['speechmatics'], dataDir, seed: 9 })).rejects.toThrow(/was made with other settings \(seed: 1 there, 9 now\)/);
      const third = await start({ apis: ['speechmatics'], dataDir });
      expect(await jobStatus(third, next)).toBe('running');
      await expect(startEmulator({ dataDir: '' })).rejects.toThrow(/dataDir must be a non-empty string/);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('two emulators side by side: different ports, separate state and clocks', async () => {
    const [a, b] = await Promise.all([start({ apis: ['speechmatics'] }), start({ apis: ['speechmatics'] })]);
    expect(a.url).not.toBe(b.url);
    const id = await submit(a);
    expect(await jobStatus(a, id)).toBe('running');
    expect(await jobStatus(b, id)).toBe(404);
    await a.clock.advance(60);
    expect(a.clock.now().getTime() - b.clock.now().getTime()).toBe(60_000);
    expect(await jobStatus(a, id)).toBe('done');
    expect(await b.requests()).toHaveLength(1);
  });
});

describe('close()', () => {
  it('stops serving, removes the temporary files, is harmless twice, and releases the port', async () => {
    const emu = await startEmulator({ apis: ['speechmatics'] });
    const port = Number(new URL(emu.url).port);
    await submit(emu);
    const files = serverOf.get(emu)!.emulator.files.list();
    expect(files.length).toBeGreaterThan(0);
    const dir = dirname(files[0]!);
    expect(existsSync(dir)).toBe(true);

    await emu.close();
    await emu.close();
    expect(existsSync(dir)).toBe(false);
    await expect(fetch(`${emu.url}/__emulator/health`)).rejects.toThrow();
    await expect(emu.clock.advance(1)).rejects.toThrow(/after close\(\)/);
    await expect(emu.requests()).rejects.toThrow(/after close\(\)/);

    // The port is free again: something else can listen on it.
    const other = createServer();
    await new Promise<void>((resolve, reject) => other.once('error', reject).listen(port, '127.0.0.1', resolve));
    await new Promise<void>((resolve) => other.close(() => resolve()));
  });

  it('does not hang on a request that waits on the stopped manual clock', async () => {
    const emu = await startEmulator({ apis: ['speechmatics'] });
    await emu.faults.add({ match: { path: '/v2/jobs' }, delay_ms: 60_000 });
    const stuck = fetch(`${emu.url}/v2/jobs`, { headers: bearer() });
    stuck.catch(() => {}); // seen below
    // Wait (event-loop turns, no timer) until the request reached the emulator and the fault's
    // delay is pending on the clock, which close() stops.
    while (serverOf.get(emu)!.emulator.clock.pending() === 0) await new Promise((resolve) => setImmediate(resolve));
    await emu.close();
    await expect(stuck).rejects.toThrow();
  });
});

// The examples of docs/programmatic-api.md ("Pointing an official SDK at emu.url"), as written there.
describe('the official SDKs pointed at emu.url, on the manual clock', () => {
  let emu: RunningEmulator;
  beforeAll(async () => {
    emu = await startEmulator({ apis: ['speechmatics', 'gladia', 'assemblyai'], strict: true });
  });
  afterAll(() => emu?.close());

  it('Speechmatics @speechmatics/batch-client', async () => {
    const client = new BatchClient({ apiKey: 'test-key', apiUrl: emu.url, appId: 'my-tests' });
    const { id } = await client.createTranscriptionJob({ data: new Blob([new Uint8Array(GREETING)]), fileName: 'greeting.wav' }, { transcription_config: { language: 'en' } });
    await emu.clock.advance(60);
    expect((await client.getJobResult(id, 'text')).trim()).toBe(GREETING_TEXT);
  });

  it('Gladia @gladiaio/sdk, with its poll() started before the clock moves', async () => {
    const gladia = new GladiaClient({ apiKey: 'test-key', apiUrl: emu.url }).preRecorded();
    const { audio_url } = await gladia.uploadFile(FIXTURES_DIR + 'en-greeting.16k.wav');
    const { id } = await gladia.create({ audio_url });
    const polled = gladia.poll(id, { interval: 10, timeout: 10_000 });
    await emu.clock.advance(60);
    expect((await polled).result?.transcription?.full_transcript).toBe(GREETING_TEXT);
  });

  it('AssemblyAI assemblyai', async () => {
    const aai = new AssemblyAI({ apiKey: 'test-key', baseUrl: emu.url });
    const submitted = await aai.transcripts.submit({ audio: FIXTURES_DIR + 'en-greeting.16k.wav' });
    await emu.clock.advance(60);
    expect(await aai.transcripts.get(submitted.id)).toMatchObject({ status: 'completed', text: GREETING_TEXT });
  });
});

describe('the package entry (index.ts)', () => {
  it('exports startEmulator and the error class', () => {
    expect(entry.startEmulator).toBe(startEmulator);
    expect(entry.EmulatorControlError).toBe(EmulatorControlError);
  });
});
