// What Speechmatics journeys share: submitting a job (and always deleting it afterwards),
// and waiting for it to leave `running`, watching that it only ever shows documented states.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ScenarioContext } from '../../scenario.ts';
import { followLifecycle, type Lifecycle, type StatusRead } from '../lifecycle.ts';

/** Real speech with a known transcript, from the project's fixtures. */
export const SPEECH = readFileSync(fileURLToPath(new URL('../../../fixtures/audio/en-greeting.16k.wav', import.meta.url)));
/** A longer recording (12 s), for steps that must catch a job while it runs. */
export const LONG_SPEECH = readFileSync(fileURLToPath(new URL('../../../fixtures/audio/en-conversation.16k.wav', import.meta.url)));

/** A job's lifecycle, as the spec's JobDetails.status and the vendor's docs describe it. */
const JOB_LIFECYCLE: Lifecycle = {
  what: 'job',
  statuses: ['running', 'done', 'rejected', 'deleted', 'expired'],
  next: { running: ['done', 'rejected', 'deleted'], done: ['expired', 'deleted'], rejected: ['deleted'], expired: ['deleted'], deleted: [] },
  initial: 'running',
  isFinished: (status) => status !== 'running',
  finishedAs: 'done or rejected',
  statusPointer: '#/components/schemas/JobDetails/properties/status',
  // Long enough for a real service to transcribe five seconds of audio.
  budgetSeconds: 600,
};

export const transcriptionConfig = (extra: Record<string, unknown> = {}) => ({ type: 'transcription', transcription_config: { language: 'en' }, ...extra });

export async function submit(ctx: ScenarioContext, config: object = transcriptionConfig(), extra: Record<string, { data: Buffer; filename: string; contentType?: string }> = {}, as: 'primary' | 'secondary' = 'primary', audio: Buffer = SPEECH): Promise<string> {
  const created = await ctx.call('createJob', { form: { config: JSON.stringify(config), data_file: { data: audio, filename: 'speech.wav', contentType: 'audio/wav' }, ...extra }, as });
  ctx.expect(created.status === 201, { message: 'Submitting a valid job did not create it', expected: '201 with {id}', received: `${created.status} ${created.text().slice(0, 300)}`, call: created, pointer: `${ctx.pointerOf('createJob')}/responses/201` });
  const id = created.json<{ id: string }>().id;
  ctx.onCleanup(async () => void (await ctx.call('deleteJob', { pathParams: { jobid: id }, query: { force: 'true' }, as })));
  return id;
}

export async function status(ctx: ScenarioContext, id: string): Promise<StatusRead> {
  const call = await ctx.call('getJob', { pathParams: { jobid: id } });
  return { status: call.json<{ job?: { status?: string } }>()?.job?.status ?? `(HTTP ${call.status})`, call };
}

/** Follows a job until it leaves `running`; every status seen must be documented and reachable. */
export const untilFinished = (ctx: ScenarioContext, id: string): Promise<string> => followLifecycle(ctx, JOB_LIFECYCLE, () => status(ctx, id));

/** The script an alignment job times against the speech. */
export const ALIGNMENT_TEXT = Buffer.from('Good morning, and welcome to the weather report.\nWill it rain today?\n');
export const ALIGNMENT_CONFIG = { type: 'alignment', alignment_config: { language: 'en' } };
export const alignmentText = () => ({ text_file: { data: ALIGNMENT_TEXT, filename: 'script.txt', contentType: 'text/plain' } });

/** A finished job to aim requests at; deleted when the run ends. */
export async function existingJob(ctx: ScenarioContext): Promise<string> {
  const id = await submit(ctx);
  await untilFinished(ctx, id);
  return id;
}

/**
 * The resources the runner's own cases aim at: a done transcription job, and a done alignment
 * job for the two reads only an alignment job answers (its alignment, and the text it was given).
 */
export async function existingJobs(ctx: ScenarioContext): Promise<Record<string, string>> {
  const jobid = await existingJob(ctx);
  const alignment = await submit(ctx, ALIGNMENT_CONFIG, alignmentText());
  await untilFinished(ctx, alignment);
  return { jobid, 'getJobAlignment.jobid': alignment, 'getJobText.jobid': alignment };
}
