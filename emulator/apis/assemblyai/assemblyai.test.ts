// AssemblyAI as a client meets it: /v2/stream with real audio in base64, and the async flow
// (raw upload, transcript, polling, read-outs, webhooks) over a real port, with a real media
// server and webhook receiver on loopback and a manual clock. Strict mode is on.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { sineWav } from '../../../openapi/example-audio.ts';
import { startServer, type RunningServer } from '../../compose.ts';
import { FIXTURES_DIR } from '../../engine/fixtures.ts';
import { controlClient } from '../../testing/control-client.ts';
import { startLoopbackPeer, type LoopbackPeer } from '../../testing/loopback-peer.ts';

const GREETING_16K = readFileSync(FIXTURES_DIR + 'en-greeting.16k.wav');
const GREETING_8K = readFileSync(FIXTURES_DIR + 'en-greeting.8k.wav');
const GREETING_TEXT = 'Good morning, and welcome to the weather report. Will it rain today?';

let server: RunningServer;
let peer: LoopbackPeer;

beforeAll(async () => {
  server = await startServer({ host: '127.0.0.1', port: 0, apis: ['assemblyai'], clock: { mode: 'manual' }, strict: true, apiKeys: ['other-team'] });
  // One loopback server plays the remote media host and the callback receiver.
  peer = await startLoopbackPeer({ '/media/greeting.wav': { body: GREETING_16K, type: 'audio/wav' }, '/media/notes.txt': { body: 'not audio '.repeat(50) } });
});
afterAll(async () => {
  await server?.close();
  await peer?.close();
});
beforeEach(async () => {
  peer.clear();
  await controlClient(server.url).reset();
});

const advance = (seconds: number) => controlClient(server.url).advance(seconds);

async function api(path: string, init: RequestInit & { key?: string | null } = {}) {
  const key = init.key === undefined ? 'test-key' : init.key;
  const res = await fetch(server.url + path, { ...init, headers: { ...(key !== null && { authorization: key }), ...(init.headers as Record<string, string>) } });
  const text = await res.text();
  if (res.status === 500) throw new Error(`contract violation or crash: ${text}`);
  return { status: res.status, type: res.headers.get('content-type') ?? '', text, json: () => JSON.parse(text) };
}
const postJson = (path: string, body: unknown, key?: string) => api(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), ...(key && { key }) });

const stream = (audio: Buffer, options: Record<string, unknown> = {}) => postJson('/v2/stream', { audio_data: audio.toString('base64'), ...options });

async function uploaded(audio: Buffer = GREETING_16K, key?: string): Promise<string> {
  const res = await api('/v2/upload', { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: new Uint8Array(audio), ...(key && { key }) });
  expect(res.status).toBe(200);
  return res.json().upload_url;
}

async function transcript(options: Record<string, unknown> = {}, key?: string): Promise<string> {
  const audioUrl = options.audio_url ?? (await uploaded(GREETING_16K, key));
  const res = await postJson('/v2/transcript', { ...options, audio_url: audioUrl }, key);
  expect(res.status).toBe(200);
  expect(res.json().status).toBe('queued');
  return res.json().id;
}
const get = async (id: string) => (await api(`/v2/transcript/${id}`)).json();

