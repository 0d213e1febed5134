// What Cadence keeps: bookings (Bubble "job" records) and the user each booking key is, per
// key; add-on requests per basic credential, with their lifecycle. The steps that move an
// add-on request along are in processing.ts.
import { defineLifecycle } from '../../core/lifecycle.ts';
import type { Resource } from '../../core/ownership.ts';
import type { ApiRuntime } from '../../core/api-definition.ts';
import type { TenantStore } from '../../core/tenant-store.ts';
import type { AudioInfo, UnreadableReason } from '../../engine/probe.ts';
import type { SETTINGS } from './settings.ts';

/** Cadence's documented answer for every booking: `10 to 60 minutes`; a call lasts at most the longer. */
export const JOB_DURATION_TEXT = '10 to 60 minutes';
export const JOB_LONGEST_MS = 60 * 60 * 1000;

export interface Booking extends Resource {
  tenant: string;
  userId: string;
  /** When the call starts (epoch ms), read from start_time as wall-clock time in `timezone`. */
  startMs: number;
  timezone: string;
  languageIds: number[];
  notes?: string;
  createdMs: number;
}

export interface User {
  id: string;
  createdMs: number;
}

export type AddonStatus = 'accepted' | 'processing' | 'ok' | 'error';

export const ADDON_REQUESTS = defineLifecycle<AddonStatus>({
  accepted: ['processing', 'error'],
  processing: ['ok', 'error'],
  ok: [],
  error: [],
});

export type AddonService = 'transcription' | 'translation';

/** An add-on request, by its `request_sid`: what was asked, the recording, and how it ended. */
export interface AddonRequest extends Resource {
  tenant: string;
  status: AddonStatus;
  service: AddonService;
  sources: string[];
  target: string;
  callbackUrl: string;
  receivedMs: number;
  audioPath: string;
  audio: AudioInfo | { unreadable: UnreadableReason };
  /** Why it ended in `error`, as the callback's `message` says it. */
  message?: string;
}

export interface CadenceState {
  bookings: TenantStore<Booking>;
  /** The Cadence user each booking key is: made with its first request, the same ever after. */
  users: Map<string, User>;
  requests: TenantStore<AddonRequest>;
}

export type CadenceRuntime = ApiRuntime<typeof SETTINGS>;

/** Bubble's unique id: creation time in epoch ms, `x`, and 18 random digits. */
export function bubbleId(runtime: CadenceRuntime, nowMs = runtime.clock.nowMs()): string {
  const digits = String(1 + runtime.random.int(9)) + Array.from({ length: 17 }, () => runtime.random.int(10)).join('');
  return `${String(nowMs).padStart(13, '0')}x${digits}`;
}

export function userOf(state: CadenceState, tenant: string, runtime: CadenceRuntime): User {
  let user = state.users.get(tenant);
  if (!user) {
    // One reading of the clock: the id's time and the record's Created Date are the same instant.
    const nowMs = runtime.clock.nowMs();
    state.users.set(tenant, (user = { id: bubbleId(runtime, nowMs), createdMs: nowMs }));
  }
  return user;
}
