// When a transcript completes or fails, `webhook_url` gets a JSON POST
// `{transcript_id, status}`, with `webhook_auth_header_name: webhook_auth_header_value` when
// given. The receiver's status is kept as `webhook_status_code`; failures are retried on the
// clock and every attempt is recorded, as for every callback.
import type { RetryPolicy } from '../../core/callbacks.ts';
import type { AssemblyAiRuntime, TranscriptJob } from './model.ts';

export const WEBHOOK_RETRIES: RetryPolicy = { retryAfterSeconds: [10, 60, 300] };

export function sendWebhook(job: TranscriptJob, runtime: AssemblyAiRuntime): void {
  const { webhook_url: url, webhook_auth_header_name: name, webhook_auth_header_value: value } = job.params as Record<string, string | undefined>;
  if (typeof url !== 'string') return;
  const body = Buffer.from(JSON.stringify({ transcript_id: job.id, status: job.status }));
  runtime.callbacks.send(
    { api: 'assemblyai', resourceId: job.id, url, method: 'POST', headers: { 'content-type': 'application/json', ...(name && value !== undefined && { [name.toLowerCase()]: value }) }, body },
    WEBHOOK_RETRIES,
    undefined,
    (attempt) => {
      if (attempt.status !== null) job.webhookStatusCode = attempt.status;
    },
  );
}
