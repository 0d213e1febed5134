// What an AssemblyAI transcript hands out: the transcript document (options echoed, results
// once completed), its list item, and the read-outs (sentences, paragraphs, subtitles, word
// search). Words and enrichments are rendered from the audio when asked for; a small cache
// keeps the latest few so a polling client does not re-run the engine.
import { createBoundedCache } from '../../core/bounded-cache.ts';
import type { EnrichmentRequest } from '../../engine/enrich.ts';
import { renderTranscriptFields, type AssemblyAiWord } from '../../engine/render/assemblyai.ts';
import { buildCues, toSrt, toVtt } from '../../engine/render/subtitles.ts';
import { sentencesOf, type Enrichments, type Transcript as Words } from '../../engine/transcript.ts';
import { vendorTime } from './stream.ts';
import type { AssemblyAiRuntime, RenderedWords, TranscriptJob, TranscriptsState } from './model.ts';

export const createRenderedWords = (): RenderedWords => createBoundedCache(64);

/** What a deleted transcript keeps, as the vendor shows it. */
export const DELETED_AUDIO_URL = 'http://deleted_by_user';

function enrichmentRequest(params: Record<string, unknown>): EnrichmentRequest {
  return {
    summary: params.summarization === true,
    sentiment: params.sentiment_analysis === true,
    chapters: params.auto_chapters === true,
    topics: params.iab_categories === true || params.auto_chapters === true,
  };
}

/** Language as the vendor spells it: `en_us` for English unless another code was asked for. */
const languageCode = (params: Record<string, unknown>) => (typeof params.language_code === 'string' ? params.language_code : undefined);

export function wordsOf(job: TranscriptJob, state: TranscriptsState, runtime: AssemblyAiRuntime): Promise<{ words: Words; enrichments: Enrichments }> {
  const rendered = state.rendered.get(job.id, async () => {
    const code = languageCode(job.params);
    const words = await runtime.engine.transcribe({
      audio: job.audio!, path: job.path, language: code ? code.slice(0, 2) : job.params.language_detection === true ? 'auto' : 'en',
      diarization: job.params.speaker_labels === true ? 'speaker' : 'none', registration: job.registration ?? null,
    });
    return { words, enrichments: await runtime.engine.enrich(words, enrichmentRequest(job.params)) };
  });
  rendered.catch(() => state.rendered.forget(job.id));
  return rendered;
}

const fieldOptions = (params: Record<string, unknown>) => ({
  punctuate: params.punctuate !== false, formatText: params.format_text !== false, speakerLabels: params.speaker_labels === true,
  multichannel: params.multichannel === true || params.dual_channel === true, ...(languageCode(params) && { languageCode: languageCode(params)! }),
});

const ms = (seconds: number) => Math.round(seconds * 1000);

/** Enrichments in the vendor's fields, each only when its option was set. */
function enrichmentFields(params: Record<string, unknown>, enrichments: Enrichments, fields: ReturnType<typeof renderTranscriptFields>) {
  const sentiment = (enrichments.sentiment ?? []).map((s) => ({ text: s.text, start: ms(s.start), end: ms(s.end), sentiment: s.sentiment.toUpperCase(), confidence: s.confidence, speaker: null, channel: null }));
  const chapters = (enrichments.chapters ?? []).map((c) => ({ gist: c.title, headline: c.title, summary: c.summary, start: ms(c.start), end: ms(c.end) }));
  const labels = [...new Set((enrichments.topics ?? []).flatMap((t) => t.topics))];
  return {
    summary: params.summarization === true ? (enrichments.summary?.bullets.map((b) => `- ${b}`).join('\n') ?? '') : null,
    chapters: params.auto_chapters === true ? chapters : null,
    sentiment_analysis_results: params.sentiment_analysis === true ? sentiment : null,
    entities: params.entity_detection === true ? fields.words.filter((w) => /^[A-Z]/.test(w.text) && w.start > 0).map((w) => ({ entity_type: 'location', text: w.text.replace(/[.,?!]$/, ''), start: w.start, end: w.end })) : null,
    iab_categories_result: params.iab_categories === true ? { status: 'success', results: [], summary: Object.fromEntries(labels.map((label, i) => [label, Math.max(0.1, 1 - i / 10)])) } : null,
    auto_highlights_result: params.auto_highlights === true ? { status: 'success', results: [] } : null,
    content_safety_labels: params.content_safety === true ? { status: 'success', results: [], summary: {}, severity_score_summary: {} } : null,
  };
}

/** The transcript document: the options it was made with, its status, and its results once completed. */
export async function transcriptDocument(job: TranscriptJob, state: TranscriptsState, runtime: AssemblyAiRuntime): Promise<Record<string, unknown>> {
  const { webhook_auth_header_value: _secret, ...params } = job.params;
  const completed = job.status === 'completed' && !job.deleted;
  const rendered = completed ? await wordsOf(job, state, runtime) : undefined;
  const fields = rendered ? renderTranscriptFields(rendered.words, fieldOptions(params)) : undefined;
  return {
    ...params,
    id: job.id,
    status: job.status,
    error: job.error ?? null,
    audio_url: job.deleted ? DELETED_AUDIO_URL : params.audio_url,
    text: job.deleted ? 'Deleted by user.' : (fields?.text ?? null),
    words: fields?.words ?? null,
    utterances: fields?.utterances ?? null,
    confidence: fields?.confidence ?? null,
    audio_duration: fields?.audio_duration ?? null,
    language_code: fields?.language_code ?? languageCode(params) ?? (params.language_detection === true ? null : 'en_us'),
    language_detection: params.language_detection ?? false,
    language_confidence_threshold: params.language_confidence_threshold ?? null,
    language_confidence: completed && params.language_detection === true ? 0.98 : null,
    speech_model: params.speech_model ?? null,
    speech_models: params.speech_models ?? null,
    ...(completed && { speech_model_used: 'universal' }),
    language_model: 'assemblyai_default',
    acoustic_model: 'assemblyai_default',
    punctuate: params.punctuate ?? true,
    format_text: params.format_text ?? true,
    speaker_labels: params.speaker_labels ?? false,
    webhook_url: params.webhook_url ?? null,
    webhook_auth: typeof params.webhook_auth_header_name === 'string',
    webhook_auth_header_name: params.webhook_auth_header_name ?? null,
    webhook_status_code: job.webhookStatusCode ?? null,
    auto_highlights: params.auto_highlights ?? false,
    redact_pii: params.redact_pii ?? false,
    summarization: params.summarization ?? false,
    ...(rendered && fields ? enrichmentFields(params, rendered.enrichments, fields) : {}),
    throttled: null,
  };
}

