// Gladia's pre-recorded v2 result: the `result` of a done job and the `payload` of a success
// callback (specs/gladia.yaml `TranscriptionResult`). One function turns the neutral transcript
// and its enrichments into that shape; the job's `request_params` decide which optional parts
// (sentences, subtitles, speakers, add-on blocks) appear, as they do at Gladia.
//
// Decisions where the sources leave room (each is Gladia vocabulary, so it lives here):
// - One utterance per sentence (`sentencesOf`: a full stop, or a change of speaker or channel,
//   ends one). Gladia cuts utterances at pauses; sentences are the closest deterministic cut we
//   have, and they never mix two voices.
// - A word's `word` is the word with the punctuation that attaches to it (`everyone,`,
//   `numbers.`) and no leading space, as in the spec's examples.
// - `speaker` appears only when `diarization` was requested, numbered from 0 (the spec: "from
//   0"): transcript speaker 1 is Gladia speaker 0. On channel-diarized audio the channel index
//   stands in for the speaker; audio with no speaker information is all speaker 0.
// - `channel` is the 0-based channel index, as the transcript has it.
// - Every add-on reports the same deterministic `exec_time`, derived from the audio duration,
//   because nothing here may read the clock.
// - An add-on whose enrichment is missing still appears when requested, empty (`is_empty`
//   true), never failed: a missing enrichment is the engine's choice, not a vendor error.
import {
  joinTokens, meanConfidence, round, sentencesOf, wordGroups, wordsOf,
  type Enrichments, type Sentence, type TimedText, type Token, type Transcript,
} from '../transcript.ts';
import { buildCues, toSrt, toVtt, type Cue, type CueOptions } from './subtitles.ts';

// ---- output shapes (specs/gladia.yaml) ------------------------------------------------------

export interface GladiaWord {
  word: string;
  start: number;
  end: number;
  confidence: number;
}

export interface GladiaUtterance {
  start: number;
  end: number;
  confidence: number;
  channel: number;
  speaker?: number;
  words: GladiaWord[];
  text: string;
  language: string;
}

export interface GladiaAddonError {
  status_code: number;
  exception: string;
  message: string;
}

export interface GladiaAddon<R> {
  success: boolean;
  is_empty: boolean;
  exec_time: number;
  error: GladiaAddonError | null;
  results: R;
}

export type GladiaSubtitleFormat = 'srt' | 'vtt';

export interface GladiaSubtitle {
  format: GladiaSubtitleFormat;
  subtitles: string;
}

export interface GladiaTranscription {
  full_transcript: string;
  languages: string[];
  utterances: GladiaUtterance[];
  sentences?: Array<GladiaAddon<string[]>>;
  subtitles?: GladiaSubtitle[];
}

export interface GladiaTranslationResult {
  error: GladiaAddonError | null;
  full_transcript: string;
  languages: string[];
  utterances: GladiaUtterance[];
  sentences?: Array<GladiaAddon<string[]>>;
  subtitles?: GladiaSubtitle[];
}

export interface GladiaNamedEntity {
  entity_type: string;
  text: string;
  start: number;
  end: number;
}

export interface GladiaChapter {
  headline: string;
  summary: string;
  keywords: string[];
  start: number;
  end: number;
}

export interface GladiaAudioToLlmAnswer {
  prompt: string;
  response: string;
}

export interface GladiaMetadata {
  audio_duration: number;
  number_of_distinct_channels: number;
  billing_time: number;
  transcription_time: number;
}

export interface GladiaResult {
  metadata: GladiaMetadata;
  transcription: GladiaTranscription;
  translation?: GladiaAddon<GladiaTranslationResult[]>;
  summarization?: GladiaAddon<string>;
  moderation?: GladiaAddon<string>;
  named_entity_recognition?: GladiaAddon<GladiaNamedEntity[]>;
  name_consistency?: GladiaAddon<string>;
  structured_data_extraction?: GladiaAddon<string>;
  sentiment_analysis?: GladiaAddon<string>;
  audio_to_llm?: GladiaAddon<Array<GladiaAddon<GladiaAudioToLlmAnswer>>>;
  sentences?: GladiaAddon<string[]>;
  display_mode?: GladiaAddon<string[]>;
  chapterization?: GladiaAddon<{ chapters: GladiaChapter[] }>;
  diarization?: GladiaAddon<GladiaUtterance[]>;
  custom_spelling?: GladiaAddon<string>;
}

