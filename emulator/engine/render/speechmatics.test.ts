import { parseSync } from 'subtitle';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadSpec, type JsonObject } from '../../../openapi/specs.ts';
import { createAjv, describeErrors, type ValidateFunction } from '../../../openapi/schemas.ts';
import { enrichments, monologue, silence, stereo, twoSpeakers } from '../testing/sample-transcripts.ts';
import type { Token, Transcript } from '../transcript.ts';
import { renderJsonV2, renderSrt, renderTxt, type JsonV2Context, type JsonV2Result, type JsonV2Transcript } from './speechmatics.ts';

let validate: ValidateFunction;
let examples: Record<string, unknown>;

beforeAll(async () => {
  const spec = await loadSpec('speechmatics');
  const components = spec.dereferenced.components as JsonObject;
  validate = createAjv().compile((components.schemas as JsonObject).RetrieveTranscriptResponse as JsonObject);
  examples = Object.fromEntries(Object.entries(components.examples as JsonObject).map(([name, ex]) => [name, (ex as JsonObject).value]));
});

function context(transcript: Transcript, overrides: Partial<JsonV2Context> = {}): JsonV2Context {
  return {
    job: { id: 'a1b2c3d4e5', created_at: '2026-11-21T09:30:00.123Z', data_name: 'sample.wav', duration: Math.round(transcript.durationSeconds) },
    createdAt: '2026-11-21T09:30:05.123456Z',
    transcriptionConfig: { language: transcript.language, diarization: transcript.diarization },
    ...overrides,
  };
}

function expectValid(body: unknown) {
  const ok = validate(body);
  expect(ok, describeErrors(validate.errors)).toBe(true);
}

/** The neutral transcript behind one of the spec's json-v2 examples, read back from its results. */
function transcriptOf(example: JsonV2Transcript): Transcript {
  const tokens: Token[] = example.results.map((r) => {
    const alt = r.alternatives[0]!;
    const speaker = /^S(\d+)$/.exec(alt.speaker ?? '')?.[1];
    return {
      kind: r.type,
      text: alt.content,
      start: r.start_time,
      end: r.end_time,
      confidence: alt.confidence,
      ...(speaker !== undefined && { speaker: Number(speaker) }),
      channel: 0,
      ...(r.is_eos && { sentenceEnd: true }),
    };
  });
  const config = example.metadata.transcription_config as { language: string; diarization?: Transcript['diarization'] };
  return {
    language: config.language,
    durationSeconds: example.job.duration,
    channels: 1,
    tokens,
    diarization: config.diarization ?? 'none',
    source: 'fixture',
    audioSha256: 'a'.repeat(64),
  };
}

const samples = { monologue, twoSpeakers, stereo, silence };
const ENRICHMENT_KEYS = ['translations', 'summary', 'sentiment_analysis', 'topics', 'chapters', 'audio_events', 'audio_event_summary'];

