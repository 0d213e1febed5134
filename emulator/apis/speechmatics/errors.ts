// Speechmatics' errors, as its spec documents them: `{code, error, detail?}` with `error` from
// the vendor's list (the official JS SDK rejects any other string).
import { ApiError } from '../../core/api-error.ts';
import { jsonResponse, type EmulatorResponse } from '../../core/http-types.ts';
import type { ErrorContext, RouteMiss } from '../../core/api-definition.ts';
import type { ValidationFailure } from '../../core/validation-failure.ts';

const CATALOGUE = {
  permissionDenied: { status: 401, error: 'Permission Denied' },
  malformedRequest: { status: 400, error: 'Malformed request' },
  jobConfigInvalid: { status: 400, error: 'Job rejected' },
  missingDataFile: { status: 400, error: 'Missing data_file' },
  missingTextFile: { status: 400, error: 'Missing text_file' },
  jobNotFound: { status: 404, error: 'Job not found' },
  transcriptionNotReady: { status: 404, error: 'Transcription not ready' },
  jobInProgress: { status: 404, error: 'Job In Progress' },
  jobRejected: { status: 404, error: 'Job rejected' },
  notTranscription: { status: 404, error: 'Job is not of type transcription' },
  notAlignment: { status: 404, error: 'Job is not of type alignment' },
  fileExpired: { status: 410, error: 'File Expired' },
  jobExpired: { status: 410, error: 'Job Expired' },
  resourceLocked: { status: 423, error: 'Resource Locked' },
} as const;

export type SpeechmaticsErrorKind = keyof typeof CATALOGUE;

export const smError = (kind: SpeechmaticsErrorKind, detail?: string) => new ApiError(kind, detail);

export function renderSpeechmaticsError(error: ApiError): EmulatorResponse {
  const entry = CATALOGUE[error.kind as SpeechmaticsErrorKind];
  if (!entry) throw new Error(`speechmatics has no error ${error.kind}`);
  return jsonResponse(entry.status, { code: entry.status, error: entry.error, ...(error.detail && { detail: error.detail }) });
}

// The vendor's API is go-swagger: its parameter errors read `limit in query must be of type
// int64`. Integers are int64 there, whatever the spec's JSON Schema says.
const GO_TYPES: Record<string, string> = { integer: 'int64', number: 'float64' };

function parameterMessage(f: ValidationFailure): string {
  const where = `${f.name} in ${f.in}`;
  switch (f.rule) {
    case 'type':
    case 'format':
      return `${where} must be of type ${GO_TYPES[f.expected ?? ''] ?? f.expected}`;
    case 'minimum':
    case 'maximum':
      return f.schema?.minimum !== undefined && f.schema?.maximum !== undefined
        ? `${where} should be between ${f.schema.minimum} and ${f.schema.maximum}`
        : `${where} ${f.expected}`;
    case 'enum':
      return `${where} should be one of [${f.expected}]`;
    case 'required':
      return `${where} is required`;
    default:
      return `${where} ${f.expected ?? 'is invalid'}`;
  }
}

/** The body's problems in the vendor's words; the `config` part's are a rejected job config. */
function bodyError(f: ValidationFailure): ApiError {
  const inConfig = f.name === 'config' || f.name?.startsWith('config/');
  if (inConfig && f.rule === 'required' && f.name === 'config') return smError('malformedRequest', 'config part is required');
  if (inConfig && f.rule === 'json') return smError('jobConfigInvalid', 'Job config JSON is invalid');
  if (inConfig && f.rule === 'contentSchema') return smError('jobConfigInvalid', `Job config does not match the schema: ${f.expected}`);
  if (f.rule === 'media-type') return smError('malformedRequest', 'the body must be multipart/form-data');
  if (f.rule === 'size' || f.rule === 'malformed' || f.rule === 'encoding') return smError('malformedRequest', f.expected);
  return smError('malformedRequest', f.name ? `${f.name}: ${f.expected}` : f.expected);
}

export function renderSpeechmaticsValidationError(failure: ValidationFailure): EmulatorResponse {
  if (failure.in === 'body') return renderSpeechmaticsError(bodyError(failure));
  // A job id that does not decode (`%ZZ`) names no job: the 404 every job path documents (none
  // of them documents a 400, which strict mode would answer as a contract violation).
  if (failure.in === 'path') return renderSpeechmaticsError(smError('jobNotFound'));
  return jsonResponse(422, { code: 422, error: parameterMessage(failure) });
}

/**
 * A job path with a method it does not have: 405 with Allow, in the vendor's body. go-swagger words
 * it `method PUT is not allowed, but [GET,DELETE] are`; `error` stays one of the strings the
 * vendor's clients know.
 */
export function renderSpeechmaticsRouteMiss(miss: RouteMiss, context: ErrorContext): EmulatorResponse | undefined {
  if (miss.kind !== 'wrong-method') return undefined;
  return jsonResponse(405, { code: 405, error: 'Bad Request', detail: `method ${context.method} is not allowed, but [${miss.allowed.join(',')}] are` }, { allow: miss.allowed.join(', ') });
}

/** Any credential problem is the same 401 (the vendor does not say which). */
export const credentialError = () => smError('permissionDenied');