export interface GladiaRenderOptions {
  /**
   * The job's request options (`request_params`), as the client sent them. Read defensively:
   * it is the client's JSON, so anything that is not the expected type counts as unset.
   */
  requestParams: object;
  /** Seconds the transcription took, reported as `metadata.transcription_time`. */
  transcriptionTimeSeconds: number;
}

// ---- reading the request options ------------------------------------------------------------

type Params = Record<string, unknown>;

function isRecord(value: unknown): value is Params {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const flag = (params: Params, key: string): boolean => params[key] === true;
const section = (params: Params, key: string): Params => (isRecord(params[key]) ? params[key] : {});
const strings = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []);
const positiveNumber = (value: unknown): number | undefined => (typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : undefined);

/** `subtitles_config` in the vocabulary of `buildCues`; unset options keep the cue defaults. */
function cueOptions(config: Params): Partial<CueOptions> {
  const options: Partial<CueOptions> = {};
  const maxLineLength = positiveNumber(config.maximum_characters_per_row);
  const maxLines = positiveNumber(config.maximum_rows_per_caption);
  const maxDurationSeconds = positiveNumber(config.maximum_duration);
  const minDurationSeconds = positiveNumber(config.minimum_duration);
  if (maxLineLength !== undefined) options.maxLineLength = Math.floor(maxLineLength);
  if (maxLines !== undefined) options.maxLines = Math.floor(maxLines);
  if (maxDurationSeconds !== undefined) options.maxDurationSeconds = maxDurationSeconds;
  if (minDurationSeconds !== undefined) options.minDurationSeconds = minDurationSeconds;
  return options;
}

/** The formats asked for, each once, in the order asked; `srt` when none are (the spec's default). */
function subtitleFormats(config: Params): GladiaSubtitleFormat[] {
  const asked = strings(config.formats).filter((f): f is GladiaSubtitleFormat => f === 'srt' || f === 'vtt');
  return asked.length > 0 ? [...new Set(asked)] : ['srt'];
}

// ---- the transcription ----------------------------------------------------------------------

function gladiaSpeaker(sentence: { speaker?: number; channel: number }, transcript: Transcript): number {
  if (sentence.speaker !== undefined) return sentence.speaker - 1;
  if (transcript.diarization === 'channel') return sentence.channel;
  return 0;
}

function utteranceOf(sentence: Sentence, transcript: Transcript, diarize: boolean): GladiaUtterance {
  const words = wordGroups(sentence.tokens).map((group): GladiaWord => {
    const word = group[0]!;
    return { word: joinTokens(group), start: round(word.start), end: round(group[group.length - 1]!.end), confidence: round(word.confidence) };
  });
  return {
    start: round(sentence.start),
    end: round(sentence.end),
    confidence: meanConfidence(sentence.tokens),
    channel: sentence.channel,
    ...(diarize && { speaker: gladiaSpeaker(sentence, transcript) }),
    words,
    text: sentence.text,
    language: transcript.language,
  };
}

function subtitlesOf(cues: readonly Cue[], formats: readonly GladiaSubtitleFormat[]): GladiaSubtitle[] {
  return formats.map((format) => ({ format, subtitles: format === 'srt' ? toSrt(cues) : toVtt(cues) }));
}

// ---- add-ons --------------------------------------------------------------------------------

/** Add-on time in seconds: a pure function of the audio, so repeated renders agree. */
function execTime(transcript: Transcript): number {
  return round(0.05 + transcript.durationSeconds * 0.01, 3);
}

function addon<R>(transcript: Transcript, results: R, isEmpty: boolean): GladiaAddon<R> {
  return { success: true, is_empty: isEmpty, exec_time: execTime(transcript), error: null, results };
}

function sentencesAddon(transcript: Transcript, texts: string[]): GladiaAddon<string[]> {
  return addon(transcript, texts, texts.length === 0);
}

