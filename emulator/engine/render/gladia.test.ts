import { parseSync } from 'subtitle';
import { beforeAll, describe, expect, it } from 'vitest';
import { describeErrors, type ValidateFunction } from '../../../openapi/schemas.ts';
import { componentValidators } from '../../testing/spec-schemas.ts';
import { enrichments, monologue, silence, stereo, twoSpeakers } from '../testing/sample-transcripts.ts';
import type { Token, Transcript } from '../transcript.ts';
import { renderGladiaResult, type GladiaResult } from './gladia.ts';

let validateResult: ValidateFunction;
let validateOptions: ValidateFunction;

beforeAll(async () => {
  ({ TranscriptionResult: validateResult, TranscriptionOptions: validateOptions } = await componentValidators('gladia', ['TranscriptionResult', 'TranscriptionOptions']));
});

function expectValid(validate: ValidateFunction, body: unknown) {
  expect(validate(body), describeErrors(validate.errors)).toBe(true);
}

const SAMPLES: Record<string, () => Transcript> = { monologue, twoSpeakers, stereo, silence };

/** Every switch on: the request that makes every block of the result appear. */
const EVERYTHING = {
  diarization: true,
  sentences: true,
  subtitles: true,
  subtitles_config: { formats: ['srt', 'vtt'], maximum_characters_per_row: 30, maximum_rows_per_caption: 2 },
  translation: true,
  translation_config: { target_languages: ['de'] },
  summarization: true,
  summarization_config: { type: 'general' },
  moderation: true,
  named_entity_recognition: true,
  name_consistency: true,
  structured_data_extraction: true,
  structured_data_extraction_config: { classes: ['product', 'order number'] },
  sentiment_analysis: true,
  audio_to_llm: true,
  audio_to_llm_config: { prompts: ['List the action items.'] },
  display_mode: true,
  chapterization: true,
  custom_spelling: true,
  custom_spelling_config: { spelling_dictionary: { Revenues: ['revenue'] } },
} as const;

const render = (t: Transcript, requestParams: object = {}) => renderGladiaResult(t, enrichments(), { requestParams, transcriptionTimeSeconds: 1.234 });

/** A transcript with names in it, for entity recognition. */
function withNames(): Transcript {
  const word = (text: string, start: number, end: number): Token => ({ kind: 'word', text, start, end, confidence: 0.9, channel: 0 });
  return {
    ...monologue(),
    tokens: [
      word('Thanks', 0.3, 0.6), word('Maria', 0.6, 1.0), { kind: 'punctuation', text: '.', start: 1.0, end: 1.0, confidence: 1, channel: 0, sentenceEnd: true },
      word('We', 1.4, 1.6), word('met', 1.6, 1.9), word('in', 1.9, 2.0), word('New', 2.0, 2.3), word('York', 2.3, 2.7),
      { kind: 'punctuation', text: '.', start: 2.7, end: 2.7, confidence: 1, channel: 0, sentenceEnd: true },
    ],
  };
}

