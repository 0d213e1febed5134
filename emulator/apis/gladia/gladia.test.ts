// Gladia pre-recorded v2 as a client meets it: a real port, real multipart, real audio, a
// real media server and callback receiver on loopback, and a manual clock advanced through
// the control API. Strict mode is on: any answer outside specs/gladia.yaml is a 500 and fails.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../compose.ts';
import { FIXTURES_DIR } from '../../engine/fixtures.ts';
import { controlClient } from '../../testing/control-client.ts';
import { startLoopbackPeer, type LoopbackPeer } from '../../testing/loopback-peer.ts';

const GREETING = readFileSync(FIXTURES_DIR + 'en-greeting.16k.wav');
const GREETING_TEXT = 'Good morning, and welcome to the weather report. Will it rain today?';
const NOT_AUDIO = Buffer.from('this is not audio at all, just text pretending to be a file\n'.repeat(20));

let server: RunningServer;
let peer: LoopbackPeer;

beforeAll(async () => {
  server = await startServer({ host: '127.0.0.1', port: 0, apis: ['gladia'], clock: { mode: 'manual' }, strict: true, apiKeys: ['other-team'] });
  // One loopback server plays the remote media host and the callback receiver.
  // One loopback server plays the remote media host and the callback receiver.
  peer = await startLoopbackPeer({ '/media/greeting.wav': { body: GREETING, type: 'audio/wav' }, '/media/notes.txt': { body: NOT_AUDIO, type: 'text/plain' } });
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
  const res = await fetch(server.url + path, { ...init, headers: { ...(key !== null && { 'x-gladia-key': key }), ...(init.headers as Record<string, string>) } });
  const bytes = Buffer.from(await res.arrayBuffer());
  if (res.status === 500) throw new Error(`contract violation or crash: ${bytes}`);
  return { status: res.status, type: res.headers.get('content-type') ?? '', bytes, json: () => JSON.parse(bytes.toString()) };
}

const postJson = (path: string, body: unknown, key?: string) => api(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), ...(key && { key }) });

async function upload(audio: Buffer = GREETING, filename = 'greeting.wav', key?: string) {
  const form = new FormData();
  form.append('audio', new Blob([new Uint8Array(audio)], { type: 'audio/wav' }), filename);
  return api('/v2/upload', { method: 'POST', body: form, ...(key && { key }) });
}

async function create(options: Record<string, unknown> = {}, key?: string): Promise<string> {
  const { audio_url: given, ...rest } = options;
  const audioUrl = given ?? (await upload(GREETING, 'greeting.wav', key)).json().audio_url;
  const res = await postJson('/v2/pre-recorded', { audio_url: audioUrl, ...rest }, key);
  expect(res.status).toBe(201);
  return res.json().id;
}

const job = async (id: string, key?: string) => (await api(`/v2/pre-recorded/${id}`, key ? { key } : {})).json();
const ERROR_BODY = { timestamp: expect.any(String), path: expect.any(String), request_id: expect.stringMatching(/^G-[0-9a-f]{8}$/), statusCode: expect.any(Number), message: expect.any(String) };