/** Splits `text` into words and times them across `[start, end]` in proportion to their length. */
function timedWords(segment: TimedText, confidence: number): GladiaWord[] {
  const words = segment.text.split(/\s+/).filter((w) => w.length > 0);
  const total = words.reduce((sum, w) => sum + w.length, 0);
  const span = Math.max(0, segment.end - segment.start);
  let done = 0;
  return words.map((word) => {
    const start = segment.start + (span * done) / total;
    done += word.length;
    const end = segment.start + (span * done) / total;
    return { word, start: round(start), end: round(end), confidence };
  });
}

/** The source sentences a translated segment overlaps in time (the one it translates, usually). */
function overlapping(segment: TimedText, sentences: readonly Sentence[]): Sentence[] {
  return sentences.filter((s) => s.start < segment.end && s.end > segment.start);
}

/**
 * Translated words as neutral tokens, so `buildCues` can cut them into subtitles: trailing
 * marks become punctuation tokens, so the joined text is the translated text unchanged.
 */
function translatedTokens(words: readonly GladiaWord[], voice: { speaker?: number; channel: number }): Token[] {
  const tokens: Token[] = [];
  for (const w of words) {
    const match = /^(.*[^.,?!])([.,?!]+)$/u.exec(w.word);
    const base = { start: w.start, end: w.end, confidence: w.confidence, channel: voice.channel, ...(voice.speaker !== undefined && { speaker: voice.speaker }) };
    tokens.push({ ...base, kind: 'word', text: match ? match[1]! : w.word });
    for (const mark of match ? [...match[2]!] : []) {
      tokens.push({ ...base, kind: 'punctuation', text: mark, start: w.end, ...(/[.?!]/.test(mark) && { sentenceEnd: true }) });
    }
  }
  return tokens;
}

interface TranslationContext {
  transcript: Transcript;
  sentences: Sentence[];
  diarize: boolean;
  withSentences: boolean;
  subtitles?: { formats: GladiaSubtitleFormat[]; cues: Partial<CueOptions> };
}

function translationResult(language: string, segments: readonly TimedText[], ctx: TranslationContext): GladiaTranslationResult {
  const { transcript } = ctx;
  const fallbackConfidence = meanConfidence(transcript.tokens);
  const cues: Cue[] = [];
  const utterances = segments.map((segment, i): GladiaUtterance => {
    const sources = overlapping(segment, ctx.sentences);
    const confidence = sources.length > 0 ? round(sources.reduce((sum, s) => sum + meanConfidence(s.tokens), 0) / sources.length) : fallbackConfidence;
    const speaker = segment.speaker ?? sources[0]?.speaker;
    const voice = { channel: segment.channel ?? sources[0]?.channel ?? 0, ...(speaker !== undefined && { speaker }) };
    const words = timedWords(segment, confidence);
    if (ctx.subtitles) {
      // One segment at a time, so a cue never spans two translated sentences.
      const limit = segments[i + 1]?.start ?? Math.max(segment.end, transcript.durationSeconds);
      const piece: Transcript = { ...transcript, durationSeconds: limit, tokens: translatedTokens(words, voice) };
      cues.push(...buildCues(piece, ctx.subtitles.cues));
    }
    return {
      start: round(segment.start),
      end: round(segment.end),
      confidence,
      channel: voice.channel,
      ...(ctx.diarize && { speaker: gladiaSpeaker(voice, transcript) }),
      words,
      text: segment.text,
      language,
    };
  });
  return {
    error: null,
    full_transcript: segments.map((s) => s.text).join(' '),
    languages: [language],
    utterances,
    ...(ctx.withSentences && { sentences: [sentencesAddon(transcript, segments.map((s) => s.text))] }),
    ...(ctx.subtitles && { subtitles: subtitlesOf(cues, ctx.subtitles.formats) }),
  };
}

/**
 * Per target language: the enrichment's translation; the source itself when the target is the
 * spoken language; otherwise a per-language error, as Gladia reports one language failing.
 */
