// The one neutral transcript every API renders from. Vendor vocabulary (S1, channel_1,
// utterances, ms integers) belongs to the renderers; this file speaks in seconds, 1-based
// speaker numbers and 0-based channel indexes.

export type TokenKind = 'word' | 'punctuation';

export interface Token {
  kind: TokenKind;
  /** The word, or a punctuation mark (`.`, `,`, `?`, `!`) that attaches to the word before it. */
  text: string;
  /** Seconds from the start of the audio. Punctuation has start == end == its word's end. */
  start: number;
  end: number;
  /** 0..1 */
  confidence: number;
  /** 1-based speaker number when speakers were told apart, undefined otherwise. */
  speaker?: number;
  /** 0-based audio channel the token was heard on. */
  channel: number;
  /** Punctuation only: this mark ends a sentence. */
  sentenceEnd?: boolean;
}

export type TranscriptSource = 'fixture' | 'registered' | 'synthetic' | 'silence';

export interface Transcript {
  /** ISO 639-1 code of the language spoken. */
  language: string;
  /** The audio's real duration, read from the file. */
  durationSeconds: number;
  channels: number;
  /** Time order; on multi-channel audio, channels interleave by start time. */
  tokens: Token[];
  /** How speakers were attributed: `speaker` numbers voices, `channel` one speaker per channel. */
  diarization: 'none' | 'speaker' | 'channel';
  source: TranscriptSource;
  audioSha256: string;
}

export interface Sentence {
  text: string;
  start: number;
  end: number;
  speaker?: number;
  channel: number;
  /** The tokens of this sentence, punctuation included. */
  tokens: Token[];
}

/** Words joined by spaces, punctuation attached to the word before it. */
export function joinTokens(tokens: readonly Token[]): string {
  let out = '';
  for (const token of tokens) {
    if (token.kind === 'punctuation' || out === '') out += token.text;
    else out += ' ' + token.text;
  }
  return out;
}

/**
 * Sentences end at sentence-ending punctuation, and also where the speaker or channel
 * changes, so a sentence always has one voice.
 */
export function sentencesOf(tokens: readonly Token[]): Sentence[] {
  const sentences: Sentence[] = [];
  let current: Token[] = [];
  const flush = () => {
    const words = current.filter((t) => t.kind === 'word');
    if (words.length === 0) {
      current = [];
      return;
    }
    const first = words[0]!;
    sentences.push({
      text: joinTokens(current),
      start: first.start,
      end: current[current.length - 1]!.end,
      ...(first.speaker !== undefined && { speaker: first.speaker }),
      channel: first.channel,
      tokens: current,
    });
    current = [];
  };
  for (const token of tokens) {
    const last = current.find((t) => t.kind === 'word');
    if (last && token.kind === 'word' && (last.speaker !== token.speaker || last.channel !== token.channel)) flush();
    current.push(token);
    if (token.kind === 'punctuation' && token.sentenceEnd) flush();
  }
  flush();
  return sentences;
}

/** Each word with the punctuation that attaches to it: the unit no renderer splits. */
export function wordGroups(tokens: readonly Token[]): Token[][] {
  const groups: Token[][] = [];
  for (const token of tokens) {
    if (token.kind === 'word') groups.push([token]);
    else if (groups.length > 0) groups[groups.length - 1]!.push(token);
  }
  return groups;
}

export function wordsOf(tokens: readonly Token[]): Token[] {
  return tokens.filter((t) => t.kind === 'word');
}

/** The mean confidence of the words; 0 for an empty transcript. */
export function meanConfidence(tokens: readonly Token[]): number {
  const words = wordsOf(tokens);
  if (words.length === 0) return 0;
  return round(words.reduce((sum, w) => sum + w.confidence, 0) / words.length, 3);
}

/** Rounds to a fixed number of decimals, so output bytes do not depend on float noise. */
export function round(value: number, decimals = 3): number {
  const factor = 10 ** decimals;
  return Math.round(value * factor) / factor;
}

export function speakersOf(tokens: readonly Token[]): number[] {
  return [...new Set(tokens.flatMap((t) => (t.speaker === undefined ? [] : [t.speaker])))].sort((a, b) => a - b);
}

// What the enrichments produce, still vendor-neutral.

export interface TimedText {
  start: number;
  end: number;
  text: string;
  speaker?: number;
  channel?: number;
}

export type Sentiment = 'positive' | 'neutral' | 'negative';

export interface Enrichments {
  /** Target language → sentences translated, timed like the source sentences. */
  translations?: Record<string, TimedText[]>;
  summary?: { text: string; bullets: string[] };
  sentiment?: Array<TimedText & { sentiment: Sentiment; confidence: number }>;
  topics?: Array<TimedText & { topics: string[] }>;
  chapters?: Array<{ title: string; summary: string; start: number; end: number }>;
  audioEvents?: Array<{ type: 'music' | 'laughter' | 'applause'; start: number; end: number; confidence: number; channel: number }>;
  languageIdentification?: { language: string; confidence: number; alternatives: Array<{ language: string; confidence: number }> };
}

/**
 * Text aligned to audio, line by line as the input had it. Each line is pieces: a word with
 * its time, or verbatim text (spaces, SGML-like markup, `<!-- -->` comments) that takes no
 * time and is kept exactly as given.
 */
export type AlignedPiece =
  | { kind: 'word'; text: string; start: number; end: number }
  | { kind: 'verbatim'; text: string };

export interface Alignment {
  lines: Array<{ pieces: AlignedPiece[] }>;
}
