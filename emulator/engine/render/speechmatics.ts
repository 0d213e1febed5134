// Speechmatics' transcript formats from the neutral transcript: json-v2 (the spec's
// RetrieveTranscriptResponse), txt and srt. This is the one engine file that speaks the
// vendor's vocabulary: `UU`/`S1` speaker labels, `channel_1` channel labels, `is_eos`,
// `attaches_to`, `language_pack_info`.
import {
  joinTokens, round, speakersOf,
  type Enrichments, type Sentiment, type TimedText, type Token, type Transcript,
} from '../transcript.ts';
import { buildCues, toSrt } from './subtitles.ts';

/** The json-v2 layout version the vendor's current example carries. */
export const JSON_V2_FORMAT = '2.9';

/** Shaped like the vendor's `date+commit+engine` strings; says plainly that it is us. */
export const DEFAULT_ORCHESTRATOR_VERSION = '2026.01.01+speechdouble+1.0.0';

export type Diarization = Transcript['diarization'];

/** Optional processing stages that can report errors in `metadata.<stage>_errors`. */
export type Stage = 'translation' | 'summarization' | 'sentiment_analysis' | 'topic_detection' | 'auto_chapters';

export interface StageError {
  type:
    | 'translation_failed' | 'unsupported_translation_pair' | 'summarization_failed' | 'sentiment_analysis_failed'
    | 'topic_detection_failed' | 'unsupported_list_of_topics' | 'auto_chapters_failed' | 'unsupported_language';
  message: string;
}

/** What the job knows that the transcript does not. */
export interface JsonV2Context {
  /** The spec's JobInfo: `duration` in whole seconds, `created_at` with millisecond precision. */
  job: {
    id: string;
    created_at: string;
    data_name: string;
    duration: number;
    text_name?: string;
    tracking?: Record<string, unknown>;
  };
  /** `metadata.created_at`: when the output was made, microsecond precision (`...05.123456Z`). */
  createdAt: string;
  /** `transcription_config` exactly as submitted; also read for channel labels and `get_speakers`. */
  transcriptionConfig: Record<string, unknown>;
  outputConfig?: Record<string, unknown>;
  orchestratorVersion?: string;
  /**
   * Errors of optional stages. A stage listed here gets its `<stage>_errors` array, even an
   * empty one (the vendor's example shows `summarization_errors: []`); stages not listed get none.
   */
  stageErrors?: Partial<Record<Stage, StageError[]>>;
}

export interface JsonV2Alternative {
  content: string;
  confidence: number;
  language: string;
  speaker: string;
}

export interface JsonV2Result {
  type: 'word' | 'punctuation';
  channel?: string;
  start_time: number;
  end_time: number;
  is_eos?: boolean;
  attaches_to?: 'previous';
  alternatives: JsonV2Alternative[];
}

export interface JsonV2Transcript {
  format: string;
  job: JsonV2Context['job'];
  metadata: Record<string, unknown>;
  results: JsonV2Result[];
  [optional: string]: unknown;
}

// Seconds keep millisecond precision and confidences the vendor's two decimals, so the bytes
// never depend on float noise in the engine's arithmetic.
const seconds = (value: number) => round(value, 3);
const confidence = (value: number) => round(value, 2);

/** `S1`, `S2`... with speaker diarization; `UU` ("unknown") otherwise, as the vendor writes it. */
function speakerLabel(speaker: number | undefined, diarization: Diarization): string {
  return diarization === 'speaker' && speaker !== undefined ? `S${speaker}` : 'UU';
}

/** The caller's `channel_diarization_labels` when given, else the vendor's `channel_1`, `channel_2`... */
function channelLabeller(transcriptionConfig: Record<string, unknown>): (channel: number) => string {
  const given = transcriptionConfig.channel_diarization_labels;
  const labels = Array.isArray(given) ? given.filter((l): l is string => typeof l === 'string') : [];
  return (channel) => labels[channel] ?? `channel_${channel + 1}`;
}

