import { beforeAll, describe, expect, it } from 'vitest';
import { describeErrors, type ValidateFunction } from '../../../openapi/schemas.ts';
import { componentValidators } from '../../testing/spec-schemas.ts';
import { monologue, silence, stereo, twoSpeakers } from '../testing/sample-transcripts.ts';
import { meanConfidence, type Transcript } from '../transcript.ts';
import { renderStreamResponse, renderTranscriptFields, speakerLetter } from './assemblyai.ts';

let validateStream: ValidateFunction;
let validateTranscript: ValidateFunction;

beforeAll(async () => {
  ({ StreamTranscript: validateStream, Transcript: validateTranscript } = await componentValidators('assemblyai', ['StreamTranscript', 'Transcript']));
});

function expectValid(validate: ValidateFunction, body: unknown) {
  expect(validate(body), describeErrors(validate.errors)).toBe(true);
}

const SAMPLES: Record<string, () => Transcript> = { monologue, twoSpeakers, stereo, silence };
const STREAM_IDS = { id: '7c1e9a2f-5b4d-4e8a-9f61-2d3c4b5a6e7f', created: '2026-11-21 09:30:05.123456' };

/** What the caller merges in: the fields of a completed transcript that do not come from recognition. */
const JOB_FIELDS = {
  id: '5d2a8e41-9c3f-4b7d-a6e0-1f8b3c9d7e25',
  status: 'completed',
  audio_url: 'https://cdn.assemblyai.com/upload/3f9c2d7e-8a41-4b6f-b2d5-0e7a9c1f4b83',
  speech_model: null,
  language_model: 'assemblyai_default',
  acoustic_model: 'assemblyai_default',
  webhook_auth: false,
  auto_highlights: false,
  redact_pii: false,
  summarization: false,
  language_confidence_threshold: null,
  language_confidence: null,
  error: null,
};

/** Word times are integer milliseconds, in order, each word inside the audio. */
function expectWellTimed(words: Array<{ start: number; end: number }>, durationSeconds: number) {
  let previous = 0;
  for (const w of words) {
    expect(Number.isInteger(w.start) && Number.isInteger(w.end)).toBe(true);
    expect(w.start).toBeGreaterThanOrEqual(previous);
    expect(w.end).toBeGreaterThanOrEqual(w.start);
    expect(w.end).toBeLessThanOrEqual(durationSeconds * 1000);
    previous = w.start;
  }
}

describe('AssemblyAI /v2/stream answer', () => {
  it.each(Object.keys(SAMPLES))('validates against StreamTranscript for %s, with words in integer ms inside the clip', (name) => {
    const t = SAMPLES[name]!();
    for (const options of [{}, { punctuate: true, formatText: true }]) {
      const body = renderStreamResponse(t, { ...STREAM_IDS, ...options });
      expectValid(validateStream, body);
      expectWellTimed(body.words, t.durationSeconds);
    }
  });

  it('is completed, carries the id and timestamp given, and has no punctuation or casing by default', () => {
    const body = renderStreamResponse(monologue(), STREAM_IDS);
    expect(body).toMatchObject({ ...STREAM_IDS, status: 'completed', confidence: meanConfidence(monologue().tokens) });
    expect(body.text).toBe('hello and welcome to the quarterly update our revenue grew and costs fell questions');
    expect(body.words[0]).toEqual({ confidence: 0.9, start: 420, end: 770, text: 'hello' });
  });

  it('attaches punctuation to the word before it and keeps the casing with punctuate and format_text', () => {
    const body = renderStreamResponse(monologue(), { ...STREAM_IDS, punctuate: true, formatText: true });
    expect(body.text).toBe('Hello and welcome to the quarterly update. Our revenue grew, and costs fell. Questions?');
    expect(body.words.map((w) => w.text).join(' ')).toBe(body.text);
    expect(body.words.find((w) => w.text === 'update.')).toMatchObject({ start: 2200, end: 2710 });
  });

  it('answers silence with empty text, no words and confidence 0', () => {
    expect(renderStreamResponse(silence(), STREAM_IDS)).toEqual({ ...STREAM_IDS, status: 'completed', confidence: 0, text: '', words: [] });
  });

  it('is a pure function of its inputs', () => {
    expect(JSON.stringify(renderStreamResponse(twoSpeakers(), STREAM_IDS))).toBe(JSON.stringify(renderStreamResponse(twoSpeakers(), STREAM_IDS)));
  });
});

