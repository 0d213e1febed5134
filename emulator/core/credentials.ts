// Reading a request's credential the way the spec's `security` and `components.securitySchemes`
// declare it, so a vendor does not hand-write its own Authorization regex.
//
// `security` is a list of requirement objects: the request must satisfy one of them (OR), and a
// requirement is satisfied when every scheme it names is (AND). `{}` among them, or no list at all,
// lets an anonymous request in. Each scheme is compiled once into a reader that says whether its
// credential is absent, present but not in the scheme's form, or present.
import type { Json, JsonObject, OperationRef } from '../../openapi/specs.ts';

/** Which credentials the emulator accepts (test-key, --api-key, vendor samples, --any-key). */
export interface CredentialPolicy {
  accepts(credential: string): boolean;
}

export const DEFAULT_KEYS = ['test-key'];

export function createKeyPolicy(keys: readonly string[], anyKey: boolean): CredentialPolicy {
  const accepted = new Set([...DEFAULT_KEYS, ...keys]);
  return { accepts: (key) => key.length > 0 && (anyKey || accepted.has(key)) };
}

export type CredentialCheck =
  | { ok: true; tenant: string; scheme: string }
  | { ok: false; problem: 'missing' | 'malformed' | 'rejected'; scheme?: string };

export interface CredentialRequest {
  /** Header names lower-cased (other spellings are still found, case-insensitively). */
  headers: Record<string, string>;
  query: Record<string, string | string[]>;
}

export type CredentialReader = (request: CredentialRequest, policy: CredentialPolicy) => CredentialCheck;

/** What one scheme finds in a request. */
type Extracted = { kind: 'absent' } | { kind: 'malformed' } | { kind: 'present'; credential: string };
type SchemeReader = (request: CredentialRequest) => Extracted;

const ABSENT: Extracted = { kind: 'absent' };
const MALFORMED: Extracted = { kind: 'malformed' };
const present = (credential: string): Extracted => ({ kind: 'present', credential });

type Problem = 'missing' | 'malformed' | 'rejected';
const RANK: Record<Problem, number> = { missing: 0, malformed: 1, rejected: 2 };

interface Failure {
  problem: Problem;
  scheme: string;
}

function asObject(value: Json | undefined): JsonObject | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? value : undefined;
}

