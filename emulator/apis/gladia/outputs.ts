// What Gladia hands out: the job document (`PreRecordedResponse`), its `result` rendered from
// the audio when asked for (a small cache keeps the latest few), an upload's metadata, and
// JSON always as `application/json` (the official SDK reads only that as JSON).
import { createBoundedCache } from '../../core/bounded-cache.ts';
import type { EmulatorResponse } from '../../core/http-types.ts';
import type { Upload } from '../../core/uploads.ts';
import type { EnrichmentRequest } from '../../engine/enrich.ts';
import type { AudioInfo } from '../../engine/probe.ts';
import { renderGladiaResult, type GladiaResult } from '../../engine/render/gladia.ts';
import type { GladiaRuntime, Job, JobsState, RenderedResults } from './model.ts';

export const gladiaJson = (status: number, body: unknown): EmulatorResponse => ({ status, headers: { 'content-type': 'application/json' }, body });

/** Enough for every job a test suite polls at once; each entry is one result. */
export const createRenderedResults = (): RenderedResults => createBoundedCache(64);

const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());
const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The language to transcribe in: one language asked for, or none (the engine identifies it). */
export function requestedLanguage(params: Record<string, unknown>): string | undefined {
  const languages = isRecord(params.language_config) && Array.isArray(params.language_config.languages) ? params.language_config.languages : [];
  if (languages.length === 1 && typeof languages[0] === 'string') return languages[0];
  return typeof params.language === 'string' ? params.language : undefined;
}

function enrichmentRequest(params: Record<string, unknown>): EnrichmentRequest {
  const translation = isRecord(params.translation_config) ? params.translation_config : {};
  const targets = Array.isArray(translation.target_languages) ? translation.target_languages.filter((l): l is string => typeof l === 'string') : [];
  return {
    ...(params.translation === true && targets.length && { translate: targets }),
    summary: params.summarization === true || params.audio_to_llm === true,
    sentiment: params.sentiment_analysis === true,
    chapters: params.chapterization === true,
    topics: params.chapterization === true,
  };
}

/** A done job's result, the same every time it is asked for. */
export function resultOf(job: Job, state: JobsState, runtime: GladiaRuntime): Promise<GladiaResult> {
  const rendered = state.results.get(job.id, async () => {
    const file = job.file!;
    const transcript = await runtime.engine.transcribe({
      audio: file.audio!, path: file.path, language: requestedLanguage(job.requestParams),
      diarization: job.requestParams.diarization === true ? 'speaker' : 'none', registration: job.registration ?? null,
    });
    const enrichments = await runtime.engine.enrich(transcript, enrichmentRequest(job.requestParams));
    return renderGladiaResult(transcript, enrichments, { requestParams: job.requestParams, transcriptionTimeSeconds: ((job.completedAt ?? 0) - (job.processingAt ?? 0)) / 1000 });
  });
  rendered.catch(() => state.results.forget(job.id));
  return rendered;
}

const round3 = (n: number) => Math.round(n * 1000) / 1000;

function fileView(job: Job) {
  if (!job.file) return null;
  const { audio } = job.file;
  return { id: job.file.id, filename: job.file.filename, source: job.file.source, audio_duration: audio ? round3(audio.durationSeconds) : null, number_of_channels: audio?.channels ?? null };
}

/** The job document; list items leave out `post_session_metadata`, as the vendor's do. */
export async function jobDocument(job: Job, state: JobsState, runtime: GladiaRuntime, options: { listItem?: boolean } = {}): Promise<Record<string, unknown>> {
  return {
    id: job.id,
    request_id: job.requestId,
    version: 2,
    status: job.status,
    created_at: iso(job.createdAt),
    completed_at: iso(job.completedAt),
    custom_metadata: job.customMetadata,
    error_code: job.error?.code ?? null,
    ...(!options.listItem && { post_session_metadata: {} }),
    kind: 'pre-recorded',
    file: fileView(job),
    request_params: job.requestParams,
    result: job.status === 'done' ? await resultOf(job, state, runtime) : null,
  };
}

const EXTENSIONS: Record<string, string> = { WAVE: 'wav', MPEG: 'mp3', FLAC: 'flac', Ogg: 'ogg', 'MPEG-4': 'mp4', Matroska: 'mkv', WebM: 'webm' };

/** The extension Gladia reports: the file name's, else the container's usual one. */
export function extensionOf(filename: string, audio: AudioInfo): string {
  return /\.([A-Za-z0-9]{1,8})$/.exec(filename)?.[1]?.toLowerCase() ?? EXTENSIONS[audio.container] ?? audio.container.toLowerCase();
}

export function uploadAnswer(upload: Upload, audio: AudioInfo, source: string | undefined): Record<string, unknown> {
  return {
    audio_url: upload.url,
    audio_metadata: {
      id: upload.id,
      filename: upload.filename,
      ...(source && { source }),
      extension: extensionOf(upload.filename, audio),
      size: upload.bytes,
      audio_duration: round3(audio.durationSeconds),
      number_of_channels: audio.channels,
    },
  };
}