/** List items write times with a `T`, microseconds and no zone (`2024-05-14T09:17:03.481226`). */
const listTime = (ms: number) => vendorTime(ms).replace(' ', 'T');

export function listItem(job: TranscriptJob, origin: string): Record<string, unknown> {
  return {
    id: job.id, resource_url: `${origin}/v2/transcript/${job.id}`, status: job.status,
    created: listTime(job.createdAt), completed: job.status === 'completed' && job.completedAt !== undefined ? listTime(job.completedAt) : null,
    audio_url: job.deleted ? DELETED_AUDIO_URL : job.params.audio_url, error: job.error ?? null,
  };
}

interface Block {
  text: string;
  start: number;
  end: number;
  confidence: number;
  words: AssemblyAiWord[];
  speaker: string | null;
  channel: string | null;
}

/** The transcript's sentences, each with its words in the vendor's shape. */
async function sentenceBlocks(job: TranscriptJob, state: TranscriptsState, runtime: AssemblyAiRuntime): Promise<{ blocks: Block[]; fields: ReturnType<typeof renderTranscriptFields> }> {
  const { words } = await wordsOf(job, state, runtime);
  const options = fieldOptions(job.params);
  const blocks = sentencesOf(words.tokens).map((sentence): Block => {
    const part = renderTranscriptFields({ ...words, tokens: sentence.tokens }, options);
    const first = part.words[0]!;
    return { text: part.text, start: first.start, end: part.words.at(-1)!.end, confidence: part.confidence, words: part.words, speaker: first.speaker, channel: first.channel };
  });
  return { blocks, fields: renderTranscriptFields(words, options) };
}

export async function sentencesOfJob(job: TranscriptJob, state: TranscriptsState, runtime: AssemblyAiRuntime) {
  const { blocks, fields } = await sentenceBlocks(job, state, runtime);
  return { id: job.id, confidence: fields.confidence, audio_duration: fields.audio_duration, sentences: blocks };
}

/** A paragraph: consecutive sentences of one voice, at most four (the vendor does not say how it cuts). */
export async function paragraphsOfJob(job: TranscriptJob, state: TranscriptsState, runtime: AssemblyAiRuntime) {
  const { blocks, fields } = await sentenceBlocks(job, state, runtime);
  const paragraphs: Block[] = [];
  let current: Block[] = [];
  const flush = () => {
    if (!current.length) return;
    const words = current.flatMap((b) => b.words);
    paragraphs.push({ text: current.map((b) => b.text).join(' '), start: current[0]!.start, end: current.at(-1)!.end, confidence: Math.round((words.reduce((s, w) => s + w.confidence, 0) / words.length) * 1000) / 1000, words, speaker: current[0]!.speaker, channel: current[0]!.channel });
    current = [];
  };
  for (const block of blocks) {
    if (current.length === 4 || (current.length && (block.speaker !== current[0]!.speaker || block.channel !== current[0]!.channel))) flush();
    current.push(block);
  }
  flush();
  return { id: job.id, confidence: fields.confidence, audio_duration: fields.audio_duration, paragraphs };
}

export async function subtitlesOfJob(job: TranscriptJob, format: 'srt' | 'vtt', charsPerCaption: number | undefined, state: TranscriptsState, runtime: AssemblyAiRuntime): Promise<string> {
  const { words } = await wordsOf(job, state, runtime);
  const cues = buildCues(words, charsPerCaption ? { maxLineLength: charsPerCaption, maxLines: 1 } : {});
  return format === 'srt' ? toSrt(cues) : toVtt(cues);
}

const bare = (text: string) => text.toLowerCase().replace(/[^\p{L}\p{N}'\s]/gu, '');

export async function wordSearch(job: TranscriptJob, keywords: string[], state: TranscriptsState, runtime: AssemblyAiRuntime) {
  const { words } = await wordsOf(job, state, runtime);
  const rendered = renderTranscriptFields(words, fieldOptions(job.params)).words;
  const plain = rendered.map((w) => bare(w.text));
  const matches = keywords.map((keyword) => {
    const parts = bare(keyword).split(/\s+/).filter(Boolean);
    const indexes: number[] = [];
    for (let i = 0; parts.length && i + parts.length <= plain.length; i++) if (parts.every((p, j) => plain[i + j] === p)) indexes.push(i);
    return { text: keyword, count: indexes.length, timestamps: indexes.map((i) => [rendered[i]!.start, rendered[i + parts.length - 1]!.end]), indexes };
  });
  return { id: job.id, total_count: matches.reduce((sum, m) => sum + m.count, 0), matches };
}
