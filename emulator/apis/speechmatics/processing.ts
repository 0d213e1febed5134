// How a Speechmatics job moves along its lifecycle: fetching what it names, reading its
// media, finishing (done with the engine's words, or rejected with the reason), notifying,
// expiring after the retention period, and being deleted.
import { progress } from '../../core/lifecycle.ts';
import { fetchBytes, fetchKept, RemoteMediaError } from '../../core/remote-media.ts';
import { probeFile, UnreadableAudioError } from '../../engine/probe.ts';
import { parseAuthHeaders } from './auth-headers.ts';
import { addError, JOBS, type Job, type JobFetches, type JobsState, type SpeechmaticsRuntime } from './model.ts';
import { sendNotifications } from './notifications.ts';
import { isoMs } from './outputs.ts';

/** Starts a job's life: fetch what it names, or read what it was given. */
export async function startJob(job: Job, fetches: JobFetches, state: JobsState, runtime: SpeechmaticsRuntime): Promise<void> {
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

async function fetchInputs(job: Job, fetches: JobFetches, state: JobsState, runtime: SpeechmaticsRuntime): Promise<void> {
  if (job.status !== 'running') return;
  const limit = { maxBytes: runtime.settings['max-upload-mb'], outbound: runtime.fetchPolicy };
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
    addError(job, { timestamp: isoMs(now), message: job.rejection?.message ?? 'Job rejected due to invalid audio' });
    JOBS.move(job, 'rejected');
    await sendNotifications(job, state, runtime);
    return;
  }
  job.registration = runtime.engine.library.registered(job.audio.sha256) ?? null;
  JOBS.move(job, 'done');
  job.billable = true;
  await sendNotifications(job, state, runtime);
  // Expired, its rendered outputs go (state.outputs.forget takes the id: no closure per job).
  JOBS.retain(runtime.own, job, runtime.settings['retention-days'] * 24 * 3600, 'speechmatics: a job expires', state.outputs.forget);
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
