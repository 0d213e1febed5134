// The official Gladia JS SDK (@gladiaio/sdk) against the emulator on a real port, as a team
// would use it in CI. The SDK does not validate answers; it parses a body as JSON when its
// Content-Type contains `application/json` and otherwise hands back the raw `Response` (as if it
// were the job), so these checks read the fields it reads. Its 4xx error is an `HttpError`
// (`name`, `status`, `responseBody`), a class the package does not export.
import { readFileSync, statSync } from 'node:fs';
import { GladiaClient, type PreRecordedV2Client } from '@gladiaio/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../compose.ts';
import { FIXTURES_DIR } from '../../engine/fixtures.ts';
import { controlClient } from '../../testing/control-client.ts';

const GREETING = FIXTURES_DIR + 'en-greeting.16k.wav';
const GREETING_TEXT = 'Good morning, and welcome to the weather report. Will it rain today?';
const UNKNOWN_ID = '0b8e3c1a-7d24-4f5e-9a61-c3d2e1f0a9b8';

const client = (url: string, apiKey = 'test-key'): PreRecordedV2Client =>
  new GladiaClient({ apiKey, apiUrl: url }).preRecorded();

/** What a promise rejects with (the test fails if it resolves). */
async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then((value) => { throw new Error(`expected a rejection, got ${JSON.stringify(value)}`); }, (error: unknown) => error);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('@gladiaio/sdk 2.1.0, emulated time at 100x', () => {
  let server: RunningServer;
  let gladia: PreRecordedV2Client;
  beforeAll(async () => {
    server = await startServer({ host: '127.0.0.1', port: 0, apis: ['gladia'], clock: { mode: 'scaled', timeScale: 100 }, strict: true });
    gladia = client(server.url);
  });
  afterAll(() => server?.close());

  it('uploads, creates, polls until done, reads the transcript, lists, gets the audio back, and deletes', async () => {
    const upload = await gladia.uploadFile(GREETING);
    expect(upload.audio_url.startsWith(server.url + '/')).toBe(true);
    expect(upload.audio_metadata).toMatchObject({ filename: 'en-greeting.16k.wav', extension: 'wav', size: statSync(GREETING).size, number_of_channels: 1 });
    expect(upload.audio_metadata.audio_duration).toBeCloseTo(4.948, 2);

    const created = await gladia.create({ audio_url: upload.audio_url, language_config: { languages: ['en'] } });
    expect(created.result_url).toBe(`${server.url}/v2/pre-recorded/${created.id}`);
    const early = await gladia.get(created.id);
    expect(early).toMatchObject({ id: created.id, kind: 'pre-recorded' });
    expect(['queued', 'processing', 'done']).toContain(early.status);
    if (early.status !== 'done') expect([early.completed_at ?? null, early.result ?? null]).toEqual([null, null]);

    const done = await gladia.poll(created.id, { interval: 20, timeout: 10_000 });
    expect(done).toMatchObject({ id: created.id, status: 'done', kind: 'pre-recorded', error_code: null, request_params: { audio_url: upload.audio_url } });
    expect(done.completed_at).toEqual(expect.any(String));
    expect(done.file).toMatchObject({ filename: 'en-greeting.16k.wav', number_of_channels: 1 });
    expect(done.result?.transcription?.full_transcript).toBe(GREETING_TEXT);
    expect(done.result?.transcription?.languages).toEqual(['en']);

    const { items } = await gladia.list({ limit: 10 });
    expect(items.find((item) => item.id === created.id)?.status).toBe('done');
    expect((await gladia.list({ status: ['queued', 'processing'] })).items.map((item) => item.id)).not.toContain(created.id);

    const audio = await gladia.getFile(created.id);
    expect(Buffer.from(audio).equals(readFileSync(GREETING))).toBe(true);

    expect(await gladia.delete(created.id)).toBe(true); // true means 202 Accepted
    expect(await rejection(gladia.get(created.id))).toMatchObject({ name: 'HttpError', status: 404 });
    expect((await gladia.list()).items.map((item) => item.id)).not.toContain(created.id);
  }, 30_000);

  it('transcribes a Blob in one call (upload, create, poll)', async () => {
    const done = await gladia.transcribe(new Blob([readFileSync(GREETING)]), { language_config: { languages: ['en'] } }, { interval: 20, timeout: 10_000 });
    expect(done.status).toBe('done');
    expect(done.result?.transcription?.full_transcript).toBe(GREETING_TEXT);
    expect(await gladia.delete(done.id)).toBe(true);
  }, 30_000);

  it('ends a job whose audio_url cannot be downloaded in `error`, which the SDK\'s poll throws', async () => {
    const { id } = await gladia.create({ audio_url: `${server.url}/nowhere/lost.wav` });
    const error = await rejection(gladia.poll(id, { interval: 20, timeout: 10_000 }));
    expect((error as Error).message).toBe(`Pre-recorded job ${id} failed with error code: 400`);
    expect(await gladia.get(id)).toMatchObject({ id, status: 'error', error_code: 400 });
    expect(await gladia.delete(id)).toBe(true);
  }, 30_000);

  it('sees an unknown job as the SDK\'s HttpError 404, with the vendor\'s error body', async () => {
    const error = await rejection(gladia.get(UNKNOWN_ID));
    expect(error).toMatchObject({
      name: 'HttpError',
      method: 'GET',
      status: 404,
      responseBody: { statusCode: 404, path: `/v2/pre-recorded/${UNKNOWN_ID}`, request_id: expect.stringMatching(/^G-[0-9a-f]{8}$/) },
    });
    expect(await rejection(gladia.delete(UNKNOWN_ID))).toMatchObject({ name: 'HttpError', method: 'DELETE', status: 404 });
  });

  it('sees a wrong key as HttpError 401, not retried and not a success', async () => {
    const error = await rejection(client(server.url, 'wrong-key').list());
    expect(error).toMatchObject({ name: 'HttpError', method: 'GET', status: 401, responseBody: { statusCode: 401 } });
  });
});

// With a manual clock a job stays `queued` until the test moves time, so what the scaled clock
// can only race for is certain here: the first read, the refusal to delete an unfinished job, and
// the SDK's poll loop still waiting until time moves.
describe('@gladiaio/sdk 2.1.0, manual clock', () => {
  let server: RunningServer;
  let gladia: PreRecordedV2Client;
  beforeAll(async () => {
    server = await startServer({ host: '127.0.0.1', port: 0, apis: ['gladia'], clock: { mode: 'manual' }, strict: true });
    gladia = client(server.url);
  });
  afterAll(() => server?.close());

  it('keeps a job queued until time moves, refuses to delete it meanwhile, then finishes it', async () => {
    const { audio_url } = await gladia.uploadFile(GREETING);
    const { id } = await gladia.create({ audio_url });
    const queued = await gladia.get(id);
    expect(queued).toMatchObject({ id, status: 'queued' });
    expect([queued.completed_at ?? null, queued.result ?? null]).toEqual([null, null]);
    expect(await rejection(gladia.delete(id))).toMatchObject({ name: 'HttpError', method: 'DELETE', status: 403 });

    let settled = false;
    const polled = gladia.poll(id, { interval: 10, timeout: 10_000 }).finally(() => { settled = true; });
    polled.catch(() => {}); // a rejection is seen by the `await` below, not reported as unhandled
    await sleep(100);
    expect(settled).toBe(false);
    await controlClient(server.url).advance(600);
    const done = await polled;
    expect(done.status).toBe('done');
    expect(done.result?.transcription?.full_transcript).toBe(GREETING_TEXT);
    expect(await gladia.delete(id)).toBe(true);
  }, 30_000);
});