// English names, as the vendor's `language_description` has them. Languages not listed fall
// back to ICU's English name, then to the code itself.
const LANGUAGE_NAMES: Record<string, string> = {
  ar: 'Arabic', bg: 'Bulgarian', ca: 'Catalan', cmn: 'Mandarin', cs: 'Czech', da: 'Danish', de: 'German',
  el: 'Greek', en: 'English', es: 'Spanish', et: 'Estonian', fa: 'Persian', fi: 'Finnish', fr: 'French',
  he: 'Hebrew', hi: 'Hindi', hr: 'Croatian', hu: 'Hungarian', id: 'Indonesian', it: 'Italian', ja: 'Japanese',
  ko: 'Korean', lt: 'Lithuanian', lv: 'Latvian', ms: 'Malay', nl: 'Dutch', no: 'Norwegian', pl: 'Polish',
  pt: 'Portuguese', ro: 'Romanian', ru: 'Russian', sk: 'Slovakian', sl: 'Slovenian', sv: 'Swedish',
  th: 'Thai', tr: 'Turkish', uk: 'Ukrainian', ur: 'Urdu', vi: 'Vietnamese', yue: 'Cantonese', zh: 'Mandarin',
};
const RIGHT_TO_LEFT = new Set(['ar', 'fa', 'he', 'ur', 'yi']);

function languageDescription(language: string): string {
  const known = LANGUAGE_NAMES[language];
  if (known) return known;
  try {
    return new Intl.DisplayNames(['en'], { type: 'language' }).of(language) ?? language;
  } catch {
    return language;
  }
}

/**
 * The language pack's properties. The word delimiter is always a space because the engine's
 * transcripts are always written with spaces (`joinTokens`); the fake model is never adapted.
 */
export function languagePackInfo(language: string) {
  return {
    adapted: false,
    itn: true,
    language_description: languageDescription(language),
    word_delimiter: ' ',
    writing_direction: RIGHT_TO_LEFT.has(language) ? 'right-to-left' : 'left-to-right',
  };
}

function result(token: Token, transcript: Transcript, channelOf: (channel: number) => string): JsonV2Result {
  const alternative: JsonV2Alternative = {
    content: token.text,
    confidence: confidence(token.confidence),
    language: transcript.language,
    speaker: speakerLabel(token.speaker, transcript.diarization),
  };
  const timing = { start_time: seconds(token.start), end_time: seconds(token.end) };
  const channel = transcript.diarization === 'channel' ? { channel: channelOf(token.channel) } : {};
  if (token.kind === 'word') return { type: 'word', ...channel, ...timing, alternatives: [alternative] };
  // The engine only makes marks that stick to the word before them (`.`, `,`, `?`, `!`).
  return { type: 'punctuation', ...channel, ...timing, is_eos: token.sentenceEnd === true, attaches_to: 'previous', alternatives: [alternative] };
}

/** Who said a stretch of text: speaker always (`UU` without speaker diarization), channel with channel diarization. */
function voiceOf(text: Pick<TimedText, 'speaker' | 'channel'>, diarization: Diarization, channelOf: (channel: number) => string) {
  return {
    speaker: speakerLabel(text.speaker, diarization),
    ...(diarization === 'channel' && { channel: channelOf(text.channel ?? 0) }),
  };
}

interface SentimentCounts { positive_count: number; negative_count: number; neutral_count: number }

function countSentiments(sentiments: readonly Sentiment[]): SentimentCounts {
  const count = (s: Sentiment) => sentiments.filter((x) => x === s).length;
  return { positive_count: count('positive'), negative_count: count('negative'), neutral_count: count('neutral') };
}

/** Groups in order of first appearance, so the output order follows the audio. */
function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    groups.set(k, [...(groups.get(k) ?? []), item]);
  }
  return groups;
}

