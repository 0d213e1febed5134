// The official AssemblyAI JS SDK (`assemblyai`) against the emulator on a real port, as a team
// would use it in CI. The SDK does not validate answers: it reads `upload_url`, `id`, `status`
// and `transcripts` (turning each item's `created` and `completed` into Dates) and hands back the
// parsed JSON. Any status of 400 or more becomes a plain `Error` whose message is the body's
// `error` (or the raw body, or `HTTP Error: <status> <text>` when it is empty), so these checks
// read the vendor's messages. `transcribe` and `waitUntilReady` end on `completed` *and* on
// `error`: a failed transcript is returned, not thrown.
import { createReadStream, readFileSync } from 'node:fs';
import { AssemblyAI, type Transcript } from 'assemblyai';
import { parseSync } from 'subtitle';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../compose.ts';
import { FIXTURES_DIR } from '../../engine/fixtures.ts';
import { controlClient } from '../../testing/control-client.ts';

const GREETING = FIXTURES_DIR + 'en-greeting.16k.wav';
const GREETING_TEXT = 'Good morning, and welcome to the weather report. Will it rain today?';
const GREETING_SENTENCES = ['Good morning, and welcome to the weather report.', 'Will it rain today?'];
const UNKNOWN_ID = '0b8e3c1a-7d24-4f5e-9a61-c3d2e1f0a9b8';
const NOT_FOUND = 'Transcript lookup error, transcript id not found';
const POLL = { pollingInterval: 20, pollingTimeout: 10_000 };

const client = (url: string, apiKey = 'test-key') => new AssemblyAI({ apiKey, baseUrl: url });

/** What a promise rejects with (the test fails if it resolves). */
async function rejection(promise: Promise<unknown>): Promise<Error> {
  return promise.then((value) => { throw new Error(`expected a rejection, got ${JSON.stringify(value)}`); }, (error: unknown) => error as Error);
}

