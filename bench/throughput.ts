// Throughput and latency under load: 50 keep-alive connections, one server loaded at a time, on
// three requests: GET /v2/jobs/{id} (a job's status), POST /v2/jobs (multipart, a real small WAV
// from fixtures/audio) and GET /v2/jobs?limit=100 with 100 jobs stored. speechdouble starts
// first, and its answers are captured and handed to the bare node:http server, which returns the
// same status, headers and body bytes; Prism answers from the spec's static examples (it checks
// that the Bearer credential is present). The three run side by side (an unloaded server idles),
// and each one's 5 s are taken in turns (five of 1 s, BENCH_SLICES), in rotation, after a 1 s
// warm-up: on a shared machine, load from elsewhere then weighs on all three alike, and the
// ratios (the budget's) hold still from run to run.
import { request as httpRequest } from 'node:http';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeRequest, load, type LoadResult } from './load.ts';
import { AUTH, KINDS, launch, ROOT, type Server, type ServerKind } from './servers.ts';
import { within, type Row } from './table.ts';

export const CONNECTIONS = 50;
export const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
/** Each server's SECONDS, in this many turns. */
export const SLICES = Math.max(1, Number(process.env.BENCH_SLICES ?? 5));
export const WAV = 'en-greeting.8k.wav';
export const BOUNDARY = 'speechdouble-bench-boundary';

/** A Speechmatics job submission: its config and WAV as multipart/form-data with BOUNDARY. */
export function multipartBody(): Buffer {
  const config = JSON.stringify({ type: 'transcription', transcription_config: { language: 'en' } });
  return Buffer.concat([
    Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="config"\r\n\r\n${config}\r\n`),
    Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="data_file"; filename="${WAV}"\r\nContent-Type: audio/wav\r\n\r\n`),
    readFileSync(join(ROOT, 'fixtures', 'audio', WAV)),
    Buffer.from(`\r\n--${BOUNDARY}--\r\n`),
  ]);
}

interface Answer { method: string; url: string; status: number; headers: Record<string, string>; body: string }