describe('an upload', () => {
  it('streams the audio part to disk and answers what it is: size, duration, channels, extension, name', async () => {
    const res = await upload();
    expect(res.status).toBe(200);
    expect(res.type).toBe('application/json');
    const { audio_url: url, audio_metadata: meta } = res.json();
    expect(url).toBe(`${server.url}/file/${meta.id}`);
    expect(meta).toEqual({ id: expect.stringMatching(/^[0-9a-f-]{36}$/), filename: 'greeting.wav', extension: 'wav', size: GREETING.length, audio_duration: 4.948, number_of_channels: 1 });
  });

  it('by JSON audio_url fetches the file for real and says where it came from', async () => {
    const res = await postJson('/v2/upload', { audio_url: `${peer.url}/media/greeting.wav` });
    expect(res.json().audio_metadata).toMatchObject({ filename: 'greeting.wav', source: `${peer.url}/media/greeting.wav`, size: GREETING.length, audio_duration: 4.948 });
    expect((await postJson('/v2/upload', { audio_url: `${peer.url}/media/missing.wav` })).json()).toMatchObject({ statusCode: 422, message: 'audio_url could not be downloaded: http status 404' });
  });

  it.each([
    ['a file that is not audio', () => upload(NOT_AUDIO, 'notes.wav'), 400, /^The audio file could not be read/],
    ['no audio part', () => api('/v2/upload', { method: 'POST', body: (() => { const f = new FormData(); f.append('file', new Blob([GREETING]), 'a.wav'); return f; })() }), 400, /audio_url is required/],
    ['no body at all', () => api('/v2/upload', { method: 'POST' }), 400, /audio_url is required/],
    ['multipart without a boundary', () => api('/v2/upload', { method: 'POST', headers: { 'content-type': 'multipart/form-data' }, body: 'x' }), 400, /could not be parsed/],
    ['a JSON body without audio_url', () => postJson('/v2/upload', { url: 'x' }), 400, /audio_url is required/],
  ])('is refused with Gladia\'s body for %s, leaving nothing on disk', async (_case, send, status, message) => {
    const res = await send();
    expect([res.status, res.json()]).toEqual([status, { ...ERROR_BODY, statusCode: status, message: expect.stringMatching(message), ...(res.json().validation_errors && { validation_errors: expect.any(Array) }) }]);
    expect(server.emulator.files.list()).toEqual([]);
  });

  it('over the size limit is 413, and nothing of it is kept', async () => {
    const small = await startServer({ host: '127.0.0.1', port: 0, apis: ['gladia'], clock: { mode: 'manual' }, strict: true, settings: { gladia: { 'max-upload-mb': 100_000 / 2 ** 20 } } });
    try {
      const form = new FormData();
      form.append('audio', new Blob([new Uint8Array(GREETING)]), 'greeting.wav');
      const res = await fetch(`${small.url}/v2/upload`, { method: 'POST', headers: { 'x-gladia-key': 'test-key' }, body: form });
      expect([res.status, (await res.json()).statusCode]).toEqual([413, 413]);
      expect(small.emulator.files.list()).toEqual([]);
    } finally {
      await small.close();
    }
  });

  it('belongs to its key: another key cannot make a job of it', async () => {
    const { audio_url: url } = (await upload()).json();
    const theirs = await postJson('/v2/pre-recorded', { audio_url: url }, 'other-team');
    expect([theirs.status, theirs.json().message]).toEqual([422, `audio_url names no file of this key: ${url}`]);
  });

  it('is no local file: a URL that is not http or https is refused with 400, on upload and on a job', async () => {
    // Found by emulator/guarantees/file-paths.test.ts: a job accepted file:///etc/passwd (201), to fail at download time.
    for (const path of ['/v2/upload', '/v2/pre-recorded']) {
      const reply = await postJson(path, { audio_url: 'file:///etc/passwd' });
      expect([reply.status, reply.json().validation_errors]).toEqual([400, ['audio_url must be a URL address']]);
    }
    expect((await api('/v2/pre-recorded')).json().items).toEqual([]);
  });

  it('is refused to another key the same whether it exists or not, under any name the emulator has', async () => {
    // Found by emulator/guarantees/tenant-isolation.test.ts: named through another host name for
    // the emulator, another key's upload was refused at once, one nobody made accepted (to be fetched).
    const { audio_url: url } = (await upload()).json();
    const alias = url.replace('127.0.0.1', 'localhost');
    const never = alias.replace(/[0-9a-f](?=[^/]*$)/g, (c: string) => (c === '0' ? '1' : '0'));
    const statuses = await Promise.all([alias, never].map(async (audioUrl) => (await postJson('/v2/pre-recorded', { audio_url: audioUrl }, 'other-team')).status));
    expect(statuses[0]).toBe(statuses[1]);
  });
});