function sentimentAnalysis(sentiment: NonNullable<Enrichments['sentiment']>, diarization: Diarization, channelOf: (c: number) => string) {
  const segments = sentiment.map((s) => ({
    text: s.text,
    start_time: seconds(s.start),
    end_time: seconds(s.end),
    sentiment: s.sentiment,
    ...voiceOf(s, diarization, channelOf),
    confidence: confidence(s.confidence),
  }));
  const bySpeaker = groupBy(segments, (s) => s.speaker);
  const byChannel = groupBy(segments, (s) => s.channel ?? '');
  return {
    segments,
    summary: {
      overall: countSentiments(segments.map((s) => s.sentiment)),
      speakers: [...bySpeaker].map(([speaker, group]) => ({ speaker, ...countSentiments(group.map((s) => s.sentiment)) })),
      ...(diarization === 'channel' && {
        channels: [...byChannel].map(([channel, group]) => ({ channel, ...countSentiments(group.map((s) => s.sentiment)) })),
      }),
    },
  };
}

function topicDetection(topics: NonNullable<Enrichments['topics']>) {
  const overall: Record<string, number> = {};
  for (const segment of topics) for (const topic of segment.topics) overall[topic] = (overall[topic] ?? 0) + 1;
  return {
    segments: topics.map((t) => ({
      text: t.text,
      start_time: seconds(t.start),
      end_time: seconds(t.end),
      topics: t.topics.map((topic) => ({ topic })),
    })),
    summary: { overall },
  };
}

function audioEventTotals(events: ReadonlyArray<{ type: string; start: number; end: number }>) {
  const totals: Record<string, { total_duration: number; count: number }> = {};
  for (const [type, group] of groupBy(events, (e) => e.type)) {
    totals[type] = { total_duration: seconds(group.reduce((sum, e) => sum + (e.end - e.start), 0)), count: group.length };
  }
  return totals;
}

function audioEvents(events: NonNullable<Enrichments['audioEvents']>, diarization: Diarization, channelOf: (c: number) => string) {
  return {
    audio_events: events.map((e) => ({
      type: e.type,
      start_time: seconds(e.start),
      end_time: seconds(e.end),
      confidence: confidence(e.confidence),
      // The vendor names the channel of every event, diarized by channel or not.
      channel: channelOf(e.channel),
    })),
    audio_event_summary: {
      overall: audioEventTotals(events),
      ...(diarization === 'channel' && {
        channels: Object.fromEntries([...groupBy(events, (e) => channelOf(e.channel))].map(([label, group]) => [label, audioEventTotals(group)])),
      }),
    },
  };
}

/** With `speaker_diarization_config.get_speakers`: opaque identifiers, stable for the same audio. */
function speakerIdentifiers(transcript: Transcript) {
  return speakersOf(transcript.tokens).map((n) => ({
    label: `S${n}`,
    speaker_identifiers: [`sd_${transcript.audioSha256.slice(0, 32)}_${n}`],
  }));
}

/**
 * The json-v2 transcript. Optional top-level blocks appear exactly when `enrichments` has
 * them: the caller runs only the enrichments the job's config asked for.
 */
