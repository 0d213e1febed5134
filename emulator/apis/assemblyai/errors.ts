// AssemblyAI's errors, as its spec documents them: `{error: "<message>"}` on every 4xx,
// the messages the vendor uses where it has them.
import { ApiError } from '../../core/api-error.ts';
import { jsonResponse, type EmulatorResponse } from '../../core/http-types.ts';
import type { ErrorContext, RouteMiss } from '../../core/api-definition.ts';
import type { ValidationFailure } from '../../core/validation-failure.ts';

const CATALOGUE = {
  unauthorized: { status: 401, message: () => 'Authentication error, API token missing/invalid' },
  notFound: { status: 404, message: () => 'Transcript lookup error, transcript id not found' },
  foreignUpload: { status: 403, message: () => 'Cannot access uploaded file' },
  emptyUpload: { status: 400, message: () => 'Upload failed, the request body is empty' },
  stillProcessing: { status: 400, message: () => 'Transcript is still being processed and cannot be deleted yet' },
  notCompleted: { status: 400, message: (detail?: string) => `This transcript is not completed yet (status: ${detail})` },
  afterNotNewer: { status: 400, message: () => "'after_id' must be a newer transcript than 'before_id'" },
  badStream: { status: 400, message: (detail?: string) => detail ?? 'Bad request' },
  badAudioUrl: { status: 400, message: () => 'audio_url must be an http or https URL' },
} as const;

export type AssemblyAiErrorKind = keyof typeof CATALOGUE;

export const aaiError = (kind: AssemblyAiErrorKind, detail?: string) => new ApiError(kind, detail);

export function renderAssemblyAiError(error: ApiError): EmulatorResponse {
  const entry = CATALOGUE[error.kind as AssemblyAiErrorKind];
  if (!entry) throw new Error(`assemblyai has no error ${error.kind}`);
  return jsonResponse(entry.status, { error: entry.message(error.detail) });
}

const TYPE_WORDS: Record<string, string> = { boolean: 'a Boolean', integer: 'an integer', number: 'a number', string: 'a string', array: 'a list', object: 'an object' };

/** The spec's refusals in the vendor's style: `format_text must be a Boolean`. */
function message(f: ValidationFailure): string {
  const field = (f.name ?? '').replace(/\//g, '.');
  switch (f.rule) {
    case 'json': return 'Invalid JSON in the request body';
    case 'media-type': return `Unsupported content type; send ${f.expected}`;
    case 'encoding': return f.in === 'body' ? `The request body could not be decoded: ${f.expected}` : `${field} in ${f.in} could not be decoded`;
    case 'malformed': return `The request body could not be read: ${f.expected}`;
    case 'size': return `The request body is too large: ${f.expected}`;
    case 'required': return f.in === 'body' && !field ? 'A request body is required' : `${field} is required`;
    case 'additionalProperties': return `Invalid parameter: ${field.split('.').pop() ?? field} is not a known parameter`;
    case 'type': return `${field} must be ${TYPE_WORDS[f.expected?.replace(/^must be /, '') ?? ''] ?? f.expected}`;
    case 'minimum':
    case 'maximum':
      return f.in === 'query' && f.schema?.minimum !== undefined && f.schema?.maximum !== undefined ? `${field} must be between ${f.schema.minimum} and ${f.schema.maximum}` : `${field} ${f.expected}`;
    case 'enum': return `${field} must be one of: ${(f.expected ?? '').split(' ').join(', ')}`;
    case 'format': return `${field} must be a valid ${f.expected}`;
    default: return `${field} ${f.expected ?? 'is invalid'}`;
  }
}

export function renderAssemblyAiValidationError(failure: ValidationFailure, context: ErrorContext): EmulatorResponse {
  // A transcript id that does not decode names no transcript.
  if (failure.in === 'path') return renderAssemblyAiError(aaiError('notFound'));
  if (failure.rule === 'required' && !failure.name && context.path === '/v2/upload') return renderAssemblyAiError(aaiError('emptyUpload'));
  return jsonResponse(400, { error: message(failure) });
}

/** A path of the API with a method it does not have: 405 with Allow, in the vendor's `{error}`. */
export function renderAssemblyAiRouteMiss(miss: RouteMiss, context: ErrorContext): EmulatorResponse | undefined {
  if (miss.kind !== 'wrong-method') return undefined;
  return jsonResponse(405, { error: `Method ${context.method} is not allowed on ${context.path}` }, { allow: miss.allowed.join(', ') });
}

export const credentialError = () => aaiError('unauthorized');