describe('a job', () => {
  it('is queued, then processing, then done on the clock, with the audio\'s true words', async () => {
    const id = await create({ custom_metadata: { team: 'weather' } });
    const queued = await job(id);
    expect(queued).toMatchObject({ id, request_id: `G-${id.replace(/-/g, '').slice(0, 8)}`, version: 2, status: 'queued', kind: 'pre-recorded', completed_at: null, error_code: null, result: null, custom_metadata: { team: 'weather' } });
    expect(queued.file).toMatchObject({ filename: 'greeting.wav', source: null, audio_duration: 4.948, number_of_channels: 1 });
    await advance(1);
    expect((await job(id)).status).toBe('processing');
    await advance(2.4);
    expect((await job(id)).status).toBe('processing');
    await advance(0.1);
    const done = await job(id);
    expect(done.status).toBe('done');
    // One second queued, then half the audio's 4.948 s processing.
    expect(Date.parse(done.completed_at) - Date.parse(done.created_at)).toBe(3474);
    expect(done.result.transcription.full_transcript).toBe(GREETING_TEXT);
    expect(done.result.metadata).toMatchObject({ audio_duration: 4.948, number_of_distinct_channels: 1, transcription_time: 2.474 });
    const words = done.result.transcription.utterances.flatMap((u: { words: Array<{ start: number; end: number }> }) => u.words);
    expect(words.every((w: { start: number; end: number }) => w.start < w.end && !Number.isInteger(w.start * 10))).toBe(true);
  });

  it('echoes every option in request_params, with the spec\'s defaults for those not sent', async () => {
    const id = await create({ diarization: true, language_config: { languages: ['en'] } });
    const params = (await job(id)).request_params;
    expect(params).toMatchObject({ diarization: true, language_config: { languages: ['en'], code_switching: false }, translation: false, summarization: false, callback: false, subtitles: false, custom_vocabulary: false });
  });

  it('answers every add-on asked for as {success, is_empty, exec_time, error, results}', async () => {
    const id = await create({ summarization: true, translation: true, translation_config: { target_languages: ['fr'] }, sentiment_analysis: true, chapterization: true, named_entity_recognition: true, sentences: true, subtitles: true, subtitles_config: { formats: ['srt', 'vtt'] } });
    await advance(10);
    const { result } = await job(id);
    for (const name of ['summarization', 'translation', 'sentiment_analysis', 'chapterization', 'named_entity_recognition', 'sentences']) {
      expect(Object.keys(result[name]).sort(), name).toEqual(['error', 'exec_time', 'is_empty', 'results', 'success']);
    }
    expect(result.translation.results[0].languages).toEqual(['fr']);
    expect(result.transcription.subtitles.map((s: { format: string }) => s.format)).toEqual(['srt', 'vtt']);
    expect(result.moderation).toBeUndefined();
  });

  it('on a remote audio_url fetches it when processing starts', async () => {
    const id = await create({ audio_url: `${peer.url}/media/greeting.wav` });
    expect((await job(id)).file).toBeNull();
    await advance(10);
    const done = await job(id);
    expect(done.file).toMatchObject({ filename: 'greeting.wav', source: `${peer.url}/media/greeting.wav`, audio_duration: 4.948 });
    expect(done.result.transcription.full_transcript).toBe(GREETING_TEXT);
  });

  it.each([
    ['cannot be downloaded', '/media/gone.wav', 400, 'audio_url could not be downloaded: http status 404'],
    ['is not audio', '/media/notes.txt', 422, 'The audio file could not be decoded.'],
  ])('ends in error with error_code when its audio_url %s', async (_case, path, code, message) => {
    const id = await create({ audio_url: `${peer.url}${path}`, callback: true, callback_config: { url: `${peer.url}/hooks/gladia` } });
    await advance(10);
    const failed = await job(id);
    expect(failed).toMatchObject({ status: 'error', error_code: code, result: null });
    // It fails as processing starts, one second (the queue) after it was created.
    expect(Date.parse(failed.completed_at) - Date.parse(failed.created_at)).toBe(1000);
    expect(JSON.parse(peer.received[0]!.body.toString())).toEqual({ id, event: 'transcription.error', error: { code, message }, custom_metadata: null });
    expect(server.emulator.files.list()).toEqual([]);
  });

  it('moves on every read instead, with --set gladia.queue=reads:1 and processing=reads:2', async () => {
    const reads = await startServer({ host: '127.0.0.1', port: 0, apis: ['gladia'], clock: { mode: 'manual' }, strict: true, settings: { gladia: { queue: 'reads:1', processing: 'reads:2' } } });
    try {
      const form = new FormData();
      form.append('audio', new Blob([new Uint8Array(GREETING)]), 'g.wav');
      const headers = { 'x-gladia-key': 'test-key' };
      const { audio_url: url } = await (await fetch(`${reads.url}/v2/upload`, { method: 'POST', headers, body: form })).json();
      const { id } = await (await fetch(`${reads.url}/v2/pre-recorded`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify({ audio_url: url }) })).json();
      const seen = [];
      for (let i = 0; i < 4; i++) seen.push((await (await fetch(`${reads.url}/v2/pre-recorded/${id}`, { headers })).json()).status);
      expect(seen).toEqual(['processing', 'processing', 'done', 'done']);
    } finally {
      await reads.close();
    }
  });

  it('is gone after the retention period (365 days)', async () => {
    const id = await create();
    await advance(3.474);
    expect((await job(id)).status).toBe('done');
    await advance(365 * 86400 - 1);
    expect((await api(`/v2/pre-recorded/${id}`)).status).toBe(200);
    await advance(1);
    expect((await api(`/v2/pre-recorded/${id}`)).status).toBe(404);
    expect(server.emulator.files.list()).toEqual([]);
  });
});