describe('/v2/stream', () => {
  it('transcribes a whole WAV file (8 kHz or 16 kHz) to the audio\'s true words, in the request', async () => {
    for (const wav of [GREETING_8K, GREETING_16K]) {
      const res = await stream(wav, { punctuate: true, format_text: true });
      expect(res.status).toBe(200);
      const body = res.json();
      expect(body).toMatchObject({ status: 'completed', text: GREETING_TEXT, created: expect.stringMatching(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{6}$/) });
      expect(body.words.every((w: { start: number; end: number }) => Number.isInteger(w.start) && Number.isInteger(w.end) && w.start <= w.end)).toBe(true);
    }
  });

  it('honours punctuate and format_text, both off by default', async () => {
    expect((await stream(GREETING_8K)).json().text).toBe('good morning and welcome to the weather report will it rain today');
    expect((await stream(GREETING_8K, { punctuate: true })).json().text).toBe(GREETING_TEXT.toLowerCase());
    expect((await stream(GREETING_8K, { format_text: true })).json().text).toBe('Good morning and welcome to the weather report Will it rain today');
  });

  it('gives boosted words more confidence, the more with a higher boost_param', async () => {
    const confidenceOf = async (options: Record<string, unknown>) => (await stream(GREETING_8K, options)).json().words.find((w: { text: string }) => w.text === 'weather').confidence;
    const plain = await confidenceOf({});
    const low = await confidenceOf({ word_boost: ['weather'], boost_param: 'low' });
    const high = await confidenceOf({ word_boost: ['Weather report'], boost_param: 'high' });
    expect(plain).toBeLessThan(low);
    expect(low).toBeLessThan(high);
  });

  it('takes headerless 8 kHz samples, and answers deterministic words for audio it does not know', async () => {
    const raw = sineWav({ seconds: 2, frequency: 300, amplitude: 0.3, sampleRate: 8000 }).subarray(44);
    const first = (await stream(raw)).json();
    const again = (await stream(raw)).json();
    expect(first.text.length).toBeGreaterThan(0);
    expect(again.text).toBe(first.text);
    expect(first.words.at(-1).end).toBeLessThanOrEqual(2000);
  });

  it.each([
    ['audio_data that is not base64', { audio_data: 'not base64!' }, 'audio_data must be base64-encoded audio'],
    ['no audio_data', { punctuate: true }, 'audio_data is required'],
    ['15 s of audio', { audio_data: sineWav({ seconds: 15, frequency: 300, amplitude: 0.3, sampleRate: 8000 }).toString('base64') }, 'Audio is too long: 15 seconds were sent; /v2/stream only accepts audio shorter than 15 seconds.'],
    ['a stereo WAV at 44.1 kHz', { audio_data: sineWav({ seconds: 1, frequency: 300, amplitude: 0.3, sampleRate: 44100, channels: 2 }).toString('base64') }, 'Unsupported audio format: 44100 Hz, 2 channels, 16-bit. Send 16-bit signed PCM, mono, at 8000 or 16000 Hz.'],
    ['a WAV with no samples', { audio_data: sineWav({ seconds: 0, frequency: 300, amplitude: 0.3, sampleRate: 8000 }).toString('base64') }, 'audio_data contains no audio'],
    ['format_text that is not a Boolean', { audio_data: GREETING_8K.toString('base64'), format_text: 'yes' }, 'format_text must be a Boolean'],
  ])('refuses %s with 400 {error}', async (_case, body, error) => {
    const res = await postJson('/v2/stream', body);
    expect([res.status, res.json()]).toEqual([400, { error }]);
  });
});

