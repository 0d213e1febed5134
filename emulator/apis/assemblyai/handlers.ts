// AssemblyAI operations, by the spec's operationIds: read the request, ask the model, answer.
// Routing, the raw-key `authorization`, body parsing and validation (`{error}` on 400), and
// contract checks happen in emulator/core.
import { jsonResponse, textResponse } from '../../core/http-types.ts';
import { isFetchableUrl } from '../../core/remote-url.ts';
import type { Handler, OperationRequest } from '../../core/api-definition.ts';
import { aaiError } from './errors.ts';
import { page, type ListQuery } from './listing.ts';
import type { AssemblyAiRuntime, TranscriptJob, TranscriptsState } from './model.ts';
import { listItem, paragraphsOfJob, sentencesOfJob, subtitlesOfJob, transcriptDocument, wordSearch } from './outputs.ts';
import { deleteTranscript as deleteAndForget, startTranscript } from './processing.ts';
import type { SETTINGS } from './settings.ts';
import { transcribeClip, type StreamRequest } from './stream.ts';

type AssemblyAiHandler = Handler<TranscriptsState, typeof SETTINGS>;

const createStreamTranscript: AssemblyAiHandler = async (request, _state, runtime) => {
  if (request.body.kind !== 'json') throw aaiError('badStream', 'audio_data is required');
  return jsonResponse(200, await transcribeClip(request.body.value as StreamRequest, runtime));
};

const uploadFile: AssemblyAiHandler = async (request, _state, runtime) => {
  if (request.body.kind !== 'file' || request.body.file.bytes === 0) throw aaiError('emptyUpload');
  const { file } = request.body;
  const upload = runtime.uploads.register(request.tenant, { path: file.path, filename: 'upload', bytes: file.bytes, contentType: file.contentType }, (id) => `${request.origin}/upload/${id}`);
  return jsonResponse(200, { upload_url: upload.url });
};

/**
 * An upload URL must be the caller's; any other URL is fetched when processing starts. An upload
 * URL on this emulator that is not the caller's is refused the same whether another key uploaded
 * it or nobody did: the answer must not tell a key which upload ids exist.
 */
function audioFor(request: OperationRequest, url: string, runtime: AssemblyAiRuntime): Partial<TranscriptJob> {
  const upload = runtime.uploads.resolve(request.tenant, url);
  if (upload) return { uploadId: upload.id, path: upload.path };
  if (isUploadPath(url, request.origin)) throw aaiError('foreignUpload');
  // Audio is downloaded over http or https only: a file:// URL names nothing on the internet.
  if (!isFetchableUrl(url)) throw aaiError('badAudioUrl');
  return { remoteUrl: url };
}

/** Whether the URL names an upload on this emulator, as the client reaches it (`<origin>/upload/...`). */
function isUploadPath(url: string, origin: string): boolean {
  try {
    const target = new URL(url);
    return target.origin === origin && target.pathname.startsWith('/upload/');
  } catch {
    return false;
  }
}

const createTranscript: AssemblyAiHandler = async (request, state, runtime) => {
  if (request.body.kind !== 'json') throw aaiError('badStream', 'audio_url is required');
  const params = request.body.value as Record<string, unknown>;
  const job: TranscriptJob = {
    id: runtime.random.uuid(), tenant: request.tenant, status: 'queued', createdAt: runtime.clock.nowMs(), params, held: {},
    ...audioFor(request, params.audio_url as string, runtime),
  };
  state.transcripts.add(request.tenant, job);
  startTranscript(job, state, runtime);
  return jsonResponse(200, await transcriptDocument(job, state, runtime));
};

const listTranscripts: AssemblyAiHandler = async (request, state) => {
  const found = page(state.transcripts.list(request.tenant), request.params.query as unknown as ListQuery, `${request.origin}/v2/transcript`);
  return jsonResponse(200, {
    page_details: { limit: (request.params.query as { limit: number }).limit, result_count: found.jobs.length, current_url: found.current, prev_url: found.prev, next_url: found.next },
    transcripts: found.jobs.map((job) => listItem(job, request.origin)),
  });
};

function findTranscript(state: TranscriptsState, request: OperationRequest): TranscriptJob {
  const job = state.transcripts.get(request.tenant, request.pathParams.transcript_id ?? '');
  if (!job) throw aaiError('notFound');
  return job;
}

const getTranscript: AssemblyAiHandler = async (request, state, runtime) => {
  const job = findTranscript(state, request);
  await runtime.own.read(job.held);
  return jsonResponse(200, await transcriptDocument(job, state, runtime));
};

const deleteTranscript: AssemblyAiHandler = async (request, state, runtime) => {
  const job = findTranscript(state, request);
  if (job.status === 'queued' || job.status === 'processing') throw aaiError('stillProcessing');
  await deleteAndForget(job, state, runtime);
  return jsonResponse(200, await transcriptDocument(job, state, runtime));
};

/** The read-outs exist only for a completed transcript that is not deleted. */
function completed(state: TranscriptsState, request: OperationRequest): TranscriptJob {
  const job = findTranscript(state, request);
  if (job.status !== 'completed' || job.deleted) throw aaiError('notCompleted', job.deleted ? 'deleted' : job.status);
  return job;
}

const getTranscriptSentences: AssemblyAiHandler = async (request, state, runtime) => jsonResponse(200, await sentencesOfJob(completed(state, request), state, runtime));

const getTranscriptParagraphs: AssemblyAiHandler = async (request, state, runtime) => jsonResponse(200, await paragraphsOfJob(completed(state, request), state, runtime));

const getSubtitles: AssemblyAiHandler = async (request, state, runtime) => {
  const job = completed(state, request);
  const { chars_per_caption: chars } = request.params.query as { chars_per_caption?: number };
  return textResponse(200, await subtitlesOfJob(job, request.pathParams.subtitle_format as 'srt' | 'vtt', chars, state, runtime));
};

const wordSearchHandler: AssemblyAiHandler = async (request, state, runtime) => {
  const job = completed(state, request);
  const given = (request.params.query as { words: string | string[] }).words;
  const keywords = (Array.isArray(given) ? given : [given]).flatMap((w) => w.split(',')).map((w) => w.trim()).filter(Boolean);
  return jsonResponse(200, await wordSearch(job, keywords, state, runtime));
};

export const HANDLERS = {
  createStreamTranscript, uploadFile, createTranscript, listTranscripts, getTranscript, deleteTranscript,
  getTranscriptSentences, getTranscriptParagraphs, getSubtitles, wordSearch: wordSearchHandler,
};
