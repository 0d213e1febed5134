// What a Speechmatics job hands out: its summary (JobInfo), its transcript as json-v2, txt or
// srt, its alignment. Rendered when asked for, from the audio, by the deterministic engine;
// a small cache keeps the latest few so a polling client does not re-run the engine.
import { createBoundedCache } from '../../core/bounded-cache.ts';
import type { EnrichmentRequest } from '../../engine/enrich.ts';
import { renderOnePerLine, renderWordStartAndEnd } from '../../engine/render/alignment-tags.ts';
import { renderJsonV2, renderSrt, renderTxt } from '../../engine/render/speechmatics.ts';
import type { Enrichments, Transcript } from '../../engine/transcript.ts';
import type { Job, JobConfig, JobsState, RenderedOutputs, SpeechmaticsRuntime } from './model.ts';

/** Enough for every job a test suite polls at once; each entry is one transcript. */
const RECENT_TRANSCRIPTS = 64;

export const createRenderedOutputs = (): RenderedOutputs => createBoundedCache(RECENT_TRANSCRIPTS);

export const isoMs = (ms: number) => new Date(ms).toISOString();

/** Transcript metadata carries microseconds; the emulator's clock has milliseconds. */
const isoMicros = (ms: number) => isoMs(ms).replace(/\.(\d{3})Z$/, '.$1000Z');

function enrichmentRequest(config: JobConfig): EnrichmentRequest {
  const has = (key: string) => config[key] !== undefined && config[key] !== null;
  const translation = config.translation_config as { target_languages?: string[] } | undefined;
  return {
    ...(translation?.target_languages?.length && { translate: translation.target_languages }),
    summary: has('summarization_config'),
    sentiment: has('sentiment_analysis_config'),
    topics: has('topic_detection_config'),
    chapters: has('auto_chapters_config'),
    audioEvents: has('audio_events_config'),
    languageIdentification: has('language_identification_config'),
  };
}

/** A done transcription job's words and enrichments, the same every time they are asked for. */
export function transcriptOf(job: Job, state: JobsState, runtime: SpeechmaticsRuntime): Promise<{ transcript: Transcript; enrichments: Enrichments }> {
  const rendered = state.outputs.get(job.id, async () => {
    const config = job.config.transcription_config!;
    const transcript = await runtime.engine.transcribe({ audio: job.audio!, path: job.dataPath, language: config.language, diarization: config.diarization ?? 'none', registration: job.registration ?? null });
    return { transcript, enrichments: await runtime.engine.enrich(transcript, enrichmentRequest(job.config)) };
  });
  rendered.catch(() => state.outputs.forget(job.id));
  return rendered;
}

export function jobInfo(job: Job): Record<string, unknown> {
  return {
    created_at: isoMs(job.createdAt),
    data_name: job.dataName,
    ...(job.audio && { duration: Math.round(job.audio.durationSeconds) }),
    id: job.id,
    ...(job.textName !== undefined && { text_name: job.textName }),
    ...(job.config.tracking && { tracking: job.config.tracking }),
  };
}

/** The job as GET /v2/jobs/{jobid} and the list show it (JobDetails). */
export function jobDetails(job: Job): Record<string, unknown> {
  return {
    created_at: isoMs(job.createdAt),
    data_name: job.dataName,
    ...(job.textName !== undefined && { text_name: job.textName }),
    ...(job.audio && { duration: Math.round(job.audio.durationSeconds) }),
    id: job.id,
    status: job.status,
    config: job.config,
    ...(job.config.tracking && { tracking: job.config.tracking }),
    ...(job.errors && { errors: job.errors }),
  };
}

export async function transcriptJson(job: Job, state: JobsState, runtime: SpeechmaticsRuntime): Promise<Record<string, unknown>> {
  const { transcript, enrichments } = await transcriptOf(job, state, runtime);
  return renderJsonV2(transcript, enrichments, {
    job: { ...jobInfo(job), duration: Math.round(job.audio!.durationSeconds) } as never,
    createdAt: isoMicros(job.finishedAt ?? runtime.clock.nowMs()),
    transcriptionConfig: job.config.transcription_config!,
    ...(job.config.output_config && { outputConfig: job.config.output_config }),
  }) as unknown as Record<string, unknown>;
}

export async function transcriptText(job: Job, format: 'txt' | 'srt', state: JobsState, runtime: SpeechmaticsRuntime): Promise<string> {
  const { transcript } = await transcriptOf(job, state, runtime);
  return format === 'txt' ? renderTxt(transcript, { diarization: transcript.diarization }) : renderSrt(transcript, job.config.output_config?.srt_overrides);
}

export function alignmentText(job: Job, tags: 'word_start_and_end' | 'one_per_line', runtime: SpeechmaticsRuntime): string {
  const alignment = runtime.engine.align(job.text!.toString('utf8'), job.audio!);
  return tags === 'one_per_line' ? renderOnePerLine(alignment) : renderWordStartAndEnd(alignment);
}
