// Everything the vendors compute on top of the words (translation, summary, sentiment,
// topics, chapters, audio events, language identification), derived from the words alone so
// the same transcript always yields the same enrichments. None of it is real language
// understanding; each is shaped and timed like the real thing, so clients can be tested.
import { createHash } from 'node:crypto';
import type { Faker } from '@faker-js/faker';
import { fakerFor } from './synthetic.ts';
import { round, sentencesOf, wordsOf, type Enrichments, type Sentence, type Sentiment, type Transcript } from './transcript.ts';

export interface EnrichmentRequest {
  translate?: string[];
  summary?: boolean;
  sentiment?: boolean;
  topics?: boolean;
  chapters?: boolean;
  audioEvents?: boolean;
  languageIdentification?: boolean;
}

function hashNumber(...parts: string[]): number {
  return createHash('sha256').update(parts.join('\u0000')).digest().readUInt32BE(0);
}

/** A stand-in translation: each source word maps to one target-language word, always the same. */
function pseudoTranslate(sentence: Sentence, language: string, faker: Faker): string {
  const out: string[] = [];
  for (const token of sentence.tokens) {
    if (token.kind === 'punctuation') {
      out[out.length - 1] = (out[out.length - 1] ?? '') + token.text;
      continue;
    }
    faker.seed(hashNumber(language, token.text.toLowerCase()));
    const word = faker.word.noun().split(/\s+/)[0]!.toLocaleLowerCase();
    out.push(out.length === 0 ? word.charAt(0).toLocaleUpperCase() + word.slice(1) : word);
  }
  return out.join(' ');
}

const STOP_LENGTH = 6;

/** Topic words: the longer words of the text, most frequent first, ties by first use. */
function keywords(text: string, count: number): string[] {
  const frequency = new Map<string, number>();
  for (const word of text.toLowerCase().match(/[\p{L}'’-]+/gu) ?? []) {
    if (word.length >= STOP_LENGTH) frequency.set(word, (frequency.get(word) ?? 0) + 1);
  }
  return [...frequency].sort((a, b) => b[1] - a[1]).slice(0, count).map(([w]) => w);
}

const SENTIMENTS: Sentiment[] = ['positive', 'neutral', 'negative', 'neutral'];

function timed(s: Sentence) {
  return { start: s.start, end: s.end, text: s.text, ...(s.speaker !== undefined && { speaker: s.speaker }), channel: s.channel };
}

/** A chapter is about a minute of speech, never splitting a sentence. */
const CHAPTER_SECONDS = 60;
const AUDIO_EVENTS = ['music', 'laughter', 'applause'] as const;
/** A gap between words this long could hold an audio event. */
const EVENT_GAP_SECONDS = 2;

/** Asynchronous only because a translation loads its language's word lists (Faker) when first asked for. */
export async function enrich(transcript: Transcript, request: EnrichmentRequest): Promise<Enrichments> {
  const sentences = sentencesOf(transcript.tokens);
  const out: Enrichments = {};

  if (request.translate?.length) {
    out.translations = {};
    for (const language of request.translate) {
      const faker = await fakerFor(language);
      out.translations[language] = sentences.map((s) => ({ ...timed(s), text: pseudoTranslate(s, language, faker) }));
    }
  }
  if (request.summary) {
    const picked = sentences.slice(0, 2).map((s) => s.text);
    const top = keywords(sentences.map((s) => s.text).join(' '), 3);
    out.summary = {
      text: picked.length ? picked.join(' ') : '',
      bullets: top.map((word) => `Discussion of ${word}.`),
    };
  }
  if (request.sentiment) {
    out.sentiment = sentences.map((s) => {
      const h = hashNumber('sentiment', s.text);
      return { ...timed(s), sentiment: SENTIMENTS[h % SENTIMENTS.length]!, confidence: round(0.55 + (h % 40) / 100, 2) };
    });
  }
  if (request.topics) {
    out.topics = sentences.flatMap((s) => {
      const topics = keywords(s.text, 2);
      return topics.length ? [{ ...timed(s), topics }] : [];
    });
  }
  if (request.chapters) {
    const chapters: Sentence[][] = [];
    for (const s of sentences) {
      const current = chapters[chapters.length - 1];
      if (!current || s.end - current[0]!.start > CHAPTER_SECONDS) chapters.push([s]);
      else current.push(s);
    }
    out.chapters = chapters.map((group) => {
      const words = keywords(group.map((s) => s.text).join(' '), 2);
      const title = words.length ? words.map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join(' and ') : group[0]!.text;
      return { title, summary: group[0]!.text, start: group[0]!.start, end: group[group.length - 1]!.end };
    });
  }
  if (request.audioEvents) {
    const words = wordsOf(transcript.tokens);
    const gaps = [0, ...words.map((w) => w.end)].map((start, i) => ({ start, end: words[i]?.start ?? transcript.durationSeconds }));
    out.audioEvents = gaps
      .filter((g) => g.end - g.start >= EVENT_GAP_SECONDS)
      .map((g) => {
        const h = hashNumber('event', transcript.audioSha256, String(g.start));
        return { type: AUDIO_EVENTS[h % AUDIO_EVENTS.length]!, start: round(g.start + 0.2), end: round(g.end - 0.2), confidence: round(0.6 + (h % 35) / 100, 2), channel: 0 };
      });
  }
  if (request.languageIdentification) {
    const h = hashNumber('language', transcript.audioSha256);
    const confidence = round(0.9 + (h % 9) / 100, 2);
    const other = transcript.language === 'en' ? 'de' : 'en';
    out.languageIdentification = { language: transcript.language, confidence, alternatives: [{ language: other, confidence: round(1 - confidence, 2) }] };
  }
  return out;
}