describe('the async flow', () => {
  it('uploads raw bytes, chunked too, to an upload_url on this emulator', async () => {
    async function* chunks() {
      for (let at = 0; at < GREETING_16K.length; at += 16384) yield GREETING_16K.subarray(at, at + 16384);
    }
    const res = await api('/v2/upload', { method: 'POST', body: chunks() as never, duplex: 'half' } as RequestInit);
    expect(res.json().upload_url).toMatch(new RegExp(`^${server.url}/upload/[0-9a-f-]{36}$`));
    expect((await api('/v2/upload', { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: '' })).json()).toEqual({ error: 'Upload failed, the request body is empty' });
  });

  it('moves a transcript queued → processing → completed on the clock, with the true words', async () => {
    const id = await transcript();
    await advance(1);
    expect((await get(id)).status).toBe('processing');
    await advance(2.474);
    const done = await get(id);
    expect(done).toMatchObject({ id, status: 'completed', text: GREETING_TEXT, audio_duration: 5, language_code: 'en_us', punctuate: true, format_text: true, error: null });
    expect(done.words[0]).toMatchObject({ text: 'Good', speaker: null });
  });

  it('answers the options from the engine: speakers, chapters, summary, sentiment', async () => {
    const id = await transcript({ speaker_labels: true, auto_chapters: true, summarization: true, sentiment_analysis: true, entity_detection: true });
    await advance(10);
    const done = await get(id);
    expect(done.utterances[0]).toMatchObject({ speaker: 'A', text: expect.stringContaining('Good morning') });
    expect(done.chapters.length).toBeGreaterThan(0);
    expect(typeof done.summary).toBe('string');
    expect(done.sentiment_analysis_results[0]).toMatchObject({ sentiment: expect.stringMatching(/^(POSITIVE|NEUTRAL|NEGATIVE)$/) });
    expect(Array.isArray(done.entities)).toBe(true);
  });

  it('fetches any other audio_url for real; one it cannot download or decode ends in error with the vendor\'s words', async () => {
    const ok = await transcript({ audio_url: `${peer.url}/media/greeting.wav` });
    const gone = await transcript({ audio_url: `${peer.url}/media/gone.wav` });
    const text = await transcript({ audio_url: `${peer.url}/media/notes.txt` });
    await advance(10);
    expect((await get(ok)).text).toBe(GREETING_TEXT);
    expect(await get(gone)).toMatchObject({ status: 'error', text: null, error: `Download error, unable to download ${peer.url}/media/gone.wav. Please make sure the file exists and is accessible from the internet.` });
    expect(await get(text)).toMatchObject({ status: 'error', error: 'Transcoding failed. File does not appear to contain audio.' });
    expect(server.emulator.files.list()).toHaveLength(1);
  });

  it('keeps uploads and transcripts per key: another key gets 403 for the upload and 404 for the transcript', async () => {
    const url = await uploaded();
    expect((await postJson('/v2/transcript', { audio_url: url }, 'other-team')).json()).toEqual({ error: 'Cannot access uploaded file' });
    const id = await transcript({ audio_url: url });
    const theirs = await api(`/v2/transcript/${id}`, { key: 'other-team' });
    expect([theirs.status, theirs.json()]).toEqual([404, { error: 'Transcript lookup error, transcript id not found' }]);
  });

  it('refuses an audio_url that is not http or https (a local file) with 400, making no transcript', async () => {
    // Found by emulator/guarantees/file-paths.test.ts: file:///etc/passwd was queued (200), to fail at download time.
    const reply = await postJson('/v2/transcript', { audio_url: 'file:///etc/passwd' });
    expect([reply.status, reply.json()]).toEqual([400, { error: 'audio_url must be an http or https URL' }]);
    expect((await api('/v2/transcript')).json().transcripts).toEqual([]);
  });

  it('refuses an upload URL nobody made as it refuses another key\'s: which ids exist is not told', async () => {
    // Found by emulator/guarantees/tenant-isolation.test.ts: another key's upload was a 403, one
    // that never existed a 200 (queued, to be fetched), so a key could probe for upload ids.
    const url = await uploaded();
    const never = url.replace(/[0-9a-f](?=[^/]*$)/g, (c) => (c === '0' ? '1' : '0'));
    const answers = await Promise.all([url, never].map(async (audioUrl) => {
      const reply = await postJson('/v2/transcript', { audio_url: audioUrl }, 'other-team');
      return [reply.status, reply.json()];
    }));
    expect(answers).toEqual([[403, { error: 'Cannot access uploaded file' }], [403, { error: 'Cannot access uploaded file' }]]);
    expect((await api('/v2/transcript', { key: 'other-team' })).json().transcripts).toEqual([]);
  });

  it('calls the webhook with the auth header asked for, and shows the receiver\'s status', async () => {
    peer.answers.push(503);
    const id = await transcript({ webhook_url: `${peer.url}/hooks/aai`, webhook_auth_header_name: 'X-Hook-Secret', webhook_auth_header_value: 's3cret' });
    await advance(10);
    expect(peer.received).toHaveLength(1);
    expect(JSON.parse(peer.received[0]!.body.toString())).toEqual({ transcript_id: id, status: 'completed' });
    expect(peer.received[0]!.headers['x-hook-secret']).toBe('s3cret');
    const shown = await get(id);
    expect(shown).toMatchObject({ webhook_auth: true, webhook_auth_header_name: 'X-Hook-Secret', webhook_status_code: 503 });
    expect(shown.webhook_auth_header_value).toBeUndefined();
    await advance(10);
    expect([peer.received.length, (await get(id)).webhook_status_code]).toEqual([2, 200]);
  });

  it('lists newest first, with prev_url (older) and next_url (newer) that work when followed', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(await transcript());
    await advance(10);
    const first = (await api('/v2/transcript?limit=2')).json();
    expect(first.transcripts.map((t: { id: string }) => t.id)).toEqual([ids[4], ids[3]]);
    expect(first.page_details).toMatchObject({ limit: 2, result_count: 2, next_url: null });
    const older = await (await fetch(first.page_details.prev_url, { headers: { authorization: 'test-key' } })).json();
    expect(older.transcripts.map((t: { id: string }) => t.id)).toEqual([ids[2], ids[1]]);
    const newer = await (await fetch(older.page_details.next_url, { headers: { authorization: 'test-key' } })).json();
    expect(newer.transcripts.map((t: { id: string }) => t.id)).toEqual([ids[4], ids[3]]);
    expect((await api('/v2/transcript?status=error')).json().transcripts).toEqual([]);
    expect((await api('/v2/transcript?limit=500')).json()).toEqual({ error: 'limit must be between 1 and 200' });
  });

  it('refuses to delete while processing, then answers the transcript with its content removed, still listed', async () => {
    const id = await transcript();
    const early = await api(`/v2/transcript/${id}`, { method: 'DELETE' });
    expect([early.status, early.json()]).toEqual([400, { error: 'Transcript is still being processed and cannot be deleted yet' }]);
    await advance(10);
    const deleted = await api(`/v2/transcript/${id}`, { method: 'DELETE' });
    expect(deleted.json()).toMatchObject({ id, status: 'completed', audio_url: 'http://deleted_by_user', text: 'Deleted by user.', words: null });
    expect((await api('/v2/transcript')).json().transcripts[0]).toMatchObject({ id, audio_url: 'http://deleted_by_user' });
    expect(server.emulator.files.list()).toEqual([]);
  });
});

