// Engine benchmarks, each reported with a baseline measured in the same run so the numbers
// compare across machines: synthetic transcription of an hour of audio, and the memory the
// probe needs for a long file (it streams, so it should not grow with the file).
import { execFile } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createEngine } from '../emulator/engine/engine.ts';
import type { AudioInfo } from '../emulator/engine/probe.ts';
import { renderJsonV2 } from '../emulator/engine/render/speechmatics.ts';
import { wordsOf } from '../emulator/engine/transcript.ts';

export interface BenchResult {
  name: string;
  value: number;
  unit: string;
  baseline: number;
  ratio: number;
  note: string;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function timeMs(fn: () => unknown, runs: number): number {
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    fn();
    samples.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return median(samples);
}

/** The baseline: the same number of words drawn from a plain LCG and joined, no Faker, no timing. */
function baselineWords(count: number): string {
  const vocabulary = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel'];
  let state = 1;
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    out.push(vocabulary[state % vocabulary.length]!);
  }
  return out.join(' ');
}

async function syntheticHour(): Promise<BenchResult[]> {
  const engine = await createEngine();
  const audio: AudioInfo = { sha256: 'c0ffee'.padEnd(64, '0'), bytes: 115_200_044, container: 'WAVE', codec: 'PCM', durationSeconds: 3600, sampleRate: 16000, channels: 1, bitsPerSample: 16 };
  const transcribe = () => engine.transcribe({ audio, language: 'en', diarization: 'speaker' });
  const words = wordsOf((await transcribe()).tokens).length;
  const samples: number[] = [];
  for (let i = 0; i < 5; i++) {
    const start = process.hrtime.bigint();
    await transcribe();
    samples.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  const transcript = await transcribe();
  const context = { job: { id: 'benchbench', created_at: '2026-11-21T00:00:00.000Z', data_name: 'hour.wav', duration: 3600 }, createdAt: '2026-11-21T00:00:00.000000Z', transcriptionConfig: { language: 'en', diarization: 'speaker' } };
  const render = timeMs(() => JSON.stringify(renderJsonV2(transcript, {}, context)), 5);
  const baseline = timeMs(() => baselineWords(words), 5);
  const transcribeMs = median(samples);
  return [
    { name: 'synthetic transcript, 1 h of audio', value: transcribeMs, unit: 'ms', baseline, ratio: transcribeMs / baseline, note: `${words} words; baseline: the same number of words from a plain LCG` },
    { name: 'json-v2 render + stringify, 1 h', value: render, unit: 'ms', baseline, ratio: render / baseline, note: 'same baseline' },
  ];
}

/** A long PCM WAV written in chunks, so making it costs this process little memory. */
export async function writeLongWav(path: string, seconds: number): Promise<void> {
  const rate = 16000;
  const dataBytes = seconds * rate * 2;
  const header = Buffer.alloc(44);
  header.write('RIFF', 0); header.writeUInt32LE(36 + dataBytes, 4); header.write('WAVEfmt ', 8);
  header.writeUInt32LE(16, 16); header.writeUInt16LE(1, 20); header.writeUInt16LE(1, 22);
  header.writeUInt32LE(rate, 24); header.writeUInt32LE(rate * 2, 28); header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34); header.write('data', 36); header.writeUInt32LE(dataBytes, 40);
  const out = createWriteStream(path);
  out.write(header);
  const second = Buffer.alloc(rate * 2);
  for (let i = 0; i < rate; i++) second.writeInt16LE(Math.round(Math.sin((2 * Math.PI * 220 * i) / rate) * 8000), i * 2);
  for (let s = 0; s < seconds; s++) if (!out.write(second)) await new Promise<void>((r) => out.once('drain', () => r()));
  await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
}

async function probeLongFile(): Promise<BenchResult[]> {
  const dir = await mkdtemp(join(tmpdir(), 'speechdouble-bench-'));
  try {
    const results: BenchResult[] = [];
    const child = fileURLToPath(new URL('./probe-child.ts', import.meta.url));
    const run = async (args: string[]) => JSON.parse((await promisify(execFile)(process.execPath, ['--import', 'tsx', child, ...args])).stdout) as { maxRssKb: number; ms: number };
    const baseline = await run([]);
    for (const minutes of [10, 60]) {
      const path = join(dir, `long-${minutes}min.wav`);
      await writeLongWav(path, minutes * 60);
      const { size } = await stat(path);
      const probed = await run([path]);
      const mb = (kb: number) => kb / 1024;
      results.push({
        name: `probe peak RSS, ${minutes} min WAV (${(size / 2 ** 20).toFixed(0)} MiB)`,
        value: mb(probed.maxRssKb), unit: 'MiB', baseline: mb(baseline.maxRssKb), ratio: probed.maxRssKb / baseline.maxRssKb,
        note: `probe took ${probed.ms.toFixed(0)} ms; baseline: the same child process loading the probe without running it`,
      });
    }
    return results;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export async function engineBenchmarks(): Promise<BenchResult[]> {
  return [...(await syntheticHour()), ...(await probeLongFile())];
}