/** One exchange, kept whole: status, headers (less the per-connection ones node sets itself) and body. */
function capture(base: string, method: string, path: string, headers: Record<string, string>, body?: Buffer): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(base + path, { method, headers: body ? { ...headers, 'content-length': String(body.length) } : headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const kept: Record<string, string> = {};
        for (let i = 0; i < res.rawHeaders.length; i += 2) {
          const name = res.rawHeaders[i]!;
          if (!/^(date|connection|keep-alive|transfer-encoding|content-length)$/i.test(name)) kept[name] = res.rawHeaders[i + 1]!;
        }
        resolve({ method, url: path, status: res.statusCode!, headers: kept, body: Buffer.concat(chunks).toString('base64') });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** A server's slices as one run: every request over all the time; the latencies each slice's median (a slice is one turn). */
function merged(slices: LoadResult[]): LoadResult {
  const requests = slices.reduce((sum, r) => sum + r.requests, 0);
  const seconds = slices.reduce((sum, r) => sum + r.seconds, 0);
  const statuses: Record<number, number> = {};
  for (const r of slices) for (const [status, n] of Object.entries(r.statuses)) statuses[Number(status)] = (statuses[Number(status)] ?? 0) + n;
  const measured = slices.filter((r) => r.requests > 0);
  return {
    requests, seconds, perSecond: requests / seconds,
    p50Ms: measured.length ? median(measured.map((r) => r.p50Ms)) : NaN,
    p99Ms: measured.length ? median(measured.map((r) => r.p99Ms)) : NaN,
    statuses, socketErrors: slices.reduce((sum, r) => sum + r.socketErrors, 0),
  };
}

interface Case { name: string; method: string; path: (jobId: string) => string; multipart?: boolean }
const CASES: Case[] = [
  { name: 'GET /v2/jobs/{id} (job status)', method: 'GET', path: (id) => `/v2/jobs/${id}` },
  { name: 'GET /v2/jobs?limit=100, 100 jobs stored', method: 'GET', path: () => '/v2/jobs?limit=100' },
  // Last: every POST stores one more job.
  { name: `POST /v2/jobs multipart (${WAV}, ${(readFileSync(join(ROOT, 'fixtures', 'audio', WAV)).length / 1024).toFixed(0)} KiB)`, method: 'POST', path: () => '/v2/jobs', multipart: true },
];

export async function throughputRows(tmp: string): Promise<Row[]> {
  const body = multipartBody();
  const postHeaders = { ...AUTH, 'content-type': `multipart/form-data; boundary=${BOUNDARY}` };
  const results: Record<string, Partial<Record<ServerKind, LoadResult>>> = {};
  const sizes: Record<string, Partial<Record<ServerKind, number>>> = {};
  const answersFile = join(tmp, 'answers.json');
  let jobId: string;

  const servers: Partial<Record<ServerKind, Server>> = {};
  try {
    const speechdouble = (servers.speechdouble = await launch('speechdouble', { serveArgs: ['--manual-clock'] }));
    // 100 finished jobs: 99 made under load, the 100th captured (its answer is POST's).
    await load(speechdouble.url, encodeRequest('POST', `${speechdouble.url}/v2/jobs`, postHeaders, body), { connections: 10, count: 99 });
    const answers = [await capture(speechdouble.url, 'POST', '/v2/jobs', postHeaders, body)];
    jobId = (JSON.parse(Buffer.from(answers[0]!.body, 'base64').toString()) as { id: string }).id;
    await capture(speechdouble.url, 'POST', '/__emulator/clock/advance', { 'content-type': 'application/json' }, Buffer.from('{"seconds": 3600}'));
    answers.push(await capture(speechdouble.url, 'GET', `/v2/jobs/${jobId}`, AUTH));
    answers.push(await capture(speechdouble.url, 'GET', '/v2/jobs?limit=100', AUTH));
    const listed = (JSON.parse(Buffer.from(answers[2]!.body, 'base64').toString()) as { jobs: unknown[] }).jobs.length;
    if (listed !== 100) throw new Error(`the list answered ${listed} jobs, not 100`);
    writeFileSync(answersFile, JSON.stringify(answers));
    servers.bare = await launch('bare', { answersFile });
    servers.prism = await launch('prism');

    for (const c of CASES) {
      const path = c.path(jobId);
      const requests = {} as Record<ServerKind, Buffer>;
      for (const kind of KINDS) {
        const { url } = servers[kind]!;
        requests[kind] = encodeRequest(c.method, url + path, c.multipart ? postHeaders : AUTH, c.multipart ? body : undefined);
        const size = await capture(url, c.method, path, c.multipart ? postHeaders : AUTH, c.multipart ? body : undefined);
        (sizes[c.name] ??= {})[kind] = Buffer.from(size.body, 'base64').length;
      }
      // Prism's uploads take seconds each: those still running when a turn ended would steal the
      // CPU from the next, so for an upload Prism runs its 5 s in one piece, last.
      const turns = c.multipart ? KINDS.filter((kind) => kind !== 'prism') : KINDS;
      for (const kind of turns) await load(servers[kind]!.url, requests[kind], { connections: CONNECTIONS, durationMs: 1000, warmupMs: 0 }); // the warm-up
      const slices: Partial<Record<ServerKind, LoadResult[]>> = {};
      for (let slice = 0; slice < SLICES; slice++) {
        // Each round starts with the next server, so none always follows the same one.
        for (let k = 0; k < turns.length; k++) {
          const kind = turns[(slice + k) % turns.length]!;
          (slices[kind] ??= []).push(await load(servers[kind]!.url, requests[kind], { connections: CONNECTIONS, durationMs: (SECONDS * 1000) / SLICES, warmupMs: 0 }));
        }
      }
      const result = (results[c.name] ??= {});
      for (const kind of turns) result[kind] = merged(slices[kind]!);
      if (!turns.includes('prism')) result.prism = await load(servers.prism!.url, requests.prism, { connections: CONNECTIONS, durationMs: SECONDS * 1000, warmupMs: 1000 });
    }
  } finally {
    for (const server of Object.values(servers)) await server.stop();
  }

  const rows: Row[] = [];
  const ms = (r: LoadResult | undefined) => (r ? `${r.p50Ms.toFixed(2)}/${r.p99Ms.toFixed(1)}` : '—');
  const odd = (kind: ServerKind, r: LoadResult | undefined) => {
    if (!r) return '';
    const bad = Object.entries(r.statuses).filter(([status]) => !status.startsWith('2'));
    return bad.length || r.socketErrors ? ` ${kind}: ${bad.map(([s, n]) => `${n}× ${s}`).join(', ')}${r.socketErrors ? ` ${r.socketErrors} dropped connections` : ''};` : '';
  };
  for (const c of CASES) {
    const r = results[c.name]!;
    const perSecond = (kind: ServerKind) => r[kind]?.perSecond;
    const size = sizes[c.name]!;
    const note = `p50/p99 ms: ${KINDS.map((k) => `${k} ${ms(r[k])}`).join(', ')}; answer bytes ${KINDS.map((k) => size[k]).join('/')};${KINDS.map((k) => odd(k, r[k])).join('')} ${CONNECTIONS} connections, ${SECONDS} s in ${SLICES} turns taken in rotation${c.multipart ? ' (Prism: in one piece, last)' : ''} after a 1 s warm-up, p50/p99 the turns' median`;
    if (c === CASES[0]) {
      const vsBare = within(perSecond('speechdouble'), perSecond('bare'), 0.5, 'at least');
      const vsPrism = within(perSecond('speechdouble'), perSecond('prism'), 10, 'at least');
      rows.push({ name: `${c.name}, throughput`, unit: 'req/s', values: { speechdouble: perSecond('speechdouble'), bare: perSecond('bare'), prism: perSecond('prism') }, budget: '≥ 0.5× bare, ≥ 10× Prism', ok: vsBare && vsPrism, note: `${vsBare ? '' : 'below 0.5× bare; '}${vsPrism ? '' : 'below 10× Prism; '}${note}` });
      const p99 = (kind: ServerKind) => r[kind]?.p99Ms;
      rows.push({ name: `${c.name}, p99 latency`, unit: 'ms', values: { speechdouble: p99('speechdouble'), bare: p99('bare'), prism: p99('prism') }, budget: '≤ 3× bare', ok: within(p99('speechdouble'), p99('bare'), 3, 'at most'), note: `p50 ms: ${KINDS.map((k) => `${k} ${r[k]?.p50Ms.toFixed(2)}`).join(', ')}` });
    } else {
      const prismNote = c.multipart ? '' : ' Prism answers its static example (3 jobs), not 100;';
      rows.push({ name: `${c.name}, throughput`, unit: 'req/s', values: { speechdouble: perSecond('speechdouble'), bare: perSecond('bare'), prism: perSecond('prism') }, note: `${prismNote} ${note}`.trim() });
    }
  }
  return rows;
}
