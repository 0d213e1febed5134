// Which requests the msw handlers answer: the served vendors' real hosts (from each spec's
// first server) and the base URLs the caller names, nothing else; and the in-process clock
// and reset controls.
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setupServer } from 'msw/node';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ApiName } from '../../openapi/specs.ts';
import { FIXTURES_DIR } from '../engine/fixtures.ts';
import { createEmulatorHandlers, type InProcessEmulator } from '../compose.ts';

const GREETING = readFileSync(FIXTURES_DIR + 'en-greeting.16k.wav');
const bearer = { authorization: 'Bearer test-key' };

// One msw server for the file; each block installs its emulator's handlers. A request no
// handler matches is recorded and, unless it is for the loopback backend, fails (msw's "error").
const server = setupServer();
const unhandled: string[] = [];
let backend: Server;
let backendUrl: string;
const backendSaw: string[] = [];

beforeAll(async () => {
  backend = createServer((req, res) => {
    backendSaw.push(`${req.method} ${req.url}`);
    res.end('my own backend');
  });
  await new Promise<void>((resolve) => backend.listen(0, '127.0.0.1', resolve));
  backendUrl = `http://127.0.0.1:${(backend.address() as AddressInfo).port}`;
  server.listen({
    onUnhandledRequest(request, print) {
      unhandled.push(`${request.method} ${request.url}`);
      if (new URL(request.url).hostname !== '127.0.0.1') print.error();
    },
  });
});
afterAll(async () => {
  server.close();
  await new Promise((resolve) => backend?.close(resolve));
});
beforeEach(() => {
  unhandled.length = 0;
  backendSaw.length = 0;
});

async function use(options: Parameters<typeof createEmulatorHandlers>[0]): Promise<InProcessEmulator> {
  const inProcess = await createEmulatorHandlers(options);
  server.resetHandlers(...inProcess.handlers);
  return inProcess;
}

/** A request msw has no handler for: msw's "error" strategy reports it and the fetch rejects. */
async function expectUnhandled(url: string, init: RequestInit = {}) {
  const report = vi.spyOn(console, 'error').mockImplementation(() => {});
  try {
    await expect(fetch(url, init)).rejects.toThrow();
    expect(report.mock.calls.flat().join(' ')).toMatch(/without a matching request handler/);
  } finally {
    report.mockRestore();
  }
  expect(unhandled).toContain(`${init.method ?? 'GET'} ${url}`);
}

