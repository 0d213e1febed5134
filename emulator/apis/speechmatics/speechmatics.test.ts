// Speechmatics batch as a client meets it: a real port, real multipart, real audio, and a
// manual clock advanced through the control API. Strict mode is on: any answer that departs
// from specs/speechmatics-batch.yaml comes back as a 500 and fails the test that got it.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../compose.ts';
import { controlClient } from '../../testing/control-client.ts';
import { FIXTURES_DIR } from '../../engine/fixtures.ts';

const GREETING = readFileSync(FIXTURES_DIR + 'en-greeting.16k.wav');
const GREETING_TEXT = 'Good morning, and welcome to the weather report. Will it rain today?';
const CONVERSATION = readFileSync(FIXTURES_DIR + 'en-conversation.16k.wav');
const CORRUPT = readFileSync(FIXTURES_DIR + 'corrupt.16k.wav');

let server: RunningServer;
beforeAll(async () => {
  server = await startServer({ host: '127.0.0.1', port: 0, apis: ['speechmatics'], clock: { mode: 'manual' }, strict: true, apiKeys: ['other-team'] });
});
afterAll(() => server?.close());
beforeEach(async () => {
  await controlClient(server.url).reset();
});

const auth = (key = 'test-key') => ({ authorization: `Bearer ${key}` });

async function api(path: string, init: RequestInit & { key?: string } = {}) {
  const res = await fetch(server.url + path, { ...init, headers: { ...auth(init.key), ...(init.headers as Record<string, string>) } });
  const text = await res.text();
  if (res.status === 500) throw new Error(`contract violation or crash: ${text}`);
  const json = () => JSON.parse(text);
  return { status: res.status, type: res.headers.get('content-type') ?? '', text, json };
}

function form(parts: Record<string, string | { data: Buffer; filename: string }>): FormData {
  const body = new FormData();
  for (const [name, value] of Object.entries(parts)) {
    if (typeof value === 'string') body.append(name, value);
    else body.append(name, new Blob([new Uint8Array(value.data)], { type: 'audio/wav' }), value.filename);
  }
  return body;
}

const transcription = (extra: Record<string, unknown> = {}) => JSON.stringify({ type: 'transcription', transcription_config: { language: 'en', ...extra } });

async function submit(audio = GREETING, config = transcription(), key?: string): Promise<string> {
  const reply = await api('/v2/jobs', { method: 'POST', body: form({ config, data_file: { data: audio, filename: 'greeting.wav' } }), key });
  expect(reply.status).toBe(201);
  return reply.json().id;
}

const advance = (seconds: number) => controlClient(server.url).advance(seconds);