describe('deleting a job', () => {
  it('is refused (403) while queued or processing, then 202 with no body, then 404 on every path', async () => {
    const id = await create();
    const refused = await api(`/v2/pre-recorded/${id}`, { method: 'DELETE' });
    expect([refused.status, refused.json().message]).toEqual([403, `Pre-recorded job ${id} is queued and not in a deletable state`]);
    await advance(1);
    expect((await api(`/v2/pre-recorded/${id}`, { method: 'DELETE' })).json().message).toMatch(/is processing/);
    await advance(10);
    const deleted = await api(`/v2/pre-recorded/${id}`, { method: 'DELETE' });
    expect([deleted.status, deleted.bytes.length]).toEqual([202, 0]);
    for (const [path, method] of [[`/v2/pre-recorded/${id}`, 'GET'], [`/v2/pre-recorded/${id}`, 'DELETE'], [`/v2/pre-recorded/${id}/file`, 'GET']] as const) {
      const res = await api(path, { method });
      expect([res.status, res.json()]).toEqual([404, { ...ERROR_BODY, statusCode: 404, path, message: expect.stringContaining(id) }]);
    }
    expect(server.emulator.files.list()).toEqual([]);
  });

  it('of a failed job is allowed', async () => {
    const id = await create({ audio_url: `${peer.url}/media/gone.wav` });
    await advance(10);
    expect((await api(`/v2/pre-recorded/${id}`, { method: 'DELETE' })).status).toBe(202);
  });
});

describe('the file', () => {
  it('is the original bytes, with the type they were uploaded with', async () => {
    const id = await create();
    const res = await api(`/v2/pre-recorded/${id}/file`);
    expect([res.status, res.type]).toEqual([200, 'audio/wav']);
    expect(createHash('sha256').update(res.bytes).digest('hex')).toBe(createHash('sha256').update(GREETING).digest('hex'));
  });

  it('of a job whose audio never arrived is 404', async () => {
    const id = await create({ audio_url: `${peer.url}/media/gone.wav` });
    await advance(10);
    expect((await api(`/v2/pre-recorded/${id}/file`)).status).toBe(404);
  });
});