describe('every API, plus a base URL of the caller\'s', () => {
  let inProcess: InProcessEmulator;
  beforeAll(async () => {
    inProcess = await use({ baseUrls: [backendUrl + '/speech/'], clock: { mode: 'manual' } });
  });
  afterAll(() => inProcess?.close());

  it('lists the vendors\' hosts, every Speechmatics region expanded, then the caller\'s base URL', () => {
    expect(inProcess.baseUrls).toEqual([
      'https://eu1.asr.api.speechmatics.com',
      'https://eu2.asr.api.speechmatics.com',
      'https://us1.asr.api.speechmatics.com',
      'https://us2.asr.api.speechmatics.com',
      'https://au1.asr.api.speechmatics.com',
      'https://asr.api.speechmatics.com',
      'https://api.assemblyai.com',
      'https://api.gladia.io',
      'https://cadence2.bubbleapps.io/version-test',
      'https://api.stenomatic.ai',
      'https://dev.api.stenomatic.ai',
      backendUrl + '/speech',
    ]);
    expect(inProcess.handlers).toHaveLength(12);
  });

  it('answers Gladia at api.gladia.io', async () => {
    const res = await fetch('https://api.gladia.io/v2/pre-recorded', { headers: { 'x-gladia-key': 'test-key' } });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ items: [] });
    const unauthenticated = await fetch('https://api.gladia.io/v2/pre-recorded');
    expect(unauthenticated.status).toBe(401);
    expect(unhandled).toEqual([]);
  });

  it('answers Speechmatics in every region of its spec\'s server variable, and at its SDKs\' region-less default', async () => {
    for (const host of ['eu1.asr', 'us2.asr', 'au1.asr', 'asr']) {
      const res = await fetch(`https://${host}.api.speechmatics.com/v2/jobs`, { headers: bearer });
      expect([host, res.status, await res.json()]).toEqual([host, 200, { jobs: [] }]);
    }
    await expectUnhandled('https://xx9.asr.api.speechmatics.com/v2/jobs');
  });

  it('answers Cadence under the Bubble host\'s /version-test, and only there', async () => {
    const res = await fetch('https://cadence2.bubbleapps.io/version-test/api/1.1/obj/language', { headers: bearer });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ response: { results: expect.any(Array) } });
    // An unknown path in Cadence's Data API namespace is Cadence's own 404, as on Bubble.
    expect((await fetch('https://cadence2.bubbleapps.io/version-test/api/1.1/obj/nothing', { headers: bearer })).status).toBe(404);
    expect(unhandled).toEqual([]);
    await expectUnhandled('https://cadence2.bubbleapps.io/api/1.1/obj/language');
  });

  it('leaves the Twilio add-on off the Bubble host: its only server is the emulator\'s own address', async () => {
    await expectUnhandled('https://cadence2.bubbleapps.io/version-test/cadence/twilio', { method: 'POST' });
    const res = await fetch(backendUrl + '/speech/cadence/twilio', { method: 'POST' });
    expect(res.status).toBe(401);
    expect(backendSaw).toEqual([]);
  });

  it('answers only the host\'s own API there: a Speechmatics path on api.gladia.io is not the emulator\'s', async () => {
    await expectUnhandled('https://api.gladia.io/v2/jobs');
    await expectUnhandled('https://api.gladia.io/v2/live', { method: 'POST' });
  });

  it('answers AssemblyAI and Stenomatic at their hosts', async () => {
    const assemblyai = await fetch('https://api.assemblyai.com/v2/transcript', { headers: { authorization: 'test-key' } });
    expect([assemblyai.status, (await assemblyai.json()).transcripts]).toEqual([200, []]);
    const stenomatic = await fetch('https://api.stenomatic.ai/v1/clients', { headers: bearer });
    expect(stenomatic.status).toBe(200);
    expect(unhandled).toEqual([]);
  });

  it('does not answer other hosts: my own backend is not the emulator', async () => {
    await expectUnhandled('http://my-own-backend.invalid/v2/jobs', { headers: bearer });
    const res = await fetch(backendUrl + '/v2/jobs', { headers: bearer });
    expect(await res.text()).toBe('my own backend');
    expect(backendSaw).toEqual(['GET /v2/jobs']);
  });

  it('answers everything under the caller\'s base URL, prefix removed, and nothing beside it', async () => {
    const jobs = await fetch(backendUrl + '/speech/v2/jobs', { headers: bearer });
    expect([jobs.status, await jobs.json()]).toEqual([200, { jobs: [] }]);
    const unknown = await fetch(backendUrl + '/speech/v9/nothing');
    expect(unknown.status).toBe(404);
    expect((await unknown.json()).message).toMatch(/No emulated API serves GET \/v9\/nothing/);
    const health = await fetch(backendUrl + '/speech/__emulator/health');
    expect(await health.json()).toMatchObject({ status: 'ok' });
    expect(backendSaw).toEqual([]);
    // A sibling path is not under the prefix.
    expect(await (await fetch(backendUrl + '/speechless')).text()).toBe('my own backend');
    expect(backendSaw).toEqual(['GET /speechless']);
  });

  it('hands out URLs under the base URL it was called at', async () => {
    const body = new FormData();
    body.append('audio', new Blob([new Uint8Array(GREETING)], { type: 'audio/wav' }), 'greeting.wav');
    const upload = await fetch(backendUrl + '/speech/v2/upload', { method: 'POST', headers: { 'x-gladia-key': 'test-key' }, body });
    expect(upload.status).toBe(200);
    const { audio_url } = await upload.json();
    const created = await fetch(backendUrl + '/speech/v2/pre-recorded', { method: 'POST', headers: { 'x-gladia-key': 'test-key', 'content-type': 'application/json' }, body: JSON.stringify({ audio_url }) });
    expect(created.status).toBe(201);
    const { result_url } = await created.json();
    expect(result_url).toMatch(new RegExp(`^${backendUrl}/speech/v2/pre-recorded/`));
    expect((await fetch(result_url, { headers: { 'x-gladia-key': 'test-key' } })).status).toBe(200);
    await inProcess.reset();
  });
});

describe('only the APIs being served get their hosts', () => {
  let inProcess: InProcessEmulator;
  beforeAll(async () => {
    inProcess = await use({ apis: ['gladia'] });
  });
  afterAll(() => inProcess?.close());

  it('answers api.gladia.io and leaves Speechmatics\' hosts alone', async () => {
    expect(inProcess.baseUrls).toEqual(['https://api.gladia.io']);
    expect(inProcess.handlers).toHaveLength(1);
    expect((await fetch('https://api.gladia.io/v2/pre-recorded', { headers: { 'x-gladia-key': 'test-key' } })).status).toBe(200);
    await expectUnhandled('https://eu1.asr.api.speechmatics.com/v2/jobs', { headers: bearer });
  });

  it('serves the control API on the vendor\'s host too', async () => {
    const health = await fetch('https://api.gladia.io/__emulator/health');
    expect(await health.json()).toMatchObject({ status: 'ok', apis: ['gladia'] });
  });
});

