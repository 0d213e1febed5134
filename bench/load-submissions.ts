// The load guarantee at full size (emulator/guarantees/load.test.ts runs a smaller one in
// process): 1,000 Speechmatics submissions (multipart, a real WAV from fixtures/audio) spread
// round-robin over 10 API keys, all in flight at once, against the built CLI
// (`bin/speechdouble.js serve --manual-clock --api-key …`, bench/gc-hook.mjs preloaded). Each
// asks for a notification to a receiver in this process. Reported: every submission
// acknowledged (201, distinct ids) and how fast; each key's GET /v2/jobs exactly its own jobs,
// before and after the clock moves; after one advance, every job done and notified once
// (the receiver's count and GET /__emulator/callbacks); then the server's memory, each after
// two full GCs: idle (after a warm-up of 100 submissions and a reset, as bench/memory.ts starts
// from), with the jobs, after a reset, and after the same burst and a reset again.
//
// "At once": each request goes on a connection of its own, whole but for its last byte; the
// last bytes are released only when the server process holds a connection for every one of them
// (its sockets in /proc/<pid>/fd, matched to /proc/<pid>/net/tcp), so none can have been answered
// before all were open.
//
// Memory, in our runs (2 cores, Node 20): a reset gives the jobs' heap back, but not the RSS a
// burst of 1,000 uploads in flight at once grew (≈ 320 MB at its peak): about 150 MB over idle
// stays with the C allocator, and later bursts reuse it (over eight bursts and resets, RSS
// stayed within 280–330 MB and heap used within 0.5 MB from the second on: no leak).
// `MALLOC_MMAP_THRESHOLD_=16384` in the server's environment cut what stays to about 40 MB.
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { Agent, createServer, request, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { launch, ROOT, type Server } from './servers.ts';
import { elapsedMs } from './system.ts';
import type { Row } from './table.ts';

const JOBS = Number(process.env.BENCH_LOAD_JOBS ?? 1_000);
const KEYS = Array.from({ length: 10 }, (_, i) => `load-key-${i}`);
const WAV = 'en-greeting.8k.wav';
const BOUNDARY = 'speechdouble-bench-load';
/** Past every retry a Speechmatics notification makes (its last at 66 s): a duplicate would show. */
const ADVANCE_SECONDS = 600;
/** The memory budget: after a reset and GC, the server is back within this much of its idle RSS. */
const RESET_BUDGET_MB = 20;
const WARM_UP_JOBS = 100;
const MB = 1e6;

interface Answer { status: number; body: string }

/** One request, its body buffered; `agent: false` (a connection of its own). */
function send(url: string, method: string, headers: Record<string, string>, body?: Buffer | string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers: body === undefined ? headers : { ...headers, 'content-length': String(Buffer.byteLength(body)) }, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode!, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function control(server: Server, method: 'GET' | 'POST', path: string, body?: object): Promise<any> {
  const answer = await send(`${server.url}/__emulator${path}`, method, { 'content-type': 'application/json' }, body === undefined ? undefined : JSON.stringify(body));
  if (answer.status >= 300) throw new Error(`${method} /__emulator${path} answered ${answer.status}: ${answer.body.slice(0, 300)}`);
  return answer.body ? JSON.parse(answer.body) : undefined;
}

/**
 * The connections a process has accepted on its listening port and holds open (Linux /proc: its
 * socket descriptors, matched by inode to established TCP sockets whose local port is `port`).
 */
function acceptedConnections(pid: number, port: number): number {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const link = readlinkSync(`/proc/${pid}/fd/${fd}`);
      if (link.startsWith('socket:[')) inodes.add(link.slice('socket:['.length, -1));
    } catch {
      // closed while we looked
    }
  }
  const local = `:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  let count = 0;
  for (const table of ['tcp', 'tcp6']) {
    let text = '';
    try {
      text = readFileSync(`/proc/${pid}/net/${table}`, 'utf8');
    } catch {
      continue; // no IPv6
    }
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      // local_address rem_address st … inode: established (01) on the server's port, and this process's.
      if (fields.length > 9 && fields[1]!.endsWith(local) && fields[3] === '01' && inodes.has(fields[9]!)) count++;
    }
  }
  return count;
}

interface Receiver {
  url: string;
  /** Every notification, in arrival order: the key whose hook it reached and the job its query names. */
  received: Array<{ key: string; id: string; status: string | null }>;
  close(): Promise<void>;
}

async function startReceiver(): Promise<Receiver> {
  const received: Receiver['received'] = [];
  const server: HttpServer = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const url = new URL(req.url!, 'http://receiver');
      const key = url.pathname.startsWith('/hooks/') ? url.pathname.slice('/hooks/'.length) : '';
      received.push({ key, id: url.searchParams.get('id') ?? '', status: url.searchParams.get('status') });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function submission(key: string, hooks: string, wav: Buffer): Buffer {
  const config = { type: 'transcription', transcription_config: { language: 'en' }, notification_config: [{ url: `${hooks}/hooks/${key}`, contents: ['jobinfo'] }] };
  return Buffer.concat([
    Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="config"\r\n\r\n${JSON.stringify(config)}\r\n`),
    Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="data_file"; filename="${WAV}"\r\nContent-Type: audio/wav\r\n\r\n`),
    wav,
    Buffer.from(`\r\n--${BOUNDARY}--\r\n`),
  ]);
}

interface Burst {
  answers: Answer[];
  /** Connections the server process held on its port when the last bytes were released. */
  openAtOnce: number;
  /** First byte sent → every connection open with its request all but sent. */
  openMs: number;
  /** Last bytes released → last answer. */
  answerMs: number;
  /** First byte sent → last answer. */
  totalMs: number;
}

/** `count` submissions, key i % 10, all open at the server before any can be answered. */
async function burst(server: Server, hooks: string, wav: Buffer, count: number): Promise<Burst> {
  const port = Number(new URL(server.url).port);
  const agent = new Agent({ keepAlive: false, maxSockets: Infinity });
  const started = process.hrtime.bigint();
  try {
    const sent = Array.from({ length: count }, (_, i) => {
      const key = KEYS[i % KEYS.length]!;
      const body = submission(key, hooks, wav);
      const req = request(`${server.url}/v2/jobs`, {
        method: 'POST', agent,
        headers: { authorization: `Bearer ${key}`, 'content-type': `multipart/form-data; boundary=${BOUNDARY}`, 'content-length': String(body.length) },
      });
      const answer = new Promise<Answer>((resolve, reject) => {
        req.on('error', reject);
        req.on('response', (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => resolve({ status: res.statusCode!, body: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', reject);
        });
      });
      answer.catch(() => undefined); // awaited below
      const flushed = new Promise<void>((resolve) => req.write(body.subarray(0, body.length - 1), () => resolve()));
      return { req, answer, flushed, last: body.subarray(body.length - 1) };
    });
    let released = false;
    const early = Promise.race(sent.map((s) => s.answer)).then((a) => {
      if (!released) throw new Error(`a submission was answered ${a.status} before all were open: ${a.body.slice(0, 300)}`);
    });
    // Every request written but its last byte, and the server holding a socket for each.
    const open = (async () => {
      await Promise.all(sent.map((s) => s.flushed));
      const deadline = Date.now() + 60_000;
      while (acceptedConnections(server.pid, port) < count) {
        if (Date.now() > deadline) throw new Error(`the server holds ${acceptedConnections(server.pid, port)} of ${count} connections after 60 s`);
        await sleep(10);
      }
    })();
    await Promise.race([open, early]);
    released = true;
    const openAtOnce = acceptedConnections(server.pid, port);
    const openMs = elapsedMs(started);
    const releasedAt = process.hrtime.bigint();
    for (const s of sent) s.req.end(s.last);
    const answers = await Promise.all(sent.map((s) => s.answer));
    return { answers, openAtOnce, openMs, answerMs: elapsedMs(releasedAt), totalMs: elapsedMs(started) };
  } finally {
    agent.destroy();
  }
}

/** Per key, whether GET /v2/jobs?limit=100 lists exactly the ids it was given, each in `status`. */
async function listsExact(server: Server, given: Map<string, string>, status: string): Promise<{ exact: number; problems: string[] }> {
  const problems: string[] = [];
  let exact = 0;
  for (const key of KEYS) {
    const expected = [...given].filter(([, owner]) => owner === key).map(([id]) => id).sort();
    const answer = await send(`${server.url}/v2/jobs?limit=100`, 'GET', { authorization: `Bearer ${key}` });
    const jobs = answer.status === 200 ? (JSON.parse(answer.body) as { jobs: Array<{ id: string; status: string }> }).jobs : [];
    const listed = jobs.map((job) => job.id).sort();
    const others = jobs.filter((job) => job.status !== status).length;
    if (answer.status === 200 && JSON.stringify(listed) === JSON.stringify(expected) && others === 0) exact++;
    else problems.push(`${key}: answered ${answer.status}, listed ${listed.length} of its ${expected.length}${others ? `, ${others} not ${status}` : ''}`);
  }
  return { exact, problems };
}

/** A burst whose jobs are finished and then forgotten, checking only that all were made (the warm-up, the second round). */
async function unchecked(server: Server, hooks: string, wav: Buffer, count: number): Promise<void> {
  const { answers } = await burst(server, hooks, wav, count);
  const made = answers.filter((a) => a.status === 201).length;
  if (made !== count) throw new Error(`${count} submissions made ${made} jobs`);
  await control(server, 'POST', '/clock/advance', { seconds: ADVANCE_SECONDS });
  await control(server, 'POST', '/reset');
}

export async function loadSubmissionRows(): Promise<Row[]> {
  if (!(Number.isInteger(JOBS) && JOBS >= KEYS.length && JOBS <= KEYS.length * 100)) {
    // GET /v2/jobs shows at most 100 jobs, and pages by creation time, which a manual clock does not move.
    throw new Error(`BENCH_LOAD_JOBS is a whole number from ${KEYS.length} to ${KEYS.length * 100}, not ${process.env.BENCH_LOAD_JOBS}`);
  }
  const wav = readFileSync(join(ROOT, 'fixtures', 'audio', WAV));
  const receiver = await startReceiver();
  const server = await launch('speechdouble', { serveArgs: ['--manual-clock', ...KEYS.flatMap((key) => ['--api-key', key])], gcHook: true });
  try {
    const fresh = await server.gcMemory();
    // Warm up every path the jobs take (modules, validators, the engine's caches, JIT), then start from no jobs.
    await unchecked(server, receiver.url, wav, WARM_UP_JOBS);
    receiver.received.length = 0;
    const idle = await server.gcMemory();

    const b = await burst(server, receiver.url, wav, JOBS);
    const afterBurst = server.memory();
    const statuses: Record<number, number> = {};
    for (const a of b.answers) statuses[a.status] = (statuses[a.status] ?? 0) + 1;
    const ids = b.answers.map((a) => (a.status === 201 ? (JSON.parse(a.body) as { id: string }).id : ''));
    const given = new Map(ids.flatMap((id, i) => (id ? [[id, KEYS[i % KEYS.length]!] as [string, string]] : [])));
    const acknowledged = statuses[201] ?? 0;
    const listedRunning = await listsExact(server, given, 'running');

    const advanceStarted = process.hrtime.bigint();
    const advanced = await control(server, 'POST', '/clock/advance', { seconds: ADVANCE_SECONDS }) as { ran: number };
    const advanceMs = elapsedMs(advanceStarted);
    const listedDone = await listsExact(server, given, 'done');
    const jobs = await Promise.all([...given.keys()].map(async (id) => {
      const answer = await send(`${server.url}/v2/jobs/${id}`, 'GET', { authorization: `Bearer ${given.get(id)}` });
      return answer.status === 200 ? (JSON.parse(answer.body) as { job: { status: string } }).job.status : `HTTP ${answer.status}`;
    }));
    const done = jobs.filter((status) => status === 'done').length;

    const counts = new Map<string, number>();
    for (const { id } of receiver.received) counts.set(id, (counts.get(id) ?? 0) + 1);
    const duplicated = [...counts.values()].filter((n) => n > 1).length;
    const missing = [...given.keys()].filter((id) => !counts.has(id)).length;
    const strangers = receiver.received.filter(({ id, key }) => given.get(id) !== key).length;
    const notSuccess = receiver.received.filter(({ status }) => status !== 'success').length;
    const deliveredOnce = [...given.keys()].filter((id) => counts.get(id) === 1).length;
    const receivedCount = receiver.received.length;
    const attempts = (await control(server, 'GET', '/callbacks?api=speechmatics')).callbacks as Array<{ resource_id: string; attempt: number; status: number | null }>;
    const attemptsFailed = attempts.filter((a) => a.status !== 200).length;
    const retried = attempts.filter((a) => a.attempt !== 1).length;
    const attemptJobs = new Set(attempts.map((a) => a.resource_id)).size;

    const stored = await server.gcMemory();
    await control(server, 'POST', '/reset');
    const reset = await server.gcMemory();
    const listedReset = await Promise.all(KEYS.map(async (key) => (JSON.parse((await send(`${server.url}/v2/jobs?limit=100`, 'GET', { authorization: `Bearer ${key}` })).body) as { jobs: unknown[] }).jobs.length));
    const clock = await control(server, 'GET', '/clock') as { pending: number };
    // The same burst again: memory a reset gives back comes back to the same level, or it leaks.
    await unchecked(server, receiver.url, wav, JOBS);
    const again = await server.gcMemory();

    const mb = (bytes: number) => bytes / MB;
    const signed = (bytes: number) => `${bytes >= 0 ? '+' : '−'}${Math.abs(mb(bytes)).toFixed(1)}`;
    const n = JOBS.toLocaleString('en-US');
    const all = `${n} over ${KEYS.length} keys`;
    const perSecond = (acknowledged / b.totalMs) * 1000;
    const odd = Object.entries(statuses).filter(([status]) => status !== '201').map(([status, count]) => `${count}× ${status}`).join(', ');
    return [
      {
        name: `load: ${all}, concurrent multipart submissions (${WAV}) acknowledged`, unit: 'jobs', values: { speechdouble: acknowledged },
        budget: `all ${n} 201, ids distinct`, ok: acknowledged === JOBS && given.size === JOBS,
        note: `${given.size} distinct ids${odd ? `; also ${odd}` : ''}; when the last bytes were released, the server process held ${b.openAtOnce} open connections on its port (every submission's, each sent but its last byte until then)`,
      },
      {
        name: `load: ${all}, first byte → last 201`, unit: 'ms', values: { speechdouble: b.totalMs },
        note: `all ${n} open (sent but the last byte, the server holding each socket) in ${b.openMs.toFixed(0)} ms; release → last 201 ${b.answerMs.toFixed(0)} ms`,
      },
      {
        name: `load: ${all}, submissions/s (first byte → last 201)`, unit: 'req/s', values: { speechdouble: perSecond },
        note: 'one connection per submission, not kept alive, all opened at once (past the listen backlog of 511); the throughput rows\' keep-alive POST/s is the steady-state figure',
      },
      {
        name: `load: ${all}, list counts exact per key (GET /v2/jobs?limit=100)`, unit: 'keys', values: { speechdouble: Math.min(listedRunning.exact, listedDone.exact) },
        budget: `${KEYS.length} of ${KEYS.length}, before and after the advance`, ok: listedRunning.exact === KEYS.length && listedDone.exact === KEYS.length,
        note: `before the advance ${listedRunning.exact}/${KEYS.length} exact (all running), after it ${listedDone.exact}/${KEYS.length} (all done)${[...listedRunning.problems, ...listedDone.problems].map((p) => `; ${p}`).join('')}`,
      },
      {
        name: `load: ${all}, jobs done exactly once after one clock advance`, unit: 'jobs', values: { speechdouble: done },
        budget: `all ${n}, each completed once`, ok: done === JOBS && attempts.length === JOBS && attemptJobs === JOBS,
        note: `POST /__emulator/clock/advance ${ADVANCE_SECONDS} s took ${advanceMs.toFixed(0)} ms and ran ${advanced.ran} steps; GET /v2/jobs/{id}: ${done} done${jobs.length - done ? `, ${jobs.length - done} not` : ''}; one completion each: ${attempts.length} notification attempts for ${attemptJobs} jobs`,
      },
      {
        name: `load: ${all}, notifications delivered once each`, unit: 'jobs', values: { speechdouble: deliveredOnce },
        budget: `all ${n}, none duplicated, lost or crossed`, ok: deliveredOnce === JOBS && receivedCount === JOBS && duplicated === 0 && missing === 0 && strangers === 0 && notSuccess === 0 && attemptsFailed === 0 && retried === 0,
        note: `the receiver got ${receivedCount} (${duplicated} jobs more than once, ${missing} never, ${strangers} at another key's hook, ${notSuccess} not status=success); GET /__emulator/callbacks: ${attempts.length} attempts, ${attemptsFailed} not 200, ${retried} retries`,
      },
      {
        name: `load: RSS idle before the burst (after ${WARM_UP_JOBS} warm-up jobs and a reset, GC)`, unit: 'MB', values: { speechdouble: mb(idle.rss) },
        note: `freshly started ${mb(fresh.rss).toFixed(1)} MB (heap used ${mb(fresh.heapUsed).toFixed(1)}); after the warm-up heap used ${mb(idle.heapUsed).toFixed(1)} MB; \`serve --manual-clock\` with ${KEYS.length} --api-key`,
      },
      {
        name: `load: RSS after the burst (${n} jobs stored and done, GC)`, unit: 'MB', values: { speechdouble: mb(stored.rss) },
        note: `right after the last 201, before GC, ${mb(afterBurst.rssKb * 1024).toFixed(1)} MB, peak ${mb(afterBurst.peakKb * 1024).toFixed(1)} MB (VmHWM); heap used ${mb(stored.heapUsed).toFixed(1)} MB of heapTotal ${mb(stored.heapTotal).toFixed(1)}, external ${mb(stored.external).toFixed(1)} MB`,
      },
      {
        name: 'load: RSS after POST /__emulator/reset (GC)', unit: 'MB', values: { speechdouble: mb(reset.rss) },
        budget: `≤ idle + ${RESET_BUDGET_MB} MB`, ok: reset.rss - idle.rss <= RESET_BUDGET_MB * MB,
        note: `${signed(reset.rss - idle.rss)} MB over idle, of which heapTotal ${signed(reset.heapTotal - idle.heapTotal)} MB and heap used ${signed(reset.heapUsed - idle.heapUsed)} MB: the rest is memory the process grew for the burst and keeps (malloc's arenas, V8's free pages), not jobs; lists after it ${listedReset.reduce((sum, count) => sum + count, 0)} jobs, ${clock.pending} steps pending`,
      },
      {
        name: 'load: heap used after POST /__emulator/reset (GC)', unit: 'MB', values: { speechdouble: mb(reset.heapUsed) },
        note: `idle ${mb(idle.heapUsed).toFixed(1)} MB, with the jobs ${mb(stored.heapUsed).toFixed(1)} MB (${signed(stored.heapUsed - idle.heapUsed)}), after the reset ${signed(reset.heapUsed - idle.heapUsed)} MB over idle (a reset forgets the jobs, the callbacks record and the request journal; what stays is V8's compiled code and feedback for paths a burst this size makes hot)`,
      },
      {
        name: 'load: the same burst again, then a reset (GC)', unit: 'MB', values: { speechdouble: mb(again.rss) },
        note: `RSS ${signed(again.rss - reset.rss)} MB and heap used ${signed(again.heapUsed - reset.heapUsed)} MB over the first reset's: a second burst reuses what the first grew (a leak would add the jobs' ${signed(stored.heapUsed - idle.heapUsed)} MB of heap again)`,
      },
    ];
  } finally {
    await server.stop();
    await receiver.close();
  }
}