describe('the job list', () => {
  async function five() {
    const ids: string[] = [];
    for (const [i, team] of ['red', 'blue', 'red', 'blue', 'red'].entries()) {
      ids.push(await create({ custom_metadata: { team, n: String(i) } }));
      await advance(3600);
    }
    return ids;
  }

  it('pages newest first, with first/current/next links that work when followed', async () => {
    const ids = await five();
    const first = (await api('/v2/pre-recorded?limit=2')).json();
    expect(first.items.map((j: { id: string }) => j.id)).toEqual([ids[4], ids[3]]);
    expect(first.items[0].post_session_metadata).toBeUndefined();
    expect(first.current).toBe(`${server.url}/v2/pre-recorded?offset=0&limit=2`);
    const seen = [...first.items];
    let next = first.next;
    while (next) {
      const page = await (await fetch(next, { headers: { 'x-gladia-key': 'test-key' } })).json();
      seen.push(...page.items);
      expect(page.first).toBe(first.first);
      next = page.next;
    }
    expect(seen.map((j) => j.id)).toEqual([...ids].reverse());
  });

  it('filters by status, dates and custom_metadata, and keeps the filters in its links', async () => {
    const ids = await five();
    const failed = await create({ audio_url: `${peer.url}/media/gone.wav` });
    await advance(10);
    const list = async (query: string) => (await api(`/v2/pre-recorded?${query}`)).json();
    expect((await list('status=error')).items.map((j: { id: string }) => j.id)).toEqual([failed]);
    expect((await list('status=error&status=done')).items).toHaveLength(6);
    const red = await list('custom_metadata[team]=red&limit=1');
    expect(red.items.map((j: { id: string }) => j.id)).toEqual([ids[4]]);
    expect(red.next).toBe(`${server.url}/v2/pre-recorded?offset=1&limit=1&custom_metadata%5Bteam%5D=red`);
    // The clock carries on across tests: dates are taken from the jobs themselves.
    const created = await Promise.all(ids.map(async (id) => Date.parse((await job(id)).created_at)));
    const at = (ms: number) => new Date(ms).toISOString();
    expect((await list(`after_date=${at(created[0]! + 1800_000)}&before_date=${at(created[2]! + 1800_000)}`)).items.map((j: { id: string }) => j.id)).toEqual([ids[2], ids[1]]);
    const day = at(created[0]!).slice(0, 10);
    const onDay = (await list(`date=${day}`)).items.map((j: { id: string; created_at: string }) => j.created_at.slice(0, 10));
    expect(onDay.length).toBeGreaterThan(0);
    expect(onDay.every((d: string) => d === day)).toBe(true);
    const nextDay = at(Date.parse(`${day}T00:00:00Z`) + 86400_000).slice(0, 10);
    expect((await list(`date=${nextDay}`)).items.every((j: { created_at: string }) => j.created_at.startsWith(nextDay))).toBe(true);
  });

  it('refuses query values outside the spec with 400 and validation_errors', async () => {
    const res = await api('/v2/pre-recorded?limit=0');
    expect([res.status, res.json()]).toEqual([400, { ...ERROR_BODY, statusCode: 400, message: 'Invalid query parameters', validation_errors: ['limit must be >= 1'] }]);
  });
});

describe('callbacks', () => {
  it.each([
    ['callback_config POST', { callback: true, callback_config: { url: 'HOOK' } }, 'POST'],
    ['callback_config PUT', { callback: true, callback_config: { url: 'HOOK', method: 'PUT' } }, 'PUT'],
    ['the deprecated callback_url', { callback_url: 'HOOK' }, 'POST'],
  ])('%s sends the result once the job is done', async (_case, options, method) => {
    const hook = `${peer.url}/hooks/gladia`;
    const id = await create({ ...JSON.parse(JSON.stringify(options).replace('HOOK', hook)), custom_metadata: { ref: 'x' } });
    await advance(10);
    expect(peer.received).toHaveLength(1);
    expect([peer.received[0]!.method, peer.received[0]!.headers['content-type']]).toEqual([method, 'application/json']);
    const body = JSON.parse(peer.received[0]!.body.toString());
    expect(body).toMatchObject({ id, event: 'transcription.success', custom_metadata: { ref: 'x' } });
    expect(body.payload).toEqual((await job(id)).result);
  });

  it('follows callback_config when both forms are given, and sends nothing when callback is false', async () => {
    await create({ callback: true, callback_config: { url: `${peer.url}/hooks/current` }, callback_url: `${peer.url}/hooks/legacy` });
    await create({ callback: false, callback_config: { url: `${peer.url}/hooks/off` } });
    await advance(10);
    expect(peer.received.map((r) => r.path)).toEqual(['/hooks/current']);
  });

  it('is retried while the receiver fails, and every attempt is recorded', async () => {
    peer.answers.push(500, 503);
    await create({ callback: true, callback_config: { url: `${peer.url}/hooks/flaky` } });
    await advance(10 + 60 + 1);
    expect(peer.received).toHaveLength(3);
    const attempts = (await (await fetch(`${server.url}/__emulator/callbacks?api=gladia`)).json()).callbacks;
    expect(attempts.map((a: { attempt: number; status: number }) => [a.attempt, a.status])).toEqual([[1, 500], [2, 503], [3, 200]]);
  });
});

