import { beforeAll, describe, expect, it } from 'vitest';
import { createAjv, describeErrors } from '../../openapi/schemas.ts';
import { loadSpec, type JsonObject } from '../../openapi/specs.ts';
import { enrich } from './enrich.ts';
import { renderGladiaResult } from './render/gladia.ts';
import { renderJsonV2 } from './render/speechmatics.ts';
import { syntheticTokens } from './synthetic.ts';
import { sentencesOf, type Transcript } from './transcript.ts';
import { monologue, twoSpeakers } from './testing/sample-transcripts.ts';

const everything = { translate: ['de', 'fr'], summary: true, sentiment: true, topics: true, chapters: true, audioEvents: true, languageIdentification: true };

// Two and a half minutes of synthetic speech with a long pause in the middle.
async function longTalk(): Promise<Transcript> {
  const sha256 = '5'.repeat(64);
  const first = await syntheticTokens({ sha256, language: 'en', durationSeconds: 70, channels: 1, diarization: 'speaker' });
  const second = (await syntheticTokens({ sha256: '6'.repeat(64), language: 'en', durationSeconds: 70, channels: 1, diarization: 'speaker' }))
    .map((t) => ({ ...t, start: t.start + 80, end: t.end + 80 }));
  return { language: 'en', durationSeconds: 150, channels: 1, diarization: 'speaker', source: 'synthetic', audioSha256: sha256, tokens: [...first, ...second] };
}

describe('enrichments', () => {
  it('are the same every time for the same words', async () => {
    expect(JSON.stringify(await enrich(await longTalk(), everything))).toBe(JSON.stringify(await enrich(await longTalk(), everything)));
  });

  it('only include what was asked for', async () => {
    expect(Object.keys(await enrich(monologue(), { summary: true }))).toEqual(['summary']);
    expect(await enrich(monologue(), {})).toEqual({});
  });

  it('translate sentence by sentence, timed like the source, the same word the same way', async () => {
    const t = twoSpeakers();
    const { translations } = await enrich(t, { translate: ['de'] });
    const sentences = sentencesOf(t.tokens);
    expect(translations!.de!.map((s) => [s.start, s.end, s.speaker])).toEqual(sentences.map((s) => [s.start, s.end, s.speaker]));
    expect(translations!.de!.map((s) => s.text)).not.toEqual(sentences.map((s) => s.text));
    const again = await enrich(t, { translate: ['de', 'fr'] });
    expect(again.translations!.de).toEqual(translations!.de);
    expect(again.translations!.fr).not.toEqual(translations!.de);
  });

  it('give every sentence a sentiment and a confidence', async () => {
    const { sentiment } = await enrich(monologue(), { sentiment: true });
    expect(sentiment).toHaveLength(sentencesOf(monologue().tokens).length);
    for (const s of sentiment!) {
      expect(['positive', 'neutral', 'negative']).toContain(s.sentiment);
      expect(s.confidence).toBeGreaterThan(0);
      expect(s.confidence).toBeLessThanOrEqual(1);
    }
  });

  it('cut chapters of about a minute without splitting a sentence, in order', async () => {
    const t = await longTalk();
    const { chapters } = await enrich(t, { chapters: true });
    expect(chapters!.length).toBeGreaterThanOrEqual(2);
    const starts = new Set(sentencesOf(t.tokens).map((s) => s.start));
    chapters!.forEach((c, i) => {
      expect(starts.has(c.start)).toBe(true);
      expect(c.end).toBeGreaterThan(c.start);
      if (i > 0) expect(c.start).toBeGreaterThanOrEqual(chapters![i - 1]!.end);
      expect(c.title.length).toBeGreaterThan(0);
    });
  });

  it('place audio events only in long pauses, inside the audio', async () => {
    const t = await longTalk();
    const { audioEvents } = await enrich(t, { audioEvents: true });
    expect(audioEvents!.length).toBeGreaterThanOrEqual(1);
    for (const e of audioEvents!) {
      expect(e.start).toBeGreaterThanOrEqual(0);
      expect(e.end).toBeLessThanOrEqual(t.durationSeconds);
      expect(t.tokens.some((w) => w.kind === 'word' && w.start < e.end && w.end > e.start)).toBe(false);
    }
    expect((await enrich(monologue(), { audioEvents: true })).audioEvents).toEqual([]);
  });

  it('identify the transcript language with most of the confidence', async () => {
    const { languageIdentification } = await enrich(monologue(), { languageIdentification: true });
    expect(languageIdentification!.language).toBe('en');
    expect(languageIdentification!.confidence).toBeGreaterThan(0.5);
  });

  describe('rendered by the vendors', () => {
    let schemas: { speechmatics: JsonObject; gladia: JsonObject };
    beforeAll(async () => {
      const of = async (api: 'speechmatics' | 'gladia') => ((await loadSpec(api)).dereferenced.components as JsonObject).schemas as JsonObject;
      schemas = { speechmatics: await of('speechmatics'), gladia: await of('gladia') };
    });

    it('fit the Speechmatics json-v2 and Gladia result schemas', async () => {
      const t = await longTalk();
      const e = await enrich(t, everything);
      const ajv = createAjv();
      const jsonV2 = renderJsonV2(t, e, { job: { id: 'a1b2c3d4e5', created_at: '2026-11-21T09:30:00.000Z', data_name: 'talk.wav', duration: 150 }, createdAt: '2026-11-21T09:30:05.123456Z', transcriptionConfig: { language: 'en', diarization: 'speaker' } });
      const checkV2 = ajv.compile(schemas.speechmatics.RetrieveTranscriptResponse as JsonObject);
      expect(checkV2(jsonV2), describeErrors(checkV2.errors)).toBe(true);
      const gladia = renderGladiaResult(t, e, { requestParams: { translation: true, translation_config: { target_languages: ['de', 'fr'] }, summarization: true, sentiment_analysis: true, chapterization: true, diarization: true }, transcriptionTimeSeconds: 3 });
      const checkGladia = ajv.compile(schemas.gladia.TranscriptionResult as JsonObject);
      expect(checkGladia(gladia), describeErrors(checkGladia.errors)).toBe(true);
    });
  });
});
