// What stored jobs weigh in the real `serve` process (the built CLI, with bench/gc-hook.mjs
// preloaded so the bench can ask for a full GC): 10,000 Speechmatics jobs made over HTTP and
// finished by advancing the manual clock, RSS and heap measured after GC against the same
// process before them; then resetting the API shows how much of that was the jobs themselves
// and how much the request journal (bounded at 10,000 entries) kept. The first burst's RSS
// also holds what any burst of 10,000 uploads costs once, stored or not: V8's young generation
// grows to its maximum (two 16 MB semi-spaces) and becomes resident, the old space keeps free
// room, and malloc keeps what the request bodies' buffers left fragmented; none of it is given
// back after a reset. (`NODE_OPTIONS=--max-semi-space-size=8` halves the young generation's
// ceiling: about 15 MB less in this burst, its POST/s no lower in our runs; the CLI sets no flags.) So the same 10,000 jobs are made again after the reset: that second
// delta is what the stored jobs themselves weigh in RSS. Last, a big upload, streamed: the peak
// RSS should not follow the file's size.
import { createReadStream, readFileSync } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { writeLongWav } from './engine.ts';
import { encodeRequest, load } from './load.ts';
import { AUTH, launch, type Server } from './servers.ts';
import { elapsedMs } from './system.ts';
import type { Row } from './table.ts';

const JOBS = Number(process.env.BENCH_JOBS ?? 10_000);
const WARM_UP_JOBS = 100;
const UPLOAD_MIB = Number(process.env.BENCH_UPLOAD_MIB ?? 512);
const KB = 1e3;
const MB = 1e6;
const BOUNDARY = 'speechdouble-bench-boundary';

