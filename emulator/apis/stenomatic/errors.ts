// Stenomatic's errors: `{error: {code, message, details?}}` on every 4xx (the spec's decision;
// the vendor documents none). Every refused request is 400 as a Go service answers it:
// unparseable JSON, a schema violation with one detail per field, a path that does not decode.
import { ApiError } from '../../core/api-error.ts';
import { jsonResponse, type EmulatorResponse } from '../../core/http-types.ts';
import type { ErrorContext, RouteMiss } from '../../core/api-definition.ts';
import type { ValidationFailure } from '../../core/validation-failure.ts';

interface Detail {
  field: string;
  message: string;
}

const STATUS = {
  unauthorized: 401,
  clientNotFound: 404,
  roomNotFound: 404,
  roomIdTaken: 409,
  validationFailed: 400,
  immutableField: 400,
} as const;

const CODES: Record<keyof typeof STATUS, string> = {
  unauthorized: 'unauthorized',
  clientNotFound: 'client_not_found',
  roomNotFound: 'room_not_found',
  roomIdTaken: 'room_id_taken',
  validationFailed: 'validation_failed',
  immutableField: 'immutable_field',
};

export type StenomaticErrorKind = keyof typeof STATUS;

/** An ApiError that may carry the details of a 400. */
export class StenomaticError extends ApiError<StenomaticErrorKind> {
  constructor(kind: StenomaticErrorKind, message: string, readonly details?: Detail[]) {
    super(kind, message);
  }
}

export const stError = (kind: StenomaticErrorKind, message: string, details?: Detail[]) => new StenomaticError(kind, message, details);

export const errorBody = (status: number, code: string, message: string, details?: Detail[]): EmulatorResponse =>
  jsonResponse(status, { error: { code, message, ...(details && { details }) } });

export function renderStenomaticError(error: ApiError): EmulatorResponse {
  const kind = error.kind as StenomaticErrorKind;
  if (!(kind in STATUS)) throw new Error(`stenomatic has no error ${error.kind}`);
  const details = error instanceof StenomaticError ? error.details : undefined;
  return errorBody(STATUS[kind], CODES[kind], error.detail ?? kind, details);
}

const INVALID = 'The request is invalid.';

/** A body field as a JSON pointer (`/passwords/speaker`); a parameter by its name. */
const fieldOf = (failure: ValidationFailure) => (failure.in === 'body' ? (failure.name ? `/${failure.name}` : '') : failure.name ?? failure.in);

function messageOf(failure: ValidationFailure): string {
  if (failure.rule === 'required') return 'is required';
  if (failure.rule === 'pattern' && failure.schema?.pattern) return `must match pattern "${String(failure.schema.pattern)}"`;
  return failure.expected ? (/^must /.test(failure.expected) ? failure.expected : `must be ${failure.expected}`) : 'is not valid';
}

export function renderStenomaticValidationError(failure: ValidationFailure, context: ErrorContext): EmulatorResponse {
  if (failure.in === 'path' && failure.rule === 'encoding') return errorBody(400, 'invalid_path', `The path ${context.path} does not decode: invalid percent-encoding.`);
  if (failure.rule === 'json') return errorBody(400, 'invalid_json', 'The request body is not valid JSON.');
  if (failure.rule === 'media-type') return errorBody(400, 'invalid_json', `The request body must be JSON (Content-Type: ${failure.expected ?? 'application/json'}).`);
  if (failure.rule === 'malformed' || (failure.rule === 'encoding' && failure.in === 'body')) return errorBody(400, 'invalid_json', `The request body could not be read: ${failure.expected ?? 'malformed'}.`);
  // Every offending field once, in the order the check found them.
  const details = new Map<string, Detail>();
  for (const each of failure.all ?? [failure]) if (!details.has(fieldOf(each))) details.set(fieldOf(each), { field: fieldOf(each), message: messageOf(each) });
  return errorBody(400, 'validation_failed', INVALID, [...details.values()]);
}

/** A known path with another method: 405 in Stenomatic's body, with Allow. */
export function renderStenomaticRouteMiss(miss: RouteMiss, context: ErrorContext): EmulatorResponse | undefined {
  if (miss.kind !== 'wrong-method') return undefined;
  return jsonResponse(405, { error: { code: 'method_not_allowed', message: `${context.method} is not allowed on ${context.path}.` } }, { allow: miss.allowed.join(', ') });
}

export const credentialError = () => stError('unauthorized', 'Missing or invalid API key.');