function translationAddon(targets: readonly string[], enrichments: Enrichments, ctx: TranslationContext): GladiaAddon<GladiaTranslationResult[]> {
  const results = targets.map((language): GladiaTranslationResult => {
    const segments = enrichments.translations?.[language]
      ?? (language === ctx.transcript.language ? ctx.sentences.map(({ start, end, text, speaker, channel }) => ({ start, end, text, channel, ...(speaker !== undefined && { speaker }) })) : undefined);
    if (segments) return translationResult(language, segments, ctx);
    return {
      error: { status_code: 501, exception: 'TranslationNotAvailable', message: `speechdouble has no translation into '${language}' for this audio.` },
      full_transcript: '',
      languages: [language],
      utterances: [],
    };
  });
  return addon(ctx.transcript, results, results.every((r) => r.utterances.length === 0));
}

function summarizationAddon(transcript: Transcript, enrichments: Enrichments, config: Params): GladiaAddon<string> {
  const summary = enrichments.summary;
  const text = !summary ? '' : config.type === 'bullet_points' ? summary.bullets.map((b) => `- ${b}`).join('\n') : summary.text;
  return addon(transcript, text, text === '');
}

/**
 * Capitalised words that do not start a sentence (and are not "I"), consecutive ones joined:
 * the only names a transcript without a language model can find. All are typed `NAME`.
 */
