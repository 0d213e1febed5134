// Speechmatics batch operations, by the spec's operationIds: read the request, ask the
// model, answer. Routing, credentials, validation (the multipart `config` part included),
// error rendering and contract checks happen in emulator/core.
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { jsonResponse, textResponse } from '../../core/http-types.ts';
import { formFile } from '../../core/request-body.ts';
import { isFetchableUrl } from '../../core/remote-url.ts';
import type { Handler, OperationRequest } from '../../core/api-definition.ts';
import { smError } from './errors.ts';
import type { Job, JobConfig, JobsState, SpeechmaticsRuntime } from './model.ts';
import { deleteJob as deleteJobAndFiles, startJob } from './processing.ts';
import { alignmentText, jobDetails, transcriptJson, transcriptText } from './outputs.ts';
import type { SETTINGS } from './settings.ts';
import { usageReport } from './usage.ts';

type SpeechmaticsHandler = Handler<JobsState, typeof SETTINGS>;

function findJob(state: JobsState, request: OperationRequest): Job {
  const job = state.jobs.get(request.tenant, request.pathParams.jobid ?? '');
  if (!job) throw smError('jobNotFound');
  return job;
}

/**
 * An expired job is gone: the API reference answers 410 (Job Expired for the job, File
 * Expired for its files); the retention docs describe 404. The `expired-status` setting picks.
 */
function unlessExpired(job: Job, runtime: SpeechmaticsRuntime, kind: 'jobExpired' | 'fileExpired'): Job {
  if (job.status !== 'expired') return job;
  throw runtime.settings['expired-status'] === 404 ? smError('jobNotFound', 'The job has expired.') : smError(kind);
}

const createJob: SpeechmaticsHandler = async (request, state, runtime) => {
  if (request.body.kind !== 'form') throw smError('malformedRequest', 'the body must be multipart/form-data');
  const given = request.body.values.config as JobConfig;
  const dataFile = formFile(request.body, 'data_file');
  const textFile = formFile(request.body, 'text_file');
  const { fetch_data: fetchData, fetch_text: fetchText } = given;
  if (dataFile && fetchData) throw smError('malformedRequest', 'give data_file or fetch_data, not both');
  if (textFile && fetchText) throw smError('malformedRequest', 'give text_file or fetch_text, not both');
  if (!dataFile && !fetchData) throw smError('missingDataFile');
  // The service fetches over http or https only: a file:// URL (or a path) is no input it can have.
  for (const [name, fetch] of [['fetch_data', fetchData], ['fetch_text', fetchText]] as const) {
    if (fetch && !isFetchableUrl(fetch.url)) throw smError('jobConfigInvalid', `${name}.url must be an http or https URL`);
  }
  if (given.type === 'alignment' && !textFile && !fetchText) throw smError('missingTextFile');

  // Shared with the recent jobs made with the same config (nothing changes a job's config).
  const config = state.configs.get(JSON.stringify(given), () => given);
  const id = runtime.random.alnum(10);
  const createdAt = runtime.clock.nowMs();
  const text = textFile?.path ? await readFile(textFile.path) : undefined;
  // A fetched file has no name until the vendor has it: the docs show "".
  const dataName = dataFile?.filename ?? '';
  // Every field a job will have, in one literal (none spread in, none added later): the object
  // is made with room for all of them, not grown into a second, out-of-object property array.
  const job: Job = {
    id,
    createdAt,
    status: 'running',
    config,
    dataName: state.names.get(dataName, () => dataName),
    textName: config.type === 'alignment' ? (textFile?.filename ?? '') : undefined,
    dataPath: dataFile?.path || undefined,
    text,
    audio: undefined,
    errors: undefined,
    rejection: undefined,
    finishedAt: undefined,
    billable: undefined,
    registration: undefined,
    // One slot, for the media `keep` adds below (an empty literal reserves four).
    held: { files: undefined },
  };
  if (job.dataPath) runtime.own.keep(job.held, job.dataPath);
  state.jobs.add(request.tenant, job);
  await startJob(job, { ...(fetchData && { data: fetchData }), ...(fetchText && { text: fetchText }) }, state, runtime);
  return jsonResponse(201, { id: job.id });
};