describe('refusals in AssemblyAI\'s words', () => {
  it.each([
    ['no key', () => api('/v2/transcript', { key: null }), 401, 'Authentication error, API token missing/invalid'],
    ['a Bearer key (the raw key is the credential)', () => api('/v2/transcript', { key: 'Bearer test-key' }), 401, 'Authentication error, API token missing/invalid'],
    ['an unknown transcript', () => api('/v2/transcript/nope'), 404, 'Transcript lookup error, transcript id not found'],
    ['a transcript id that does not decode', () => api('/v2/transcript/%ZZ'), 404, 'Transcript lookup error, transcript id not found'],
    ['malformed JSON', () => api('/v2/transcript', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"audio_url":' }), 400, 'Invalid JSON in the request body'],
    ['an unknown parameter', () => postJson('/v2/transcript', { audio_url: 'https://x.example/a.wav', speaker_label: true }), 400, 'Invalid parameter: speaker_label is not a known parameter'],
    ['a wrong type', () => postJson('/v2/transcript', { audio_url: 'https://x.example/a.wav', format_text: 'yes' }), 400, 'format_text must be a Boolean'],
    ['an unknown Content-Encoding', () => api('/v2/transcript', { method: 'POST', headers: { 'content-type': 'application/json', 'content-encoding': 'x-bogus' }, body: '{}' }), 400, 'The request body could not be decoded: unsupported content encoding "x-bogus"'],
    // Found by emulator/guarantees/fuzz.test.ts: a method the path does not have was answered in the emulator's own body.
    ['a method the path does not have', () => api('/v2/transcript', { method: 'PUT' }), 405, 'Method PUT is not allowed on /v2/transcript'],
  ])('%s', async (_case, send, status, error) => {
    const res = await send();
    expect([res.status, res.json()]).toEqual([status, { error }]);
  });

  it('after a barrage of malformed requests, the list holds exactly the transcripts that got a 2xx', async () => {
    const url = await uploaded();
    const bodies = ['{"audio_url":', JSON.stringify({ audio_url: url }), JSON.stringify({ audio_url: 7 }), JSON.stringify({ audio_url: url, punctuate: 'no' }),
      JSON.stringify({ audio_url: url, speaker_labels: true }), JSON.stringify({ audio_url: url, nope: 1 }), JSON.stringify([url]), JSON.stringify({}), JSON.stringify({ audio_url: url, language_code: 'en_us' })];
    const accepted: string[] = [];
    for (const body of bodies) {
      const res = await api('/v2/transcript', { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      expect(res.status, body).toBeLessThan(500);
      if (res.status === 200) accepted.push(res.json().id);
    }
    expect(accepted).toHaveLength(3);
    const listed = (await api('/v2/transcript?limit=100')).json().transcripts.map((t: { id: string }) => t.id);
    expect([...listed].sort()).toEqual([...accepted].sort());
  });
});

describe('read-outs of a completed transcript', () => {
  it('sentences, paragraphs, SRT and VTT subtitles, and word search, from the same words', async () => {
    const id = await transcript({ speaker_labels: true });
    const early = await api(`/v2/transcript/${id}/sentences`);
    expect([early.status, early.json()]).toEqual([400, { error: 'This transcript is not completed yet (status: queued)' }]);
    await advance(10);
    const sentences = (await api(`/v2/transcript/${id}/sentences`)).json();
    expect(sentences.sentences.map((s: { text: string }) => s.text)).toEqual(['Good morning, and welcome to the weather report.', 'Will it rain today?']);
    expect(sentences).toMatchObject({ id, audio_duration: expect.any(Number), confidence: expect.any(Number) });
    const paragraphs = (await api(`/v2/transcript/${id}/paragraphs`)).json();
    expect(paragraphs.paragraphs.map((p: { text: string }) => p.text)).toEqual([GREETING_TEXT]);
    const srt = await api(`/v2/transcript/${id}/srt`);
    expect([srt.status, srt.type]).toEqual([200, 'text/plain; charset=utf-8']);
    expect(srt.text).toMatch(/^1\n00:00:00,\d{3} --> 00:00:0\d,\d{3}\nGood morning/);
    const vtt = await api(`/v2/transcript/${id}/vtt?chars_per_caption=20`);
    expect(vtt.text.startsWith('WEBVTT')).toBe(true);
    expect(vtt.text.split('\n').filter((l) => /^[A-Za-z]/.test(l) && l !== 'WEBVTT').every((l) => l.length <= 20)).toBe(true);
    const search = (await api(`/v2/transcript/${id}/word-search?words=weather,rain today,snow`)).json();
    expect(search).toMatchObject({ id, total_count: 2, matches: [{ text: 'weather', count: 1 }, { text: 'rain today', count: 1 }, { text: 'snow', count: 0, timestamps: [], indexes: [] }] });
    expect(search.matches[0].timestamps[0]).toEqual([expect.any(Number), expect.any(Number)]);
  });

  it('are refused for a failed or deleted transcript, and 404 for an unknown one', async () => {
    const failed = await transcript({ audio_url: `${peer.url}/media/gone.wav` });
    const deleted = await transcript();
    await advance(10);
    await api(`/v2/transcript/${deleted}`, { method: 'DELETE' });
    expect((await api(`/v2/transcript/${failed}/paragraphs`)).json()).toEqual({ error: 'This transcript is not completed yet (status: error)' });
    expect((await api(`/v2/transcript/${deleted}/srt`)).json()).toEqual({ error: 'This transcript is not completed yet (status: deleted)' });
    expect((await api('/v2/transcript/nope/word-search?words=a')).status).toBe(404);
  });
});
