// Requests without valid credentials change nothing (Schemathesis' `ignored_auth`): each is
// refused with the security failure the operation documents, and the resource it aimed at reads
// the same afterwards, with the right credentials, as it did before.
import type { JsonObject } from '../../openapi/specs.ts';
import { mediaTypeOf } from '../media-type.ts';
import type { Exchange } from '../types.ts';
import type { Failure } from './check.ts';

/** The security failures an operation documents (401, 403); every documented 4xx when it documents neither. */
export function securityFailures(operation: JsonObject): number[] {
  const documented = Object.keys((operation.responses ?? {}) as object).filter((code) => /^4\d\d$/.test(code)).map(Number);
  const security = documented.filter((code) => code === 401 || code === 403);
  return security.length ? security : documented;
}

const brief = (exchange: Exchange) => (exchange.response ? `${exchange.response.status} ${exchange.response.body.toString('utf8').slice(0, 300)}` : (exchange.error ?? 'no response'));

const sortedKeys = (_key: string, v: unknown) => (v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))) : v);

/** A body as compared: JSON whatever order its keys come in, anything else as it is. */
function comparable(exchange: Exchange): string {
  const text = exchange.response!.body.toString('utf8');
  if (!/json/.test(mediaTypeOf(exchange.response!.headers['content-type']))) return text;
  try {
    return JSON.stringify(JSON.parse(text), sortedKeys);
  } catch {
    return text;
  }
}

export const ignoredAuth = {
  name: 'ignored_auth',
  description: 'A request without valid credentials is refused as the spec documents, and leaves the resource it aimed at as it was.',
  /** The case itself: a 2xx means the credentials were not checked. */
  accepted(exchange: Exchange, operation: JsonObject, rule: string, pointer: string): Failure | undefined {
    const status = exchange.response?.status ?? 0;
    if (status < 200 || status > 299) return undefined;
    return { message: `A request breaking "${rule}" was accepted: its credentials were not checked`, expected: securityFailures(operation).join(' or '), received: brief(exchange), pointer };
  },
  /** The resource, read with the right credentials before and after the case. */
  changed(before: Exchange, after: Exchange, rule: string, pointer: string): Failure | undefined {
    if (!before.response || !after.response) return undefined;
    if (before.response.status === after.response.status && comparable(before) === comparable(after)) return undefined;
    return { message: `A request breaking "${rule}" changed the resource it aimed at`, expected: `read as before: ${brief(before)}`, received: brief(after), pointer };
  },
};
