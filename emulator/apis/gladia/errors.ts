// Gladia's errors, as its spec documents them: `{timestamp, path, request_id, statusCode,
// message, validation_errors?}` on every 4xx, camelCase `statusCode` included.
import { ApiError } from '../../core/api-error.ts';
import type { EmulatorResponse } from '../../core/http-types.ts';
import type { ErrorContext, RouteMiss } from '../../core/api-definition.ts';
import type { ValidationFailure } from '../../core/validation-failure.ts';
import { gladiaJson } from './outputs.ts';

const CATALOGUE = {
  unauthorized: { status: 401, message: () => 'gladia key not found' },
  noAudio: { status: 400, message: () => 'An audio file (multipart part "audio") or an audio_url is required' },
  invalidAudio: { status: 400, message: (detail?: string) => `The audio file could not be read${detail ? `: ${detail}` : ''}` },
  audioUnavailable: { status: 422, message: (detail?: string) => detail ?? 'The audio could not be used' },
  jobNotFound: { status: 404, message: (id?: string) => `Pre-recorded job ${id} not found` },
  fileNotFound: { status: 404, message: (id?: string) => `The audio file of pre-recorded job ${id} not found` },
  notDeletable: { status: 403, message: (detail?: string) => `Pre-recorded job ${detail} and not in a deletable state` },
  tooLarge: { status: 413, message: (detail?: string) => `Payload too large (the limit is ${detail})` },
  /** An audio_url that is no http(s) URL (`file:///etc/passwd`): Gladia's validator refuses it as no URL address. */
  badAudioUrl: { status: 400, message: () => 'Invalid request body', validation: ['audio_url must be a URL address'] },
} as const;

export type GladiaErrorKind = keyof typeof CATALOGUE;

export const glError = (kind: GladiaErrorKind, detail?: string) => new ApiError(kind, detail);

function body(status: number, message: string, context: ErrorContext, validationErrors?: string[]): EmulatorResponse {
  return gladiaJson(status, {
    timestamp: context.runtime.clock.now().toISOString(),
    path: context.path,
    request_id: `G-${context.runtime.random.hex(8)}`,
    statusCode: status,
    message,
    ...(validationErrors && { validation_errors: validationErrors }),
  });
}

export function renderGladiaError(error: ApiError, context: ErrorContext): EmulatorResponse {
  const entry = CATALOGUE[error.kind as GladiaErrorKind];
  if (!entry) throw new Error(`gladia has no error ${error.kind}`);
  return body(entry.status, entry.message(error.detail), context, 'validation' in entry ? [...entry.validation] : undefined);
}

/** A field as Gladia's validator names it: `language_config.languages.0`. */
const fieldOf = (failure: ValidationFailure) => (failure.name ?? '').replace(/\//g, '.');

/** The spec's refusals in Gladia's words: 400 with `validation_errors` (never Prism's 422). */
export function renderGladiaValidationError(failure: ValidationFailure, context: ErrorContext): EmulatorResponse {
  const field = fieldOf(failure);
  // A job id that does not decode names no job: the 404 every job path documents.
  if (failure.in === 'path') return body(404, `Pre-recorded job ${context.path.split('/')[3]} not found`, context);
  if (failure.in !== 'body') return body(400, 'Invalid query parameters', context, [`${field} ${failure.expected ?? 'is invalid'}`]);
  switch (failure.rule) {
    case 'json':
      return body(400, 'Request body is not valid JSON', context);
    case 'malformed':
      return body(400, `The request body could not be parsed (${failure.expected})`, context);
    case 'encoding':
      return body(400, `The request body could not be decoded (${failure.expected})`, context);
    case 'media-type':
      return body(400, `Unsupported content type; send ${failure.expected}`, context);
    case 'size':
      // Only the upload documents 413; a JSON body over the bound is a bad request.
      return context.path.endsWith('/upload') ? body(413, `Payload too large (${failure.expected})`, context) : body(400, 'Invalid request body', context, [`body ${failure.expected}`]);
    case 'required':
      if (context.path.endsWith('/upload')) return body(400, CATALOGUE.noAudio.message(), context, [`${field || 'audio'} must be a file`]);
      return body(400, 'Invalid request body', context, [`${field || 'body'} is required`]);
    default:
      return body(400, 'Invalid request body', context, [`${field || 'body'} ${failure.expected ?? 'is invalid'}`]);
  }
}

/** A path of the API with a method it does not have: 405 with Allow, in Gladia's body, worded as NestJS words it (`Cannot PUT /v2/upload`). */
export function renderGladiaRouteMiss(miss: RouteMiss, context: ErrorContext): EmulatorResponse | undefined {
  if (miss.kind !== 'wrong-method') return undefined;
  const answer = body(405, `Cannot ${context.method} ${context.path}`, context);
  return { ...answer, headers: { ...answer.headers, allow: miss.allowed.join(', ') } };
}

export const credentialError = () => glError('unauthorized');
