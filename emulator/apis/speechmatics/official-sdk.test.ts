// The official Speechmatics JS SDK against the emulator on a real port, with emulated time
// running 100 times faster, as a team would use it in CI. The SDK validates every response
// with its own schemas (zod), so this also checks our answers the way the vendor's code does.
import { readFileSync } from 'node:fs';
import { BatchClient, SpeechmaticsResponseError } from '@speechmatics/batch-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../compose.ts';
import { FIXTURES_DIR } from '../../engine/fixtures.ts';

const GREETING_TEXT = 'Good morning, and welcome to the weather report. Will it rain today?';

let server: RunningServer;
let client: BatchClient;
beforeAll(async () => {
  // Jobs run for 5x their audio's length (a 12 s call: 0.6 s of real time at 100x), so the
  // test can still catch one running however busy the machine is; the SDK polls every 3 s anyway.
  server = await startServer({ host: '127.0.0.1', port: 0, apis: ['speechmatics'], clock: { mode: 'scaled', timeScale: 100 }, strict: true, settings: { speechmatics: { processing: 'share:5' } } });
  client = new BatchClient({ apiKey: 'test-key', apiUrl: server.url, appId: 'speechdouble-tests' });
});
afterAll(() => server?.close());

describe('@speechmatics/batch-client 5.1.0', () => {
  it('submits, polls until done, and reads json-v2, text and srt; lists and deletes', async () => {
    const audio = { data: new Blob([new Uint8Array(readFileSync(FIXTURES_DIR + 'en-greeting.16k.wav'))]), fileName: 'greeting.wav' };
    const transcript = await client.transcribe(audio, { transcription_config: { language: 'en' } }, 'json-v2');
    if (typeof transcript === 'string') throw new Error('asked for json-v2');
    expect(transcript.results.map((r) => r.alternatives?.[0]?.content).join(' ').replace(/ ([.,?])/g, '$1')).toBe(GREETING_TEXT);

    const { jobs } = await client.listJobs({ limit: 10 });
    expect(jobs).toHaveLength(1);
    const id = jobs[0]!.id;
    expect(jobs[0]!.status).toBe('done');
    expect((await client.getJobResult(id, 'text')).trim()).toBe(GREETING_TEXT);
    expect(await client.getJobResult(id, 'srt')).toMatch(/^1\n00:00:00,\d{3} --> /);

    expect((await client.deleteJob(id)).job.status).toBe('deleted');
    expect((await client.listJobs()).jobs).toEqual([]);
  }, 30_000);

  it('sees 423 Resource Locked as the SDK\'s own response error, and force-deletes', async () => {
    const { id } = await client.createTranscriptionJob(
      { data: new Blob([new Uint8Array(readFileSync(FIXTURES_DIR + 'en-conversation.16k.wav'))]), fileName: 'call.wav' },
      { transcription_config: { language: 'en', diarization: 'speaker' } },
    );
    const locked = await client.deleteJob(id).catch((error: unknown) => error);
    expect(locked).toBeInstanceOf(SpeechmaticsResponseError);
    expect((locked as SpeechmaticsResponseError).response).toMatchObject({ code: 423, error: 'Resource Locked' });
    expect((await client.deleteJob(id, true)).job.status).toBe('deleted');
  }, 30_000);

  it('sees a wrong key as Permission Denied, not as an unexpected response', async () => {
    const stranger = new BatchClient({ apiKey: 'wrong-key', apiUrl: server.url, appId: 'speechdouble-tests' });
    const error = await stranger.listJobs().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SpeechmaticsResponseError);
    expect((error as SpeechmaticsResponseError).response).toMatchObject({ code: 401, error: 'Permission Denied' });
  });
});
