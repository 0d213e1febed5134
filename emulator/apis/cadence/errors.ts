// Cadence's errors. The booking API runs on Bubble and answers in Bubble's envelope
// `{statusCode, body: {status, message}}`; the Twilio add-on answers `{status: "error",
// message}` (the callback's vocabulary). Which one depends on the path, since a missing
// credential is reported before the core knows more.
import { ApiError } from '../../core/api-error.ts';
import { jsonResponse, type EmulatorResponse } from '../../core/http-types.ts';
import type { ErrorContext, RouteMiss } from '../../core/api-definition.ts';
import type { ValidationFailure } from '../../core/validation-failure.ts';

export const ADDON_PATH = '/cadence/twilio';

const BUBBLE = {
  missingData: { status: 400, keyword: 'MISSING_DATA' },
  invalidData: { status: 400, keyword: 'INVALID_DATA' },
  unauthorized: { status: 401, keyword: 'UNAUTHORIZED' },
  forbidden: { status: 403, keyword: 'FORBIDDEN' },
  notFound: { status: 404, keyword: 'NOT_FOUND' },
  methodNotAllowed: { status: 405, keyword: 'METHOD_NOT_ALLOWED' },
  notAcceptable: { status: 406, keyword: 'NOT_ACCEPTABLE' },
} as const;

const ADDON = {
  addonBadRequest: 400,
  unauthorized: 401,
  badSignature: 401,
} as const;

export type CadenceErrorKind = keyof typeof BUBBLE | keyof typeof ADDON;

export const cadenceError = (kind: CadenceErrorKind, detail?: string) => new ApiError(kind, detail);

const DEFAULT_MESSAGES: Record<string, string> = {
  unauthorized: 'The API key provided is not valid.',
  forbidden: 'This resource is only available to administrators.',
  notFound: 'The specified resource could not be found.',
  notAcceptable: 'Responses are only available as application/json.',
};

export function bubbleError(kind: keyof typeof BUBBLE, message: string, headers: Record<string, string> = {}): EmulatorResponse {
  const { status, keyword } = BUBBLE[kind];
  return jsonResponse(status, { statusCode: status, body: { status: keyword, message } }, headers);
}

function addonError(status: number, message: string): EmulatorResponse {
  const challenge: Record<string, string> = status === 401 ? { 'www-authenticate': 'Basic realm="Cadence Twilio add-on"' } : {};
  return jsonResponse(status, { status: 'error', message }, challenge);
}

const withAllow = (response: EmulatorResponse, allowed: string[]): EmulatorResponse => ({ ...response, headers: { ...response.headers, allow: allowed.join(', ') } });

const isAddon = (context: ErrorContext) => context.path.replace(/\/$/, '') === ADDON_PATH;

export function renderCadenceError(error: ApiError, context: ErrorContext): EmulatorResponse {
  if (isAddon(context)) {
    if (error.kind === 'unauthorized') return addonError(401, 'Invalid username or password.');
    if (error.kind === 'badSignature') return addonError(401, 'X-Twilio-Signature does not match this request');
    if (error.kind === 'addonBadRequest') return addonError(400, error.detail ?? 'Bad request');
  }
  const kind = error.kind as keyof typeof BUBBLE;
  if (!BUBBLE[kind]) throw new Error(`cadence has no error ${error.kind} for ${context.path}`);
  return bubbleError(kind, error.detail ?? DEFAULT_MESSAGES[kind] ?? kind);
}

/** `create_job` from `/api/1.1/wf/create_job`. */
const workflowOf = (path: string) => /\/wf\/([^/]+)/.exec(path)?.[1] ?? 'create_job';

const ADDON_MESSAGES: Record<string, (failure: ValidationFailure) => string> = {
  requested_service: () => 'requested_service must be one of: transcription, translation',
  callback_url: () => 'callback_url must be an absolute URL',
  request_sid: () => 'request_sid must be two capital letters and 32 hex digits',
};

function renderAddonFailure(failure: ValidationFailure): EmulatorResponse {
  const name = (failure.name ?? '').split('/')[0]!;
  if (failure.in === 'header') return addonError(400, `Invalid header ${failure.name}: ${failure.expected ?? 'not valid'}`);
  switch (failure.rule) {
    case 'required':
      return addonError(400, `Missing required parameter: ${name}`);
    case 'media-type':
      return addonError(400, 'The request must be multipart/form-data');
    case 'malformed':
    case 'encoding':
      return addonError(400, `The request body could not be read: ${failure.expected ?? 'malformed'}`);
    case 'size':
      return addonError(400, `audio_data is too large (${failure.expected})`);
    default:
      return addonError(400, ADDON_MESSAGES[name]?.(failure) ?? `Invalid parameter ${name || 'body'}: ${failure.expected ?? 'not valid'}`);
  }
}

/** A request the spec refuses: Bubble's MISSING_DATA / INVALID_DATA, 404 for a bad id, 406 for Accept. */
export function renderCadenceValidationError(failure: ValidationFailure, context: ErrorContext): EmulatorResponse {
  if (isAddon(context)) return renderAddonFailure(failure);
  if (failure.rule === 'acceptable') return bubbleError('notAcceptable', DEFAULT_MESSAGES.notAcceptable!);
  // An id that does not decode or is not a Bubble id names no record: the documented 404.
  if (failure.in === 'path') return bubbleError('notFound', `Missing object of type ${context.path.split('/')[4]}: object with id ${context.path.split('/')[5]} does not exist`);
  const name = (failure.name ?? '').replace(/\//g, '.');
  if (failure.in === 'body' && (failure.rule === 'required' || (failure.rule === 'minItems' && name === 'languages'))) {
    return bubbleError('missingData', `Missing parameter for workflow ${workflowOf(context.path)}: parameter ${name || 'body'}`);
  }
  if (failure.rule === 'json') return bubbleError('invalidData', 'Request body is not valid JSON');
  if (failure.rule === 'media-type') return bubbleError('invalidData', `The request body must be ${failure.expected ?? 'application/json'}`);
  if (failure.rule === 'malformed' || failure.rule === 'encoding') return bubbleError('invalidData', `The request body could not be read: ${failure.expected ?? 'malformed'}`);
  return bubbleError('invalidData', `Invalid data for parameter ${name || 'body'}: ${failure.expected ?? 'not valid'}`);
}

/** Bubble's 405 for a known path, its 404 for an unknown workflow or data type under /api/1.1/; the add-on's 405 in its own body. */
export function renderCadenceRouteMiss(miss: RouteMiss, context: ErrorContext): EmulatorResponse | undefined {
  // The add-on answers in its own body: 405 with Allow for a method it does not take.
  if (isAddon(context)) return miss.kind === 'wrong-method' ? withAllow(addonError(405, `Method ${context.method} is not allowed on ${ADDON_PATH}`), miss.allowed) : undefined;
  if (miss.kind === 'wrong-method') {
    return bubbleError('methodNotAllowed', `Method ${context.method} is not allowed on ${context.path}`, { allow: miss.allowed.join(', ') });
  }
  const [, kind, name] = /\/api\/1\.1\/(wf|obj)\/([^/]*)/.exec(context.path) ?? [];
  const message = kind === 'wf' ? `Workflow not found: ${decodeSafely(name!)}` : kind === 'obj' ? `Data type not found: ${decodeSafely(name!)}` : `Not found: ${context.path}`;
  return bubbleError('notFound', message);
}

const decodeSafely = (text: string) => {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
};

export const credentialError = () => cadenceError('unauthorized');
