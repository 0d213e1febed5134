// What a Speechmatics job hands out: its summary (JobInfo), its transcript as json-v2, its
// alignment. The download routes and the notifications both send these.
import type { Runtime } from '../../core/stateful.ts';
import { renderOnePerLine, renderWordStartAndEnd } from '../../engine/render/alignment-tags.ts';
import { renderJsonV2 } from '../../engine/render/speechmatics.ts';
import type { Job } from './jobs.ts';

export const isoMs = (ms: number) => new Date(ms).toISOString();
/** Transcript metadata carries microseconds; the emulator's clock has milliseconds. */
export const isoMicros = (ms: number) => isoMs(ms).replace(/\.(\d{3})Z$/, '.$1000Z');

export function jobInfo(job: Job): Record<string, unknown> {
  return {
    created_at: isoMs(job.createdAt),
    data_name: job.dataName,
    ...(job.audio && { duration: Math.round(job.audio.durationSeconds) }),
    id: job.id,
    ...(job.textName !== undefined && { text_name: job.textName }),
    ...(job.config.tracking && { tracking: job.config.tracking }),
  };
}

export function transcriptJson(job: Job, runtime: Runtime): Record<string, unknown> {
  return renderJsonV2(job.transcript!, job.enrichments ?? {}, {
    job: { ...jobInfo(job), duration: Math.round(job.audio!.durationSeconds) } as never,
    createdAt: isoMicros(job.finishedAt ?? runtime.clock.nowMs()),
    transcriptionConfig: job.config.transcription_config!,
    ...(job.config.output_config && { outputConfig: job.config.output_config }),
  }) as unknown as Record<string, unknown>;
}

export function alignmentText(job: Job, tags: 'word_start_and_end' | 'one_per_line'): string {
  return tags === 'one_per_line' ? renderOnePerLine(job.alignment!) : renderWordStartAndEnd(job.alignment!);
}