describe('json-v2', () => {
  it("reproduces the spec's own speaker-diarization example from the same words", () => {
    const example = examples.TranscriptJsonV2 as JsonV2Transcript;
    const rendered = renderJsonV2(transcriptOf(example), {}, {
      job: example.job,
      createdAt: example.metadata.created_at as string,
      transcriptionConfig: example.metadata.transcription_config as Record<string, unknown>,
      orchestratorVersion: example.metadata.orchestrator_version as string,
    });
    expect(rendered).toEqual(example);
  });

  it.each(Object.entries(samples))('is a valid RetrieveTranscriptResponse for %s, with and without enrichments', (_, make) => {
    const t = make();
    expectValid(renderJsonV2(t, {}, context(t)));
    expectValid(renderJsonV2(t, enrichments(), context(t)));
  });

  it('attaches punctuation to the word before it, and marks sentence ends', () => {
    const { results } = renderJsonV2(monologue(), {}, context(monologue()));
    const marks = results.filter((r) => r.type === 'punctuation');
    expect(marks.map((r) => [r.alternatives[0]!.content, r.is_eos])).toEqual([['.', true], [',', false], ['.', true], ['?', true]]);
    results.forEach((r, i) => {
      if (r.type !== 'punctuation') {
        expect(r).not.toHaveProperty('is_eos');
        expect(r).not.toHaveProperty('attaches_to');
        return;
      }
      expect(r.attaches_to).toBe('previous');
      expect(r.start_time).toBe(r.end_time);
      expect(r.start_time).toBe(results[i - 1]!.end_time);
    });
  });

  it('labels every item UU without speaker diarization, and S1, S2... with it', () => {
    const speakersOf = (t: Transcript) => renderJsonV2(t, {}, context(t)).results.map((r) => r.alternatives[0]!.speaker);
    expect(new Set(speakersOf(monologue()))).toEqual(new Set(['UU']));
    expect(new Set(speakersOf(stereo()))).toEqual(new Set(['UU']));
    expect(speakersOf(twoSpeakers())).toEqual(twoSpeakers().tokens.map((t) => `S${t.speaker}`));
  });

  it('names the channel of every item only with channel diarization, 1-based or by the configured labels', () => {
    const plain = renderJsonV2(twoSpeakers(), {}, context(twoSpeakers()));
    expect(plain.results.some((r) => 'channel' in r)).toBe(false);

    const t = stereo();
    const channels = (ctx: JsonV2Context) => renderJsonV2(t, {}, ctx).results.map((r: JsonV2Result) => r.channel);
    expect(channels(context(t))).toEqual(t.tokens.map((tok) => `channel_${tok.channel + 1}`));
    const labelled = context(t, { transcriptionConfig: { language: 'en', diarization: 'channel', channel_diarization_labels: ['Agent', 'Caller'] } });
    expect(channels(labelled)).toEqual(t.tokens.map((tok) => ['Agent', 'Caller'][tok.channel]));
  });

  it('carries the job and metadata the job knows, and the language pack of the language spoken', () => {
    const t = { ...monologue(), language: 'de' };
    const tracking = { title: 'Q4', tags: ['ir'] };
    const body = renderJsonV2(t, {}, context(t, {
      job: { id: 'k7m2p9x4qa', created_at: '2026-11-21T09:30:00.123Z', data_name: 'q4.wav', duration: 7, tracking },
      outputConfig: { srt_overrides: { max_line_length: 20 } },
      orchestratorVersion: '2026.11.01+abc+1.2.3',
    }));
    expectValid(body);
    expect(body.format).toBe('2.9');
    expect(body.job).toEqual({ id: 'k7m2p9x4qa', created_at: '2026-11-21T09:30:00.123Z', data_name: 'q4.wav', duration: 7, tracking });
    expect(body.metadata).toEqual({
      created_at: '2026-11-21T09:30:05.123456Z',
      type: 'transcription',
      transcription_config: { language: 'de', diarization: 'none' },
      output_config: { srt_overrides: { max_line_length: 20 } },
      language_pack_info: { adapted: false, itn: true, language_description: 'German', word_delimiter: ' ', writing_direction: 'left-to-right' },
      orchestrator_version: '2026.11.01+abc+1.2.3',
    });
    expect(body.results[0]!.alternatives[0]!.language).toBe('de');
  });

  it('writes a stage error list only for the stages the caller names', () => {
    const t = monologue();
    const body = renderJsonV2(t, {}, context(t, {
      stageErrors: { summarization: [], translation: [{ type: 'unsupported_translation_pair', message: 'en to xx is not supported' }] },
    }));
    expectValid(body);
    expect(body.metadata.summarization_errors).toEqual([]);
    expect(body.metadata.translation_errors).toEqual([{ type: 'unsupported_translation_pair', message: 'en to xx is not supported' }]);
    expect(Object.keys(body.metadata).filter((k) => k.endsWith('_errors')).sort()).toEqual(['summarization_errors', 'translation_errors']);
    expect(Object.keys(renderJsonV2(t, {}, context(t)).metadata).some((k) => k.endsWith('_errors'))).toBe(false);
  });

  it('has an enrichment block exactly when the enrichments have it', () => {
    const t = monologue();
    const bare = renderJsonV2(t, {}, context(t));
    for (const key of ENRICHMENT_KEYS) expect(bare).not.toHaveProperty(key);
    expect(bare.metadata).not.toHaveProperty('language_identification');
    expect(bare).not.toHaveProperty('speakers');

    const full = renderJsonV2(t, enrichments(), context(t));
    for (const key of ENRICHMENT_KEYS) expect(full).toHaveProperty(key);
    expect(full.metadata).toHaveProperty('language_identification');

    const onlySummary = renderJsonV2(t, { summary: enrichments().summary! }, context(t));
    expect(ENRICHMENT_KEYS.filter((k) => k in onlySummary)).toEqual(['summary']);
    expect(onlySummary.summary).toEqual({ content: 'A quarterly update: revenue grew and costs fell.' });
  });

  it('writes enrichments in the spec shapes, with their totals', () => {
    const t = monologue();
    const body = renderJsonV2(t, enrichments(), context(t));
    expect((body.translations as Record<string, unknown[]>).de![2]).toEqual({ start_time: 5.4, end_time: 5.95, content: 'Fragen?', speaker: 'UU' });
    expect(body.sentiment_analysis).toMatchObject({
      summary: { overall: { positive_count: 1, negative_count: 0, neutral_count: 2 }, speakers: [{ speaker: 'UU', positive_count: 1, negative_count: 0, neutral_count: 2 }] },
    });
    expect(body.sentiment_analysis).not.toHaveProperty('summary.channels');
    expect(body.topics).toMatchObject({ summary: { overall: { update: 1, revenue: 1, costs: 1 } } });
    expect((body.topics as { segments: unknown[] }).segments[1]).toMatchObject({ topics: [{ topic: 'revenue' }, { topic: 'costs' }] });
    expect(body.chapters).toEqual([
      { title: 'Quarterly update', summary: 'Welcome to the quarterly update.', start_time: 0.42, end_time: 2.71 },
      { title: 'Revenue and costs', summary: 'Revenue grew and costs fell.', start_time: 3.1, end_time: 5.95 },
    ]);
    expect(body.audio_events).toEqual([{ type: 'laughter', start_time: 6, end_time: 6.4, confidence: 0.61, channel: 'channel_1' }]);
    expect(body.audio_event_summary).toEqual({ overall: { laughter: { total_duration: 0.4, count: 1 } } });

    const s = stereo();
    const byChannel = renderJsonV2(s, enrichments(), context(s));
    expect(byChannel.sentiment_analysis).toMatchObject({ summary: { channels: [{ channel: 'channel_1', positive_count: 1 }] } });
    expect(byChannel.audio_event_summary).toMatchObject({ channels: { channel_1: { laughter: { count: 1 } } } });
  });

  it('lists the speakers with identifiers only when get_speakers asks for them', () => {
    const t = twoSpeakers();
    const asked = renderJsonV2(t, {}, context(t, { transcriptionConfig: { language: 'en', diarization: 'speaker', speaker_diarization_config: { get_speakers: true } } }));
    expectValid(asked);
    expect((asked.speakers as Array<{ label: string }>).map((s) => s.label)).toEqual(['S1', 'S2']);
    expect(renderJsonV2(t, {}, context(t))).not.toHaveProperty('speakers');
  });

  it('keeps times in order and inside the audio', () => {
    for (const make of Object.values(samples)) {
      const t = make();
      const { results } = renderJsonV2(t, {}, context(t));
      results.forEach((r, i) => {
        expect(r.start_time).toBeLessThanOrEqual(r.end_time);
        expect(r.end_time).toBeLessThanOrEqual(t.durationSeconds);
        if (i > 0) expect(r.start_time).toBeGreaterThanOrEqual(results[i - 1]!.start_time);
      });
    }
  });

  it('rounds float noise away, so the bytes are the same on every call', () => {
    const noisy = monologue();
    noisy.tokens[0] = { ...noisy.tokens[0]!, start: 0.1 + 0.2, confidence: 0.9 + 0.07 };
    const first = renderJsonV2(noisy, enrichments(), context(noisy));
    expect(first.results[0]).toMatchObject({ start_time: 0.3, alternatives: [{ confidence: 0.97 }] });
    expect(JSON.stringify(renderJsonV2(noisy, enrichments(), context(noisy)))).toBe(JSON.stringify(first));
  });

  it('is an empty result list for silence', () => {
    expect(renderJsonV2(silence(), {}, context(silence())).results).toEqual([]);
  });
});

