// Speechmatics batch operations, by the spec's operationIds. Business logic only: routing,
// auth, error rendering and contract checks happen in emulator/core.
import { createReadStream, createWriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseMultipart, MalformedBodyError, type FormData } from '../../core/multipart.ts';
import { jsonResponse } from '../../core/http-types.ts';
import type { ValidateFunction } from '../../../openapi/schemas.ts';
import { describeErrors } from '../../../openapi/schemas.ts';
import type { Handler, OperationRequest, Runtime } from '../../core/stateful.ts';
import { probeFile, UnreadableAudioError } from '../../engine/probe.ts';
import { renderSrt, renderTxt } from '../../engine/render/speechmatics.ts';
import type { EnrichmentRequest } from '../../engine/enrich.ts';
import { smError } from './errors.ts';
import { sendNotifications } from './notifications.ts';
import { alignmentText, isoMs, transcriptJson } from './outputs.ts';
import { parseAuthHeaders } from './auth-headers.ts';
import { MINIMUM_PROCESSING_SECONDS, processingSeconds, tenantJobs, transition, type Job, type JobConfig, type JobsState } from './jobs.ts';

function details(job: Job): Record<string, unknown> {
  return {
    created_at: isoMs(job.createdAt),
    data_name: job.dataName,
    ...(job.textName !== undefined && { text_name: job.textName }),
    ...(job.audio && { duration: Math.round(job.audio.durationSeconds) }),
    id: job.id,
    status: job.status,
    config: job.config,
    ...(job.config.tracking && { tracking: job.config.tracking }),
    ...(job.errors.length > 0 && { errors: job.errors }),
  };
}

function findJob(state: JobsState, request: OperationRequest): Job {
  const job = tenantJobs(state, request.tenant).get(request.pathParams.jobid ?? '');
  if (!job) throw smError('jobNotFound');
  return job;
}

/**
 * An expired job is gone: the API reference answers 410 (Job Expired for the job, File
 * Expired for its files); the retention docs describe 404. `expiredStatus` picks one.
 */
function unlessExpired(job: Job, runtime: Runtime, kind: 'jobExpired' | 'fileExpired'): Job {
  if (job.status !== 'expired') return job;
  throw runtime.settings.expiredStatus === 404 ? smError('jobNotFound', 'The job has expired.') : smError(kind);
}

function enrichmentRequest(config: JobConfig): EnrichmentRequest {
  const has = (key: string) => config[key] !== undefined && config[key] !== null;
  const translation = config.translation_config as { target_languages?: string[] } | undefined;
  return {
    ...(translation?.target_languages?.length && { translate: translation.target_languages }),
    summary: has('summarization_config'),
    sentiment: has('sentiment_analysis_config'),
    topics: has('topic_detection_config'),
    chapters: has('auto_chapters_config'),
    audioEvents: has('audio_events_config'),
    languageIdentification: has('language_identification_config'),
  };
}

async function readForm(request: OperationRequest, runtime: Runtime): Promise<FormData> {
  const contentType = request.headers['content-type'] ?? '';
  if (!/^multipart\/form-data/i.test(contentType)) throw smError('malformedRequest', 'the body must be multipart/form-data');
  try {
    return await parseMultipart(contentType, request.stream ?? request.body, runtime.files, { maxFileBytes: runtime.settings.maxUploadBytes });
  } catch (error) {
    if (error instanceof MalformedBodyError) throw smError('malformedRequest', error.message);
    throw error;
  }
}

async function readConfig(form: FormData, validateConfig: ValidateFunction): Promise<JobConfig> {
  const asFile = form.files.config?.[0]?.path;
  const raw = form.fields.config?.[0] ?? (asFile ? await readFile(asFile, 'utf8') : undefined);
  if (raw === undefined) throw smError('malformedRequest', 'config part is required');
  let config: unknown;
  try {
    config = JSON.parse(raw);
  } catch {
    throw smError('jobConfigInvalid', 'Job config JSON is invalid');
  }
  if (!validateConfig(config)) throw smError('jobConfigInvalid', `Job config does not match the schema: ${describeErrors(validateConfig.errors)}`);
  return config as JobConfig;
}

