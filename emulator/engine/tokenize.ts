// Text with known timing → timed tokens. Fixture truths give each utterance's start and end;
// the words inside get times proportional to their length, as speech roughly does.
import { round, type Token } from './transcript.ts';

export interface TimedUtterance {
  text: string;
  start: number;
  end: number;
  speaker?: number;
  channel: number;
}

const PUNCTUATION = /^[.,?!;:]$/;
const SENTENCE_END = /^[.?!]$/;

/** Splits text into words and the punctuation marks that follow them. */
export function splitWords(text: string): string[] {
  return text.match(/[^\s.,?!;:]+(?:['’][^\s.,?!;:]+)*|[.,?!;:]/gu) ?? [];
}

/**
 * Times the words of one utterance inside [start, end]: each word's share of the span is
 * proportional to its length plus a fixed part, with a short gap after each word.
 */
export function timeUtterance(u: TimedUtterance, confidenceOf: (index: number) => number): Token[] {
  const pieces = splitWords(u.text);
  const words = pieces.filter((p) => !PUNCTUATION.test(p));
  const weights = words.map((w) => w.length + 2);
  const total = weights.reduce((a, b) => a + b, 0);
  const span = Math.max(0, u.end - u.start);
  const tokens: Token[] = [];
  let cursor = u.start;
  let wordIndex = 0;
  for (const piece of pieces) {
    const speaker = u.speaker !== undefined ? { speaker: u.speaker } : {};
    if (PUNCTUATION.test(piece)) {
      const previousEnd = tokens.length ? tokens[tokens.length - 1]!.end : round(u.start);
      tokens.push({ kind: 'punctuation', text: piece, start: previousEnd, end: previousEnd, confidence: 1, channel: u.channel, ...speaker, ...(SENTENCE_END.test(piece) && { sentenceEnd: true }) });
      continue;
    }
    const share = (span * weights[wordIndex]!) / total;
    const start = round(cursor);
    // The last 15% of a word's share is the pause before the next word.
    const end = round(Math.min(u.end, cursor + share * 0.85));
    tokens.push({ kind: 'word', text: piece, start, end: Math.max(end, start), confidence: confidenceOf(wordIndex), channel: u.channel, ...speaker });
    cursor += share;
    wordIndex++;
  }
  return tokens;
}

/** Tokens of several utterances, in time order across speakers and channels. */
export function timeUtterances(utterances: TimedUtterance[], confidenceOf: (index: number) => number): Token[] {
  let offset = 0;
  const timed = utterances.map((u) => {
    const tokens = timeUtterance(u, (i) => confidenceOf(offset + i));
    offset += tokens.length;
    return tokens;
  });
  return timed
    .map((tokens, i) => ({ tokens, start: utterances[i]!.start, i }))
    .sort((a, b) => a.start - b.start || a.i - b.i)
    .flatMap((x) => x.tokens);
}