describe('Gladia result', () => {
  it.each(Object.keys(SAMPLES))('validates against TranscriptionResult for %s, plain and with every add-on', (name) => {
    expectValid(validateOptions, EVERYTHING);
    expectValid(validateResult, render(SAMPLES[name]!()));
    expectValid(validateResult, render(SAMPLES[name]!(), EVERYTHING));
  });

  it('bills the audio duration once per channel and reports the transcription time given', () => {
    expect(render(monologue()).metadata).toEqual({ audio_duration: 6.5, number_of_distinct_channels: 1, billing_time: 6.5, transcription_time: 1.234 });
    expect(render(stereo()).metadata).toMatchObject({ audio_duration: 4, number_of_distinct_channels: 2, billing_time: 8 });
  });

  it('has one utterance per sentence, whose words carry their punctuation and no leading space', () => {
    const { transcription } = render(monologue());
    expect(transcription.languages).toEqual(['en']);
    expect(transcription.full_transcript).toBe('Hello and welcome to the quarterly update. Our revenue grew, and costs fell. Questions?');
    expect(transcription.utterances.map((u) => u.text)).toEqual(['Hello and welcome to the quarterly update.', 'Our revenue grew, and costs fell.', 'Questions?']);
    const second = transcription.utterances[1]!;
    expect(second.words.map((w) => w.word)).toEqual(['Our', 'revenue', 'grew,', 'and', 'costs', 'fell.']);
    expect(second).toMatchObject({ start: 3.1, end: 5.1, channel: 0, language: 'en' });
    for (const u of transcription.utterances) {
      expect(u.words.map((w) => w.word).join(' ')).toBe(u.text);
      expect(u).not.toHaveProperty('speaker');
    }
  });

  it('numbers speakers from 0, and only when diarization was requested', () => {
    expect(render(twoSpeakers()).transcription.utterances.every((u) => u.speaker === undefined)).toBe(true);
    const result = render(twoSpeakers(), { diarization: true });
    expect(result.transcription.utterances.map((u) => u.speaker)).toEqual([0, 1, 0]);
    expect(result.diarization).toMatchObject({ success: true, is_empty: false, error: null, results: result.transcription.utterances });
  });

  it('keeps the channel of each utterance, and lets the channel stand for the speaker on channel-split audio', () => {
    const { utterances } = render(stereo(), { diarization: true }).transcription;
    expect(utterances.map((u) => u.channel)).toEqual([0, 1, 0]);
    expect(utterances.map((u) => u.speaker)).toEqual([0, 1, 0]);
  });

  it('adds the sentences block to the transcription and, deprecated, at the top level', () => {
    const result = render(twoSpeakers(), { sentences: true });
    const block = { success: true, is_empty: false, error: null, results: ['Is this the support line?', 'Yes, how can I help?', 'My order is late.'] };
    expect(result.transcription.sentences).toEqual([expect.objectContaining(block)]);
    expect(result.sentences).toMatchObject(block);
  });

  it('writes the requested subtitle formats, which a subtitle parser reads back', () => {
    const result = render(monologue(), { subtitles: true, subtitles_config: { formats: ['srt', 'vtt'] } });
    const subtitles = result.transcription.subtitles!;
    expect(subtitles.map((s) => s.format)).toEqual(['srt', 'vtt']);
    for (const { subtitles: text } of subtitles) {
      const cues = parseSync(text).filter((n) => n.type === 'cue');
      expect(cues.length).toBeGreaterThan(0);
      expect(cues[0]).toMatchObject({ data: { start: 420, end: 2710 } });
    }
    expect(subtitles[1]!.subtitles.startsWith('WEBVTT\n\n')).toBe(true);
  });

  it('writes SubRip alone by default and follows the row and length limits asked for', () => {
    expect(render(monologue(), { subtitles: true }).transcription.subtitles!.map((s) => s.format)).toEqual(['srt']);
    const srt = render(monologue(), { subtitles: true, subtitles_config: { maximum_characters_per_row: 12, maximum_rows_per_caption: 1 } }).transcription.subtitles![0]!.subtitles;
    const cues = parseSync(srt).filter((n) => n.type === 'cue');
    for (const cue of cues) expect(String((cue.data as { text: string }).text)).not.toContain('\n');
  });

  it('translates into each target language, timed like the source, with sentences and subtitles when asked', () => {
    const result = render(monologue(), { translation: true, translation_config: { target_languages: ['de'] }, sentences: true, subtitles: true });
    const de = result.translation!.results[0]!;
    expect(result.translation).toMatchObject({ success: true, is_empty: false, error: null });
    expect(de).toMatchObject({ error: null, languages: ['de'], full_transcript: 'Hallo und willkommen zum Quartalsbericht. Unser Umsatz wuchs, und die Kosten sanken. Fragen?' });
    expect(de.utterances.map((u) => [u.start, u.end, u.language])).toEqual([[0.42, 2.71, 'de'], [3.1, 5.1, 'de'], [5.4, 5.95, 'de']]);
    for (const u of de.utterances) {
      expect(u.words.map((w) => w.word).join(' ')).toBe(u.text);
      for (const w of u.words) {
        expect(w.start).toBeGreaterThanOrEqual(u.start);
        expect(w.end).toBeLessThanOrEqual(u.end);
        expect(w.start).toBeLessThanOrEqual(w.end);
      }
    }
    expect(de.sentences![0]!.results).toEqual(de.utterances.map((u) => u.text));
    const cues = parseSync(de.subtitles![0]!.subtitles).filter((n) => n.type === 'cue');
    expect(cues.map((c) => (c.data as { text: string }).text.replace(/\n/g, ' ')).join(' ')).toBe(de.full_transcript);
  });

  it('translates into the spoken language by repeating it, and reports a language it has no translation for', () => {
    const result = render(monologue(), { translation: true, translation_config: { target_languages: ['en', 'fr'] } });
    const [en, fr] = result.translation!.results;
    expect(en).toMatchObject({ error: null, full_transcript: render(monologue()).transcription.full_transcript });
    expect(fr).toMatchObject({ languages: ['fr'], utterances: [], error: { status_code: 501 } });
    expectValid(validateResult, result);
  });

  it('summarises as prose, or as bullet points when that type is asked for', () => {
    expect(render(monologue(), { summarization: true }).summarization).toMatchObject({ success: true, is_empty: false, results: 'A quarterly update: revenue grew and costs fell.' });
    const bullets = render(monologue(), { summarization: true, summarization_config: { type: 'bullet_points' } }).summarization!;
    expect(bullets.results).toBe('- Revenue grew.\n- Costs fell.');
  });

  it('finds capitalised words inside sentences as named entities', () => {
    const result = render(withNames(), { named_entity_recognition: true });
    expect(result.named_entity_recognition).toMatchObject({
      is_empty: false,
      results: [{ entity_type: 'NAME', text: 'Maria', start: 0.6, end: 1 }, { entity_type: 'NAME', text: 'New York', start: 2, end: 2.7 }],
    });
    expect(render(twoSpeakers(), { named_entity_recognition: true }).named_entity_recognition).toMatchObject({ is_empty: true, results: [] });
  });

  it('sends sentiments as JSON text, as the vendor types the results as a string', () => {
    const block = render(monologue(), { sentiment_analysis: true }).sentiment_analysis!;
    expect(JSON.parse(block.results)).toEqual([
      expect.objectContaining({ text: 'Hello and welcome to the quarterly update.', sentiment: 'neutral', start: 0.42, end: 2.71, channel: 0 }),
      expect.objectContaining({ sentiment: 'positive' }),
      expect.objectContaining({ text: 'Questions?' }),
    ]);
  });

  it('names chapters with their topics as keywords', () => {
    const block = render(monologue(), { chapterization: true }).chapterization!;
    expect(block.results.chapters).toEqual([
      { headline: 'Quarterly update', summary: 'Welcome to the quarterly update.', keywords: ['update'], start: 0.42, end: 2.71 },
      { headline: 'Revenue and costs', summary: 'Revenue grew and costs fell.', keywords: ['revenue', 'costs'], start: 3.1, end: 5.95 },
    ]);
  });

  it('answers every prompt, extracts nothing, moderates nothing and applies custom spellings', () => {
    const result = render(monologue(), EVERYTHING);
    expect(result.audio_to_llm!.results).toEqual([expect.objectContaining({ success: true, results: { prompt: 'List the action items.', response: 'A quarterly update: revenue grew and costs fell.' } })]);
    expect(JSON.parse(result.structured_data_extraction!.results)).toEqual({ product: [], 'order number': [] });
    expect(result.moderation!.results).toBe(result.transcription.full_transcript);
    expect(result.name_consistency!.results).toBe(result.transcription.full_transcript);
    expect(result.custom_spelling!.results).toContain('Our Revenues grew');
    expect(result.display_mode!.results).toHaveLength(3);
  });

  it('shows only the blocks that were requested', () => {
    expect(Object.keys(render(monologue()))).toEqual(['metadata', 'transcription']);
    expect(Object.keys(render(monologue()).transcription)).toEqual(['full_transcript', 'languages', 'utterances']);
    expect(Object.keys(render(monologue(), EVERYTHING)).sort()).toEqual([
      'audio_to_llm', 'chapterization', 'custom_spelling', 'diarization', 'display_mode', 'metadata', 'moderation', 'name_consistency',
      'named_entity_recognition', 'sentences', 'sentiment_analysis', 'structured_data_extraction', 'summarization', 'transcription', 'translation',
    ]);
  });

  it('renders silence as an empty transcription whose add-ons are empty', () => {
    const result: GladiaResult = renderGladiaResult(silence(), {}, { requestParams: EVERYTHING, transcriptionTimeSeconds: 0.5 });
    expect(result.transcription).toMatchObject({ full_transcript: '', utterances: [] });
    for (const key of ['summarization', 'moderation', 'named_entity_recognition', 'sentiment_analysis', 'chapterization', 'diarization', 'sentences'] as const) {
      expect(result[key], key).toMatchObject({ success: true, is_empty: true, error: null });
    }
    expect(parseSync(result.transcription.subtitles![0]!.subtitles).filter((n) => n.type === 'cue')).toEqual([]);
  });

  it('is a pure function of its inputs', () => {
    for (const sample of Object.values(SAMPLES)) {
      expect(JSON.stringify(render(sample(), EVERYTHING))).toBe(JSON.stringify(render(sample(), EVERYTHING)));
    }
  });
});
