// A Speechmatics job and its life: the statuses and which may follow which (data, run by the
// core's lifecycle), and the steps that move a job on: reading its media, finishing
// (done or rejected), expiring after the retention period.
import { defineLifecycle, progress } from '../../core/lifecycle.ts';
import type { Resource } from '../../core/ownership.ts';
import { fetchBytes, fetchKept, RemoteMediaError } from '../../core/remote-media.ts';
import type { ApiRuntime } from '../../core/stateful.ts';
import type { TenantStore } from '../../core/tenant-store.ts';
import type { Registration } from '../../engine/fixtures.ts';
import { probeFile, UnreadableAudioError, type AudioInfo } from '../../engine/probe.ts';
import { parseAuthHeaders } from './auth-headers.ts';
import { sendNotifications } from './notifications.ts';
import { isoMs, type RenderedOutputs } from './outputs.ts';
import type { SETTINGS } from './settings.ts';

export type JobStatus = 'running' | 'done' | 'rejected' | 'deleted' | 'expired';

export const JOBS = defineLifecycle<JobStatus>({
  running: ['done', 'rejected', 'deleted'],
  done: ['expired', 'deleted'],
  rejected: ['deleted'],
  expired: ['deleted'],
  deleted: [],
}, { expires: { from: 'done', to: 'expired' } });

export interface FetchConfig {
  url: string;
  auth_headers?: string[];
}

export interface JobConfig {
  type: 'transcription' | 'alignment';
  transcription_config?: { language: string; diarization?: 'none' | 'speaker' | 'channel'; operating_point?: string; [key: string]: unknown };
  alignment_config?: { language: string };
  tracking?: Record<string, unknown>;
  output_config?: { srt_overrides?: { max_line_length?: number; max_lines?: number } };
  fetch_data?: FetchConfig;
  fetch_text?: FetchConfig;
  [key: string]: unknown;
}

/**
 * A job keeps only what cannot be recomputed: its transcript, enrichments and alignment are
 * rendered from the audio when read (outputs.ts), since the engine gives the same words for
 * the same audio every time.
 */
export interface Job extends Resource {
  createdAt: number;
  status: JobStatus;
  config: JobConfig;
  dataName: string;
  textName?: string;
  /** The media on disk (uploaded or fetched); undefined until a fetch succeeds. */
  dataPath?: string;
  /** The alignment text: small, so kept in memory. */
  text?: Buffer;
  audio?: AudioInfo;
  errors: Array<{ timestamp: string; message: string }>;
  /** Why the job will be rejected when its processing ends, and how notifications say so. */
  rejection?: { message: string; notify: 'error' | 'fetch_error' };
  /** When the job finished processing (done or rejected), for usage. */
  finishedAt?: number;
  /** Set once the job has been processed successfully; deletion does not reduce usage. */
  billable?: boolean;
  /** The transcript a test registered for this audio when the job finished: re-renders keep it. */
  registration?: Registration | null;
}

export interface JobsState {
  jobs: TenantStore<Job>;
  /** Transcripts rendered lately, so polling a finished job does not re-run the engine. */
  outputs: RenderedOutputs;
}

export type SpeechmaticsRuntime = ApiRuntime<typeof SETTINGS>;

/** Starts a job's life: fetch what it names, or read what it was given. */
export async function startJob(job: Job, fetches: { data?: FetchConfig; text?: FetchConfig }, state: JobsState, runtime: SpeechmaticsRuntime): Promise<void> {
  if (fetches.data || fetches.text) {
    runtime.own.after(job.held, 0, 'speechmatics: a job fetches its inputs', () => fetchInputs(job, fetches, state, runtime));
  } else {
    await prepare(job, state, runtime);
  }
}

/** Reads what the job was given and schedules its end: done, or rejected with the reason. */
async function prepare(job: Job, state: JobsState, runtime: SpeechmaticsRuntime): Promise<void> {
  try {
    job.audio = await probeFile(job.dataPath!);
  } catch (error) {
    if (!(error instanceof UnreadableAudioError)) throw error;
    job.rejection = { message: 'Job rejected due to invalid audio', notify: 'error' };
  }
  if (!job.rejection && job.text && !isUtf8(job.text)) job.rejection = { message: 'Job rejected due to invalid text', notify: 'error' };
  const duration = job.audio && !job.rejection ? job.audio.durationSeconds : 0;
  progress(runtime.own, job.held, runtime.settings.processing, duration, 'speechmatics: a job finishes', () => finish(job, state, runtime));
}

async function fetchInputs(job: Job, fetches: { data?: FetchConfig; text?: FetchConfig }, state: JobsState, runtime: SpeechmaticsRuntime): Promise<void> {
  if (job.status !== 'running') return;
  const limit = { maxBytes: runtime.settings['max-upload-mb'] };
  let what = 'audio';
  try {
    if (fetches.data) job.dataPath = (await fetchKept(runtime, job.held, fetches.data.url, parseAuthHeaders(fetches.data.auth_headers), limit)).path;
    what = 'text';
    if (fetches.text) job.text = await fetchBytes(fetches.text.url, parseAuthHeaders(fetches.text.auth_headers), limit);
  } catch (error) {
    if (!(error instanceof RemoteMediaError)) throw error;
    job.rejection = { message: `unable to fetch ${what}: ${error.reason}`, notify: 'fetch_error' };
    return finish(job, state, runtime);
  }
  await prepare(job, state, runtime);
}

/** Runs at the job's due time: done (the engine's words), or rejected with the reason in errors[]. */
async function finish(job: Job, state: JobsState, runtime: SpeechmaticsRuntime): Promise<void> {
  if (job.status !== 'running') return;
  const now = runtime.clock.nowMs();
  job.finishedAt = now;
  if (job.rejection || !job.audio) {
    job.errors.push({ timestamp: isoMs(now), message: job.rejection?.message ?? 'Job rejected due to invalid audio' });
    JOBS.move(job, 'rejected');
    await sendNotifications(job, state, runtime);
    return;
  }
  job.registration = runtime.engine.library.registered(job.audio.sha256) ?? null;
  JOBS.move(job, 'done');
  job.billable = true;
  await sendNotifications(job, state, runtime);
  JOBS.retain(runtime.own, job, runtime.settings['retention-days'] * 24 * 3600, 'speechmatics: a job expires', () => state.outputs.forget(job.id));
}

export async function deleteJob(job: Job, state: JobsState, runtime: SpeechmaticsRuntime): Promise<void> {
  if (job.status === 'deleted') return;
  JOBS.move(job, 'deleted');
  state.outputs.forget(job.id);
  await runtime.own.release(job.held);
}

function isUtf8(bytes: Buffer): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}