/** The cues of an SRT or WebVTT document, their lines joined with spaces. */
const cuesOf = (subtitles: string) =>
  parseSync(subtitles).flatMap((node) => (node.type === 'cue' ? [{ ...node.data, text: node.data.text.replace(/\n/g, ' ') }] : []));

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('assemblyai 4.41.5, emulated time at 100x', () => {
  let server: RunningServer;
  let aai: AssemblyAI;
  beforeAll(async () => {
    server = await startServer({ host: '127.0.0.1', port: 0, apis: ['assemblyai'], clock: { mode: 'scaled', timeScale: 100 }, strict: true, apiKeys: ['other-key'] });
    aai = client(server.url);
  });
  afterAll(() => server?.close());

  it('uploads a file path, transcribes it, reads sentences, paragraphs, subtitles and word search, lists and deletes', async () => {
    // A path is streamed (a web ReadableStream, chunked, no Content-Length) as application/octet-stream.
    const uploadUrl = await aai.files.upload(GREETING);
    expect(uploadUrl.startsWith(server.url + '/')).toBe(true);

    const done = await aai.transcripts.transcribe({ audio_url: uploadUrl }, POLL);
    expect(done).toMatchObject({ status: 'completed', audio_url: uploadUrl, text: GREETING_TEXT, punctuate: true, format_text: true, language_code: 'en_us', audio_duration: 5 });
    expect(done.error ?? null).toBeNull();
    const words = done.words ?? [];
    expect(words.map((w) => w.text).join(' ')).toBe(GREETING_TEXT);
    expect(words[0]).toMatchObject({ text: 'Good', speaker: null });
    expect(words[0]!.start).toBeGreaterThanOrEqual(200); // the speech starts at 0.25 s, times are ms
    expect(words[words.length - 1]!.end).toBeLessThanOrEqual(4948);
    for (const [i, w] of words.entries()) {
      expect(w.end).toBeGreaterThanOrEqual(w.start);
      if (i > 0) expect(w.start).toBeGreaterThanOrEqual(words[i - 1]!.start);
      expect(w.confidence).toBeGreaterThan(0);
      expect(w.confidence).toBeLessThanOrEqual(1);
    }
    expect(done.confidence).toEqual(expect.any(Number));
    expect(done.utterances ?? null).toBeNull(); // no speaker_labels

    const { sentences, ...sentencesRest } = await aai.transcripts.sentences(done.id);
    expect(sentencesRest).toMatchObject({ id: done.id, confidence: done.confidence, audio_duration: 5 });
    expect(sentences.map((s) => s.text)).toEqual(GREETING_SENTENCES);
    expect(sentences.flatMap((s) => s.words)).toEqual(words);
    expect(sentences[0]).toMatchObject({ start: words[0]!.start, end: words[7]!.end });
    expect(sentences[1]).toMatchObject({ start: words[8]!.start, end: words[11]!.end });

    const { paragraphs, ...paragraphsRest } = await aai.transcripts.paragraphs(done.id);
    expect(paragraphsRest).toMatchObject({ id: done.id, confidence: done.confidence, audio_duration: 5 });
    expect(paragraphs.map((p) => p.text).join(' ')).toBe(GREETING_TEXT);
    expect(paragraphs.flatMap((p) => p.words)).toEqual(words);
    expect(paragraphs[0]!.start).toBe(words[0]!.start);
    expect(paragraphs[paragraphs.length - 1]!.end).toBe(words[words.length - 1]!.end);

    const srt = await aai.transcripts.subtitles(done.id, 'srt');
    expect(srt).toMatch(/^1\n00:00:00,\d{3} --> \d{2}:\d{2}:\d{2},\d{3}\n/);
    const srtCues = cuesOf(srt);
    expect(srtCues.map((c) => c.text).join(' ')).toBe(GREETING_TEXT);
    expect(srtCues[0]!.start).toBe(words[0]!.start);
    expect(srtCues[srtCues.length - 1]!.end).toBe(words[words.length - 1]!.end);

    const vtt = await aai.transcripts.subtitles(done.id, 'vtt');
    expect(vtt.startsWith('WEBVTT')).toBe(true);
    const vttCues = cuesOf(vtt);
    expect(vttCues.map((c) => c.text).join(' ')).toBe(GREETING_TEXT);
    expect(vttCues.map(({ start, end }) => [start, end])).toEqual(srtCues.map(({ start, end }) => [start, end]));

    // chars_per_caption=32 cuts the captions at word boundaries, none longer than 32 characters.
    const narrow = cuesOf(await aai.transcripts.subtitles(done.id, 'srt', 32));
    expect(narrow.length).toBeGreaterThan(1);
    expect(narrow.map((c) => c.text).join(' ')).toBe(GREETING_TEXT);
    for (const cue of narrow) expect(cue.text.length).toBeLessThanOrEqual(32);

    const weather = words.findIndex((w) => w.text === 'weather');
    expect(weather).toBe(6);
    expect(await aai.transcripts.wordSearch(done.id, ['weather'])).toEqual({
      id: done.id,
      total_count: 1,
      matches: [{ text: 'weather', count: 1, indexes: [weather], timestamps: [[words[weather]!.start, words[weather]!.end]] }],
    });
    const several = await aai.transcripts.wordSearch(done.id, ['rain today', 'snow']);
    expect(several).toMatchObject({ id: done.id, total_count: 1 });
    expect(several.matches.filter((m) => m.count > 0)).toMatchObject([{ text: 'rain today', count: 1 }]);

    const { transcripts, page_details } = await aai.transcripts.list({ limit: 10 });
    expect(page_details).toMatchObject({ limit: 10, result_count: transcripts.length });
    const listed = transcripts.find((t) => t.id === done.id);
    expect(listed).toMatchObject({ id: done.id, status: 'completed', audio_url: uploadUrl, error: null, resource_url: `${server.url}/v2/transcript/${done.id}` });
    expect(listed?.created).toBeInstanceOf(Date);
    expect(listed?.completed).toBeInstanceOf(Date);
    expect(Number.isNaN(listed!.created.getTime())).toBe(false);
    expect(listed!.completed!.getTime()).toBeGreaterThanOrEqual(listed!.created.getTime());
    expect((await aai.transcripts.list({ status: 'completed' })).transcripts.map((t) => t.id)).toContain(done.id);
    expect((await aai.transcripts.list({ status: 'queued' })).transcripts.map((t) => t.id)).not.toContain(done.id);

    const deleted = await aai.transcripts.delete(done.id);
    expect(deleted).toMatchObject({ id: done.id, status: 'completed', audio_url: 'http://deleted_by_user', text: 'Deleted by user.', words: null });
    expect(await aai.transcripts.get(done.id)).toMatchObject({ id: done.id, audio_url: 'http://deleted_by_user', text: 'Deleted by user.' });
    expect((await aai.transcripts.list()).transcripts.find((t) => t.id === done.id)).toMatchObject({ audio_url: 'http://deleted_by_user' });
  }, 30_000);

  it('transcribes a Buffer and a Node stream in one call each, unpunctuated and unformatted on request, and pages the list', async () => {
    const plain = await aai.transcripts.transcribe({ audio: readFileSync(GREETING), punctuate: false, format_text: false }, POLL);
    expect(plain).toMatchObject({ status: 'completed', punctuate: false, format_text: false, text: 'good morning and welcome to the weather report will it rain today' });
    expect(plain.audio_url.startsWith(server.url + '/')).toBe(true);

    const streamed = await aai.transcripts.transcribe({ audio: createReadStream(GREETING) }, POLL);
    expect(streamed).toMatchObject({ status: 'completed', text: GREETING_TEXT });

    // Newest first; prev_url leads to older transcripts, and the SDK follows an absolute URL as is.
    const first = await aai.transcripts.list({ limit: 1 });
    expect(first.transcripts.map((t) => t.id)).toEqual([streamed.id]);
    expect(first.page_details).toMatchObject({ limit: 1, result_count: 1, prev_url: expect.stringMatching(new RegExp(`^${server.url}/v2/transcript\\?`)) });
    const older = await aai.transcripts.list(first.page_details.prev_url!);
    expect(older.transcripts.map((t) => t.id)).toEqual([plain.id]);
    expect(older.page_details.next_url).toEqual(expect.stringMatching(new RegExp(`^${server.url}/v2/transcript\\?`)));
    expect((await aai.transcripts.list(older.page_details.next_url!)).transcripts.map((t) => t.id)).toEqual([streamed.id]);

    for (const id of [plain.id, streamed.id]) expect(await aai.transcripts.delete(id)).toMatchObject({ id, text: 'Deleted by user.' });
  }, 30_000);

  it('ends a transcript whose audio_url cannot be downloaded in `error`, which transcribe returns rather than throws', async () => {
    const audioUrl = 'http://127.0.0.1:9/nothing.wav';
    const submitted = await aai.transcripts.submit({ audio_url: audioUrl });
    expect(submitted).toMatchObject({ status: 'queued', audio_url: audioUrl, text: null });
    const failed = await aai.transcripts.waitUntilReady(submitted.id, POLL);
    expect(failed).toMatchObject({ id: submitted.id, status: 'error', audio_url: audioUrl, text: null, words: null });
    expect(failed.error).toMatch(/^Download error, unable to download http:\/\/127\.0\.0\.1:9\/nothing\.wav/);
    // Read-outs of a failed transcript are refused with the vendor's `{error}` body.
    await rejection(aai.transcripts.sentences(submitted.id));
    await rejection(aai.transcripts.subtitles(submitted.id, 'srt'));
    // The spec's TranscriptListItem: `completed` is "null unless `completed`".
    const listed = (await aai.transcripts.list({ status: 'error' })).transcripts.find((t) => t.id === submitted.id);
    expect(listed).toMatchObject({ status: 'error', error: failed.error, completed: null });
    expect(await aai.transcripts.delete(submitted.id)).toMatchObject({ id: submitted.id, audio_url: 'http://deleted_by_user' });
  }, 30_000);

  it('ends a transcript of an uploaded file that holds no audio in `error`', async () => {
    const uploadUrl = await aai.files.upload(FIXTURES_DIR + 'not-audio.fake.wav');
    const failed: Transcript = await aai.transcripts.transcribe({ audio_url: uploadUrl }, POLL);
    expect(failed).toMatchObject({ status: 'error', audio_url: uploadUrl, text: null, words: null });
    expect(failed.error).toEqual(expect.stringMatching(/\S/));
    expect(await aai.transcripts.delete(failed.id)).toMatchObject({ id: failed.id });
  }, 30_000);

  it('sees an unknown transcript as an Error with the vendor\'s message, for every read', async () => {
    for (const read of [
      () => aai.transcripts.get(UNKNOWN_ID),
      () => aai.transcripts.delete(UNKNOWN_ID),
      () => aai.transcripts.sentences(UNKNOWN_ID),
      () => aai.transcripts.paragraphs(UNKNOWN_ID),
      () => aai.transcripts.subtitles(UNKNOWN_ID, 'vtt'),
      () => aai.transcripts.wordSearch(UNKNOWN_ID, ['weather']),
    ]) {
      const error = await rejection(read());
      expect(error).toBeInstanceOf(Error);
      expect(error.message).toBe(NOT_FOUND);
    }
  });

  it('sees a wrong key as an Error with the vendor\'s message, on upload, submit, get and list', async () => {
    const stranger = client(server.url, 'wrong-key');
    for (const call of [
      () => stranger.files.upload(readFileSync(GREETING)),
      () => stranger.transcripts.submit({ audio_url: 'http://127.0.0.1:9/nothing.wav' }),
      () => stranger.transcripts.get(UNKNOWN_ID),
      () => stranger.transcripts.list(),
    ]) {
      expect((await rejection(call())).message).toBe('Authentication error, API token missing/invalid');
    }
  });

  it('keeps one key\'s uploads and transcripts from another key', async () => {
    const other = client(server.url, 'other-key');
    const uploadUrl = await aai.files.upload(readFileSync(GREETING));
    expect((await rejection(other.transcripts.submit({ audio_url: uploadUrl }))).message).toBe('Cannot access uploaded file');
    const mine = await aai.transcripts.transcribe({ audio_url: uploadUrl }, POLL);
    expect((await rejection(other.transcripts.get(mine.id))).message).toBe(NOT_FOUND);
    expect((await other.transcripts.list()).transcripts.map((t) => t.id)).not.toContain(mine.id);
    await aai.transcripts.delete(mine.id);
  }, 30_000);
});