function asString(value: Json | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** An own property only: a request's `constructor` or `__proto__` is not a credential. */
function own<T>(record: Record<string, T>, key: string): T | undefined {
  return record !== null && typeof record === 'object' && Object.prototype.hasOwnProperty.call(record, key) ? record[key] : undefined;
}

/**
 * A header's value, found by its lower-cased name and failing that by any spelling. Repeated
 * headers (an array, as Node gives some) are joined the way Node joins them, with `separator`.
 */
function headerValue(headers: Record<string, unknown>, name: string, separator = ', '): string | undefined {
  if (headers === null || typeof headers !== 'object') return undefined;
  const lower = name.toLowerCase();
  let value = own(headers, lower);
  if (value === undefined) {
    for (const key of Object.keys(headers)) {
      if (key.toLowerCase() === lower) {
        value = headers[key];
        break;
      }
    }
  }
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value.join(separator);
  return undefined;
}

/** `Authorization: <scheme> <one token>`, the scheme word case-insensitive. */
function authorizationToken(request: CredentialRequest, word: string): Extracted {
  const raw = headerValue(request.headers, 'authorization');
  if (raw === undefined) return ABSENT;
  const value = raw.trim();
  const space = value.search(/[ \t]/);
  if (space < 0 || value.slice(0, space).toLowerCase() !== word) return MALFORMED;
  const token = value.slice(space).trim();
  if (token === '' || /\s/.test(token)) return MALFORMED;
  return present(token);
}

const bearerReader: SchemeReader = (request) => authorizationToken(request, 'bearer');

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** `Authorization: Basic base64(user:pass)`; the credential is the decoded `user:pass`. */
const basicReader: SchemeReader = (request) => {
  const token = authorizationToken(request, 'basic');
  if (token.kind !== 'present') return token;
  const encoded = token.credential;
  if (!BASE64.test(encoded)) return MALFORMED;
  const unpadded = encoded.replace(/=+$/, '');
  if (unpadded.length % 4 === 1 || (encoded.length !== unpadded.length && encoded.length % 4 !== 0)) return MALFORMED;
  const bytes = Buffer.from(unpadded, 'base64');
  let decoded: string;
  try {
    decoded = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    decoded = bytes.toString('latin1'); // RFC 7617 leaves the charset open; older clients send Latin-1.
  }
  return decoded.includes(':') ? present(decoded) : MALFORMED;
};

function headerKeyReader(name: string): SchemeReader {
  return (request) => {
    const value = headerValue(request.headers, name);
    return value === undefined ? ABSENT : present(value.trim());
  };
}

function queryKeyReader(name: string): SchemeReader {
  return (request) => {
    const value: unknown = request.query !== null && typeof request.query === 'object' ? own(request.query, name) : undefined;
    if (typeof value === 'string') return present(value.trim());
    if (Array.isArray(value)) {
      if (value.length === 0) return ABSENT;
      return value.length === 1 && typeof value[0] === 'string' ? present(value[0].trim()) : MALFORMED;
    }
    return ABSENT;
  };
}

function cookieValue(raw: string): string {
  let value = raw.trim();
  if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
  if (!value.includes('%')) return value;
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

function cookieKeyReader(name: string): SchemeReader {
  return (request) => {
    const header = headerValue(request.headers, 'cookie', '; ');
    if (header === undefined) return ABSENT;
    for (const pair of header.split(';')) {
      const eq = pair.indexOf('=');
      if (eq >= 0 && pair.slice(0, eq).trim() === name) return present(cookieValue(pair.slice(eq + 1)));
    }
    return ABSENT;
  };
}

const neverReader: SchemeReader = () => ABSENT;

function schemeReader(scheme: JsonObject | undefined): SchemeReader {
  if (!scheme) return neverReader;
  const type = asString(scheme.type)?.toLowerCase();
  if (type === 'http') {
    return asString(scheme.scheme)?.toLowerCase() === 'basic' ? basicReader : bearerReader;
  }
  if (type === 'apikey') {
    const name = asString(scheme.name);
    if (name === undefined) return neverReader;
    switch (asString(scheme.in)) {
      case 'header':
        return headerKeyReader(name);
      case 'query':
        return queryKeyReader(name);
      case 'cookie':
        return cookieKeyReader(name);
    }
  }
  return neverReader; // oauth2, openIdConnect, mutualTLS and anything else: never satisfied here
}

function accepted(policy: CredentialPolicy, credential: string): boolean {
  if (credential === '') return false;
  try {
    return Boolean(policy.accepts(credential));
  } catch {
    return false;
  }
}

/** Compiled once per operation: `doc` is the dereferenced OpenAPI document, `op` the operation. */
export function createCredentialReader(doc: JsonObject, op: OperationRef): CredentialReader {
  const declared = op.operation.security ?? doc.security;
  const requirementList = Array.isArray(declared) ? declared : [];
  const schemes = asObject(asObject(doc.components)?.securitySchemes) ?? {};

  const readers = new Map<string, SchemeReader>();
  const readerFor = (name: string): SchemeReader => {
    let reader = readers.get(name);
    if (!reader) {
      reader = schemeReader(asObject(own(schemes, name)));
      readers.set(name, reader);
    }
    return reader;
  };

  let anonymous = requirementList.length === 0;
  const requirements: { name: string; read: SchemeReader }[][] = [];
  for (const requirement of requirementList) {
    const names = Object.keys(asObject(requirement) ?? {});
    if (names.length === 0) anonymous = true;
    else requirements.push(names.map((name) => ({ name, read: readerFor(name) })));
  }

  // Plain loops, no closures: this runs on every request.
  return (request, policy) => {
    let worst: Failure | undefined;
    try {
      for (const requirement of requirements) {
        let failure: Failure | undefined;
        let tenant = '';
        for (let index = 0; index < requirement.length; index++) {
          const { name, read } = requirement[index]!;
          const found = read(request);
          let problem: Problem | undefined;
          if (found.kind === 'absent') problem = 'missing';
          else if (found.kind === 'malformed') problem = 'malformed';
          else if (!accepted(policy, found.credential)) problem = 'rejected';
          else if (index === 0) tenant = found.credential;
          if (problem && (!failure || RANK[problem] > RANK[failure.problem])) failure = { problem, scheme: name };
        }
        if (!failure) return { ok: true, tenant, scheme: requirement[0]!.name };
        if (!worst || RANK[failure.problem] > RANK[worst.problem]) worst = failure;
      }
    } catch {
      // A reader met something no type allows for (a getter that throws, say): nothing was read.
      const failure: Failure = { problem: 'malformed', scheme: requirements[0]?.[0]?.name ?? '' };
      if (!worst || RANK[failure.problem] > RANK[worst.problem]) worst = failure;
    }
    // An anonymous request is let in, but a credential that was offered and is wrong is still
    // refused (Cadence's language list: "a Bearer key that is not accepted still gets 401").
    if (anonymous && (!worst || worst.problem === 'missing')) return { ok: true, tenant: '', scheme: '' };
    if (!worst) return { ok: false, problem: 'missing' };
    return { ok: false, problem: worst.problem, scheme: worst.scheme };
  };
}
