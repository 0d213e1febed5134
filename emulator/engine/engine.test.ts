// The engine's promises, checked on real audio: known speech reads as its true words in
// every format, silence reads as nothing, broken files are refused, and anything else reads
// the same way every time, in this process and in another.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from './engine.ts';
import { FIXTURES_DIR } from './fixtures.ts';
import { probeFile, UnreadableAudioError } from './probe.ts';
import { WORDS_PER_SECOND } from './synthetic.ts';
import { joinTokens, sentencesOf, speakersOf, wordsOf, type Token, type Transcript } from './transcript.ts';
import { sineWav } from '../../openapi/example-audio.ts';

interface ManifestFile { file: string; id: string; sha256: string; durationSeconds: number; channels: number; sampleRate: number }
interface TruthFile { id: string; language?: string; text?: string; expect?: string; segments?: Array<{ speaker: string; channel: number; start: number; end: number; text: string }> }

const manifest = JSON.parse(readFileSync(FIXTURES_DIR + 'manifest.json', 'utf8')) as { files: ManifestFile[] };
const truthOf = (id: string) => JSON.parse(readFileSync(`${FIXTURES_DIR}${id}.json`, 'utf8')) as TruthFile;
const readable = manifest.files.filter((f) => !truthOf(f.id).expect);
const speech = readable.filter((f) => (truthOf(f.id).text ?? '') !== '');

let engine: Engine;
let scratch: string;
beforeAll(async () => {
  engine = await createEngine();
  scratch = await mkdtemp(join(tmpdir(), 'speechdouble-engine-'));
});

async function transcribeFile(path: string, options: { language?: string; diarization?: Transcript['diarization'] } = {}) {
  const audio = await probeFile(path);
  return engine.transcribe({ audio, path, ...options });
}

function expectWellTimed(t: Transcript): void {
  const byChannel = new Map<number, Token[]>();
  for (const token of t.tokens) byChannel.set(token.channel, [...(byChannel.get(token.channel) ?? []), token]);
  for (const tokens of byChannel.values()) {
    let previous: Token | undefined;
    for (const token of tokens) {
      expect(token.start).toBeGreaterThanOrEqual(0);
      expect(token.end).toBeLessThanOrEqual(t.durationSeconds);
      expect(token.start).toBeLessThanOrEqual(token.end);
      if (token.kind === 'punctuation') {
        // Punctuation takes no time and sits at the end of the word it attaches to.
        expect(previous?.kind).toBe('word');
        expect([token.start, token.end]).toEqual([previous!.end, previous!.end]);
      } else if (previous) {
        expect(token.start).toBeGreaterThanOrEqual(previous.end);
      }
      previous = token;
    }
  }
}

describe('the audio probe', () => {
  it.each(readable.map((f) => [f.file, f] as const))('reads %s from its own bytes', async (_name, f) => {
    const info = await probeFile(FIXTURES_DIR + f.file);
    expect(info.sha256).toBe(f.sha256);
    expect(info.channels).toBe(f.channels);
    expect(info.sampleRate).toBe(f.sampleRate);
    // MP3 adds encoder delay and pads its last frames (36 ms each at 16 kHz): 0.15 s tolerance.
    expect(Math.abs(info.durationSeconds - f.durationSeconds)).toBeLessThan(0.15);
  });

  it('refuses a WAV whose data ends before its header says (truncated upload)', async () => {
    const corrupt = manifest.files.find((f) => f.id === 'corrupt')!;
    await expect(probeFile(FIXTURES_DIR + corrupt.file)).rejects.toMatchObject({ name: 'UnreadableAudioError', reason: 'truncated' });
  });

  it.each(manifest.files.filter((f) => f.id === 'not-audio').map((f) => [f.file]))('refuses %s, which is not audio', async (file) => {
    await expect(probeFile(FIXTURES_DIR + file)).rejects.toBeInstanceOf(UnreadableAudioError);
  });

  it('gives the same bytes, in another file, the same (shared, read-only) AudioInfo', async () => {
    const f = readable[0]!;
    const copy = join(scratch, `copy-of-${f.file}`);
    await writeFile(copy, readFileSync(FIXTURES_DIR + f.file));
    const [first, second] = [await probeFile(FIXTURES_DIR + f.file), await probeFile(copy)];
    expect(second).toBe(first);
  });

  it('refuses an empty file', async () => {
    const path = join(scratch, 'empty.wav');
    await writeFile(path, '');
    await expect(probeFile(path)).rejects.toMatchObject({ reason: 'empty' });
  });
});

