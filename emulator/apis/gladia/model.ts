// What a Gladia pre-recorded job and an upload are: their fields, the job's statuses and
// which may follow which (data, run by the core's lifecycle), and the state an API key's
// jobs live in. The steps that move a job along are in processing.ts.
import type { BoundedCache } from '../../core/bounded-cache.ts';
import { defineLifecycle } from '../../core/lifecycle.ts';
import type { Resource } from '../../core/ownership.ts';
import type { ApiRuntime } from '../../core/api-definition.ts';
import type { TenantStore } from '../../core/tenant-store.ts';
import type { Registration } from '../../engine/fixtures.ts';
import type { AudioInfo } from '../../engine/probe.ts';
import type { GladiaResult } from '../../engine/render/gladia.ts';
import type { SETTINGS } from './settings.ts';

export type JobStatus = 'queued' | 'processing' | 'done' | 'error';

export const JOBS = defineLifecycle<JobStatus>({
  queued: ['processing', 'error'],
  processing: ['done', 'error'],
  done: [],
  error: [],
});

/** The audio a job transcribes, as `file` shows it once known. */
export interface JobFile {
  id: string;
  /** The upload it came from, if any: deleting the job deletes the upload's audio too. */
  uploadId?: string;
  filename: string | null;
  source: string | null;
  audio?: AudioInfo;
  path?: string;
  contentType: string;
}

/**
 * A job keeps what it was asked and what happened; its `result` is rendered from the audio
 * when read (outputs.ts), since the engine gives the same words for the same audio.
 */
export interface Job extends Resource {
  tenant: string;
  requestId: string;
  status: JobStatus;
  createdAt: number;
  processingAt?: number;
  completedAt?: number;
  customMetadata: Record<string, unknown> | null;
  /** The options as validated, the spec's defaults filled in (`request_params`). */
  requestParams: Record<string, unknown>;
  /** A remote `audio_url` still to fetch when processing starts. */
  remoteUrl?: string;
  file?: JobFile;
  error?: { code: number; message: string };
  /** The transcript a test registered for this audio when the job finished. */
  registration?: Registration | null;
}

export type RenderedResults = BoundedCache<Promise<GladiaResult>>;

export interface JobsState {
  jobs: TenantStore<Job>;
  /** Results rendered lately, so polling a finished job does not re-run the engine. */
  results: RenderedResults;
}

export type GladiaRuntime = ApiRuntime<typeof SETTINGS>;

/** Gladia's debug id: `G-` and the first 8 hex digits of an id (the vendor's examples do this). */
export const requestIdOf = (uuid: string) => `G-${uuid.replace(/-/g, '').slice(0, 8)}`;
