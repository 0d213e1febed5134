// What a Speechmatics job is: its fields, its statuses and which may follow which (data, run
// by the core's lifecycle), and the state an API key's jobs live in. The steps that move a
// job along are in processing.ts.
import { defineLifecycle } from '../../core/lifecycle.ts';
import type { BoundedCache } from '../../core/bounded-cache.ts';
import type { Resource } from '../../core/ownership.ts';
import type { ApiRuntime } from '../../core/api-definition.ts';
import type { TenantStore } from '../../core/tenant-store.ts';
import type { Registration } from '../../engine/fixtures.ts';
import type { AudioInfo } from '../../engine/probe.ts';
import type { Enrichments, Transcript } from '../../engine/transcript.ts';
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

export interface JobError {
  timestamp: string;
  message: string;
}

/**
 * A job keeps only what cannot be recomputed: its transcript, enrichments and alignment are
 * rendered from the audio when read (outputs.ts), since the engine gives the same words for
 * the same audio every time. A stored job should weigh little (thousands are kept for days):
 * its config, file name and AudioInfo are shared with the jobs made alike (never changed once
 * the job is made), and it has no errors array until it has an error.
 */
export interface Job extends Resource {
  createdAt: number;
  status: JobStatus;
  readonly config: JobConfig;
  dataName: string;
  textName?: string;
  /** The media on disk (uploaded or fetched); undefined until a fetch succeeds. */
  dataPath?: string;
  /** The alignment text: small, so kept in memory. */
  text?: Buffer;
  audio?: AudioInfo;
  errors?: JobError[];
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
  /** Recent jobs' configs (by their JSON) and file names: a job made alike shares them. */
  configs: BoundedCache<JobConfig>;
  names: BoundedCache<string>;
}

export type RenderedOutputs = BoundedCache<Promise<{ transcript: Transcript; enrichments: Enrichments }>>;

/** Adds an error to a job; the array is made to size (one grown by push reserves 17 slots). */
export function addError(job: Job, error: JobError): void {
  job.errors = job.errors ? [...job.errors, error] : [error];
}

export interface JobFetches {
  data?: FetchConfig;
  text?: FetchConfig;
}

export type SpeechmaticsRuntime = ApiRuntime<typeof SETTINGS>;