describe('known speech', () => {
  it.each(speech.map((f) => [f.file, f] as const))('%s reads as its true transcript', async (_name, f) => {
    const truth = truthOf(f.id);
    const t = await transcribeFile(FIXTURES_DIR + f.file);
    expect(t.source).toBe('fixture');
    expect(t.language).toBe(truth.language);
    expect(joinTokens(t.tokens)).toBe(truth.text);
    expectWellTimed(t);
  });

  it('tells the two voices of the conversation apart with speaker diarization, and not without', async () => {
    const file = manifest.files.find((f) => f.id === 'en-conversation')!.file;
    const truth = truthOf('en-conversation');
    const diarized = await transcribeFile(FIXTURES_DIR + file, { diarization: 'speaker' });
    expect(sentencesOf(diarized.tokens).map((s) => `S${s.speaker}`)).toEqual(
      truth.segments!.flatMap((seg) => seg.text.split(/(?<=[.?!])\s+/).map(() => seg.speaker)),
    );
    const plain = await transcribeFile(FIXTURES_DIR + file, { diarization: 'none' });
    expect(speakersOf(plain.tokens)).toEqual([]);
  });

  it('hears each side of the stereo call on its own channel', async () => {
    const file = manifest.files.find((f) => f.id === 'en-stereo' && f.file.endsWith('.wav'))!.file;
    const t = await transcribeFile(FIXTURES_DIR + file, { diarization: 'channel' });
    const truth = truthOf('en-stereo');
    for (const channel of [0, 1]) {
      const heard = joinTokens(t.tokens.filter((x) => x.channel === channel));
      expect(heard).toBe(truth.segments!.filter((s) => s.channel === channel).map((s) => s.text).join(' '));
    }
    expectWellTimed(t);
  });

  it('places every utterance inside the time its speaker really spoke', async () => {
    const file = manifest.files.find((f) => f.id === 'en-conversation')!.file;
    const t = await transcribeFile(FIXTURES_DIR + file, { diarization: 'speaker' });
    const segments = truthOf('en-conversation').segments!;
    for (const word of wordsOf(t.tokens)) {
      expect(segments.some((s) => word.start >= s.start - 1e-9 && word.end <= s.end + 1e-9)).toBe(true);
    }
  });
});

describe('silence and damage', () => {
  it.each(manifest.files.filter((f) => f.id === 'silence').map((f) => [f.file]))('%s reads as an empty transcript', async (file) => {
    const t = await transcribeFile(FIXTURES_DIR + file, { language: 'fr' });
    expect(t.tokens).toEqual([]);
    expect(t.source).toBe('silence');
    expect(t.language).toBe('fr');
  });

  it('hears silence in a PCM WAV it has never seen', async () => {
    const path = join(scratch, 'quiet.wav');
    await writeFile(path, sineWav({ seconds: 2, frequency: 440, amplitude: 0.001 }));
    const t = await transcribeFile(path);
    expect(t.source).toBe('silence');
    expect(t.tokens).toEqual([]);
  });
});

