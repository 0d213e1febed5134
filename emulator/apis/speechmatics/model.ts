// A Speechmatics job and its life: the statuses, which may follow which, and when each step
// happens. Status changes go through `transition`, so a job cannot jump where the vendor's
// never does.
import type { ScheduledStep } from '../../core/clock.ts';
import type { AudioInfo } from '../../engine/probe.ts';
import type { Alignment, Enrichments, Transcript } from '../../engine/transcript.ts';

export type JobStatus = 'running' | 'done' | 'rejected' | 'deleted' | 'expired';

export const TRANSITIONS: Record<JobStatus, readonly JobStatus[]> = {
  running: ['done', 'rejected', 'deleted'],
  done: ['expired', 'deleted'],
  rejected: ['deleted'],
  expired: ['deleted'],
  deleted: [],
};

/** However short the audio, processing takes at least this long (emulated seconds). */
export const MINIMUM_PROCESSING_SECONDS = 2;

export interface JobConfig {
  type: 'transcription' | 'alignment';
  transcription_config?: { language: string; diarization?: 'none' | 'speaker' | 'channel'; operating_point?: string; [key: string]: unknown };
  alignment_config?: { language: string };
  tracking?: Record<string, unknown>;
  output_config?: { srt_overrides?: { max_line_length?: number; max_lines?: number } };
  [key: string]: unknown;
}

export interface Job {
  id: string;
  tenant: string;
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
  transcript?: Transcript;
  enrichments?: Enrichments;
  alignment?: Alignment;
  /** Why the job will be rejected when its processing ends, and how notifications say so. */
  rejection?: { message: string; notify: 'error' | 'fetch_error' };
  /** When the job finished processing (done or rejected), for usage. */
  finishedAt?: number;
  /** Set once the job has been processed successfully; deletion does not reduce usage. */
  billable?: boolean;
  steps: ScheduledStep[];
}

export function transition(job: Job, to: JobStatus): void {
  if (!TRANSITIONS[job.status].includes(to)) throw new Error(`job ${job.id}: ${job.status} → ${to} is not a transition`);
  job.status = to;
}

/** When a job finishes: a share of its audio's duration (runtime settings), never instantly. */
export function processingSeconds(durationSeconds: number, realTimeFactor: number): number {
  return Math.max(MINIMUM_PROCESSING_SECONDS, durationSeconds * realTimeFactor);
}

export interface JobsState {
  /** Jobs by tenant, then by id: two keys never see each other's jobs. */
  byTenant: Map<string, Map<string, Job>>;
}

export function tenantJobs(state: JobsState, tenant: string): Map<string, Job> {
  let jobs = state.byTenant.get(tenant);
  if (!jobs) state.byTenant.set(tenant, (jobs = new Map()));
  return jobs;
}