describe('AssemblyAI transcript fields', () => {
  it.each(Object.keys(SAMPLES))('make a valid completed Transcript for %s once the job fields are merged in', (name) => {
    const t = SAMPLES[name]!();
    for (const options of [{ speakerLabels: false }, { speakerLabels: true }, { speakerLabels: false, multichannel: true }]) {
      const fields = renderTranscriptFields(t, options);
      expectValid(validateTranscript, { ...JOB_FIELDS, ...fields });
      expectWellTimed(fields.words, t.durationSeconds);
      for (const u of fields.utterances ?? []) expectWellTimed(u.words, t.durationSeconds);
    }
  });

  it('punctuate and format by default, report whole seconds and English as en_us', () => {
    const fields = renderTranscriptFields(monologue(), { speakerLabels: false });
    expect(fields).toMatchObject({
      text: 'Hello and welcome to the quarterly update. Our revenue grew, and costs fell. Questions?',
      utterances: null,
      confidence: meanConfidence(monologue().tokens),
      audio_duration: 7,
      language_code: 'en_us',
    });
    expect(fields.words[0]).toEqual({ text: 'Hello', start: 420, end: 770, confidence: 0.9, speaker: null, channel: null });
    expect(renderTranscriptFields(monologue(), { speakerLabels: false, punctuate: false, formatText: false }).text).toBe(
      'hello and welcome to the quarterly update our revenue grew and costs fell questions',
    );
    expect(renderTranscriptFields(monologue(), { speakerLabels: false, languageCode: 'en_uk' }).language_code).toBe('en_uk');
  });

  it('label speakers with letters and group their sentences into turns with speaker_labels', () => {
    const fields = renderTranscriptFields(twoSpeakers(), { speakerLabels: true });
    expect(fields.words.map((w) => w.speaker)).toEqual(['A', 'A', 'A', 'A', 'A', 'B', 'B', 'B', 'B', 'B', 'A', 'A', 'A', 'A']);
    expect(fields.utterances!.map((u) => [u.speaker, u.text, u.start, u.end])).toEqual([
      ['A', 'Is this the support line?', 300, 1700],
      ['B', 'Yes, how can I help?', 2100, 3400],
      ['A', 'My order is late.', 3900, 4900],
    ]);
    const monologueTurns = renderTranscriptFields(monologue(), { speakerLabels: true }).utterances!;
    expect(monologueTurns).toHaveLength(1);
    expect(monologueTurns[0]).toMatchObject({ speaker: 'A', start: 420, end: 5950, channel: null });
  });

  it('give each channel its number, as a string, with multichannel', () => {
    const fields = renderTranscriptFields(stereo(), { speakerLabels: false, multichannel: true });
    expect(fields.audio_channels).toBe(2);
    expect(fields.utterances!.map((u) => [u.channel, u.speaker, u.text])).toEqual([['1', '1', 'Good morning.'], ['2', '2', 'Morning, thanks.'], ['1', '1', 'Shall we start?']]);
    expect(new Set(fields.words.map((w) => w.channel))).toEqual(new Set(['1', '2']));
  });

  it('are empty for silence', () => {
    expect(renderTranscriptFields(silence(), { speakerLabels: true })).toMatchObject({ text: '', words: [], utterances: [], confidence: 0, audio_duration: 3 });
  });

  it('letter speakers past Z as a spreadsheet does its columns', () => {
    expect([1, 2, 26, 27, 28, 52, 53].map(speakerLetter)).toEqual(['A', 'B', 'Z', 'AA', 'AB', 'AZ', 'BA']);
  });
});
