// Gladia pre-recorded v2 operations, by the spec's operationIds: read the request, ask the
// model, answer. Routing, the key, body parsing and validation (400 with validation_errors),
// error bodies and contract checks happen in emulator/core.
import { createReadStream } from 'node:fs';
import type { Handler, OperationRequest } from '../../core/api-definition.ts';
import { formFile } from '../../core/request-body.ts';
import { fetchToFile, RemoteMediaError } from '../../core/remote-media.ts';
import { isFetchableUrl } from '../../core/remote-url.ts';
import { probeFile, UnreadableAudioError, type AudioInfo } from '../../engine/probe.ts';
import { glError } from './errors.ts';
import { requestIdOf, type GladiaRuntime, type Job, type JobFile, type JobsState } from './model.ts';
import { gladiaJson, jobDocument, uploadAnswer } from './outputs.ts';
import { metadataFilter, page, type ListQuery } from './listing.ts';
import { deleteJob as deleteJobAndAudio, startJob } from './processing.ts';
import type { SETTINGS } from './settings.ts';

type GladiaHandler = Handler<JobsState, typeof SETTINGS>;

const fileUrl = (origin: string) => (id: string) => `${origin}/file/${id}`;

/** Reads what the file is; a file that is not audio is refused, and goes with the request. */
async function probed(path: string): Promise<AudioInfo> {
  try {
    return await probeFile(path);
  } catch (error) {
    if (error instanceof UnreadableAudioError) throw glError('invalidAudio', error.message);
    throw error;
  }
}

const uploadAudio: GladiaHandler = async (request, _state, runtime) => {
  const { body, tenant } = request;
  if (body.kind === 'form') {
    const part = formFile(body, 'audio');
    if (!part?.path) throw glError('noAudio');
    const audio = await probed(part.path);
    const upload = runtime.uploads.register(tenant, { path: part.path, filename: part.filename, bytes: part.bytes, contentType: part.contentType, audio }, fileUrl(request.origin));
    return gladiaJson(200, uploadAnswer(upload, audio, undefined));
  }
  if (body.kind !== 'json') throw glError('noAudio');
  const url = (body.value as { audio_url: string }).audio_url;
  const known = runtime.uploads.resolve(tenant, url);
  if (known?.audio) return gladiaJson(200, uploadAnswer(known, known.audio, known.source));
  // Downloaded over http or https only: a file:// URL names nothing Gladia can fetch.
  if (!isFetchableUrl(url)) throw glError('badAudioUrl');
  const path = runtime.files.newPath('fetched');
  try {
    const { bytes } = await fetchToFile(url, {}, path, { maxBytes: runtime.settings['max-upload-mb'], outbound: runtime.fetchPolicy });
    const audio = await probed(path);
    const filename = decodeURIComponent(new URL(url).pathname.split('/').pop() ?? '') || 'audio';
    const upload = runtime.uploads.register(tenant, { path, filename, bytes, contentType: 'application/octet-stream', audio, source: url }, fileUrl(request.origin));
    return gladiaJson(200, uploadAnswer(upload, audio, url));
  } catch (error) {
    await runtime.files.remove(path);
    if (error instanceof RemoteMediaError) throw glError('audioUnavailable', `audio_url could not be downloaded: ${error.reason}`);
    throw error;
  }
};

/**
 * An `audio_url` on this emulator must name one of the caller's uploads; any other URL is fetched
 * later. One on this emulator that is not the caller's is refused the same whether another key
 * uploaded it or nobody did: the answer must not tell a key which upload ids exist.
 */
function audioFor(request: OperationRequest, url: string, runtime: GladiaRuntime): { file: JobFile } | { remoteUrl: string } {
  const upload = runtime.uploads.resolve(request.tenant, url);
  if (upload) return { file: { id: upload.id, uploadId: upload.id, filename: upload.filename, source: upload.source ?? null, path: upload.path, contentType: upload.contentType, ...(upload.audio && { audio: upload.audio }) } };
  const ours = (() => {
    try {
      const target = new URL(url);
      return target.origin === request.origin && target.pathname.startsWith('/file/');
    } catch {
      return false;
    }
  })();
  if (ours) throw glError('audioUnavailable', `audio_url names no file of this key: ${url}`);
  if (!isFetchableUrl(url)) throw glError('badAudioUrl');
  return { remoteUrl: url };
}

const createPreRecordedJob: GladiaHandler = async (request, state, runtime) => {
  if (request.body.kind !== 'json') throw glError('noAudio');
  const { custom_metadata: customMetadata, ...requestParams } = request.body.value as Record<string, unknown>;
  const audio = audioFor(request, requestParams.audio_url as string, runtime);
  const id = runtime.random.uuid();
  const job: Job = {
    id, tenant: request.tenant, requestId: requestIdOf(id), status: 'queued', createdAt: runtime.clock.nowMs(),
    customMetadata: (customMetadata as Record<string, unknown> | undefined) ?? null, requestParams, held: {},
    ...audio,
  };
  state.jobs.add(request.tenant, job);
  startJob(job, state, runtime);
  return gladiaJson(201, { id, result_url: `${request.origin}/v2/pre-recorded/${id}` });
};

const listPreRecordedJobs: GladiaHandler = async (request, state, runtime) => {
  const found = page(state.jobs.list(request.tenant), request.params.query as unknown as ListQuery, metadataFilter(request.query), `${request.origin}/v2/pre-recorded`);
  const items = await Promise.all(found.jobs.map((job) => jobDocument(job, state, runtime, { listItem: true })));
  return gladiaJson(200, { first: found.first, current: found.current, next: found.next, items });
};

function findJob(state: JobsState, request: OperationRequest): Job {
  const id = request.pathParams.id ?? '';
  const job = state.jobs.get(request.tenant, id);
  if (!job) throw glError('jobNotFound', id);
  return job;
}

const getPreRecordedJob: GladiaHandler = async (request, state, runtime) => {
  const job = findJob(state, request);
  await runtime.own.read(job.held);
  return gladiaJson(200, await jobDocument(job, state, runtime));
};

const deletePreRecordedJob: GladiaHandler = async (request, state, runtime) => {
  const job = findJob(state, request);
  if (job.status === 'queued' || job.status === 'processing') throw glError('notDeletable', `${job.id} is ${job.status}`);
  await deleteJobAndAudio(job, state, runtime);
  return { status: 202, headers: {} };
};

/** The original bytes, with their type when it is an audio or video type (else octet-stream). */
const getPreRecordedJobFile: GladiaHandler = async (request, state) => {
  const job = findJob(state, request);
  if (!job.file?.path) throw glError('fileNotFound', job.id);
  const type = /^(audio|video)\/[\w.+-]+$/i.test(job.file.contentType) ? job.file.contentType : 'application/octet-stream';
  return { status: 200, headers: { 'content-type': type }, body: createReadStream(job.file.path) };
};

export const HANDLERS = { uploadAudio, createPreRecordedJob, listPreRecordedJobs, getPreRecordedJob, deletePreRecordedJob, getPreRecordedJobFile };