/** Runs at the job's due time: the engine's words, or rejection with the reason in errors[]. */
async function process(job: Job, runtime: Runtime): Promise<void> {
  if (job.status !== 'running') return;
  const now = runtime.clock.nowMs();
  if (job.rejection || !job.audio) {
    job.errors.push({ timestamp: isoMs(now), message: job.rejection?.message ?? 'Job rejected due to invalid audio' });
    transition(job, 'rejected');
    job.finishedAt = now;
    sendNotifications(job, runtime);
    return;
  }
  if (job.config.type === 'alignment') {
    job.alignment = runtime.engine.align(job.text!.toString('utf8'), job.audio);
  } else {
    const config = job.config.transcription_config!;
    job.transcript = await runtime.engine.transcribe({ audio: job.audio, path: job.dataPath, language: config.language, diarization: config.diarization ?? 'none' });
    job.enrichments = runtime.engine.enrich(job.transcript, enrichmentRequest(job.config));
  }
  transition(job, 'done');
  job.finishedAt = now;
  job.billable = true;
  sendNotifications(job, runtime);
  job.steps.push(runtime.clock.after(runtime.settings.retentionSeconds * 1000, `speechmatics ${job.id} expires`, () => {
    if (job.status !== 'done') return;
    transition(job, 'expired');
    void runtime.files.remove(job.dataPath);
  }));
}

interface FetchConfig {
  url: string;
  auth_headers?: string[];
}

const createJob = (validateConfig: ValidateFunction): Handler<JobsState> => async (request, state, runtime) => {
  const form = await readForm(request, runtime);
  try {
    return await startJob(form, request, state, runtime, validateConfig);
  } finally {
    // Parts the job did not keep (a refused request, a config sent as a file) go now.
    for (const file of Object.values(form.files).flat()) {
      if (![...tenantJobs(state, request.tenant).values()].some((job) => job.dataPath === file.path)) await runtime.files.remove(file.path);
    }
  }
};

async function startJob(form: FormData, request: OperationRequest, state: JobsState, runtime: Runtime, validateConfig: ValidateFunction) {
  const config = await readConfig(form, validateConfig);
  const dataFile = form.files.data_file?.[0];
  const textFile = form.files.text_file?.[0];
  const fetchData = config.fetch_data as FetchConfig | undefined;
  const fetchText = config.fetch_text as FetchConfig | undefined;
  if (dataFile && fetchData) throw smError('malformedRequest', 'give data_file or fetch_data, not both');
  if (textFile && fetchText) throw smError('malformedRequest', 'give text_file or fetch_text, not both');
  if (!dataFile && !fetchData) throw smError('missingDataFile');
  if (config.type === 'alignment' && !textFile && !fetchText) throw smError('missingTextFile');

  const job: Job = {
    id: runtime.random.alnum(10),
    tenant: request.tenant,
    createdAt: runtime.clock.nowMs(),
    status: 'running',
    config,
    // A fetched file has no name until the vendor has it: the docs show "".
    dataName: dataFile?.filename ?? '',
    ...(config.type === 'alignment' && { textName: textFile?.filename ?? '' }),
    ...(textFile?.path && { text: await readFile(textFile.path) }),
    ...(dataFile?.path && { dataPath: dataFile.path }),
    errors: [],
    steps: [],
  };
  tenantJobs(state, request.tenant).set(job.id, job);
  if (fetchData || fetchText) {
    job.steps.push(runtime.clock.after(0, `speechmatics ${job.id} fetches its inputs`, () => fetchInputs(job, fetchData, fetchText, runtime)));
  } else {
    await prepare(job, runtime);
  }
  return jsonResponse(201, { id: job.id });
}

/** Reads what the job was given and schedules its end: done, or rejected with the reason. */
async function prepare(job: Job, runtime: Runtime): Promise<void> {
  try {
    job.audio = await probeFile(job.dataPath!);
  } catch (error) {
    if (!(error instanceof UnreadableAudioError)) throw error;
    job.rejection = { message: 'Job rejected due to invalid audio', notify: 'error' };
  }
  if (!job.rejection && job.text && !isUtf8(job.text)) job.rejection = { message: 'Job rejected due to invalid text', notify: 'error' };
  const seconds = job.audio && !job.rejection ? processingSeconds(job.audio.durationSeconds, runtime.settings.realTimeFactor) : MINIMUM_PROCESSING_SECONDS;
  job.steps.push(runtime.clock.after(seconds * 1000, `speechmatics ${job.id} finishes`, () => process(job, runtime)));
}

