// The audio the engine knows: committed fixtures with their true transcripts (matched by the
// SHA-256 in fixtures/audio/manifest.json), and transcripts a test registers at run time for
// its own recordings (POST /__emulator/fixtures).
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { TimedUtterance } from './tokenize.ts';

export const FIXTURES_DIR = fileURLToPath(new URL('../../fixtures/audio/', import.meta.url));

export interface Truth {
  id: string;
  language: string;
  /** Utterances with speaker numbers from 1 and channels from 0; empty for silence. */
  utterances: TimedUtterance[];
  /** Fixtures that stand for broken uploads: the engine refuses them like unreadable audio. */
  expect?: 'unreadable';
}

interface TruthFile {
  id: string;
  language?: string;
  text?: string;
  expect?: 'unreadable';
  segments?: Array<{ speaker: string; channel: number; start: number; end: number; text: string }>;
}

interface Manifest {
  files: Array<{ file: string; id: string; sha256: string }>;
}

export interface RegisteredWord {
  text: string;
  start?: number;
  end?: number;
  confidence?: number;
  speaker?: string;
}

export interface Registration {
  sha256: string;
  language: string;
  text?: string;
  words?: RegisteredWord[];
}

export interface FixtureLibrary {
  lookup(sha256: string): Truth | undefined;
  registered(sha256: string): Registration | undefined;
  register(registration: Registration): void;
  clearRegistered(): void;
  /** Every committed fixture file, for tests and benchmarks. */
  files(): Array<{ file: string; id: string; sha256: string }>;
}

function speakerNumber(label: string): number {
  const n = Number(/\d+/.exec(label)?.[0]);
  return Number.isInteger(n) && n > 0 ? n : 1;
}

function toTruth(file: TruthFile): Truth {
  return {
    id: file.id,
    language: file.language ?? 'en',
    utterances: (file.segments ?? []).map((s) => ({ text: s.text, start: s.start, end: s.end, speaker: speakerNumber(s.speaker), channel: s.channel })),
    ...(file.expect && { expect: file.expect }),
  };
}

export async function loadFixtureLibrary(dir: string = FIXTURES_DIR): Promise<FixtureLibrary> {
  const manifest = JSON.parse(await readFile(dir + 'manifest.json', 'utf8')) as Manifest;
  // Read side by side, kept in the manifest's order.
  const ids = [...new Set(manifest.files.map((f) => f.id))];
  const files = await Promise.all(ids.map((id) => readFile(`${dir}${id}.json`, 'utf8')));
  const truths = new Map(ids.map((id, i) => [id, toTruth(JSON.parse(files[i]!) as TruthFile)]));
  const bySha = new Map(manifest.files.map((f) => [f.sha256, truths.get(f.id)!]));
  const registrations = new Map<string, Registration>();
  return {
    lookup: (sha256) => bySha.get(sha256),
    registered: (sha256) => registrations.get(sha256),
    register: (registration) => void registrations.set(registration.sha256, registration),
    clearRegistered: () => registrations.clear(),
    files: () => manifest.files.map(({ file, id, sha256 }) => ({ file, id, sha256 })),
  };
}
