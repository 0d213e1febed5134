// The emulator as a stand-in in every CI job: how fast it starts, what a request costs, what
// a job weighs, and what a big upload costs in memory, each beside a bare node:http server
// (or an empty process) measured in the same run.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeLongWav, type BenchResult } from './engine.ts';

const CHILD = fileURLToPath(new URL('./server-child.ts', import.meta.url));

interface Child {
  url: string;
  process: ChildProcessWithoutNullStreams;
  startMs: number;
  rss(): Promise<{ rssKb: number; maxRssKb: number }>;
  heap(): Promise<number>;
  stop(): void;
}

async function launch(kind: 'emulator' | 'raw'): Promise<Child> {
  const started = process.hrtime.bigint();
  const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', CHILD, kind], { stdio: 'pipe' });
  const lines: string[] = [];
  const waiters: Array<(line: string) => void> = [];
  let buffer = '';
  child.stdout.on('data', (chunk) => {
    buffer += chunk;
    let nl;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      const waiter = waiters.shift();
      if (waiter) waiter(line);
      else lines.push(line);
    }
  });
  const next = () => new Promise<string>((resolve) => (lines.length ? resolve(lines.shift()!) : waiters.push(resolve)));
  const url = await next();
  // Start-up ends when the server answers, not when it prints.
  while (!(await fetch(url + (kind === 'raw' ? '/' : '/__emulator/health')).then((r) => r.ok, () => false)));
  const startMs = Number(process.hrtime.bigint() - started) / 1e6;
  return {
    url, process: child, startMs,
    rss: async () => {
      child.stdin.write('rss\n');
      return JSON.parse(await next());
    },
    heap: async () => {
      child.stdin.write('heap\n');
      return (JSON.parse(await next()) as { heapBytes: number }).heapBytes;
    },
    stop: () => void child.kill('SIGTERM'),
  };
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
}

async function latencies(url: string, count: number, headers: Record<string, string>): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < count; i++) {
    const start = process.hrtime.bigint();
    const res = await fetch(url, { headers });
    await res.arrayBuffer();
    samples.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return samples.slice(Math.floor(count / 10)); // the first tenth warms up
}

const AUTH = { authorization: 'Bearer test-key' };

export async function emulatorBenchmarks(): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  const raw = await launch('raw');
  const emulator = await launch('emulator');
  const dir = await mkdtemp(join(tmpdir(), 'speechdouble-bench-'));
  try {
    results.push({ name: 'start-up to first answer', value: emulator.startMs, unit: 'ms', baseline: raw.startMs, ratio: emulator.startMs / raw.startMs, note: 'both launched with node --import tsx; baseline: a bare node:http server' });

    // One small job so the list has something in it.
    const wav = join(dir, 'short.wav');
    await writeLongWav(wav, 2);
    const body = new FormData();
    body.append('config', JSON.stringify({ type: 'transcription', transcription_config: { language: 'en' } }));
    body.append('data_file', new Blob([new Uint8Array(await import('node:fs').then((fs) => fs.readFileSync(wav)))]), 'short.wav');
    const { id } = await (await fetch(`${emulator.url}/v2/jobs`, { method: 'POST', headers: AUTH, body })).json();

    const baseline = await latencies(raw.url + '/v2/jobs', 1000, AUTH);
    for (const [name, path] of [['GET /v2/jobs (list)', '/v2/jobs'], ['GET /v2/jobs/{id}', `/v2/jobs/${id}`], ['GET with Prefer (Prism path)', `/v2/jobs/${id}`]] as const) {
      const samples = await latencies(emulator.url + path, 1000, name.includes('Prefer') ? { ...AUTH, prefer: 'code=200' } : AUTH);
      const median = percentile(samples, 0.5);
      results.push({ name: `${name}, median latency`, value: median, unit: 'ms', baseline: percentile(baseline, 0.5), ratio: median / percentile(baseline, 0.5), note: `p95 ${percentile(samples, 0.95).toFixed(2)} ms vs ${percentile(baseline, 0.95).toFixed(2)} ms; sequential, keep-alive, 900 samples` });
    }

    // Memory per job: heap after a full GC, around 300 finished jobs of the same 2 s file.
    // Each request also leaves a journal entry (bounded, 10,000), which resetting only the
    // API keeps: what the reset gives back is the jobs' own weight.
    const bytes = (await import('node:fs')).readFileSync(wav);
    const JOBS = 1000;
    const heapBefore = await emulator.heap();
    for (let i = 0; i < JOBS; i++) {
      const form = new FormData();
      form.append('config', JSON.stringify({ type: 'transcription', transcription_config: { language: 'en' } }));
      form.append('data_file', new Blob([new Uint8Array(bytes)]), 'short.wav');
      await (await fetch(`${emulator.url}/v2/jobs`, { method: 'POST', headers: AUTH, body: form })).arrayBuffer();
    }
    const control = (path: string, body: string) => fetch(`${emulator.url}/__emulator${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    await control('/clock/advance', '{"seconds": 10}');
    const heapDone = await emulator.heap();
    await control('/reset', '{"api": "speechmatics"}');
    const heapReset = await emulator.heap();
    const perJob = (heapDone - heapReset) / JOBS;
    const perEntry = (heapReset - heapBefore) / JOBS;
    results.push({ name: 'heap per finished job (2 s audio)', value: perJob / 1024, unit: 'KiB', baseline: perEntry / 1024, ratio: perJob / perEntry, note: `heap after GC over ${JOBS} jobs, given back by resetting the API (baseline column: each request's journal entry, which stays); transcripts are rendered on read, media are on disk` });

    // A 512 MiB upload, streamed: the emulator's peak memory should not follow it.
    const big = join(dir, 'big.wav');
    await writeLongWav(big, Math.round((512 * 2 ** 20) / 32000));
    const { size } = await stat(big);
    const idle = await emulator.rss();
    const boundary = 'benchboundary';
    const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="config"\r\n\r\n{"type":"transcription","transcription_config":{"language":"en"}}\r\n--${boundary}\r\nContent-Disposition: form-data; name="data_file"; filename="big.wav"\r\nContent-Type: audio/wav\r\n\r\n`);
    const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
    async function* upload() {
      yield head;
      for await (const chunk of createReadStream(big)) yield chunk as Buffer;
      yield tail;
    }
    const uploadStart = process.hrtime.bigint();
    const res = await fetch(`${emulator.url}/v2/jobs`, { method: 'POST', headers: { ...AUTH, 'content-type': `multipart/form-data; boundary=${boundary}` }, body: ReadableStream.from(upload()) as never, duplex: 'half' } as RequestInit);
    const uploaded = await res.json();
    const uploadMs = Number(process.hrtime.bigint() - uploadStart) / 1e6;
    const peak = await emulator.rss();
    results.push({
      name: `peak RSS during a ${(size / 2 ** 20).toFixed(0)} MiB upload`, value: peak.maxRssKb / 1024, unit: 'MiB', baseline: idle.maxRssKb / 1024, ratio: peak.maxRssKb / idle.maxRssKb,
      note: `upload + probe took ${uploadMs.toFixed(0)} ms (${res.status} ${JSON.stringify(uploaded)}); baseline: the same process's peak before the upload`,
    });
  } finally {
    raw.stop();
    emulator.stop();
    await rm(dir, { recursive: true, force: true });
  }
  return results;
}
