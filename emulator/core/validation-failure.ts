// A request the spec refuses, as data: where (a parameter, or the body), which rule it broke
// and what the spec wanted. The core finds it; each API renders it in its vendor's words and
// status (errors.ts), so one finding can be Speechmatics' 422 and Gladia's 400. The same finding
// in the emulator's words is the answer's `Refusal` (http-types.ts), which the journal and
// `serve --log` show however vaguely the vendor's envelope words it.
import type { CredentialCheck } from './credentials.ts';
import type { Refusal } from './http-types.ts';
import type { JsonObject } from '../../openapi/specs.ts';

export type ParameterLocation = 'path' | 'query' | 'header' | 'body';

export interface ValidationFailure {
  in: ParameterLocation;
  /** The parameter (or body property path) that failed; undefined for the body as a whole. */
  name?: string;
  /**
   * The rule broken: a JSON Schema keyword (`type`, `format`, `enum`, `minimum`, `required`…),
   * or one of the core's own: `json` (not JSON), `contentSchema` (a JSON document inside a
   * form part), `media-type`, `encoding` (Content-Encoding, or percent-encoding in a path),
   * `malformed` (a body that cannot be read), `size`, `acceptable` (the `Accept` header admits
   * none of the operation's media types; checked only where the operation documents a 406).
   */
  rule: string;
  /** The spec's words for it: the type or format, allowed values, bounds, or what went wrong. */
  expected?: string;
  /** The schema the value failed, for renderers that quote its bounds or format. */
  schema?: JsonObject;
  /** Every failure the same check found, this one first, for renderers that list them all. */
  all?: ValidationFailure[];
}

/**
 * The first finding of ajv's `describeErrors` text (`/a must be string {"type":"string"}; ...`)
 * as a phrase: its place dropped (the pointer says it), its parameters dropped but for the
 * allowed values, and how many more there were.
 */
function firstSchemaError(text: string): string {
  const [first = text, ...rest] = text.split('; ');
  const found = /^\S+ (.*?)(?: (\{.*\}))?$/.exec(first);
  let phrase = found?.[1] ?? first;
  try {
    const params = found?.[2] ? (JSON.parse(found[2]) as { allowedValues?: unknown }) : undefined;
    if (Array.isArray(params?.allowedValues)) phrase += `: ${params.allowedValues.map(String).join(', ')}`;
  } catch {
    // Not JSON after all: the phrase stands without it.
  }
  return rest.length ? `${phrase} (and ${rest.length} more)` : phrase;
}

/** What the failure broke, in a phrase that reads after its place (`limit: must be <= 100`). */
export function describeFailure(failure: ValidationFailure): string {
  const { rule, expected } = failure;
  const more = failure.all && failure.all.length > 1 ? ` (and ${failure.all.length - 1} more)` : '';
  const body = failure.in === 'body';
  const phrase = (() => {
    switch (rule) {
      case 'acceptable':
        return `none of ${expected ?? 'the documented media types'} is acceptable`;
      case 'json':
        return 'is not valid JSON';
      case 'media-type':
        return `Content-Type must be ${expected?.includes(',') ? `one of ${expected}` : (expected ?? 'a documented media type')}`;
      case 'contentSchema':
        return expected ? firstSchemaError(expected) : 'does not match its schema';
      case 'encoding':
        return body ? (expected ?? 'cannot be decoded') : `is not ${expected ?? 'valid percent-encoding'}`;
      case 'required':
        if (body && !failure.name) return `is missing: expected ${expected ?? 'a body'}`;
        return body ? (expected ?? 'is required') : 'is required';
      case 'type':
      case 'format':
        return body ? (expected ?? `breaks ${rule}`) : `must be ${expected ?? rule}`;
      case 'enum':
        return body ? (expected ?? 'must be one of the allowed values') : `must be one of: ${expected ?? '?'}`;
      default:
        return expected ?? `breaks ${rule}`;
    }
  })();
  return `${phrase}${more}`;
}

/** The refusal a spec failure makes: its step (Accept, path, parameters or body) and its place. */
export function failureRefusal(failure: ValidationFailure): Refusal {
  const stage = failure.rule === 'acceptable' ? 'accept' : failure.in === 'body' ? 'body' : failure.in === 'path' ? 'path' : 'parameters';
  const pointer = stage === 'accept' ? undefined : failure.in === 'body' ? (failure.name ? `/${failure.name}` : undefined) : failure.name;
  // A parameter's name alone does not say whether it was the query's or a header.
  const message = `${describeFailure(failure)}${stage === 'parameters' ? ` (${failure.in})` : ''}`;
  return { stage, ...(pointer !== undefined && { pointer }), message };
}

const CREDENTIAL_PROBLEMS = { missing: 'no credential', malformed: 'malformed credential', rejected: 'key not accepted' } as const;

/** A credential refused: missing, not in the scheme's form, or a key the emulator does not accept. */
export function credentialRefusal(check: Extract<CredentialCheck, { ok: false }>): Refusal {
  return { stage: 'credentials', message: `${CREDENTIAL_PROBLEMS[check.problem]}${check.scheme ? ` (${check.scheme})` : ''}` };
}

/** A request no operation takes: an unknown path, a method the path does not have, or two vendors' credentials on a shared path. */
export type RouteMissKind = { kind: 'wrong-method'; allowed: string[] } | { kind: 'unknown-path' } | { kind: 'ambiguous'; because: string };

export function routeRefusal(miss: RouteMissKind, method: string): Refusal {
  if (miss.kind === 'wrong-method') return { stage: 'method', message: `${method.toUpperCase()} is not allowed here; the path takes ${miss.allowed.join(', ')}` };
  if (miss.kind === 'ambiguous') return { stage: 'route', message: `ambiguous: ${miss.because}` };
  return { stage: 'route', message: 'no operation has this path' };
}