describe('unknown audio', () => {
  const toneSeconds = 20;
  let tone: string;
  beforeAll(async () => {
    tone = join(scratch, 'tone.wav');
    await writeFile(tone, sineWav({ seconds: toneSeconds, frequency: 220, amplitude: 0.5 }));
  });

  it('reads as synthetic speech, about 2.5 words a second of its real duration', async () => {
    const t = await transcribeFile(tone, { language: 'en' });
    expect(t.source).toBe('synthetic');
    const expected = (toneSeconds - 0.6) * WORDS_PER_SECOND;
    expect(wordsOf(t.tokens).length).toBeGreaterThanOrEqual(Math.floor(expected) - 1);
    expect(wordsOf(t.tokens).length).toBeLessThanOrEqual(Math.ceil(expected) + 1);
    expectWellTimed(t);
    // Sentences: capitalised, and ended by punctuation.
    for (const s of sentencesOf(t.tokens)) expect(s.text).toMatch(/^\p{Lu}.*[.?]$/u);
  });

  it('reads the same twice, and differently for different audio', async () => {
    const again = await transcribeFile(tone, { language: 'en' });
    expect(JSON.stringify(again)).toBe(JSON.stringify(await transcribeFile(tone, { language: 'en' })));
    const other = join(scratch, 'tone2.wav');
    await writeFile(other, sineWav({ seconds: toneSeconds, frequency: 330, amplitude: 0.5 }));
    expect(joinTokens((await transcribeFile(other, { language: 'en' })).tokens)).not.toBe(joinTokens(again.tokens));
  });

  it('reads the same in another process', async () => {
    const here = JSON.stringify(await transcribeFile(tone, { language: 'de', diarization: 'speaker' }));
    const script = fileURLToPath(new URL('./testing/print-transcript.ts', import.meta.url));
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', script, tone, 'de', 'speaker']);
    expect(stdout.trim()).toBe(here);
  }, 30_000);

  it('speaks the requested language where Faker has words for it', async () => {
    const german = joinTokens((await transcribeFile(tone, { language: 'de' })).tokens);
    const english = joinTokens((await transcribeFile(tone, { language: 'en' })).tokens);
    expect(german).not.toBe(english);
    expect((await transcribeFile(tone, { language: 'de' })).language).toBe('de');
  });

  it('numbers speakers with speaker diarization and spreads sentences over channels with channel diarization', async () => {
    const diarized = await transcribeFile(tone, { diarization: 'speaker' });
    expect(speakersOf(diarized.tokens)).toEqual([1, 2]);
    const stereoPath = join(scratch, 'stereo.wav');
    await writeFile(stereoPath, sineWav({ seconds: 10, frequency: 200, amplitude: 0.5, channels: 2 }));
    const stereo = await transcribeFile(stereoPath, { diarization: 'channel' });
    expect(new Set(stereo.tokens.map((x) => x.channel))).toEqual(new Set([0, 1]));
    expect(speakersOf(stereo.tokens)).toEqual([]);
  });
});

describe('transcripts registered at run time', () => {
  it('replace what the engine would have said, for that audio only', async () => {
    const path = join(scratch, 'mine.wav');
    await writeFile(path, sineWav({ seconds: 3, frequency: 523, amplitude: 0.4 }));
    const audio = await probeFile(path);
    expect(engine.register({ sha256: audio.sha256, language: 'en', text: 'Please hold, connecting you now.' })).toEqual({ sha256: audio.sha256, language: 'en', words: 7 });
    const t = await engine.transcribe({ audio, path });
    expect(t.source).toBe('registered');
    expect(joinTokens(t.tokens)).toBe('Please hold, connecting you now.');
    expectWellTimed(t);
    engine.reset();
    expect((await engine.transcribe({ audio, path })).source).toBe('synthetic');
  });

  it('keep the word timings they were given', async () => {
    const path = join(scratch, 'timed.wav');
    await writeFile(path, sineWav({ seconds: 2, frequency: 600, amplitude: 0.4 }));
    const audio = await probeFile(path);
    engine.register({ sha256: audio.sha256, language: 'en', words: [{ text: 'Hi', start: 0.2, end: 0.5 }, { text: '.', start: 0.5, end: 0.5 }] });
    const t = await engine.transcribe({ audio, path });
    expect(t.tokens.map((x) => [x.kind, x.text, x.start, x.end])).toEqual([['word', 'Hi', 0.2, 0.5], ['punctuation', '.', 0.5, 0.5]]);
    engine.reset();
  });
});