async function fetchInputs(job: Job, data: FetchConfig | undefined, text: FetchConfig | undefined, runtime: Runtime): Promise<void> {
  if (job.status !== 'running') return;
  try {
    if (data) {
      job.dataPath = runtime.files.newPath('fetched');
      await fetchFile(data, 'audio', job.dataPath);
    }
    if (text) {
      const path = runtime.files.newPath('fetched-text');
      await fetchFile(text, 'text', path);
      job.text = await readFile(path);
      await runtime.files.remove(path);
    }
  } catch (error) {
    job.rejection = { message: (error as Error).message, notify: 'fetch_error' };
    await process(job, runtime);
    return;
  }
  await prepare(job, runtime);
}

/** A real GET, with the caller's auth headers, streamed to disk like an upload. */
async function fetchFile(config: FetchConfig, what: string, path: string): Promise<void> {
  let response: Response;
  try {
    response = await fetch(config.url, { headers: parseAuthHeaders(config.auth_headers), signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause;
    throw new Error(`unable to fetch ${what}: ${cause?.code ?? (error as Error).message}`);
  }
  if (!response.ok || !response.body) throw new Error(`unable to fetch ${what}: http status ${response.status}`);
  await pipeline(Readable.fromWeb(response.body as never), createWriteStream(path));
}

const FETCH_TIMEOUT_MS = 60_000;

function isUtf8(bytes: Buffer): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

const listJobs: Handler<JobsState> = async (request, state) => {
  const { limit, include_deleted: includeDeleted, created_before: createdBefore } = request.params.query as { limit: number; include_deleted: boolean; created_before?: string };
  // The cursor has millisecond precision; finer digits are dropped, as the vendor does.
  const before = createdBefore === undefined ? Infinity : Date.parse(createdBefore.replace(/(\.\d{3})\d+/, '$1'));
  const jobs = [...tenantJobs(state, request.tenant).values()]
    .filter((job) => (includeDeleted || job.status !== 'deleted') && job.createdAt < before)
    .reverse()
    .sort((a, b) => b.createdAt - a.createdAt)
    .slice(0, limit);
  return jsonResponse(200, { jobs: jobs.map(details) });
};

const getJob: Handler<JobsState> = async (request, state, runtime) => jsonResponse(200, { job: details(unlessExpired(findJob(state, request), runtime, 'jobExpired')) });

const deleteJob: Handler<JobsState> = async (request, state, runtime) => {
  const job = findJob(state, request);
  const { force } = request.params.query as { force: boolean };
  if (job.status === 'running' && !force) throw smError('resourceLocked');
  if (job.status !== 'deleted') {
    for (const step of job.steps) runtime.clock.cancel(step);
    transition(job, 'deleted');
    await runtime.files.remove(job.dataPath);
  }
  return jsonResponse(200, { job: details(job) });
};

/** What each status lets a client download; the transcript and alignment routes share it. */
function outputsOf(job: Job, type: JobConfig['type'], runtime: Runtime): void {
  unlessExpired(job, runtime, 'fileExpired');
  if (job.config.type !== type) throw smError(type === 'transcription' ? 'notTranscription' : 'notAlignment');
  if (job.status === 'running') throw smError(type === 'transcription' ? 'transcriptionNotReady' : 'jobInProgress');
  if (job.status === 'rejected') throw smError('jobRejected', job.errors.at(-1)?.message);
  if (job.status === 'deleted') throw smError('fileExpired');
}

const getJobTranscript: Handler<JobsState> = async (request, state, runtime) => {
  const job = findJob(state, request);
  const { format } = request.params.query as { format: 'json-v2' | 'txt' | 'srt' };
  outputsOf(job, 'transcription', runtime);
  const transcript = job.transcript!;
  if (format === 'txt') return { status: 200, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: renderTxt(transcript, { diarization: transcript.diarization }) };
  if (format === 'srt') return { status: 200, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: renderSrt(transcript, job.config.output_config?.srt_overrides) };
  return jsonResponse(200, transcriptJson(job, runtime));
};

const getJobAlignment: Handler<JobsState> = async (request, state, runtime) => {
  const job = findJob(state, request);
  const { tags } = request.params.query as { tags: 'word_start_and_end' | 'one_per_line' };
  outputsOf(job, 'alignment', runtime);
  return { status: 200, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: alignmentText(job, tags) };
};

function storedFile(job: Job, runtime: Runtime): void {
  unlessExpired(job, runtime, 'fileExpired');
  if (job.status === 'deleted') throw smError('fileExpired');
}

const getJobData: Handler<JobsState> = async (request, state, runtime) => {
  const job = findJob(state, request);
  storedFile(job, runtime);
  if (!job.dataPath) throw smError('jobNotFound', 'the job has no media: its fetch failed');
  return { status: 200, headers: { 'content-type': 'application/octet-stream' }, body: createReadStream(job.dataPath) };
};

const getJobText: Handler<JobsState> = async (request, state, runtime) => {
  const job = findJob(state, request);
  storedFile(job, runtime);
  if (!job.text) throw smError('jobNotFound', 'the job has no text file');
  return { status: 200, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: job.text };
};

const DAY = 24 * 3600 * 1000;
const dayStart = (ms: number) => Math.floor(ms / DAY) * DAY;

/** Usage counts successfully processed jobs by UTC day, excluding today; deleting does not reduce it. */
const getUsage: Handler<JobsState> = async (request, state, runtime) => {
  const query = request.params.query as { since?: string; until?: string };
  const parseDay = (name: 'since' | 'until') => (query[name] === undefined ? undefined : Date.parse(`${query[name]}T00:00:00Z`));
  const billable = [...tenantJobs(state, request.tenant).values()].filter((j) => j.billable && j.finishedAt !== undefined);
  const today = dayStart(runtime.clock.nowMs());
  const since = parseDay('since') ?? (billable.length ? dayStart(Math.min(...billable.map((j) => j.createdAt))) : today - DAY);
  const untilDay = Math.min(parseDay('until') ?? today - DAY, today - DAY);
  const until = untilDay + DAY - 1000;
  const counted = billable.filter((j) => j.finishedAt! >= since && j.finishedAt! <= until);
  const key = (j: Job, withDetails: boolean) => {
    const language = j.config.transcription_config?.language ?? j.config.alignment_config?.language;
    const operatingPoint = j.config.transcription_config?.operating_point ?? 'standard';
    return JSON.stringify(withDetails ? [j.config.type, language, j.config.type === 'transcription' ? operatingPoint : undefined] : [j.config.type]);
  };
  const group = (withDetails: boolean) => {
    const groups = new Map<string, { jobs: Job[] }>();
    for (const j of counted) (groups.get(key(j, withDetails)) ?? groups.set(key(j, withDetails), { jobs: [] }).get(key(j, withDetails))!).jobs.push(j);
    return [...groups].map(([k, { jobs }]) => {
      const [type, language, operatingPoint] = JSON.parse(k) as [string, string?, string?];
      return {
        mode: 'batch',
        type,
        ...(withDetails && language && { language }),
        ...(withDetails && operatingPoint && { operating_point: operatingPoint }),
        count: jobs.length,
        duration_hrs: Math.round((jobs.reduce((s, j) => s + (j.audio?.durationSeconds ?? 0), 0) / 3600) * 1e6) / 1e6,
      };
    });
  };
  return jsonResponse(200, { since: isoMs(since).replace('.000Z', 'Z'), until: isoMs(until).replace('.000Z', 'Z'), summary: group(false), details: group(true) });
};

export function speechmaticsHandlers(validateConfig: ValidateFunction): Record<string, Handler<JobsState>> {
  return {
    createJob: createJob(validateConfig),
    listJobs,
    getJob,
    deleteJob,
    getJobTranscript,
    getJobAlignment,
    getJobData,
    getJobText,
    getUsage,
  };
}