describe('txt', () => {
  it("matches the spec's example for the same words", () => {
    const example = examples.TranscriptJsonV2 as JsonV2Transcript;
    expect(renderTxt(transcriptOf(example))).toBe(examples.TranscriptTxt);
  });

  it('is one line without diarization, punctuation attached, with a trailing newline', () => {
    expect(renderTxt(monologue())).toBe('Hello and welcome to the quarterly update. Our revenue grew, and costs fell. Questions?\n');
  });

  it('starts every speaker turn with a SPEAKER line, turns apart by a blank line', () => {
    expect(renderTxt(twoSpeakers())).toBe(
      'SPEAKER: S1\nIs this the support line?\n\nSPEAKER: S2\nYes, how can I help?\n\nSPEAKER: S1\nMy order is late.\n',
    );
  });

  it('starts every channel turn with a CHANNEL line, by default label or the configured one', () => {
    expect(renderTxt(stereo())).toBe('CHANNEL: channel_1\nGood morning.\n\nCHANNEL: channel_2\nMorning, thanks.\n\nCHANNEL: channel_1\nShall we start?\n');
    expect(renderTxt(stereo(), { channelLabels: ['Agent', 'Caller'] })).toMatch(/^CHANNEL: Agent\nGood morning\.\n\nCHANNEL: Caller\n/);
  });

  it('follows the diarization it is given over the transcript\'s own', () => {
    expect(renderTxt(twoSpeakers(), { diarization: 'none' })).toBe('Is this the support line? Yes, how can I help? My order is late.\n');
  });

  it('is empty for silence', () => {
    expect(renderTxt(silence())).toBe('');
  });
});