describe('a transcription job', () => {
  it('runs, then is done after processing time, with the duration of the real audio', async () => {
    const id = await submit();
    expect(id).toMatch(/^[a-z0-9]{10}$/);
    expect((await api(`/v2/jobs/${id}`)).json().job).toMatchObject({ id, status: 'running', data_name: 'greeting.wav', duration: 5 });
    await advance(1);
    expect((await api(`/v2/jobs/${id}`)).json().job.status).toBe('running');
    await advance(2);
    expect((await api(`/v2/jobs/${id}`)).json().job.status).toBe('done');
  });

  it('has no transcript until done, then the true words in json-v2, txt and srt', async () => {
    const id = await submit();
    expect((await api(`/v2/jobs/${id}/transcript`)).json()).toEqual({ code: 404, error: 'Transcription not ready' });
    await advance(3);
    const json = await api(`/v2/jobs/${id}/transcript`);
    expect(json.type).toMatch(/^application\/json/);
    const words = json.json().results.map((r: { alternatives: Array<{ content: string }> }) => r.alternatives[0]!.content);
    expect(words.join(' ').replace(/ ([.,?])/g, '$1')).toBe(GREETING_TEXT);
    const txt = await api(`/v2/jobs/${id}/transcript?format=txt`);
    expect([txt.type.split(';')[0], txt.text.trim()]).toEqual(['text/plain', GREETING_TEXT]);
    const srt = await api(`/v2/jobs/${id}/transcript?format=srt`);
    expect(srt.text).toMatch(/^1\n00:00:00,\d{3} --> 00:00:0\d,\d{3}\n/);
  });

  it('labels speakers S1 and S2 when speaker diarization is asked for', async () => {
    const id = await submit(CONVERSATION, transcription({ diarization: 'speaker' }));
    await advance(10);
    const speakers = new Set((await api(`/v2/jobs/${id}/transcript`)).json().results.map((r: { alternatives: Array<{ speaker: string }> }) => r.alternatives[0]!.speaker));
    expect(speakers).toEqual(new Set(['S1', 'S2']));
  });

  it('is rejected, with the reason in errors[], when its audio cannot be read', async () => {
    const id = await submit(CORRUPT);
    await advance(3);
    const { job } = (await api(`/v2/jobs/${id}`)).json();
    expect(job.status).toBe('rejected');
    expect(job.errors[0].message).toBe('Job rejected due to invalid audio');
    expect((await api(`/v2/jobs/${id}/transcript`)).json()).toMatchObject({ code: 404, error: 'Job rejected' });
  });

  it('expires after seven days: the list says so, and the job and its files answer 410', async () => {
    const id = await submit();
    await advance(3);
    await advance(7 * 24 * 3600 - 1);
    expect((await api(`/v2/jobs/${id}`)).json().job.status).toBe('done');
    await advance(1);
    expect((await api('/v2/jobs')).json().jobs[0]).toMatchObject({ id, status: 'expired' });
    expect((await api(`/v2/jobs/${id}`)).json()).toEqual({ code: 410, error: 'Job Expired' });
    expect((await api(`/v2/jobs/${id}/transcript`)).json()).toEqual({ code: 410, error: 'File Expired' });
    expect((await api(`/v2/jobs/${id}/data`)).json()).toEqual({ code: 410, error: 'File Expired' });
    expect((await api(`/v2/jobs/${id}`, { method: 'DELETE' })).json().job.status).toBe('deleted');
  });

  it('answers 404 for an expired job instead, as the retention docs say, when configured', async () => {
    const other = await startServer({ host: '127.0.0.1', port: 0, apis: ['speechmatics'], clock: { mode: 'manual' }, strict: true, settings: { speechmatics: { 'expired-status': 404, 'retention-days': 60 / 86400 } } });
    try {
      const body = form({ config: transcription(), data_file: { data: GREETING, filename: 'a.wav' } });
      const { id } = await (await fetch(`${other.url}/v2/jobs`, { method: 'POST', headers: auth(), body })).json();
      await fetch(`${other.url}/__emulator/clock/advance`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"seconds": 63}' });
      const res = await fetch(`${other.url}/v2/jobs/${id}/transcript`, { headers: auth() });
      expect([res.status, await res.json()]).toEqual([404, { code: 404, error: 'Job not found', detail: 'The job has expired.' }]);
    } finally {
      await other.close();
    }
  });

  it('gives back the uploaded audio byte for byte', async () => {
    const id = await submit();
    const res = await fetch(`${server.url}/v2/jobs/${id}/data`, { headers: auth() });
    expect(Buffer.from(await res.arrayBuffer()).equals(GREETING)).toBe(true);
  });
});

describe('deleting a job', () => {
  it('is refused while it runs (423), forced with force=true, and allowed once done', async () => {
    const running = await submit();
    expect(await api(`/v2/jobs/${running}`, { method: 'DELETE' }).then((r) => [r.status, r.json()])).toEqual([423, { code: 423, error: 'Resource Locked' }]);
    const forced = await api(`/v2/jobs/${running}?force=true`, { method: 'DELETE' });
    expect([forced.status, forced.json().job.status]).toEqual([200, 'deleted']);
    // Terminated: the finishing step never runs.
    await advance(10);
    expect((await api(`/v2/jobs/${running}`)).json().job.status).toBe('deleted');

    const done = await submit();
    await advance(3);
    expect((await api(`/v2/jobs/${done}`, { method: 'DELETE' })).json().job.status).toBe('deleted');
  });

  it('takes it out of the list unless include_deleted=true', async () => {
    const kept = await submit();
    const gone = await submit();
    await api(`/v2/jobs/${gone}?force=true`, { method: 'DELETE' });
    expect((await api('/v2/jobs')).json().jobs.map((j: { id: string }) => j.id)).toEqual([kept]);
    expect((await api('/v2/jobs?include_deleted=true')).json().jobs.map((j: { id: string }) => j.id)).toEqual([gone, kept]);
  });
});

