// Speechmatics' errors, as its spec documents them: `{code, error, detail?}` with `error` from
// the vendor's list (the official JS SDK rejects any other string).
import { ApiError } from '../../core/api-error.ts';
import { jsonResponse, type EmulatorResponse } from '../../core/http-types.ts';

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

/** Query values that do not parse: the vendor answers 422 with a free-text `error`. */
export const queryTypeError = (message: string) => new ApiError('queryType', message);

export function renderSpeechmaticsError(error: ApiError): EmulatorResponse {
  if (error.kind === 'queryType') return jsonResponse(422, { code: 422, error: error.detail ?? 'Unprocessable Entity' });
  const entry = CATALOGUE[error.kind as SpeechmaticsErrorKind];
  if (!entry) throw new Error(`speechmatics has no error ${error.kind}`);
  return jsonResponse(entry.status, { code: entry.status, error: entry.error, ...(error.detail && { detail: error.detail }) });
}