function namedEntities(sentences: readonly Sentence[]): GladiaNamedEntity[] {
  const entities: GladiaNamedEntity[] = [];
  for (const sentence of sentences) {
    let run: Token[] = [];
    const flush = () => {
      if (run.length > 0) entities.push({ entity_type: 'NAME', text: run.map((t) => t.text).join(' '), start: round(run[0]!.start), end: round(run[run.length - 1]!.end) });
      run = [];
    };
    wordsOf(sentence.tokens).forEach((word, i) => {
      const isName = i > 0 && /^\p{Lu}/u.test(word.text) && !/^I('|$)/.test(word.text);
      if (isName) run.push(word);
      else flush();
    });
    flush();
  }
  return entities;
}

/** Gladia types `results` as a string; the per-sentence list is sent as JSON text in it. */
function sentimentAddon(transcript: Transcript, enrichments: Enrichments, diarize: boolean): GladiaAddon<string> {
  const list = (enrichments.sentiment ?? []).map((s) => ({
    text: s.text,
    sentiment: s.sentiment,
    emotion: 'neutral',
    start: round(s.start),
    end: round(s.end),
    channel: s.channel ?? 0,
    ...(diarize && s.speaker !== undefined && { speaker: s.speaker - 1 }),
    confidence: round(s.confidence),
  }));
  return addon(transcript, list.length > 0 ? JSON.stringify(list) : '', list.length === 0);
}

function chapterizationAddon(transcript: Transcript, enrichments: Enrichments): GladiaAddon<{ chapters: GladiaChapter[] }> {
  const chapters = (enrichments.chapters ?? []).map((c): GladiaChapter => ({
    headline: c.title,
    summary: c.summary,
    keywords: [...new Set((enrichments.topics ?? []).filter((t) => t.start < c.end && t.end > c.start).flatMap((t) => t.topics))],
    start: round(c.start),
    end: round(c.end),
  }));
  return addon(transcript, { chapters }, chapters.length === 0);
}

/** Every class gets an empty list: nothing is extracted without a language model. */
function structuredDataAddon(transcript: Transcript, config: Params): GladiaAddon<string> {
  return addon(transcript, JSON.stringify(Object.fromEntries(strings(config.classes).map((c) => [c, []]))), true);
}

/**
 * speechdouble has no language model: every prompt is answered with the summary, or with the
 * transcript when there is none, so a test sees the block wired to the right audio.
 */
function audioToLlmAddon(transcript: Transcript, enrichments: Enrichments, config: Params, fullTranscript: string): GladiaAddon<Array<GladiaAddon<GladiaAudioToLlmAnswer>>> {
  const response = enrichments.summary?.text ?? fullTranscript;
  const answers = strings(config.prompts).map((prompt) => addon(transcript, { prompt, response }, response === ''));
  return addon(transcript, answers, answers.length === 0);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** `spelling_dictionary` applied to the full transcript, whole words, ignoring case. */
function customSpellingAddon(transcript: Transcript, config: Params, fullTranscript: string): GladiaAddon<string> {
  const dictionary = section(config, 'spelling_dictionary');
  let text = fullTranscript;
  for (const [spelling, variants] of Object.entries(dictionary)) {
    for (const variant of strings(variants).filter((v) => v.length > 0)) {
      text = text.replace(new RegExp(`(?<![\\p{L}\\p{N}])${escapeRegExp(variant)}(?![\\p{L}\\p{N}])`, 'giu'), spelling);
    }
  }
  return addon(transcript, text, text === '');
}

// ---- the result -----------------------------------------------------------------------------

export function renderGladiaResult(transcript: Transcript, enrichments: Enrichments, options: GladiaRenderOptions): GladiaResult {
  const params = options.requestParams as Params;
  const diarize = flag(params, 'diarization');
  const withSentences = flag(params, 'sentences');
  const subtitlesConfig = section(params, 'subtitles_config');
  const subtitles = flag(params, 'subtitles') ? { formats: subtitleFormats(subtitlesConfig), cues: cueOptions(subtitlesConfig) } : undefined;

  const sentences = sentencesOf(transcript.tokens);
  const utterances = sentences.map((s) => utteranceOf(s, transcript, diarize));
  const fullTranscript = sentences.map((s) => s.text).join(' ');
  const sentenceBlock = withSentences ? sentencesAddon(transcript, sentences.map((s) => s.text)) : undefined;

  const audioDuration = round(transcript.durationSeconds);
  const result: GladiaResult = {
    metadata: {
      audio_duration: audioDuration,
      number_of_distinct_channels: transcript.channels,
      billing_time: round(audioDuration * transcript.channels),
      transcription_time: round(options.transcriptionTimeSeconds),
    },
    transcription: {
      full_transcript: fullTranscript,
      languages: [transcript.language],
      utterances,
      ...(sentenceBlock && { sentences: [sentenceBlock] }),
      ...(subtitles && { subtitles: subtitlesOf(buildCues(transcript, subtitles.cues), subtitles.formats) }),
    },
  };

  // Add-on blocks, in the spec's order, each only when its switch is on.
  if (flag(params, 'translation')) {
    const targets = [...new Set(strings(section(params, 'translation_config').target_languages))];
    result.translation = translationAddon(targets, enrichments, { transcript, sentences, diarize, withSentences, ...(subtitles && { subtitles }) });
  }
  if (flag(params, 'summarization')) result.summarization = summarizationAddon(transcript, enrichments, section(params, 'summarization_config'));
  // Nothing in a fake transcript needs moderating or renaming: both return the transcript as is.
  if (flag(params, 'moderation')) result.moderation = addon(transcript, fullTranscript, fullTranscript === '');
  if (flag(params, 'named_entity_recognition')) {
    const entities = namedEntities(sentences);
    result.named_entity_recognition = addon(transcript, entities, entities.length === 0);
  }
  if (flag(params, 'name_consistency')) result.name_consistency = addon(transcript, fullTranscript, fullTranscript === '');
  if (flag(params, 'structured_data_extraction')) result.structured_data_extraction = structuredDataAddon(transcript, section(params, 'structured_data_extraction_config'));
  if (flag(params, 'sentiment_analysis')) result.sentiment_analysis = sentimentAddon(transcript, enrichments, diarize);
  if (flag(params, 'audio_to_llm')) result.audio_to_llm = audioToLlmAddon(transcript, enrichments, section(params, 'audio_to_llm_config'), fullTranscript);
  // Deprecated by the vendor in favour of `transcription.sentences`, still sent alongside it.
  if (sentenceBlock) result.sentences = sentenceBlock;
  if (flag(params, 'display_mode')) {
    const lines = utterances.map((u) => (u.speaker === undefined ? u.text : `Speaker ${u.speaker}: ${u.text}`));
    result.display_mode = addon(transcript, lines, lines.length === 0);
  }
  if (flag(params, 'chapterization')) result.chapterization = chapterizationAddon(transcript, enrichments);
  if (diarize) result.diarization = addon(transcript, utterances, utterances.length === 0);
  if (flag(params, 'custom_spelling')) result.custom_spelling = customSpellingAddon(transcript, section(params, 'custom_spelling_config'), fullTranscript);
  return result;
}
