// What an AssemblyAI transcript is: its fields, its statuses and which may follow which
// (data, run by the core's lifecycle), and the state an API key's transcripts live in. The
// steps that move a transcript along are in processing.ts.
import type { BoundedCache } from '../../core/bounded-cache.ts';
import { defineLifecycle } from '../../core/lifecycle.ts';
import type { Resource } from '../../core/ownership.ts';
import type { ApiRuntime } from '../../core/api-definition.ts';
import type { TenantStore } from '../../core/tenant-store.ts';
import type { Registration } from '../../engine/fixtures.ts';
import type { AudioInfo } from '../../engine/probe.ts';
import type { Enrichments, Transcript as Words } from '../../engine/transcript.ts';
import type { SETTINGS } from './settings.ts';

export type TranscriptStatus = 'queued' | 'processing' | 'completed' | 'error';

export const TRANSCRIPTS = defineLifecycle<TranscriptStatus>({
  queued: ['processing', 'error'],
  processing: ['completed', 'error'],
  completed: [],
  error: [],
});

/**
 * A transcript keeps what it was asked and what happened; its words and enrichments are
 * rendered from the audio when read (outputs.ts), since the engine gives the same words.
 */
export interface TranscriptJob extends Resource {
  tenant: string;
  status: TranscriptStatus;
  createdAt: number;
  completedAt?: number;
  /** The request's options as validated, the spec's defaults filled in. */
  params: Record<string, unknown>;
  /** A remote `audio_url` still to fetch when processing starts. */
  remoteUrl?: string;
  audio?: AudioInfo;
  path?: string;
  /** The upload it came from, if any. */
  uploadId?: string;
  error?: string;
  webhookStatusCode?: number;
  deleted?: boolean;
  /** The transcript a test registered for this audio when it completed. */
  registration?: Registration | null;
}

export type RenderedWords = BoundedCache<Promise<{ words: Words; enrichments: Enrichments }>>;

export interface TranscriptsState {
  transcripts: TenantStore<TranscriptJob>;
  rendered: RenderedWords;
}

export type AssemblyAiRuntime = ApiRuntime<typeof SETTINGS>;
