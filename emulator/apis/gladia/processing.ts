// How a Gladia job moves along its lifecycle: queued, then processing (fetching a remote
// audio_url first), then done with the engine's words or error with a code; its callback;
// and, after the retention period, gone.
import { progress } from '../../core/lifecycle.ts';
import { fetchKept, RemoteMediaError } from '../../core/remote-media.ts';
import { probeFile, UnreadableAudioError } from '../../engine/probe.ts';
import { sendCallback } from './callbacks.ts';
import { JOBS, type GladiaRuntime, type Job, type JobsState } from './model.ts';

export function startJob(job: Job, state: JobsState, runtime: GladiaRuntime): void {
  progress(runtime.own, job.held, runtime.settings.queue, 0, 'gladia: a job leaves the queue', () => beginProcessing(job, state, runtime));
}

async function beginProcessing(job: Job, state: JobsState, runtime: GladiaRuntime): Promise<void> {
  if (job.status !== 'queued') return;
  JOBS.move(job, 'processing');
  job.processingAt = runtime.clock.nowMs();
  if (job.remoteUrl) {
    try {
      const fetched = await fetchKept(runtime, job.held, job.remoteUrl, {}, { maxBytes: runtime.settings['max-upload-mb'] });
      job.file = { id: runtime.random.uuid(), filename: lastSegment(job.remoteUrl), source: job.remoteUrl, path: fetched.path, contentType: 'application/octet-stream' };
      job.file.audio = await probeFile(fetched.path);
    } catch (error) {
      if (error instanceof RemoteMediaError) return fail(job, 400, `audio_url could not be downloaded: ${error.reason}`, state, runtime);
      if (error instanceof UnreadableAudioError) return fail(job, 422, 'The audio file could not be decoded.', state, runtime);
      throw error;
    }
  }
  const duration = job.file?.audio?.durationSeconds ?? 0;
  progress(runtime.own, job.held, runtime.settings.processing, duration, 'gladia: a job finishes', () => finish(job, state, runtime));
}

const lastSegment = (url: string) => {
  try {
    return decodeURIComponent(new URL(url).pathname.split('/').pop() ?? '') || null;
  } catch {
    return null;
  }
};

async function finish(job: Job, state: JobsState, runtime: GladiaRuntime): Promise<void> {
  if (job.status !== 'processing') return;
  job.registration = runtime.engine.library.registered(job.file!.audio!.sha256) ?? null;
  job.completedAt = runtime.clock.nowMs();
  JOBS.move(job, 'done');
  await ended(job, state, runtime);
}

/** A job whose audio could not be had keeps none of it: `file` null, nothing on disk. */
async function fail(job: Job, code: number, message: string, state: JobsState, runtime: GladiaRuntime): Promise<void> {
  job.error = { code, message };
  delete job.file;
  await runtime.own.dropFiles(job.held);
  job.completedAt = runtime.clock.nowMs();
  JOBS.move(job, 'error');
  await ended(job, state, runtime);
}

/** A finished job calls back, then is kept for the retention period. */
async function ended(job: Job, state: JobsState, runtime: GladiaRuntime): Promise<void> {
  await sendCallback(job, state, runtime);
  runtime.own.after(job.held, runtime.settings['retention-days'] * 24 * 3600 * 1000, 'gladia: a job reaches the end of its retention', () => deleteJob(job, state, runtime));
}

/** Gone on every path: the job, its result and its audio (an upload's too). */
export async function deleteJob(job: Job, state: JobsState, runtime: GladiaRuntime): Promise<void> {
  state.results.forget(job.id);
  const uploadId = job.file?.uploadId;
  const shared = state.jobs.list(job.tenant).some((other) => other !== job && other.file?.uploadId === uploadId);
  if (uploadId && !shared) await runtime.uploads.remove(job.tenant, uploadId);
  await state.jobs.remove(job.tenant, job.id);
}
