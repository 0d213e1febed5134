// How the runner presents the caller's credentials: in the form the operation's security
// scheme documents (Bearer, a raw API-key header, HTTP basic), from --token, --basic or both
// (an API may use one scheme for some operations and another for the rest: Cadence's booking
// API takes a Bearer key, its Twilio add-on HTTP basic).
import type { JsonObject } from '../openapi/specs.ts';

export interface Credentials {
  token?: string;
  /** user:password */
  basic?: string;
}

export interface AuthPlacement {
  headers: Record<string, string>;
  query: Record<string, string>;
}

export function applyCredentials(doc: JsonObject, operation: JsonObject, credentials: Credentials): AuthPlacement {
  const placement: AuthPlacement = { headers: {}, query: {} };
  const requirements = (operation.security ?? doc.security ?? []) as JsonObject[];
  const schemes = ((doc.components as JsonObject | undefined)?.securitySchemes ?? {}) as Record<string, JsonObject>;
  for (const requirement of requirements) {
    for (const name of Object.keys(requirement)) {
      const scheme = schemes[name];
      if (!scheme) continue;
      const kind = String(scheme.scheme ?? '').toLowerCase();
      if (scheme.type === 'http' && kind === 'bearer' && credentials.token) placement.headers.authorization = `Bearer ${credentials.token}`;
      else if (scheme.type === 'http' && kind === 'basic' && credentials.basic) placement.headers.authorization = `Basic ${Buffer.from(credentials.basic).toString('base64')}`;
      else if (scheme.type === 'apiKey' && scheme.in === 'header' && credentials.token) placement.headers[String(scheme.name).toLowerCase()] = credentials.token;
      else if (scheme.type === 'apiKey' && scheme.in === 'query' && credentials.token) placement.query[String(scheme.name)] = credentials.token;
    }
    if (Object.keys(placement.headers).length || Object.keys(placement.query).length) break;
  }
  return placement;
}

/** Where a scheme's credential travels: the header or query parameter it is sent in. */
export function credentialSlot(scheme: JsonObject): { in: 'header' | 'query'; name: string } | undefined {
  const type = String(scheme.type);
  if (type === 'http' || type === 'oauth2' || type === 'openIdConnect') return { in: 'header', name: 'authorization' };
  if (type === 'apiKey' && scheme.in === 'header') return { in: 'header', name: String(scheme.name).toLowerCase() };
  if (type === 'apiKey' && scheme.in === 'query') return { in: 'query', name: String(scheme.name) };
  return undefined;
}

/** Header names (lower-cased) and query names that carry credentials for an operation. */
export function credentialSlots(doc: JsonObject, operation: JsonObject): { headers: Set<string>; query: Set<string> } {
  const slots = { headers: new Set<string>(), query: new Set<string>() };
  const requirements = (operation.security ?? doc.security ?? []) as JsonObject[];
  const schemes = ((doc.components as JsonObject | undefined)?.securitySchemes ?? {}) as Record<string, JsonObject>;
  for (const requirement of requirements) {
    for (const name of Object.keys(requirement)) {
      const slot = schemes[name] && credentialSlot(schemes[name]);
      if (slot) (slot.in === 'header' ? slots.headers : slots.query).add(slot.name);
    }
  }
  return slots;
}

/**
 * The flag the run lacks for an operation whose security requires credentials and was given none
 * of the kind its schemes take (`--basic` for HTTP basic, `--token` for the rest); undefined
 * when the run has them, or the operation is open to anonymous callers too.
 */
export function missingCredentialFlag(doc: JsonObject, operation: JsonObject, credentials: Credentials): string | undefined {
  const requirements = (operation.security ?? doc.security ?? []) as JsonObject[];
  if (requirements.length === 0 || requirements.some((r) => Object.keys(r).length === 0)) return undefined;
  const placed = applyCredentials(doc, operation, credentials);
  if (Object.keys(placed.headers).length || Object.keys(placed.query).length) return undefined;
  const schemes = ((doc.components as JsonObject | undefined)?.securitySchemes ?? {}) as Record<string, JsonObject>;
  const basic = Object.keys(requirements[0]!).some((name) => schemes[name]?.type === 'http' && String(schemes[name]?.scheme ?? '').toLowerCase() === 'basic');
  return basic ? '--basic' : '--token';
}
