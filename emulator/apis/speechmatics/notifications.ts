// Speechmatics notifications: when a job finishes, each notification_config entry (up to
// three, in parallel) is called at `url?id=<job>&status=success|error` with the body its
// `contents` asks for, the vendor's User-Agent and the caller's auth_headers. Failures are
// retried; after the last one the job records "Sending notification failed" and stays done.
import { readFileSync } from 'node:fs';
import type { RetryPolicy } from '../../core/callbacks.ts';
import { encodeMultipart } from '../../../openapi/multipart-encoding.ts';
import { alignmentText, jobInfo, transcriptJson, transcriptText } from './outputs.ts';
import { addError, type Job, type JobsState, type SpeechmaticsRuntime } from './model.ts';
import { parseAuthHeaders } from './auth-headers.ts';

export interface NotificationConfig {
  url: string;
  contents?: string[];
  method?: 'post' | 'put';
  auth_headers?: string[];
}

/** The vendor's example shows four attempts over about 66 seconds. */
export const NOTIFICATION_RETRIES: RetryPolicy = { retryAfterSeconds: [6, 26, 66] };

const USER_AGENT = 'Speechmatics-API/2.0';

interface Item {
  name: string;
  type: string;
  data: Buffer;
  filename: string;
}

/** One item of `contents`, or nothing when the job has no such output (e.g. on failure). */
async function item(name: string, job: Job, state: JobsState, runtime: SpeechmaticsRuntime): Promise<Item | undefined> {
  const done = job.status === 'done';
  const transcription = done && job.config.type === 'transcription';
  const alignment = done && job.config.type === 'alignment';
  const normalised = name.replace(':', '.');
  const text = (data: string, filename: string): Item => ({ name, type: 'text/plain; charset=utf-8', data: Buffer.from(data), filename });
  switch (normalised) {
    case 'jobinfo':
      return { name, type: 'application/json', data: Buffer.from(JSON.stringify(jobInfo(job))), filename: 'jobinfo.json' };
    case 'transcript':
    case 'transcript.json-v2':
      return transcription ? { name, type: 'application/json', data: Buffer.from(JSON.stringify(await transcriptJson(job, state, runtime))), filename: `${job.id}.json` } : undefined;
    case 'transcript.txt':
      return transcription ? text(await transcriptText(job, 'txt', state, runtime), `${job.id}.txt`) : undefined;
    case 'transcript.srt':
      return transcription ? text(await transcriptText(job, 'srt', state, runtime), `${job.id}.srt`) : undefined;
    case 'alignment':
    case 'alignment.word_start_and_end':
      return alignment ? text(alignmentText(job, 'word_start_and_end', runtime), `${job.id}.txt`) : undefined;
    case 'alignment.one_per_line':
      return alignment ? text(alignmentText(job, 'one_per_line', runtime), `${job.id}.txt`) : undefined;
    case 'data':
      // Attaching the media reads it whole; the vendor allows it, and it is rare.
      return job.dataPath ? { name, type: 'application/octet-stream', data: readFileSync(job.dataPath), filename: job.dataName || 'data' } : undefined;
    case 'text':
      return job.text ? text(job.text.toString('utf8'), job.textName ?? 'text.txt') : undefined;
    default:
      return undefined;
  }
}

function multipart(items: Item[], boundary: string): Buffer {
  return encodeMultipart(items.map((it) => ({ name: it.name, value: it.data, filename: it.filename, contentType: it.type })), boundary);
}

/** The body rules: none, one JSON or text item as is, or a multipart of named attachments. */
async function body(config: NotificationConfig, job: Job, state: JobsState, runtime: SpeechmaticsRuntime): Promise<{ body?: Buffer; type?: string }> {
  const boundary = `speechmatics-${job.id}`;
  if (config.contents === undefined) {
    // Without `contents`, the transcript goes as an attachment named data_file.
    const transcript = (await item('transcript.json-v2', job, state, runtime)) ?? (await item('jobinfo', job, state, runtime))!;
    return { body: multipart([{ ...transcript, name: 'data_file' }], boundary), type: `multipart/form-data; boundary=${boundary}` };
  }
  const items: Item[] = [];
  for (const name of config.contents) {
    const found = await item(name, job, state, runtime);
    if (found) items.push(found);
  }
  if (items.length === 0) return {};
  if (config.contents.length === 1 && !config.contents.includes('data')) return { body: items[0]!.data, type: items[0]!.type };
  return { body: multipart(items, boundary), type: `multipart/form-data; boundary=${boundary}` };
}

export async function sendNotifications(job: Job, state: JobsState, runtime: SpeechmaticsRuntime): Promise<void> {
  const configs = (job.config.notification_config ?? []) as NotificationConfig[];
  for (const config of configs.slice(0, 3)) {
    let url: URL;
    try {
      url = new URL(config.url);
    } catch {
      // The spec types the url as any string; one that is no URL cannot be delivered to, as on the real service.
      continue;
    }
    url.searchParams.set('id', job.id);
    url.searchParams.set('status', job.status === 'done' ? 'success' : (job.rejection?.notify ?? 'error'));
    const { body: payload, type } = await body(config, job, state, runtime);
    runtime.callbacks.send(
      {
        api: 'speechmatics',
        resourceId: job.id,
        url: url.toString(),
        method: config.method === 'put' ? 'PUT' : 'POST',
        headers: { 'user-agent': USER_AGENT, ...parseAuthHeaders(config.auth_headers), ...(type && { 'content-type': type }) },
        ...(payload && { body: payload }),
      },
      NOTIFICATION_RETRIES,
      () => addError(job, { timestamp: runtime.clock.now().toISOString(), message: 'Sending notification failed' }),
    );
  }
}