describe('refuses a base URL that is not one', () => {
  it.each(['localhost:9999', 'ftp://example.test', 'https://example.test/?q=1', 'not a url'])('%s', async (url) => {
    await expect(createEmulatorHandlers({ baseUrls: [url] })).rejects.toThrow(/baseUrls/);
  });
});

describe('the clock and reset, in-process', () => {
  let inProcess: InProcessEmulator;
  beforeAll(async () => {
    inProcess = await use({ apis: ['speechmatics'], clock: { mode: 'manual' } });
  });
  afterAll(() => inProcess?.close());

  const JOBS = 'https://eu1.asr.api.speechmatics.com/v2/jobs';

  async function submit(): Promise<string> {
    const body = new FormData();
    body.append('config', JSON.stringify({ type: 'transcription', transcription_config: { language: 'en' } }));
    body.append('data_file', new Blob([new Uint8Array(GREETING)], { type: 'audio/wav' }), 'greeting.wav');
    const res = await fetch(JOBS, { method: 'POST', headers: bearer, body });
    expect(res.status).toBe(201);
    return (await res.json()).id;
  }
  const status = async (id: string) => (await (await fetch(`${JOBS}/${id}`, { headers: bearer })).json()).job.status;

  it('is the emulator\'s own clock: manual, so it stands still until moved', async () => {
    expect(inProcess.clock.mode).toBe('manual');
    const start = inProcess.clock.now();
    expect(inProcess.clock.now()).toEqual(start);
    expect(inProcess.clock.now()).toEqual(inProcess.emulator.clock.now());
  });

  it('advance runs the work that falls due before it resolves: a job finishes', async () => {
    const id = await submit();
    expect(await status(id)).toBe('running');
    const before = inProcess.clock.now().getTime();
    const { now, ran } = await inProcess.clock.advance(60);
    expect(ran).toBeGreaterThan(0);
    expect(now.getTime()).toBe(before + 60_000);
    expect(inProcess.clock.now()).toEqual(now);
    expect(await status(id)).toBe('done');
  });

  it('set moves the clock forward to a date, running what falls due, and refuses the past', async () => {
    const id = await submit();
    const target = new Date(inProcess.clock.now().getTime() + 3_600_000);
    expect((await inProcess.clock.set(target.toISOString())).now).toEqual(target);
    expect(inProcess.clock.now()).toEqual(target);
    expect(await status(id)).toBe('done');
    await expect(inProcess.clock.set(new Date(target.getTime() - 1))).rejects.toThrow(RangeError);
    await expect(inProcess.clock.advance(-1)).rejects.toThrow(RangeError);
    expect(inProcess.clock.now()).toEqual(target);
  });

  it('reset forgets every job; the clock keeps its time', async () => {
    const id = await submit();
    const now = inProcess.clock.now();
    await inProcess.reset();
    expect((await fetch(`${JOBS}/${id}`, { headers: bearer })).status).toBe(404);
    expect(await (await fetch(JOBS, { headers: bearer })).json()).toEqual({ jobs: [] });
    expect(inProcess.clock.now()).toEqual(now);
  });

  it('reset(api) forgets one API\'s state, and refuses a name that is no API', async () => {
    const id = await submit();
    await inProcess.reset('speechmatics');
    expect((await fetch(`${JOBS}/${id}`, { headers: bearer })).status).toBe(404);
    await expect(inProcess.reset('nonesuch' as ApiName)).rejects.toThrow(/reset\("nonesuch"\) was refused \(400\)/);
  });

  it('keeps today\'s default: a real clock when none is given', async () => {
    const realTime = await createEmulatorHandlers({ apis: ['gladia'] });
    try {
      expect(realTime.clock.mode).toBe('real');
      expect(Math.abs(realTime.clock.now().getTime() - Date.now())).toBeLessThan(5_000);
    } finally {
      realTime.close();
    }
  });

  it('refuses its controls once closed', async () => {
    const closing = await createEmulatorHandlers({ apis: ['gladia'], clock: { mode: 'manual' } });
    closing.close();
    await expect(closing.clock.advance(1)).rejects.toThrow(/after close\(\)/);
    await expect(closing.reset()).rejects.toThrow(/after close\(\)/);
  });
});
