// How an AssemblyAI transcript moves along its lifecycle: queued, then processing (fetching
// a remote audio_url first), then completed with the engine's words or error with the
// vendor's message; its webhook; and deletion, which keeps it listed with its content gone.
import { progress } from '../../core/lifecycle.ts';
import { fetchKept, RemoteMediaError } from '../../core/remote-media.ts';
import { probeFile, UnreadableAudioError } from '../../engine/probe.ts';
import { TRANSCRIPTS, type AssemblyAiRuntime, type TranscriptJob, type TranscriptsState } from './model.ts';
import { sendWebhook } from './webhooks.ts';

export function startTranscript(job: TranscriptJob, state: TranscriptsState, runtime: AssemblyAiRuntime): void {
  progress(runtime.own, job.held, runtime.settings.queue, 0, 'assemblyai: a transcript leaves the queue', () => beginProcessing(job, state, runtime));
}

async function beginProcessing(job: TranscriptJob, state: TranscriptsState, runtime: AssemblyAiRuntime): Promise<void> {
  if (job.status !== 'queued') return;
  TRANSCRIPTS.move(job, 'processing');
  try {
    if (job.remoteUrl) {
      const fetched = await fetchKept(runtime, job.held, job.remoteUrl, {}, { maxBytes: runtime.settings['max-upload-mb'] });
      job.path = fetched.path;
    }
    job.audio ??= await probeFile(job.path!);
  } catch (error) {
    if (error instanceof RemoteMediaError) return fail(job, `Download error, unable to download ${job.remoteUrl}. Please make sure the file exists and is accessible from the internet.`, state, runtime);
    if (error instanceof UnreadableAudioError) return fail(job, 'Transcoding failed. File does not appear to contain audio.', state, runtime);
    throw error;
  }
  progress(runtime.own, job.held, runtime.settings.processing, job.audio.durationSeconds, 'assemblyai: a transcript completes', () => complete(job, state, runtime));
}

async function complete(job: TranscriptJob, state: TranscriptsState, runtime: AssemblyAiRuntime): Promise<void> {
  if (job.status !== 'processing') return;
  job.registration = runtime.engine.library.registered(job.audio!.sha256) ?? null;
  job.completedAt = runtime.clock.nowMs();
  TRANSCRIPTS.move(job, 'completed');
  sendWebhook(job, runtime);
}

/** A transcript whose audio could not be had keeps none of it. */
async function fail(job: TranscriptJob, message: string, _state: TranscriptsState, runtime: AssemblyAiRuntime): Promise<void> {
  job.error = message;
  job.completedAt = runtime.clock.nowMs();
  delete job.path;
  await runtime.own.dropFiles(job.held);
  TRANSCRIPTS.move(job, 'error');
  sendWebhook(job, runtime);
}

/** The vendor keeps a deleted transcript listed, its content and audio gone. */
export async function deleteTranscript(job: TranscriptJob, state: TranscriptsState, runtime: AssemblyAiRuntime): Promise<void> {
  if (job.deleted) return;
  job.deleted = true;
  state.rendered.forget(job.id);
  const shared = state.transcripts.list(job.tenant).some((other) => other !== job && !other.deleted && other.uploadId === job.uploadId);
  if (job.uploadId && !shared) await runtime.uploads.remove(job.tenant, job.uploadId);
  delete job.path;
  await runtime.own.release(job.held);
}
