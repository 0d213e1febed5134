// The add-on's result, POSTed to the request's callback_url as multipart/form-data with HTTP
// basic auth (the `callback-auth` setting) and Cadence's User-Agent: `request_sid`, `status`
// ok | error, `message`, and the requested file on success. Non-2xx answers and network
// errors are retried on the clock; every attempt is recorded (GET /__emulator/callbacks).
import type { RetryPolicy } from '../../core/callbacks.ts';
import { encodeMultipart, type FormField } from '../../../openapi/multipart-encoding.ts';
import type { AddonRequest, CadenceRuntime } from './model.ts';

export const CALLBACK_RETRIES: RetryPolicy = { retryAfterSeconds: [10, 60, 300] };
export const CALLBACK_USER_AGENT = 'cadencetranscription/v/0.1';

export type AddonOutcome =
  | { status: 'ok'; file: { field: 'transcription' | 'translation'; filename: string; contentType: string; bytes: Buffer } }
  | { status: 'error'; message: string };

export function sendAddonCallback(addon: AddonRequest, outcome: AddonOutcome, runtime: CadenceRuntime): void {
  const fields: FormField[] = [
    { name: 'request_sid', value: addon.id },
    { name: 'status', value: outcome.status },
    { name: 'message', value: outcome.status === 'error' ? outcome.message : '' },
  ];
  if (outcome.status === 'ok') fields.push({ name: outcome.file.field, value: outcome.file.bytes, filename: outcome.file.filename, contentType: outcome.file.contentType });
  const boundary = `cadence-${runtime.random.hex(24)}`;
  runtime.callbacks.send(
    {
      api: 'cadence',
      resourceId: addon.id,
      url: addon.callbackUrl,
      method: 'POST',
      headers: {
        'content-type': `multipart/form-data; boundary=${boundary}`,
        ...(runtime.settings['callback-auth'] && { authorization: `Basic ${Buffer.from(runtime.settings['callback-auth']).toString('base64')}` }),
        'user-agent': CALLBACK_USER_AGENT,
      },
      body: encodeMultipart(fields, boundary),
    },
    CALLBACK_RETRIES,
  );
}
