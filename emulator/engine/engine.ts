// The fixture ASR engine: audio in, the same transcript out every time. Known audio (a
// committed fixture, or a transcript a test registered) gives its true words; silent audio
// gives none; anything else gives seeded synthetic words sized by its real duration.
import { createHash } from 'node:crypto';
import { alignText } from './align.ts';
import { enrich, type EnrichmentRequest } from './enrich.ts';
import { loadFixtureLibrary, type FixtureLibrary, type Registration, type RegisteredWord } from './fixtures.ts';
import { UnreadableAudioError, type AudioInfo } from './probe.ts';
import { isSilentPcm } from './silence.ts';
import { syntheticTokens } from './synthetic.ts';
import { splitWords, timeUtterances } from './tokenize.ts';
import { round, type Alignment, type Enrichments, type Token, type Transcript } from './transcript.ts';

export type Diarization = Transcript['diarization'];

export interface TranscribeRequest {
  audio: AudioInfo;
  /** Where the audio is stored: lets the engine hear silence in PCM files it does not know. */
  path?: string;
  /** ISO 639-1, or `auto` (language identification) / undefined. */
  language?: string;
  diarization?: Diarization;
  /**
   * The registered transcript to use: undefined looks it up now; a caller that re-renders a
   * finished job passes what it found then (or null), so a later registration cannot change it.
   */
  registration?: Registration | null;
}

export interface Engine {
  transcribe(request: TranscribeRequest): Promise<Transcript>;
  enrich(transcript: Transcript, request: EnrichmentRequest): Promise<Enrichments>;
  /** Times the words of a given text over the audio's duration (Speechmatics alignment jobs). */
  align(text: string, audio: AudioInfo): Alignment;
  /** Registers the transcript that audio with this SHA-256 must produce; returns how many tokens it has. */
  register(registration: Registration): { sha256: string; language: string; words: number };
  /** Forgets registered transcripts (committed fixtures stay). */
  reset(): void;
  library: FixtureLibrary;
}

// Synthetic audio asked for in `auto` speaks one of these, chosen by its hash.
const AUTO_LANGUAGES = ['en', 'de', 'fr', 'es'];

/** Deterministic per-word confidence for true transcripts: high, but not all alike. */
function confidenceFrom(sha256: string): (index: number) => number {
  const bytes = createHash('sha256').update(sha256).digest();
  return (index) => round(0.86 + (bytes[index % bytes.length]! % 13) / 100, 2);
}

/** Speaker and channel attribution as the request asked for it. */
function attribute(tokens: Token[], diarization: Diarization): Token[] {
  return tokens.map((t) => {
    const { speaker, ...rest } = t;
    return diarization === 'speaker' && speaker !== undefined ? { ...rest, speaker } : rest;
  });
}

function registeredTokens(registration: Registration, audio: AudioInfo): Token[] {
  const confidence = confidenceFrom(audio.sha256);
  const words = registration.words;
  if (words?.length && words.every((w) => w.start !== undefined && w.end !== undefined)) {
    return timedRegisteredWords(words, confidence);
  }
  const text = registration.text ?? (words ?? []).map((w) => w.text).join(' ').replace(/ ([.,?!;:])/g, '$1');
  const margin = Math.min(0.1, audio.durationSeconds / 10);
  return timeUtterances([{ text, start: margin, end: Math.max(margin, audio.durationSeconds - margin), speaker: 1, channel: 0 }], confidence);
}

function timedRegisteredWords(words: RegisteredWord[], confidence: (i: number) => number): Token[] {
  return words.map((w, i) => {
    const isPunctuation = /^[.,?!;:]$/.test(w.text);
    const speaker = w.speaker ? Number(/\d+/.exec(w.speaker)?.[0] ?? 1) : 1;
    return {
      kind: isPunctuation ? 'punctuation' : 'word',
      text: w.text,
      start: w.start!,
      end: w.end!,
      confidence: w.confidence ?? (isPunctuation ? 1 : confidence(i)),
      speaker,
      channel: 0,
      ...(isPunctuation && /[.?!]/.test(w.text) && { sentenceEnd: true }),
    } satisfies Token;
  });
}

export async function createEngine(options: { library?: FixtureLibrary } = {}): Promise<Engine> {
  const library = options.library ?? (await loadFixtureLibrary());

  async function transcribe(request: TranscribeRequest): Promise<Transcript> {
    const { audio } = request;
    const diarization = request.diarization ?? 'none';
    const requested = request.language && request.language !== 'auto' ? request.language : undefined;
    const base = { durationSeconds: audio.durationSeconds, channels: audio.channels, diarization, audioSha256: audio.sha256 };

    const registration = request.registration === undefined ? library.registered(audio.sha256) : request.registration;
    if (registration) {
      return { ...base, language: registration.language, source: 'registered', tokens: attribute(registeredTokens(registration, audio), diarization) };
    }
    const truth = library.lookup(audio.sha256);
    if (truth?.expect === 'unreadable') {
      throw new UnreadableAudioError('truncated', `The audio data is damaged (fixture ${truth.id}).`);
    }
    if (truth) {
      const tokens = timeUtterances(truth.utterances, confidenceFrom(audio.sha256));
      // Silence has no language of its own: it answers in the one asked for.
      const language = tokens.length ? truth.language : (requested ?? 'en');
      return { ...base, language, source: tokens.length ? 'fixture' : 'silence', tokens: attribute(tokens, diarization) };
    }
    if (request.path && (await isSilentPcm(request.path, audio))) {
      return { ...base, language: requested ?? 'en', source: 'silence', tokens: [] };
    }
    const language = requested ?? AUTO_LANGUAGES[parseInt(audio.sha256.slice(8, 12), 16) % AUTO_LANGUAGES.length]!;
    const tokens = await syntheticTokens({ sha256: audio.sha256, language, durationSeconds: audio.durationSeconds, channels: audio.channels, diarization });
    return { ...base, language, source: 'synthetic', tokens };
  }

  return {
    transcribe,
    enrich,
    align: (text, audio) => alignText(text, audio.durationSeconds),
    register(registration) {
      library.register(registration);
      const count = registration.words?.length ?? splitWords(registration.text ?? '').length;
      return { sha256: registration.sha256, language: registration.language, words: count };
    },
    reset: () => library.clearRegistered(),
    library,
  };
}