// With a manual clock a transcript stays `queued` until the test moves time, so what the scaled
// clock can only race for is certain here: the first read, the refusals while unfinished, and the
// SDK's poll loop still waiting until time moves.
describe('assemblyai 4.41.5, manual clock', () => {
  let server: RunningServer;
  let aai: AssemblyAI;
  beforeAll(async () => {
    server = await startServer({ host: '127.0.0.1', port: 0, apis: ['assemblyai'], clock: { mode: 'manual' }, strict: true });
    aai = client(server.url);
  });
  afterAll(() => server?.close());

  it('keeps a transcript queued until time moves, refuses to delete or read it out meanwhile, then completes it', async () => {
    const submitted = await aai.transcripts.submit({ audio: GREETING });
    expect(submitted).toMatchObject({ status: 'queued', text: null, words: null, error: null });
    expect(await aai.transcripts.get(submitted.id)).toMatchObject({ id: submitted.id, status: 'queued' });
    expect((await rejection(aai.transcripts.delete(submitted.id))).message).toBe('Transcript is still being processed and cannot be deleted yet');
    await rejection(aai.transcripts.sentences(submitted.id));
    await rejection(aai.transcripts.subtitles(submitted.id, 'srt'));

    let settled = false;
    const polled = aai.transcripts.waitUntilReady(submitted.id, { pollingInterval: 10, pollingTimeout: 10_000 }).finally(() => { settled = true; });
    polled.catch(() => {}); // a rejection is seen by the `await` below, not reported as unhandled
    await sleep(100);
    expect(settled).toBe(false);
    await controlClient(server.url).advance(600);
    const done = await polled;
    expect(done).toMatchObject({ id: submitted.id, status: 'completed', text: GREETING_TEXT });
    expect(await aai.transcripts.delete(done.id)).toMatchObject({ id: done.id, text: 'Deleted by user.' });
  }, 30_000);
});