const listJobs: SpeechmaticsHandler = async (request, state) => {
  const { limit, include_deleted: includeDeleted, created_before: createdBefore } = request.params.query as { limit: number; include_deleted: boolean; created_before?: string };
  // The cursor has millisecond precision; finer digits are dropped, as the vendor does.
  const before = createdBefore === undefined ? Infinity : Date.parse(createdBefore.replace(/(\.\d{3})\d+/, '$1'));
  const jobs = state.jobs.list(request.tenant)
    .filter((job) => (includeDeleted || job.status !== 'deleted') && job.createdAt < before)
    .reverse()
    .sort((a, b) => b.createdAt - a.createdAt)
    .slice(0, limit);
  return jsonResponse(200, { jobs: jobs.map(jobDetails) });
};

const getJob: SpeechmaticsHandler = async (request, state, runtime) => {
  const job = findJob(state, request);
  await runtime.own.read(job.held);
  return jsonResponse(200, { job: jobDetails(unlessExpired(job, runtime, 'jobExpired')) });
};

const deleteJob: SpeechmaticsHandler = async (request, state, runtime) => {
  const job = findJob(state, request);
  const { force } = request.params.query as { force: boolean };
  if (job.status === 'running' && !force) throw smError('resourceLocked');
  await deleteJobAndFiles(job, state, runtime);
  return jsonResponse(200, { job: jobDetails(job) });
};

/** What each status lets a client download; the transcript and alignment routes share it. */
function outputsOf(job: Job, type: JobConfig['type'], runtime: SpeechmaticsRuntime): void {
  unlessExpired(job, runtime, 'fileExpired');
  if (job.config.type !== type) throw smError(type === 'transcription' ? 'notTranscription' : 'notAlignment');
  if (job.status === 'running') throw smError(type === 'transcription' ? 'transcriptionNotReady' : 'jobInProgress');
  if (job.status === 'rejected') throw smError('jobRejected', job.errors?.at(-1)?.message);
  if (job.status === 'deleted') throw smError('fileExpired');
}

const getJobTranscript: SpeechmaticsHandler = async (request, state, runtime) => {
  const job = findJob(state, request);
  const { format } = request.params.query as { format: 'json-v2' | 'txt' | 'srt' };
  outputsOf(job, 'transcription', runtime);
  if (format === 'txt' || format === 'srt') return textResponse(200, await transcriptText(job, format, state, runtime));
  return jsonResponse(200, await transcriptJson(job, state, runtime));
};

const getJobAlignment: SpeechmaticsHandler = async (request, state, runtime) => {
  const job = findJob(state, request);
  const { tags } = request.params.query as { tags: 'word_start_and_end' | 'one_per_line' };
  outputsOf(job, 'alignment', runtime);
  return textResponse(200, alignmentText(job, tags, runtime));
};

function storedFile(job: Job, runtime: SpeechmaticsRuntime): void {
  unlessExpired(job, runtime, 'fileExpired');
  if (job.status === 'deleted') throw smError('fileExpired');
}

const getJobData: SpeechmaticsHandler = async (request, state, runtime) => {
  const job = findJob(state, request);
  storedFile(job, runtime);
  if (!job.dataPath) throw smError('jobNotFound', 'the job has no media: its fetch failed');
  return { status: 200, headers: { 'content-type': 'application/octet-stream' }, body: createReadStream(job.dataPath) };
};

const getJobText: SpeechmaticsHandler = async (request, state, runtime) => {
  const job = findJob(state, request);
  storedFile(job, runtime);
  if (!job.text) throw smError('jobNotFound', 'the job has no text file');
  return textResponse(200, job.text);
};

const getUsage: SpeechmaticsHandler = async (request, state, runtime) =>
  jsonResponse(200, usageReport(state.jobs.list(request.tenant), request.params.query as { since?: string; until?: string }, runtime.clock.nowMs()));

export const HANDLERS = { createJob, listJobs, getJob, deleteJob, getJobTranscript, getJobAlignment, getJobData, getJobText, getUsage };