export function renderJsonV2(transcript: Transcript, enrichments: Enrichments, context: JsonV2Context): JsonV2Transcript {
  const { diarization } = transcript;
  const channelOf = channelLabeller(context.transcriptionConfig);
  const { id, created_at, data_name, duration, text_name, tracking } = context.job;
  const speakerConfig = context.transcriptionConfig.speaker_diarization_config as { get_speakers?: unknown } | undefined;

  const metadata: Record<string, unknown> = {
    created_at: context.createdAt,
    type: 'transcription',
    transcription_config: context.transcriptionConfig,
    ...(context.outputConfig && { output_config: context.outputConfig }),
    language_pack_info: languagePackInfo(transcript.language),
    ...(enrichments.languageIdentification && {
      language_identification: {
        results: [{
          alternatives: [
            { language: enrichments.languageIdentification.language, confidence: confidence(enrichments.languageIdentification.confidence) },
            ...enrichments.languageIdentification.alternatives.map((a) => ({ language: a.language, confidence: confidence(a.confidence) })),
          ],
          start_time: 0,
          end_time: seconds(transcript.durationSeconds),
        }],
      },
    }),
    orchestrator_version: context.orchestratorVersion ?? DEFAULT_ORCHESTRATOR_VERSION,
  };
  for (const [stage, errors] of Object.entries(context.stageErrors ?? {})) metadata[`${stage}_errors`] = errors;

  return {
    format: JSON_V2_FORMAT,
    job: {
      created_at, data_name, duration, id,
      ...(text_name !== undefined && { text_name }),
      ...(tracking !== undefined && { tracking }),
    },
    metadata,
    results: transcript.tokens.map((token) => result(token, transcript, channelOf)),
    ...(diarization === 'speaker' && speakerConfig?.get_speakers === true && { speakers: speakerIdentifiers(transcript) }),
    ...(enrichments.translations && {
      translations: Object.fromEntries(Object.entries(enrichments.translations).map(([language, sentences]) => [
        language,
        sentences.map((s) => ({ start_time: seconds(s.start), end_time: seconds(s.end), content: s.text, ...voiceOf(s, diarization, channelOf) })),
      ])),
    }),
    ...(enrichments.summary && { summary: { content: enrichments.summary.text } }),
    ...(enrichments.sentiment && { sentiment_analysis: sentimentAnalysis(enrichments.sentiment, diarization, channelOf) }),
    ...(enrichments.topics && { topics: topicDetection(enrichments.topics) }),
    ...(enrichments.chapters && {
      chapters: enrichments.chapters.map((c) => ({ title: c.title, summary: c.summary, start_time: seconds(c.start), end_time: seconds(c.end) })),
    }),
    ...(enrichments.audioEvents && audioEvents(enrichments.audioEvents, diarization, channelOf)),
  };
}

export interface TxtOptions {
  /** Defaults to the transcript's own diarization. */
  diarization?: Diarization;
  /** `channel_diarization_labels` from the job's config. */
  channelLabels?: readonly string[];
}

/**
 * Plain text, one trailing newline. Without diarization the whole transcript is one line.
 * With speaker diarization each turn is a `SPEAKER: S1` line, then its text, turns separated by
 * a blank line (the API reference's form; a quickstart page shows `SPEAKER S1:`). Channel
 * diarization has no documented txt example, so turns get the same shape with `CHANNEL:` and
 * the json-v2 channel label.
 */
export function renderTxt(transcript: Transcript, options: TxtOptions = {}): string {
  const diarization = options.diarization ?? transcript.diarization;
  if (!transcript.tokens.some((t) => t.kind === 'word')) return '';
  if (diarization === 'none') return joinTokens(transcript.tokens) + '\n';

  const channelOf = channelLabeller({ channel_diarization_labels: options.channelLabels ?? [] });
  const labelOf = (t: Token) => (diarization === 'speaker' ? speakerLabel(t.speaker, diarization) : channelOf(t.channel));
  const header = diarization === 'speaker' ? 'SPEAKER' : 'CHANNEL';
  const turns: Array<{ label: string; tokens: Token[] }> = [];
  for (const token of transcript.tokens) {
    const last = turns[turns.length - 1];
    // Punctuation stays with the turn of the word it attaches to.
    if (last && (token.kind === 'punctuation' || labelOf(token) === last.label)) last.tokens.push(token);
    else if (token.kind === 'word') turns.push({ label: labelOf(token), tokens: [token] });
  }
  return turns.map((turn) => `${header}: ${turn.label}\n${joinTokens(turn.tokens)}\n`).join('\n');
}

/** `output_config.srt_overrides`, in the vendor's names. */
export interface SrtOverrides {
  max_line_length?: number;
  max_lines?: number;
}

/** SubRip with the vendor's defaults: lines of at most 37 characters, at most 2 lines per cue. */
export function renderSrt(transcript: Transcript, srtOverrides: SrtOverrides = {}): string {
  return toSrt(buildCues(transcript, {
    maxLineLength: srtOverrides.max_line_length ?? 37,
    maxLines: srtOverrides.max_lines ?? 2,
  }));
}