describe('listing jobs', () => {
  it('is newest first, honours limit and the created_before cursor', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      ids.push(await submit());
      await advance(1);
    }
    const all = (await api('/v2/jobs')).json().jobs;
    expect(all.map((j: { id: string }) => j.id)).toEqual([...ids].reverse());
    expect((await api('/v2/jobs?limit=2')).json().jobs).toHaveLength(2);
    const cursor = all[1].created_at;
    expect((await api(`/v2/jobs?created_before=${encodeURIComponent(cursor)}`)).json().jobs.map((j: { id: string }) => j.id)).toEqual([ids[0]]);
  });

  it.each([['abc', 'limit in query must be of type int64'], ['0', 'limit in query should be between 1 and 100'], ['101', 'limit in query should be between 1 and 100']])(
    'answers limit=%s with 422', async (limit, error) => {
      expect(await api(`/v2/jobs?limit=${limit}`).then((r) => [r.status, r.json()])).toEqual([422, { code: 422, error }]);
    });

  it('ignores query parameters it does not know, as the SDK sends sm-sdk', async () => {
    expect((await api('/v2/jobs?sm-sdk=js-5.1.0')).status).toBe(200);
  });
});

describe('credentials and tenants', () => {
  it('refuses a missing or unknown key with 401 Permission Denied', async () => {
    for (const headers of [{}, { authorization: 'Bearer nope' }, { authorization: 'test-key' }] as Record<string, string>[]) {
      const res = await fetch(`${server.url}/v2/jobs`, { headers });
      expect([res.status, await res.json()]).toEqual([401, { code: 401, error: 'Permission Denied' }]);
    }
  });

  it('never shows one key the jobs of another', async () => {
    const mine = await submit();
    const theirs = await submit(GREETING, transcription(), 'other-team');
    expect((await api('/v2/jobs')).json().jobs.map((j: { id: string }) => j.id)).toEqual([mine]);
    expect((await api('/v2/jobs', { key: 'other-team' })).json().jobs.map((j: { id: string }) => j.id)).toEqual([theirs]);
    expect((await api(`/v2/jobs/${theirs}`)).status).toBe(404);
  });
});

describe('bad submissions', () => {
  const post = (body: BodyInit, headers: Record<string, string> = {}) => api('/v2/jobs', { method: 'POST', body, headers });

  it.each([
    ['no config part', () => form({ data_file: { data: GREETING, filename: 'a.wav' } }), { code: 400, error: 'Malformed request', detail: 'config part is required' }],
    ['config that is not JSON', () => form({ config: '{"type": ', data_file: { data: GREETING, filename: 'a.wav' } }), { code: 400, error: 'Job rejected', detail: 'Job config JSON is invalid' }],
    ['no data_file', () => form({ config: transcription() }), { code: 400, error: 'Missing data_file' }],
    ['the audio under the wrong part name', () => form({ config: transcription(), audio: { data: GREETING, filename: 'a.wav' } }), { code: 400, error: 'Missing data_file' }],
  ])('%s gets the documented 400', async (_case, body, expected) => {
    expect(await post(body()).then((r) => [r.status, r.json()])).toEqual([400, expected]);
  });

  it('a config the schema refuses gets 400 Job rejected with the reason', async () => {
    const reply = await post(form({ config: JSON.stringify({ type: 'transcription' }), data_file: { data: GREETING, filename: 'a.wav' } }));
    expect(reply.status).toBe(400);
    expect(reply.json()).toMatchObject({ code: 400, error: 'Job rejected' });
  });

  it('an upload over the size limit gets 400 Malformed request and is not kept', async () => {
    const small = await startServer({ host: '127.0.0.1', port: 0, apis: ['speechmatics'], clock: { mode: 'manual' }, strict: true, settings: { speechmatics: { 'max-upload-mb': 100_000 / 2 ** 20 } } });
    try {
      const body = form({ config: transcription(), data_file: { data: GREETING, filename: 'a.wav' } });
      const res = await fetch(`${small.url}/v2/jobs`, { method: 'POST', headers: auth(), body });
      expect([res.status, await res.json()]).toEqual([400, { code: 400, error: 'Malformed request', detail: 'data_file is larger than 100000 bytes' }]);
      expect(small.emulator.files.list()).toEqual([]);
    } finally {
      await small.close();
    }
  });

  it('leave no uploaded file behind, and a deleted job takes its media with it', async () => {
    const refused = form({ config: '{"type": ', data_file: { data: GREETING, filename: 'a.wav' } });
    expect((await post(refused)).status).toBe(400);
    expect(server.emulator.files.list()).toEqual([]);
    const id = await submit();
    expect(server.emulator.files.list()).toHaveLength(1);
    await api(`/v2/jobs/${id}?force=true`, { method: 'DELETE' });
    expect(server.emulator.files.list()).toEqual([]);
  });

  it('a truncated or non-multipart body gets 400 Malformed request and leaves no job behind', async () => {
    const whole = new Response(form({ config: transcription(), data_file: { data: GREETING, filename: 'a.wav' } }));
    const type = whole.headers.get('content-type')!;
    const bytes = Buffer.from(await whole.arrayBuffer());
    const truncated = await post(new Uint8Array(bytes.subarray(0, bytes.length - 200)), { 'content-type': type });
    expect([truncated.status, truncated.json().error]).toEqual([400, 'Malformed request']);
    const json = await post(transcription(), { 'content-type': 'application/json' });
    expect([json.status, json.json().error]).toEqual([400, 'Malformed request']);
    expect((await api('/v2/jobs?include_deleted=true')).json().jobs).toEqual([]);
    expect(server.emulator.files.list()).toEqual([]);
  });
});

