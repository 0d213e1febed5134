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
