// A job's outcome sent where it asked: `callback: true` with `callback_config {url, method}`
// (POST by default, or PUT), or the deprecated `callback_url` (always POST); the current
// option wins when both are given. JSON bodies: `transcription.success` with the result as
// `payload`, or `transcription.error` with `{code, message}`. Neither source documents
// retries; any 2xx is delivered, anything else is retried on the clock and recorded.
import type { RetryPolicy } from '../../core/callbacks.ts';
import type { GladiaRuntime, Job, JobsState } from './model.ts';
import { resultOf } from './outputs.ts';

export const CALLBACK_RETRIES: RetryPolicy = { retryAfterSeconds: [10, 60, 300] };

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Where and how the job asked to be told, if it did. */
export function callbackTarget(params: Record<string, unknown>): { url: string; method: 'POST' | 'PUT' } | undefined {
  const config = isRecord(params.callback_config) ? params.callback_config : {};
  if (params.callback === true && typeof config.url === 'string') return { url: config.url, method: config.method === 'PUT' ? 'PUT' : 'POST' };
  if (typeof params.callback_url === 'string') return { url: params.callback_url, method: 'POST' };
  return undefined;
}

export async function sendCallback(job: Job, state: JobsState, runtime: GladiaRuntime): Promise<void> {
  const target = callbackTarget(job.requestParams);
  if (!target) return;
  const body = job.status === 'done'
    ? { id: job.id, event: 'transcription.success', payload: await resultOf(job, state, runtime), custom_metadata: job.customMetadata }
    : { id: job.id, event: 'transcription.error', error: job.error, custom_metadata: job.customMetadata };
  runtime.callbacks.send(
    { api: 'gladia', resourceId: job.id, url: target.url, method: target.method, headers: { 'content-type': 'application/json' }, body: Buffer.from(JSON.stringify(body)) },
    CALLBACK_RETRIES,
  );
}