function control(server: Server, path: string, body: object): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(`${server.url}/__emulator${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, agent: false }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode! < 300 ? resolve(res.statusCode!) : reject(new Error(`${path} answered ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

function multipartHead(filename: string): Buffer {
  const config = JSON.stringify({ type: 'transcription', transcription_config: { language: 'en' } });
  return Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="config"\r\n\r\n${config}\r\n--${BOUNDARY}\r\nContent-Disposition: form-data; name="data_file"; filename="${filename}"\r\nContent-Type: audio/wav\r\n\r\n`);
}
const TAIL = Buffer.from(`\r\n--${BOUNDARY}--\r\n`);

async function makeJobs(server: Server, wav: Buffer, count: number): Promise<number> {
  const body = Buffer.concat([multipartHead('one-second.wav'), wav, TAIL]);
  const post = encodeRequest('POST', `${server.url}/v2/jobs`, { ...AUTH, 'content-type': `multipart/form-data; boundary=${BOUNDARY}` }, body);
  const result = await load(server.url, post, { connections: 16, count });
  if ((result.statuses[201] ?? 0) !== count) throw new Error(`making jobs: ${JSON.stringify(result.statuses)}`);
  await control(server, '/clock/advance', { seconds: 3600 });
  return result.perSecond;
}

async function upload(server: Server, path: string): Promise<number> {
  const { size } = await stat(path);
  const head = multipartHead('big.wav');
  return new Promise((resolve, reject) => {
    const req = request(`${server.url}/v2/jobs`, {
      method: 'POST', agent: false,
      headers: { ...AUTH, 'content-type': `multipart/form-data; boundary=${BOUNDARY}`, 'content-length': String(head.length + size + TAIL.length) },
    }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode!));
    });
    req.on('error', reject);
    req.write(head);
    pipeline(createReadStream(path), req, { end: false }).then(() => req.end(TAIL), reject);
  });
}

async function jobRows(tmp: string): Promise<Row[]> {
  const oneSecond = join(tmp, 'one-second.wav');
  await writeLongWav(oneSecond, 1);
  const wav = readFileSync(oneSecond);
  const server = await launch('speechdouble', { serveArgs: ['--manual-clock'], gcHook: true });
  try {
    const idle = await server.gcMemory();
    // Warm up every path the jobs take (module loading, caches), then start from no jobs.
    await makeJobs(server, wav, WARM_UP_JOBS);
    await control(server, '/reset', { api: 'speechmatics' });
    const before = await server.gcMemory();

    const started = process.hrtime.bigint();
    const perSecond = await makeJobs(server, wav, JOBS);
    const makeMs = elapsedMs(started);
    const stored = await fetch(`${server.url}/v2/jobs?limit=100`, { headers: AUTH }).then((r) => r.json() as Promise<{ jobs: Array<{ status: string }> }>);
    const done = stored.jobs.filter((job) => job.status === 'done').length;
    const after = await server.gcMemory();
    await control(server, '/reset', { api: 'speechmatics' });
    const reset = await server.gcMemory();
    // The same burst again, now that the process has grown what a burst costs once.
    await makeJobs(server, wav, JOBS);
    const again = await server.gcMemory();

    const mb = (bytes: number) => (bytes / MB).toFixed(1);
    const delta = (field: keyof NodeJS.MemoryUsage) => `${field} +${mb(after[field] - before[field])}`;
    const rssPerJob = (after.rss - before.rss) / JOBS / KB;
    const heapPerJob = (after.heapUsed - before.heapUsed) / JOBS / KB;
    const jobsOnly = (after.heapUsed - reset.heapUsed) / JOBS / KB;
    const againRssPerJob = (again.rss - reset.rss) / JOBS / KB;
    return [
      {
        name: `RSS per stored finished job (${JOBS.toLocaleString('en-US')} jobs)`, unit: 'KB', values: { speechdouble: rssPerJob },
        budget: '≤ 2 KB (10,000 ≤ 20 MB over idle)', ok: rssPerJob <= 2,
        note: `RSS after GC: idle ${mb(idle.rss)} MB, after ${WARM_UP_JOBS} warm-up jobs and a reset (the baseline) ${mb(before.rss)}, with the jobs ${mb(after.rss)} (+${mb(after.rss - before.rss)}; MB: ${delta('heapTotal')} of which heap used +${mb(after.heapUsed - before.heapUsed)}; RSS beyond heapTotal's growth +${mb(after.rss - before.rss - (after.heapTotal - before.heapTotal))}: heap pages committed before and resident now, chiefly the young generation's, and malloc; ${delta('external')}, ${delta('arrayBuffers')}), after resetting them ${mb(reset.rss)}; ${done}/${stored.jobs.length} listed jobs done; made in ${(makeMs / 1000).toFixed(1)} s (${perSecond.toFixed(0)} POST/s, 16 connections, a 1 s WAV each)`,
      },
      {
        name: `heap per stored finished job (${JOBS.toLocaleString('en-US')} jobs)`, unit: 'KB', values: { speechdouble: heapPerJob },
        note: `heap used after GC ${mb(before.heapUsed)} → ${mb(after.heapUsed)} MB; of that, ${jobsOnly.toFixed(2)} KB/job is given back by resetting the API (the jobs themselves), the rest stays (each request's journal entry, bounded at 10,000)`,
      },
      {
        name: `RSS per stored finished job, the same burst again (${JOBS.toLocaleString('en-US')} jobs)`, unit: 'KB', values: { speechdouble: againRssPerJob },
        note: `after the reset, ${JOBS.toLocaleString('en-US')} jobs made the same way: RSS ${mb(reset.rss)} → ${mb(again.rss)} MB (MB: heapTotal +${mb(again.heapTotal - reset.heapTotal)}, heap used +${mb(again.heapUsed - reset.heapUsed)}); the process has already grown what a burst of uploads costs once, and the journal, full, does not grow: this is what the jobs themselves weigh`,
      },
    ];
  } finally {
    await server.stop();
  }
}

/** In a process of its own, so the peak before it is the idle one. */
async function uploadRow(tmp: string): Promise<Row> {
  const big = join(tmp, 'big.wav');
  await writeLongWav(big, Math.round((UPLOAD_MIB * 2 ** 20) / 32000));
  const { size } = await stat(big);
  const server = await launch('speechdouble', { serveArgs: ['--manual-clock'] });
  try {
    const idle = server.memory();
    const started = process.hrtime.bigint();
    const status = await upload(server, big);
    const uploadMs = elapsedMs(started);
    const peak = server.memory();
    return {
      name: `peak RSS during a ${(size / 2 ** 20).toFixed(0)} MiB upload`, unit: 'MB', values: { speechdouble: (peak.peakKb * 1024) / MB },
      note: `peak before it ${((idle.peakKb * 1024) / MB).toFixed(1)} MB (×${(peak.peakKb / idle.peakKb).toFixed(2)}); upload + probe ${uploadMs.toFixed(0)} ms, answered ${status}; the upload streams to disk, so the peak should not follow the file`,
    };
  } finally {
    await server.stop();
    await rm(big, { force: true });
  }
}

export async function memoryRows(tmp: string): Promise<Row[]> {
  return [...(await jobRows(tmp)), await uploadRow(tmp)];
}