describe('a method a job path does not have', () => {
  // Found by emulator/guarantees/fuzz.test.ts: it was answered in the emulator's own body, not the vendor's.
  it('is 405 with Allow, in the vendor\'s body', async () => {
    const res = await fetch(`${server.url}/v2/jobs/abc/transcript`, { method: 'PUT', headers: auth() });
    expect([res.status, res.headers.get('allow'), await res.json()]).toEqual([405, 'GET', { code: 405, error: 'Bad Request', detail: 'method PUT is not allowed, but [GET] are' }]);
  });
});

describe('a job id that does not decode', () => {
  // Found by emulator/guarantees/fuzz.test.ts: it was a 400 no job path documents (strict mode: a 500).
  it.each(['%ZZ', '%', '%E0%A4%A', '%C0%AF'])('%s names no job: the documented 404 on every job path', async (id) => {
    for (const [method, path] of [['GET', ''], ['DELETE', ''], ['GET', '/transcript'], ['GET', '/alignment'], ['GET', '/data'], ['GET', '/text']]) {
      const reply = await api(`/v2/jobs/${id}${path}`, { method });
      expect([method, path, reply.status, reply.json()]).toEqual([method, path, 404, { code: 404, error: 'Job not found' }]);
    }
  });
});

describe('determinism', () => {
  it('two emulators with the same seed, requests and clock steps give the same bytes', async () => {
    const run = async () => {
      const fresh = await startServer({ host: '127.0.0.1', port: 0, apis: ['speechmatics'], clock: { mode: 'manual' }, seed: 42, strict: true });
      try {
        const created = await fetch(`${fresh.url}/v2/jobs`, { method: 'POST', headers: auth(), body: form({ config: transcription(), data_file: { data: GREETING, filename: 'a.wav' } }) });
        const { id } = await created.json();
        await fetch(`${fresh.url}/__emulator/clock/advance`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"seconds": 3}' });
        return [id, await (await fetch(`${fresh.url}/v2/jobs/${id}/transcript`, { headers: auth() })).text()];
      } finally {
        await fresh.close();
      }
    };
    const [first, second] = [await run(), await run()];
    expect(first[1]).toContain('"results"');
    expect(second).toEqual(first);
  });
});

