// What Cadence checks beyond the spec's security schemes, once the body is read: a booking's
// `api_token` is the Bearer key again (both accepted, and the same); an add-on request, when
// a Twilio auth token is set, carries a valid X-Twilio-Signature over its URL and text fields.
import type { ApiError } from '../../core/api-error.ts';
import type { OperationRequest } from '../../core/api-definition.ts';
import { cadenceError } from './errors.ts';
import type { CadenceRuntime } from './model.ts';
import { verifyTwilioSignature } from './twilio-signature.ts';

/** The URL as the client sent it: Twilio signs exactly that. */
function requestUrl(request: OperationRequest): string {
  const query = new URLSearchParams(Object.entries(request.query).flatMap(([name, value]) => [value].flat().map((v) => [name, v] as [string, string]))).toString();
  return `${request.origin}${request.path}${query ? `?${query}` : ''}`;
}

export function authorizeCadence(request: OperationRequest, runtime: CadenceRuntime): ApiError | undefined {
  if (request.operationId === 'createJob' && request.body.kind === 'json') {
    const token = (request.body.value as { api_token?: unknown }).api_token;
    if (token !== request.tenant) return cadenceError('unauthorized', 'The api_token in the body is not the API key in the Authorization header.');
  }
  const authToken = runtime.settings['twilio-auth-token'];
  if (request.operationId === 'submitTwilioAddonRequest' && authToken && request.body.kind === 'form') {
    // Twilio signs form parameters; the recording's file part is not one of them.
    if (!verifyTwilioSignature(authToken, requestUrl(request), request.body.fields, request.headers['x-twilio-signature'])) return cadenceError('badSignature');
  }
  return undefined;
}
