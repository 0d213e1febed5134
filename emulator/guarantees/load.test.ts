// Under load, nothing is lost, duplicated or crossed between tenants: N submissions (multipart,
// real audio) spread round-robin over 10 API keys, every one of them in flight at the server at
// the same moment, are each acknowledged once with an id of their own; each key lists exactly
// its own jobs; once the clock moves every job is done once and its callback reaches a real
// receiver once; and a reset leaves no job, callback, scheduled step or temporary file behind.
//
// "In flight at the same moment" is made certain, not hoped for: each request is sent whole but
// for its last byte, and the last bytes go only once the server has seen every request arrive
// (its own 'request' events), so none can be answered before all of them are open. No sleeps,
// no timed assertions. SPEECHDOUBLE_LOAD_JOBS raises N (default 100, up to 1,000: ten keys of at
// most 100 jobs, one page of GET /v2/jobs). `npm run bench -- load` runs the full 1,000 against
// the built CLI and weighs its memory (bench/load-submissions.ts).
import { existsSync, readFileSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import { dirname } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../compose.ts';
import { FIXTURES_DIR } from '../engine/fixtures.ts';
import { startLoopbackPeer, type LoopbackPeer } from '../testing/loopback-peer.ts';
import { encodeMultipart } from '../../openapi/multipart-encoding.ts';

const N = Number(process.env.SPEECHDOUBLE_LOAD_JOBS ?? 100);
const KEYS = Array.from({ length: 10 }, (_, i) => `load-key-${i}`);
/** GET /v2/jobs shows at most 100 jobs, and its pages go by creation time, which a manual clock does not move. */
if (!(Number.isInteger(N) && N >= KEYS.length && N <= KEYS.length * 100)) throw new Error(`SPEECHDOUBLE_LOAD_JOBS is a whole number from ${KEYS.length} to ${KEYS.length * 100}, not ${process.env.SPEECHDOUBLE_LOAD_JOBS}`);
/** Each API's share in the mixed run. */
const M = Math.max(KEYS.length, Math.round(N / 3));
const WAV_NAME = 'en-greeting.8k.wav';
const WAV = readFileSync(FIXTURES_DIR + WAV_NAME);
const BOUNDARY = 'speechdouble-load';
/** Past every retry any API makes (Speechmatics' last at 66 s, Gladia's and AssemblyAI's at 300 s), so a duplicate would show. */
const ADVANCE_SECONDS = 600;

let server: RunningServer;
let peer: LoopbackPeer;
/** Requests the server has seen arrive (its 'request' events), and who waits for a number of them. */
let arrived = 0;
let waiting: { count: number; resolve: () => void } | undefined;

beforeAll(async () => {
  [server, peer] = await Promise.all([
    startServer({ host: '127.0.0.1', port: 0, clock: { mode: 'manual' }, strict: true, apiKeys: KEYS }),
    startLoopbackPeer({}),
  ]);
  server.server.on('request', () => {
    arrived++;
    if (waiting && arrived >= waiting.count) waiting.resolve();
  });
});
afterAll(async () => {
  await server?.close();
  await peer?.close();
});
beforeEach(async () => {
  await control('/reset');
  peer.clear();
});

interface Outgoing {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: Buffer;
}

interface Answer {
  status: number;
  body: any;
}

/** A control request: a POST when there is a body or the path is /reset, else a GET. */
async function control(path: string, body?: unknown): Promise<any> {
  const res = await fetch(`${server.url}/__emulator${path}`, {
    method: body !== undefined || path === '/reset' ? 'POST' : 'GET',
    headers: { 'content-type': 'application/json' },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${path} answered ${res.status}: ${text}`);
  return text ? JSON.parse(text) : undefined;
}

async function get(path: string, headers: Record<string, string>): Promise<Answer> {
  const res = await fetch(server.url + path, { headers });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

/**
 * Sends every request on a connection of its own, all but the last byte of each; once the
 * server has seen all of them arrive, sends the last bytes. Returns the answers in order, and
 * how many requests the server was answering when the last bytes were released.
 */
async function allAtOnce(requests: Outgoing[]): Promise<{ answers: Answer[]; inFlight: number }> {
  arrived = 0;
  const allArrived = new Promise<void>((resolve) => (waiting = { count: requests.length, resolve }));
  const agent = new Agent({ keepAlive: false, maxSockets: Infinity });
  try {
    const sent = requests.map((r) => {
      const req = httpRequest(server.url + r.path, { method: r.method, headers: { ...r.headers, 'content-length': String(r.body.length) }, agent });
      const answer = new Promise<Answer>((resolve, reject) => {
        req.on('error', reject);
        req.on('response', (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('error', reject);
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            try {
              resolve({ status: res.statusCode!, body: text ? JSON.parse(text) : undefined });
            } catch {
              resolve({ status: res.statusCode!, body: text });
            }
          });
        });
      });
      answer.catch(() => undefined); // awaited below; this only keeps an early failure from going unhandled
      req.write(r.body.subarray(0, r.body.length - 1));
      return { req, answer, last: r.body.subarray(r.body.length - 1) };
    });
    // An answer before every request has arrived (a refusal that does not wait for the body, a
    // dropped connection) means they were not all in flight at once: that fails the test here.
    let released = false;
    const early = Promise.race(sent.map((s) => s.answer)).then((a) => {
      if (!released) throw new Error(`a request was answered ${a.status} before every request had arrived: ${JSON.stringify(a.body).slice(0, 300)}`);
    });
    await Promise.race([allArrived, early]);
    released = true;
    const inFlight = server.inFlight();
    for (const s of sent) s.req.end(s.last);
    return { answers: await Promise.all(sent.map((s) => s.answer)), inFlight };
  } finally {
    waiting = undefined;
    agent.destroy();
  }
}

const keyOf = (i: number) => KEYS[i % KEYS.length]!;
const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

function speechmaticsJob(key: string): Outgoing {
  const hook = `${peer.url}/hooks/speechmatics/${key}`;
  const config = { type: 'transcription', transcription_config: { language: 'en' }, notification_config: [{ url: hook, contents: ['jobinfo'] }] };
  return {
    method: 'POST', path: '/v2/jobs',
    headers: { ...bearer(key), 'content-type': `multipart/form-data; boundary=${BOUNDARY}` },
    body: encodeMultipart([
      { name: 'config', value: JSON.stringify(config) },
      { name: 'data_file', value: WAV, filename: WAV_NAME, contentType: 'audio/wav' },
    ], BOUNDARY),
  };
}

const gladiaUpload = (key: string): Outgoing => ({
  method: 'POST', path: '/v2/upload',
  headers: { 'x-gladia-key': key, 'content-type': `multipart/form-data; boundary=${BOUNDARY}` },
  body: encodeMultipart([{ name: 'audio', value: WAV, filename: WAV_NAME, contentType: 'audio/wav' }], BOUNDARY),
});
const gladiaJob = (key: string, audioUrl: string): Outgoing => ({
  method: 'POST', path: '/v2/pre-recorded',
  headers: { 'x-gladia-key': key, 'content-type': 'application/json' },
  body: Buffer.from(JSON.stringify({ audio_url: audioUrl, callback: true, callback_config: { url: `${peer.url}/hooks/gladia/${key}` } })),
});
const assemblyaiUpload = (key: string): Outgoing => ({
  method: 'POST', path: '/v2/upload',
  headers: { authorization: key, 'content-type': 'application/octet-stream' },
  body: WAV,
});
const assemblyaiTranscript = (key: string, uploadUrl: string): Outgoing => ({
  method: 'POST', path: '/v2/transcript',
  headers: { authorization: key, 'content-type': 'application/json' },
  body: Buffer.from(JSON.stringify({ audio_url: uploadUrl, webhook_url: `${peer.url}/hooks/assemblyai/${key}` })),
});

/** Answers by status, for a failure message that says what came back instead. */
const statuses = (answers: Answer[]) => answers.reduce<Record<number, number>>((counts, a) => ({ ...counts, [a.status]: (counts[a.status] ?? 0) + 1 }), {});

/** What each key was given, id → key, from answers in the order of `keyOf`. */
function owners(ids: string[]): Map<string, string> {
  return new Map(ids.map((id, i) => [id, keyOf(i)]));
}

/** The ids each key should list, sorted. */
function byKey(given: Map<string, string>): Map<string, string[]> {
  const result = new Map(KEYS.map((key) => [key, [] as string[]]));
  for (const [id, key] of given) result.get(key)!.push(id);
  for (const ids of result.values()) ids.sort();
  return result;
}

/** The notifications that reached `/hooks/<api>/<key>`: the key the hook was for, and the job it named. */
function hooks(api: string, idOf: (call: { query: URLSearchParams; body: any }) => string) {
  return peer.received.filter((call) => call.path.startsWith(`/hooks/${api}/`)).map((call) => {
    const url = new URL(call.path, 'http://peer');
    const text = call.body.toString('utf8');
    const body = text ? JSON.parse(text) : undefined;
    return { key: url.pathname.slice(`/hooks/${api}/`.length), id: idOf({ query: url.searchParams, body }), query: Object.fromEntries(url.searchParams), body };
  });
}

/** Each id once, sent to the hook of the key that made it. */
function expectOncePerJob(received: Array<{ key: string; id: string }>, given: Map<string, string>) {
  const counts = new Map<string, number>();
  for (const { id } of received) counts.set(id, (counts.get(id) ?? 0) + 1);
  expect([...counts].filter(([, n]) => n !== 1), 'notified more than once').toEqual([]);
  expect([...given.keys()].filter((id) => !counts.has(id)), 'never notified').toEqual([]);
  expect(received.filter(({ id }) => !given.has(id)), 'notified of a job nobody made').toEqual([]);
  expect(received.filter(({ id, key }) => given.get(id) !== key), 'notified at another key\'s hook').toEqual([]);
  expect(received).toHaveLength(given.size);
}

/** Exactly one attempt per job for this API, delivered (2xx) at its first try. */
async function expectCallbacksOnce(api: string, given: Map<string, string>) {
  const { callbacks } = await control(`/callbacks?api=${api}`);
  const attempts = callbacks as Array<{ resource_id: string; attempt: number; status: number | null; error: string | null }>;
  expect(attempts.filter((a) => a.attempt !== 1 || a.status !== 200), `${api}: retried or failed callbacks`).toEqual([]);
  expect(attempts.map((a) => a.resource_id).sort()).toEqual([...given.keys()].sort());
}

/** The temporary directory the emulator's files are in (one per emulator), while it holds any. */
const filesDir = () => {
  const dirs = new Set(server.emulator.files.list().map((path) => dirname(path)));
  expect(dirs.size).toBe(1);
  return [...dirs][0]!;
};

async function expectResetLeavesNothing(lists: Array<(key: string) => Promise<unknown[]>>) {
  const dir = filesDir();
  await control('/reset');
  for (const list of lists) for (const key of KEYS) expect(await list(key)).toEqual([]);
  expect(server.emulator.files.list()).toEqual([]);
  expect(existsSync(dir)).toBe(false);
  expect((await control('/callbacks')).callbacks).toEqual([]);
  expect((await control('/clock')).pending).toBe(0);
  // Nothing forgotten comes back to life when time moves.
  const before = peer.received.length;
  await control('/clock/advance', { seconds: ADVANCE_SECONDS });
  expect(peer.received).toHaveLength(before);
  expect(server.emulator.files.list()).toEqual([]);
}

const speechmaticsList = async (key: string) => {
  const res = await get('/v2/jobs?limit=100', bearer(key));
  expect(res.status).toBe(200);
  return res.body.jobs as Array<{ id: string; status: string }>;
};
const gladiaList = async (key: string) => {
  const res = await get('/v2/pre-recorded?limit=100', { 'x-gladia-key': key });
  expect(res.status).toBe(200);
  return res.body.items as Array<{ id: string; status: string }>;
};
const assemblyaiList = async (key: string) => {
  const res = await get('/v2/transcript?limit=200', { authorization: key });
  expect(res.status).toBe(200);
  return res.body.transcripts as Array<{ id: string; status: string }>;
};

/** Every key lists exactly its own ids, each in `status`. */
async function expectLists(list: (key: string) => Promise<Array<{ id: string; status: string }>>, given: Map<string, string>, status: string) {
  for (const [key, ids] of byKey(given)) {
    const listed = await list(key);
    expect(listed.map((item) => item.id).sort(), `${key}'s list`).toEqual(ids);
    expect(listed.filter((item) => item.status !== status), `${key}'s jobs not ${status}`).toEqual([]);
  }
}

describe(`${N} concurrent submissions over ${KEYS.length} keys`, () => {
  it('Speechmatics: each acknowledged once, listed by its own key only, done and notified once after the clock moves, gone after a reset', async () => {
    const { answers, inFlight } = await allAtOnce(Array.from({ length: N }, (_, i) => speechmaticsJob(keyOf(i))));
    expect(inFlight).toBe(N);
    expect(statuses(answers)).toEqual({ 201: N });
    const ids = answers.map((a) => a.body.id as string);
    expect(new Set(ids).size).toBe(N);
    const given = owners(ids);
    // Each job keeps its upload, and nothing else was left on disk.
    expect(server.emulator.files.list()).toHaveLength(N);
    const journal = (await control(`/requests?api=speechmatics&limit=10000`)).requests as Array<{ operation_id: string; status: number }>;
    expect(journal.filter((entry) => entry.operation_id === 'createJob').map((entry) => entry.status)).toEqual(Array(N).fill(201));

    await expectLists(speechmaticsList, given, 'running');
    // A job is its key's alone.
    const [first, second] = [ids[0]!, ids[1]!];
    expect((await get(`/v2/jobs/${first}`, bearer(keyOf(1)))).status).toBe(404);
    expect((await get(`/v2/jobs/${second}`, bearer(keyOf(1)))).status).toBe(200);
    expect(peer.received).toEqual([]);

    const advanced = await control('/clock/advance', { seconds: ADVANCE_SECONDS });
    expect(advanced.ran).toBeGreaterThanOrEqual(N);
    await expectLists(speechmaticsList, given, 'done');
    const notified = hooks('speechmatics', ({ query }) => query.get('id')!);
    expectOncePerJob(notified, given);
    expect(notified.filter((n) => n.query.status !== 'success' || n.body?.id !== n.id), 'notifications not success, or whose jobinfo names another job').toEqual([]);
    await expectCallbacksOnce('speechmatics', given);
    // A second advance finishes nothing twice.
    await control('/clock/advance', { seconds: ADVANCE_SECONDS });
    expect(peer.received).toHaveLength(N);
    expect((await control('/callbacks')).callbacks).toHaveLength(N);

    await expectResetLeavesNothing([speechmaticsList]);
  }, 60_000);

  it(`mixed: ${M} Speechmatics jobs, ${M} Gladia uploads and jobs, ${M} AssemblyAI uploads and transcripts, at once`, async () => {
    const apis = ['speechmatics', 'gladia', 'assemblyai'] as const;
    // One after another by API, so each API's i-th request is keyOf(i).
    const first = await allAtOnce([
      ...Array.from({ length: M }, (_, i) => speechmaticsJob(keyOf(i))),
      ...Array.from({ length: M }, (_, i) => gladiaUpload(keyOf(i))),
      ...Array.from({ length: M }, (_, i) => assemblyaiUpload(keyOf(i))),
    ]);
    expect(first.inFlight).toBe(3 * M);
    const [smAnswers, glUploads, aaiUploads] = apis.map((_, k) => first.answers.slice(k * M, (k + 1) * M));
    expect(statuses(smAnswers!)).toEqual({ 201: M });
    expect(statuses(glUploads!)).toEqual({ 200: M });
    expect(statuses(aaiUploads!)).toEqual({ 200: M });
    const audioUrls = glUploads!.map((a) => a.body.audio_url as string);
    const uploadUrls = aaiUploads!.map((a) => a.body.upload_url as string);
    expect(new Set(audioUrls).size).toBe(M);
    expect(new Set(uploadUrls).size).toBe(M);
    expect(server.emulator.files.list()).toHaveLength(3 * M);

    const second = await allAtOnce([
      ...audioUrls.map((url, i) => gladiaJob(keyOf(i), url)),
      ...uploadUrls.map((url, i) => assemblyaiTranscript(keyOf(i), url)),
    ]);
    expect(second.inFlight).toBe(2 * M);
    const [glJobs, aaiJobs] = [second.answers.slice(0, M), second.answers.slice(M)];
    expect(statuses(glJobs)).toEqual({ 201: M });
    expect(statuses(aaiJobs)).toEqual({ 200: M });
    const given = {
      speechmatics: owners(smAnswers!.map((a) => a.body.id)),
      gladia: owners(glJobs.map((a) => a.body.id)),
      assemblyai: owners(aaiJobs.map((a) => a.body.id)),
    };
    for (const api of apis) expect(given[api].size, `${api}: distinct ids`).toBe(M);
    // An upload named by a key other than its own is refused (the uploads are each key's own).
    const foreign = await allAtOnce([gladiaJob(keyOf(1), audioUrls[0]!), assemblyaiTranscript(keyOf(1), uploadUrls[0]!)]);
    expect(foreign.answers.map((a) => a.status >= 400 && a.status < 500)).toEqual([true, true]);

    await control('/clock/advance', { seconds: ADVANCE_SECONDS });
    await expectLists(speechmaticsList, given.speechmatics, 'done');
    await expectLists(gladiaList, given.gladia, 'done');
    await expectLists(assemblyaiList, given.assemblyai, 'completed');
    expectOncePerJob(hooks('speechmatics', ({ query }) => query.get('id')!), given.speechmatics);
    expectOncePerJob(hooks('gladia', ({ body }) => body.id), given.gladia);
    expectOncePerJob(hooks('assemblyai', ({ body }) => body.transcript_id), given.assemblyai);
    expect(peer.received).toHaveLength(3 * M);
    for (const api of apis) await expectCallbacksOnce(api, given[api]);

    await expectResetLeavesNothing([speechmaticsList, gladiaList, assemblyaiList]);
  }, 60_000);
});