describe('an alignment job', () => {
  const TEXT = 'Good morning, and welcome to the <b>weather</b> report.\n<!-- second sentence -->\nWill it rain today?\n';

  async function align(text: Buffer) {
    const body = form({ config: JSON.stringify({ type: 'alignment', alignment_config: { language: 'en' } }), data_file: { data: GREETING, filename: 'greeting.wav' } });
    body.append('text_file', new Blob([new Uint8Array(text)], { type: 'text/plain' }), 'script.txt');
    const reply = await api('/v2/jobs', { method: 'POST', body });
    expect(reply.status).toBe(201);
    return reply.json().id as string;
  }

  it('times the given text, keeping its markup, in both tag formats', async () => {
    const id = await align(Buffer.from(TEXT));
    expect((await api(`/v2/jobs/${id}/alignment`)).json()).toEqual({ code: 404, error: 'Job In Progress' });
    await advance(3);
    const tagged = (await api(`/v2/jobs/${id}/alignment`)).text;
    expect(tagged).toMatch(/^<time=\d+\.\d{2}>Good<time=\d+\.\d{2}> /);
    expect(tagged).toContain('<b>');
    expect(tagged).toContain('<!-- second sentence -->');
    const lines = (await api(`/v2/jobs/${id}/alignment?tags=one_per_line`)).text.split('\n');
    expect(lines[0]).toMatch(/^\[00:00:00\.\d\] Good morning/);
    expect((await api(`/v2/jobs/${id}/transcript`)).json()).toEqual({ code: 404, error: 'Job is not of type transcription' });
    expect((await api(`/v2/jobs/${id}/text`)).text).toBe(TEXT);
    expect((await api(`/v2/jobs/${id}`)).json().job).toMatchObject({ text_name: 'script.txt', status: 'done' });
  });

  it('needs a text file, and rejects one that is not UTF-8', async () => {
    const noText = await api('/v2/jobs', { method: 'POST', body: form({ config: JSON.stringify({ type: 'alignment', alignment_config: { language: 'en' } }), data_file: { data: GREETING, filename: 'a.wav' } }) });
    expect([noText.status, noText.json()]).toEqual([400, { code: 400, error: 'Missing text_file' }]);
    const id = await align(Buffer.from([0x48, 0x69, 0xff, 0xfe]));
    await advance(3);
    expect((await api(`/v2/jobs/${id}`)).json().job.status).toBe('rejected');
  });
});

describe('usage', () => {
  it('counts successfully processed jobs once their UTC day is over, and deleting does not reduce it', async () => {
    const clock = await (await fetch(`${server.url}/__emulator/clock`)).json();
    const id = await submit();
    await submit(CORRUPT);
    await advance(3);
    const today = await api('/v2/usage');
    expect(today.json().summary).toEqual([]);
    // To the next UTC day.
    const now = Date.parse(clock.now) + 3000;
    await advance((Math.ceil(now / 86_400_000) * 86_400_000 - now) / 1000 + 60);
    await api(`/v2/jobs/${id}`, { method: 'DELETE' });
    const usage = (await api('/v2/usage')).json();
    expect(usage.summary).toEqual([{ mode: 'batch', type: 'transcription', count: 1, duration_hrs: expect.closeTo(4.948 / 3600, 5) }]);
    expect(usage.details).toEqual([{ mode: 'batch', type: 'transcription', language: 'en', operating_point: 'standard', count: 1, duration_hrs: expect.closeTo(4.948 / 3600, 5) }]);
  });

  it('answers a malformed date with 422', async () => {
    expect((await api('/v2/usage?since=yesterday')).status).toBe(422);
  });
});

describe('what the transcript carries', () => {
  it('has every enrichment the config asks for, and none it does not', async () => {
    const plain = await submit();
    const rich = await submit(GREETING, JSON.stringify({
      type: 'transcription', transcription_config: { language: 'en' },
      translation_config: { target_languages: ['de', 'fr'] }, summarization_config: {}, sentiment_analysis_config: {},
      topic_detection_config: {}, auto_chapters_config: {}, audio_events_config: {},
    }));
    await advance(3);
    const bare = (await api(`/v2/jobs/${plain}/transcript`)).json();
    for (const key of ['translations', 'summary', 'sentiment_analysis', 'topics', 'chapters', 'audio_events']) expect(bare).not.toHaveProperty(key);
    const full = (await api(`/v2/jobs/${rich}/transcript`)).json();
    expect(Object.keys(full.translations).sort()).toEqual(['de', 'fr']);
    expect(full.summary.content.length).toBeGreaterThan(0);
    expect(full.sentiment_analysis.segments.length).toBeGreaterThan(0);
    expect(full.chapters.length).toBeGreaterThan(0);
    expect(full).toHaveProperty('topics');
    expect(full).toHaveProperty('audio_events');
  });

  it('labels each result with its channel under channel diarization', async () => {
    const stereo = readFileSync(FIXTURES_DIR + 'en-stereo.16k.wav');
    const id = await submit(stereo, transcription({ diarization: 'channel' }));
    await advance(10);
    const results = (await api(`/v2/jobs/${id}/transcript`)).json().results as Array<{ channel?: string; alternatives: Array<{ content: string }> }>;
    expect(new Set(results.map((r) => r.channel))).toEqual(new Set(['channel_1', 'channel_2']));
    expect(results.filter((r) => r.channel === 'channel_2').map((r) => r.alternatives[0]!.content).slice(0, 3)).toEqual(['Could', 'I', 'have']);
  });
});