describe('refusals in Gladia\'s words', () => {
  it.each([
    ['no key', () => api('/v2/pre-recorded', { key: null }), 401, 'gladia key not found'],
    ['an unknown key', () => api('/v2/pre-recorded', { key: 'nobody' }), 401, 'gladia key not found'],
    ['an unknown job', () => api('/v2/pre-recorded/e41c7a09-6d25-4b8f-93a1-5f0b2c7d8e16'), 404, 'Pre-recorded job e41c7a09-6d25-4b8f-93a1-5f0b2c7d8e16 not found'],
    ['a job id that does not decode', () => api('/v2/pre-recorded/%ZZ'), 404, 'Pre-recorded job %ZZ not found'],
    ['malformed JSON', () => api('/v2/pre-recorded', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"audio_url":' }), 400, 'Request body is not valid JSON'],
    ['an unknown Content-Encoding', () => api('/v2/pre-recorded', { method: 'POST', headers: { 'content-type': 'application/json', 'content-encoding': 'x-bogus' }, body: '{}' }), 400, 'The request body could not be decoded (unsupported content encoding "x-bogus")'],
    ['a body that is not the gzip it claims', () => api('/v2/pre-recorded', { method: 'POST', headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' }, body: '{"audio_url":"x"}' }), 400, expect.stringMatching(/^The request body could not be parsed/)],
    ['a form where JSON is expected', () => api('/v2/pre-recorded', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'audio_url=x' }), 400, 'Unsupported content type; send application/json'],
    // Found by emulator/guarantees/fuzz.test.ts: a method the path does not have was answered in the emulator's own body.
    ['a method the path does not have', () => api('/v2/pre-recorded', { method: 'PUT' }), 405, 'Cannot PUT /v2/pre-recorded'],
  ])('%s', async (_case, send, status, message) => {
    const res = await send();
    expect([res.status, res.type, res.json()]).toEqual([status, 'application/json', { ...ERROR_BODY, statusCode: status, message }]);
  });

  it('an invalid body lists its validation_errors (400, not Prism\'s 422)', async () => {
    const res = await postJson('/v2/pre-recorded', { audio_url: 'https://x.example/a.wav', language_config: { languages: ['xx'] } });
    expect([res.status, res.json().validation_errors]).toEqual([400, ['language_config.languages.0 must be equal to one of the allowed values']]);
  });

  it('a gzip body that is gzip is read', async () => {
    const res = await api('/v2/pre-recorded', { method: 'POST', headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' }, body: new Uint8Array(gzipSync(JSON.stringify({ audio_url: `${peer.url}/media/greeting.wav` }))) });
    expect(res.status).toBe(201);
  });

  it('after a barrage of malformed requests, the list holds exactly the jobs that got a 2xx', async () => {
    const { audio_url: url } = (await upload()).json();
    const bodies: Array<[string, string, Record<string, string>]> = [
      ['{"audio_url":', 'POST', { 'content-type': 'application/json' }],
      [JSON.stringify({ audio_url: url }), 'POST', { 'content-type': 'application/json' }],
      [JSON.stringify({ audio_url: 42 }), 'POST', { 'content-type': 'application/json' }],
      [JSON.stringify({ audio_url: url, diarization: 'yes' }), 'POST', { 'content-type': 'application/json' }],
      [JSON.stringify({ audio_url: url, custom_metadata: { n: 1 } }), 'POST', { 'content-type': 'application/json' }],
      ['audio_url=x', 'POST', { 'content-type': 'text/plain' }],
      [JSON.stringify({ audio_url: url }), 'POST', { 'content-type': 'application/json', 'content-encoding': 'br' }],
      [JSON.stringify({ audio_url: url, language_config: { languages: 'en' } }), 'POST', { 'content-type': 'application/json' }],
      [JSON.stringify({ audio_url: url }), 'POST', { 'content-type': 'application/json', 'x-gladia-key': 'nobody' }],
      [JSON.stringify({ audio_url: url, callback: true, callback_config: { url: 'not a url' } }), 'POST', { 'content-type': 'application/json' }],
      [JSON.stringify([url]), 'POST', { 'content-type': 'application/json' }],
      [JSON.stringify({ audio_url: url, sentences: true }), 'POST', { 'content-type': 'application/json' }],
    ];
    const accepted: string[] = [];
    for (const [body, method, headers] of bodies) {
      const res = await api('/v2/pre-recorded', { method, headers, body });
      expect(res.status, body).toBeLessThan(500);
      if (res.status === 201) accepted.push(res.json().id);
    }
    expect(accepted).toHaveLength(3);
    const listed = (await api('/v2/pre-recorded?limit=100')).json().items.map((j: { id: string }) => j.id);
    expect([...listed].sort()).toEqual([...accepted].sort());
  });
});
