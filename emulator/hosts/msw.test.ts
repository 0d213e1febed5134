// The emulator in-process: msw intercepts an SDK's requests to the vendor's real host and the
// emulator core answers them, with no port opened for it.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { GladiaClient } from '@gladiaio/sdk';
import { BatchClient } from '@speechmatics/batch-client';
import { AssemblyAI } from 'assemblyai';
import { setupServer } from 'msw/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES_DIR } from '../engine/fixtures.ts';
import { createEmulatorHandlers, type InProcessEmulator } from '../compose.ts';

let inProcess: InProcessEmulator;
let server: ReturnType<typeof setupServer>;
beforeAll(async () => {
  inProcess = await createEmulatorHandlers({ apis: ['speechmatics', 'gladia', 'assemblyai'], clock: { mode: 'scaled', timeScale: 100 }, strict: true });
  server = setupServer(...inProcess.handlers);
  server.listen({ onUnhandledRequest: 'bypass' });
});
afterAll(() => {
  server?.close();
  inProcess?.close();
});

describe('speechdouble as msw handlers', () => {
  it('answers the official Speechmatics SDK at the vendor\'s own default URL', async () => {
    const client = new BatchClient({ apiKey: 'test-key', appId: 'speechdouble-tests' });
    const audio = { data: new Blob([new Uint8Array(readFileSync(FIXTURES_DIR + 'en-greeting.16k.wav'))]), fileName: 'greeting.wav' };
    const text = await client.transcribe(audio, { transcription_config: { language: 'en' } }, 'text');
    expect(String(text).trim()).toBe('Good morning, and welcome to the weather report. Will it rain today?');
    const { jobs } = await client.listJobs();
    expect(jobs.map((j) => j.status)).toEqual(['done']);
  }, 30_000);

  it('answers the official Gladia SDK at api.gladia.io: its upload URL is resolved in-process', async () => {
    const gladia = new GladiaClient({ apiKey: 'test-key' }).preRecorded();
    const upload = await gladia.uploadFile(FIXTURES_DIR + 'en-greeting.16k.wav');
    expect(upload.audio_url.startsWith('https://api.gladia.io/file/')).toBe(true);
    const job = await gladia.createAndPoll({ audio_url: upload.audio_url }, { interval: 20 });
    expect(job.result?.transcription?.full_transcript).toBe('Good morning, and welcome to the weather report. Will it rain today?');
  }, 30_000);

  it('answers the official AssemblyAI SDK at api.assemblyai.com', async () => {
    const client = new AssemblyAI({ apiKey: 'test-key' });
    const transcript = await client.transcripts.transcribe({ audio: FIXTURES_DIR + 'en-greeting.16k.wav' }, { pollingInterval: 20 });
    expect([transcript.status, transcript.text]).toEqual(['completed', 'Good morning, and welcome to the weather report. Will it rain today?']);
  }, 30_000);

  it('serves the control API on the vendors\' hosts, not on any host', async () => {
    const health = await fetch('https://api.assemblyai.com/__emulator/health');
    expect(await health.json()).toMatchObject({ status: 'ok', apis: ['speechmatics', 'gladia', 'assemblyai'] });
    await expect(fetch('http://speechdouble.invalid/__emulator/health')).rejects.toThrow();
  });

  it('lets requests that are not the emulator\'s go by', async () => {
    const other = createServer((_req, res) => res.end('the real thing'));
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    try {
      const res = await fetch(`http://127.0.0.1:${(other.address() as AddressInfo).port}/weather`);
      expect(await res.text()).toBe('the real thing');
    } finally {
      other.close();
    }
  });

  it('is importable as speechdouble/msw by plain Node', async () => {
    const script = `
      import { createEmulatorHandlers } from 'speechdouble/msw';
      import { setupServer } from 'msw/node';
      const { handlers, close } = await createEmulatorHandlers({ apis: ['speechmatics'] });
      const server = setupServer(...handlers);
      server.listen();
      const res = await fetch('https://eu1.asr.api.speechmatics.com/v2/jobs', { headers: { authorization: 'Bearer test-key' } });
      console.log(res.status, JSON.stringify(await res.json()));
      server.close();
      close();
    `;
    const cwd = fileURLToPath(new URL('../..', import.meta.url));
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], { cwd });
    expect(stdout.trim()).toBe('200 {"jobs":[]}');
  }, 30_000);
});
