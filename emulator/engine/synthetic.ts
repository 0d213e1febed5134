// Transcripts for audio nobody told us about: the words come from a Faker seeded with the
// audio's SHA-256, so the same file always reads the same way, and their number follows the
// file's real duration (about 2.5 words a second, as conversational speech runs).
//
// Faker is loaded locale by locale, on the first transcript that needs one: its root module
// loads every locale it has (a quarter of a second), and the emulator starts before any
// transcript is asked for.
import type { Faker } from '@faker-js/faker';
import { round, type Token } from './transcript.ts';

export const WORDS_PER_SECOND = 2.5;

// ISO 639-1 → the Faker locale whose word lists speak it; others borrow English words. Each
// module's `faker` speaks its locale, then English, then Faker's base data.
const LOCALES: Record<string, () => Promise<{ faker: Faker }>> = {
  en: () => import('@faker-js/faker/locale/en'),
  de: () => import('@faker-js/faker/locale/de'),
  fr: () => import('@faker-js/faker/locale/fr'),
  da: () => import('@faker-js/faker/locale/da'),
  fa: () => import('@faker-js/faker/locale/fa'),
  hu: () => import('@faker-js/faker/locale/hu'),
  id: () => import('@faker-js/faker/locale/id_ID'),
  ko: () => import('@faker-js/faker/locale/ko'),
  nb: () => import('@faker-js/faker/locale/nb_NO'),
  no: () => import('@faker-js/faker/locale/nb_NO'),
  pt: () => import('@faker-js/faker/locale/pt_BR'),
  zh: () => import('@faker-js/faker/locale/zh_CN'),
};

/**
 * A new Faker that speaks the language's word lists (then English's, then Faker's base data).
 * It is the emulator's own: the locale module's shared `faker` is only read, never seeded, so
 * an application in the same process that uses it is not disturbed.
 */
export async function fakerFor(language: string): Promise<Faker> {
  const code = language.split(/[-_]/)[0]!.toLowerCase();
  const { faker: shared } = await (Object.hasOwn(LOCALES, code) ? LOCALES[code]! : LOCALES.en!)();
  const FakerClass = shared.constructor as new (options: { locale: Faker['rawDefinitions'] }) => Faker;
  return new FakerClass({ locale: shared.rawDefinitions });
}

export function seedFromSha256(sha256: string): number {
  return parseInt(sha256.slice(0, 8), 16);
}

export interface SyntheticOptions {
  sha256: string;
  language: string;
  durationSeconds: number;
  channels: number;
  diarization: 'none' | 'speaker' | 'channel';
}

type WordKind = 'noun' | 'verb' | 'adjective' | 'adverb' | 'preposition' | 'conjunction';
const SHAPES: WordKind[][] = [
  ['adjective', 'noun', 'verb', 'preposition', 'noun'],
  ['noun', 'verb', 'adverb'],
  ['noun', 'verb', 'adjective', 'noun', 'conjunction', 'noun', 'verb'],
  ['adverb', 'noun', 'verb', 'preposition', 'adjective', 'noun'],
];

function sentenceWords(faker: Faker, count: number): string[] {
  const shape = faker.helpers.arrayElement(SHAPES);
  const words: string[] = [];
  for (let i = 0; i < count; i++) {
    const kind = shape[i % shape.length]!;
    // Not every locale has every kind of word; a noun always exists.
    let word: string;
    try {
      word = faker.word[kind]();
    } catch {
      word = faker.word.noun();
    }
    words.push(word.split(/\s+/)[0]!);
  }
  words[0] = words[0]!.charAt(0).toLocaleUpperCase() + words[0]!.slice(1);
  return words;
}

interface Draft {
  text: string;
  kind: 'word' | 'punctuation';
  sentenceEnd?: boolean;
  speaker?: number;
  channel: number;
  confidence: number;
}

export async function syntheticTokens(options: SyntheticOptions): Promise<Token[]> {
  const margin = Math.min(0.3, options.durationSeconds / 10);
  const speech = Math.max(0, options.durationSeconds - 2 * margin);
  const wordCount = Math.round(speech * WORDS_PER_SECOND);
  if (wordCount === 0) return [];

  const faker = await fakerFor(options.language);
  faker.seed(seedFromSha256(options.sha256));
  const speakers = options.diarization === 'speaker' ? (options.durationSeconds >= 4 ? 2 : 1) : 0;

  const drafts: Draft[] = [];
  let speaker = 1;
  let sentencesLeftForSpeaker = faker.number.int({ min: 1, max: 3 });
  let sentence = 0;
  let written = 0;
  while (written < wordCount) {
    const remaining = wordCount - written;
    const length = Math.min(remaining, faker.number.int({ min: 4, max: 12 }));
    const channel = options.diarization === 'channel' ? sentence % Math.max(1, options.channels) : 0;
    const who = speakers > 0 ? { speaker } : {};
    const words = sentenceWords(faker, length);
    written += words.length;
    const commaAfter = length >= 7 && faker.datatype.boolean(0.4) ? faker.number.int({ min: 2, max: length - 3 }) : -1;
    words.forEach((text, i) => {
      drafts.push({ kind: 'word', text, channel, confidence: round(faker.number.float({ min: 0.72, max: 0.99 }), 2), ...who });
      if (i === commaAfter) drafts.push({ kind: 'punctuation', text: ',', channel, confidence: 1, ...who });
    });
    drafts.push({ kind: 'punctuation', text: faker.datatype.boolean(0.15) ? '?' : '.', sentenceEnd: true, channel, confidence: 1, ...who });
    sentence++;
    if (speakers > 1 && --sentencesLeftForSpeaker === 0) {
      speaker = (speaker % speakers) + 1;
      sentencesLeftForSpeaker = faker.number.int({ min: 1, max: 3 });
    }
  }
  return timeDrafts(drafts, margin, speech);
}

/**
 * Spreads the drafts over the speech span: each word takes time in proportion to its length,
 * the gap after a sentence is worth four letters, and 15% of each word's share is the pause
 * before the next.
 */
function timeDrafts(drafts: Draft[], start: number, span: number): Token[] {
  const weightOf = (d: Draft) => (d.kind === 'word' ? d.text.length + 2 : d.sentenceEnd ? 4 : 0);
  const total = drafts.reduce((sum, d) => sum + weightOf(d), 0);
  const tokens: Token[] = [];
  let units = 0;
  let lastEnd = round(start);
  for (const d of drafts) {
    const from = start + (span * units) / total;
    units += weightOf(d);
    const token: Token = { kind: d.kind, text: d.text, start: lastEnd, end: lastEnd, confidence: d.confidence, channel: d.channel };
    if (d.speaker !== undefined) token.speaker = d.speaker;
    if (d.kind === 'word') {
      token.start = round(from);
      token.end = round(from + ((span * weightOf(d)) / total) * 0.85);
      lastEnd = token.end;
    } else if (d.sentenceEnd) {
      token.sentenceEnd = true;
    }
    tokens.push(token);
  }
  return tokens;
}