describe('srt', () => {
  it("matches the spec's example for the same words", () => {
    const example = examples.TranscriptJsonV2 as JsonV2Transcript;
    expect(renderSrt(transcriptOf(example))).toBe(examples.TranscriptSrt);
  });

  it.each(Object.entries(samples))('parses as SubRip, in order and inside the audio, for %s', (_, make) => {
    const t = make();
    const cues = parseSync(renderSrt(t)).flatMap((n) => (n.type === 'cue' ? [n.data] : []));
    expect(cues.length > 0).toBe(t.tokens.length > 0);
    cues.forEach((cue, i) => {
      expect(cue.start).toBeLessThan(cue.end);
      expect(cue.end).toBeLessThanOrEqual(t.durationSeconds * 1000);
      if (i > 0) expect(cue.start).toBeGreaterThanOrEqual(cues[i - 1]!.end);
    });
    expect(cues.map((c) => c.text.replace(/\n/g, ' ')).join(' ')).toBe(renderTxt(t, { diarization: 'none' }).trimEnd());
  });

  it.each([
    { max_line_length: 37, max_lines: 2 },
    { max_line_length: 12, max_lines: 1 },
    { max_line_length: 20, max_lines: 3 },
    { max_line_length: 5, max_lines: 2 },
  ])('honours srt_overrides %o', (overrides) => {
    const cues = parseSync(renderSrt(monologue(), overrides)).flatMap((n) => (n.type === 'cue' ? [n.data] : []));
    expect(cues.length).toBeGreaterThan(0);
    for (const cue of cues) {
      const lines = cue.text.split('\n');
      expect(lines.length).toBeLessThanOrEqual(overrides.max_lines);
      // A single word longer than the limit is the only line allowed to exceed it.
      for (const line of lines) expect(line.length <= overrides.max_line_length || !line.includes(' ')).toBe(true);
    }
  });

  it('uses 37 characters and 2 lines when nothing is overridden', () => {
    expect(renderSrt(monologue())).toBe(renderSrt(monologue(), { max_line_length: 37, max_lines: 2 }));
    expect(renderSrt(monologue())).not.toBe(renderSrt(monologue(), { max_line_length: 12 }));
  });
});
