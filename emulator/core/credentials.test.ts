import { describe, expect, it } from 'vitest';
import { createCredentialReader, type CredentialCheck, type CredentialPolicy } from './credentials.ts';
import { listOperations, loadSpec, type JsonObject, type OperationRef, type SpecName } from '../../openapi/specs.ts';

const policy: CredentialPolicy = { accepts: (credential) => credential === 'test-key' || credential === 'cadence:friend' };

type Request = { headers: Record<string, string>; query: Record<string, string | string[]> };
const request = (headers: Record<string, string> = {}, query: Record<string, string | string[]> = {}): Request => ({ headers, query });
const basic = (userPass: string): string => `Basic ${Buffer.from(userPass, 'utf8').toString('base64')}`;

const SCHEMES: JsonObject = {
  bearer: { type: 'http', scheme: 'bearer' },
  basic: { type: 'http', scheme: 'basic' },
  rawKey: { type: 'apiKey', in: 'header', name: 'Authorization' },
  headerKey: { type: 'apiKey', in: 'header', name: 'X-Api-Key' },
  queryKey: { type: 'apiKey', in: 'query', name: 'api_key' },
  cookieKey: { type: 'apiKey', in: 'cookie', name: 'session' },
  oauth: { type: 'oauth2', flows: { clientCredentials: { tokenUrl: 'https://example.test/token', scopes: {} } } },
  oidc: { type: 'openIdConnect', openIdConnectUrl: 'https://example.test/.well-known/openid-configuration' },
  mtls: { type: 'mutualTLS' },
  digest: { type: 'http', scheme: 'digest' },
};

/** A list of security requirement objects, written inline. */
type Security = Record<string, string[]>[];

/** A one-operation document: `security` at document level, `opSecurity` on the operation (when given). */
function readerFor(security: Security | undefined, opSecurity?: Security) {
  const operation: JsonObject = { operationId: 'op', responses: {} };
  if (opSecurity !== undefined) operation.security = opSecurity;
  const doc: JsonObject = { openapi: '3.1.0', info: { title: 't', version: '1' }, paths: { '/x': { get: operation } }, components: { securitySchemes: SCHEMES } };
  if (security !== undefined) doc.security = security;
  const op: OperationRef = { method: 'get', path: '/x', operation, pointer: '#/paths/~1x/get' };
  return createCredentialReader(doc, op);
}

const check = (security: Security | undefined, req: Request, opSecurity?: Security): CredentialCheck => readerFor(security, opSecurity)(req, policy);
const OK_ANONYMOUS: CredentialCheck = { ok: true, tenant: '', scheme: '' };

describe('an http bearer scheme', () => {
  const sec: Security = [{ bearer: [] }];

  it('accepts `Authorization: Bearer <token>` and makes the token the tenant', () => {
    expect(check(sec, request({ authorization: 'Bearer test-key' }))).toEqual({ ok: true, tenant: 'test-key', scheme: 'bearer' });
  });

  it('reads the word Bearer case-insensitively and tolerates surrounding whitespace', () => {
    for (const value of ['bearer test-key', 'BEARER test-key', '  Bearer   test-key  ', 'Bearer\ttest-key']) {
      expect(check(sec, request({ authorization: value })), value).toEqual({ ok: true, tenant: 'test-key', scheme: 'bearer' });
    }
  });

  it('finds the header under any spelling of its name', () => {
    expect(check(sec, request({ Authorization: 'Bearer test-key' }))).toMatchObject({ ok: true, tenant: 'test-key' });
  });

  it('calls a request without the header missing', () => {
    expect(check(sec, request({}))).toEqual({ ok: false, problem: 'missing', scheme: 'bearer' });
  });

  it('calls another scheme word, an empty token, two tokens or an empty header malformed', () => {
    for (const value of ['Token test-key', 'Bearer', 'Bearer   ', 'Bearer a b', '', 'Bearertest-key', basic('cadence:friend')]) {
      expect(check(sec, request({ authorization: value })), JSON.stringify(value)).toEqual({ ok: false, problem: 'malformed', scheme: 'bearer' });
    }
  });

  it('calls a well-formed token the policy refuses rejected', () => {
    expect(check(sec, request({ authorization: 'Bearer other-key' }))).toEqual({ ok: false, problem: 'rejected', scheme: 'bearer' });
  });

  it('treats an http scheme other than basic (digest here) the same way', () => {
    expect(check([{ digest: [] }], request({ authorization: 'Bearer test-key' }))).toEqual({ ok: true, tenant: 'test-key', scheme: 'digest' });
  });
});

describe('an http basic scheme', () => {
  const sec: Security = [{ basic: [] }];

  it('accepts `Authorization: Basic base64(user:pass)`; the decoded user:pass is what the policy sees and the tenant', () => {
    expect(check(sec, request({ authorization: basic('cadence:friend') }))).toEqual({ ok: true, tenant: 'cadence:friend', scheme: 'basic' });
    expect(check(sec, request({ authorization: `basic ${Buffer.from('cadence:friend').toString('base64')}` }))).toMatchObject({ ok: true });
  });

  it('passes a password with colons and non-ASCII characters through whole', () => {
    const seen: string[] = [];
    const recording: CredentialPolicy = { accepts: (c) => (seen.push(c), true) };
    expect(readerFor(sec)(request({ authorization: basic('zoë:pa:ss') }), recording)).toEqual({ ok: true, tenant: 'zoë:pa:ss', scheme: 'basic' });
    expect(seen).toEqual(['zoë:pa:ss']);
  });

  it('calls base64 without a colon, text that is not base64, or a Bearer header malformed', () => {
    for (const value of [basic('no-colon'), 'Basic !!!not-base64!!!', 'Basic a', 'Basic', 'Bearer test-key', 'Basic Y2FkZW5jZTpmcmllbmQ=extra']) {
      expect(check(sec, request({ authorization: value })), value).toEqual({ ok: false, problem: 'malformed', scheme: 'basic' });
    }
  });

  it('calls well-formed credentials the policy refuses rejected', () => {
    expect(check(sec, request({ authorization: basic('cadence:foe') }))).toEqual({ ok: false, problem: 'rejected', scheme: 'basic' });
  });
});

describe('apiKey schemes', () => {
  it('in a header: the trimmed value, with no prefix stripped, is the credential', () => {
    expect(check([{ rawKey: [] }], request({ authorization: '  test-key ' }))).toEqual({ ok: true, tenant: 'test-key', scheme: 'rawKey' });
    expect(check([{ rawKey: [] }], request({ authorization: 'Bearer test-key' }))).toEqual({ ok: false, problem: 'rejected', scheme: 'rawKey' });
  });

  it('in a header: the name in the spec is matched case-insensitively against the lower-cased header', () => {
    expect(check([{ headerKey: [] }], request({ 'x-api-key': 'test-key' }))).toEqual({ ok: true, tenant: 'test-key', scheme: 'headerKey' });
    expect(check([{ headerKey: [] }], request({ 'X-API-KEY': 'test-key' }))).toMatchObject({ ok: true });
    expect(check([{ headerKey: [] }], request({}))).toEqual({ ok: false, problem: 'missing', scheme: 'headerKey' });
  });

  it('an empty key is present but rejected, whatever the policy says', () => {
    const lax: CredentialPolicy = { accepts: () => true };
    expect(readerFor([{ headerKey: [] }])(request({ 'x-api-key': '   ' }), lax)).toEqual({ ok: false, problem: 'rejected', scheme: 'headerKey' });
    expect(readerFor([{ queryKey: [] }])(request({}, { api_key: '' }), lax)).toEqual({ ok: false, problem: 'rejected', scheme: 'queryKey' });
  });

  it('in the query: read from the named parameter; a repeated parameter is malformed', () => {
    expect(check([{ queryKey: [] }], request({}, { api_key: 'test-key' }))).toEqual({ ok: true, tenant: 'test-key', scheme: 'queryKey' });
    expect(check([{ queryKey: [] }], request({}, { api_key: ['test-key'] }))).toMatchObject({ ok: true });
    expect(check([{ queryKey: [] }], request({}, { api_key: ['test-key', 'other'] }))).toEqual({ ok: false, problem: 'malformed', scheme: 'queryKey' });
    expect(check([{ queryKey: [] }], request({}, { API_KEY: 'test-key' }))).toEqual({ ok: false, problem: 'missing', scheme: 'queryKey' });
    expect(check([{ queryKey: [] }], request({ api_key: 'test-key' }))).toEqual({ ok: false, problem: 'missing', scheme: 'queryKey' });
  });

  it('in a cookie: parsed out of the cookie header', () => {
    expect(check([{ cookieKey: [] }], request({ cookie: 'theme=dark; session=test-key; lang=en' }))).toEqual({ ok: true, tenant: 'test-key', scheme: 'cookieKey' });
    expect(check([{ cookieKey: [] }], request({ cookie: 'session="test-key"' }))).toMatchObject({ ok: true, tenant: 'test-key' });
    expect(check([{ cookieKey: [] }], request({ cookie: 'session=test%2Dkey' }))).toMatchObject({ ok: true, tenant: 'test-key' });
    expect(check([{ cookieKey: [] }], request({ cookie: 'session=nope' }))).toEqual({ ok: false, problem: 'rejected', scheme: 'cookieKey' });
    expect(check([{ cookieKey: [] }], request({ cookie: 'mysession=test-key; Session=test-key' }))).toEqual({ ok: false, problem: 'missing', scheme: 'cookieKey' });
    expect(check([{ cookieKey: [] }], request({}))).toEqual({ ok: false, problem: 'missing', scheme: 'cookieKey' });
  });
});

describe('schemes the emulator cannot check', () => {
  it('oauth2, openIdConnect and mutualTLS are never satisfied, even with a good Bearer token', () => {
    for (const scheme of ['oauth', 'oidc', 'mtls']) {
      expect(check([{ [scheme]: [] }], request({ authorization: 'Bearer test-key' })), scheme).toEqual({ ok: false, problem: 'missing', scheme });
    }
  });

  it('a requirement naming a scheme that securitySchemes does not define is never satisfied', () => {
    expect(check([{ nowhere: [] }], request({ authorization: 'Bearer test-key' }))).toEqual({ ok: false, problem: 'missing', scheme: 'nowhere' });
  });

  it('but another requirement can still let the request in', () => {
    expect(check([{ oauth: ['read'] }, { bearer: [] }], request({ authorization: 'Bearer test-key' }))).toEqual({ ok: true, tenant: 'test-key', scheme: 'bearer' });
  });
});

describe('requirements', () => {
  it('are alternatives: the first one satisfied decides the tenant and scheme', () => {
    const sec: Security = [{ headerKey: [] }, { bearer: [] }];
    expect(check(sec, request({ authorization: 'Bearer test-key' }))).toEqual({ ok: true, tenant: 'test-key', scheme: 'bearer' });
    expect(check(sec, request({ 'x-api-key': 'test-key', authorization: 'Bearer test-key' }))).toMatchObject({ scheme: 'headerKey' });
  });

  it('name schemes that must all be satisfied together; the tenant comes from the first', () => {
    const sec: Security = [{ queryKey: [], basic: [] }];
    expect(check(sec, request({ authorization: basic('cadence:friend') }, { api_key: 'test-key' }))).toEqual({ ok: true, tenant: 'test-key', scheme: 'queryKey' });
    expect(check(sec, request({ authorization: basic('cadence:friend') }))).toEqual({ ok: false, problem: 'missing', scheme: 'queryKey' });
    expect(check(sec, request({ authorization: basic('cadence:foe') }, { api_key: 'test-key' }))).toEqual({ ok: false, problem: 'rejected', scheme: 'basic' });
    expect(check(sec, request({}, { api_key: 'test-key' }))).toEqual({ ok: false, problem: 'missing', scheme: 'basic' });
  });

  it('on an operation replace the document-level ones', () => {
    expect(check([{ bearer: [] }], request({ 'x-api-key': 'test-key' }), [{ headerKey: [] }])).toEqual({ ok: true, tenant: 'test-key', scheme: 'headerKey' });
    expect(check([{ bearer: [] }], request({ authorization: 'Bearer test-key' }), [{ headerKey: [] }])).toEqual({ ok: false, problem: 'missing', scheme: 'headerKey' });
  });

  it('`security: []` on an operation makes it anonymous despite the document-level requirement', () => {
    expect(check([{ bearer: [] }], request({}), [])).toEqual(OK_ANONYMOUS);
  });

  it('none at all (no `security` anywhere, or an empty document-level list) means anonymous', () => {
    expect(check(undefined, request({}))).toEqual(OK_ANONYMOUS);
    expect(check([], request({ authorization: 'Bearer whatever' }))).toEqual(OK_ANONYMOUS);
  });

  it('with `{}` among them let an anonymous request in, but still name the tenant when a credential is good', () => {
    const sec: Security = [{ bearer: [] }, {}];
    expect(check(sec, request({}))).toEqual(OK_ANONYMOUS);
    expect(check(sec, request({ authorization: 'Bearer test-key' }))).toEqual({ ok: true, tenant: 'test-key', scheme: 'bearer' });
  });

  it('with `{}` among them still refuse a credential that is offered and wrong', () => {
    const sec: Security = [{ bearer: [] }, {}];
    expect(check(sec, request({ authorization: 'Bearer other-key' }))).toEqual({ ok: false, problem: 'rejected', scheme: 'bearer' });
    expect(check(sec, request({ authorization: 'Token test-key' }))).toEqual({ ok: false, problem: 'malformed', scheme: 'bearer' });
  });

  it('when all fail, report the most informative problem: rejected over malformed over missing', () => {
    const sec: Security = [{ queryKey: [] }, { bearer: [] }, { headerKey: [] }];
    expect(check(sec, request({}))).toEqual({ ok: false, problem: 'missing', scheme: 'queryKey' });
    expect(check(sec, request({ authorization: 'Token x' }))).toEqual({ ok: false, problem: 'malformed', scheme: 'bearer' });
    expect(check(sec, request({ authorization: 'Token x', 'x-api-key': 'nope' }))).toEqual({ ok: false, problem: 'rejected', scheme: 'headerKey' });
    expect(check(sec, request({ authorization: 'Bearer nope' }, { api_key: ['a', 'b'] }))).toEqual({ ok: false, problem: 'rejected', scheme: 'bearer' });
  });
});

describe('hostile input', () => {
  const sec: Security = [{ bearer: [] }, { basic: [] }, { headerKey: [] }, { queryKey: [] }, { cookieKey: [] }];
  const reader = readerFor(sec);

  it('is never thrown on', () => {
    const huge = 'A'.repeat(2_000_000);
    const cases: Request[] = [
      request({ authorization: `Bearer ${huge}` }),
      request({ authorization: `Basic ${huge}` }),
      request({ authorization: `Bearer ${' '.repeat(100_000)}x ${' '.repeat(100_000)}` }),
      request({ authorization: 'Bearer \u0000\uFFFD\uD800' }),
      request({ authorization: 'Basic //79/f38' }), // base64 of bytes that are not UTF-8 and have no colon
      request({ cookie: `${';='.repeat(100_000)}` }),
      request({ cookie: 'session=%E0%A4%A' }), // a broken percent escape
      request({ 'x-api-key': '\r\n\t' }),
      request({}, { api_key: [] }),
      { headers: { authorization: 42 }, query: { api_key: { nested: true } } } as unknown as Request,
      { headers: null, query: null } as unknown as Request,
      { headers: { authorization: ['Bearer test-key', 'Bearer other'] }, query: {} } as unknown as Request,
    ];
    for (const req of cases) {
      expect(() => reader(req, policy)).not.toThrow();
      expect(reader(req, policy).ok).toBe(false);
    }
  });

  it('does not read inherited properties as headers or parameters', () => {
    const doc: JsonObject = {
      components: { securitySchemes: { q: { type: 'apiKey', in: 'query', name: 'toString' }, h: { type: 'apiKey', in: 'header', name: 'constructor' } } },
      security: [{ q: [] }, { h: [] }],
    };
    const op: OperationRef = { method: 'get', path: '/x', operation: {}, pointer: '' };
    const lax: CredentialPolicy = { accepts: () => true };
    expect(createCredentialReader(doc, op)(request({}), lax)).toEqual({ ok: false, problem: 'missing', scheme: 'q' });
  });

  it('reads a Latin-1 basic password that is not UTF-8', () => {
    const latin1 = `Basic ${Buffer.from('cadence:fr\u00e9nd', 'latin1').toString('base64')}`;
    const seen: string[] = [];
    readerFor([{ basic: [] }])(request({ authorization: latin1 }), { accepts: (c) => (seen.push(c), false) });
    expect(seen).toEqual(['cadence:fr\u00e9nd']);
  });

  it('treats a policy that throws as a refusal', () => {
    const throwing: CredentialPolicy = { accepts: () => { throw new Error('boom'); } };
    expect(readerFor([{ bearer: [] }])(request({ authorization: 'Bearer test-key' }), throwing)).toEqual({ ok: false, problem: 'rejected', scheme: 'bearer' });
  });
});

describe('the real specs', () => {
  async function readers(name: SpecName) {
    const { dereferenced } = await loadSpec(name);
    const ops = listOperations(dereferenced);
    expect(ops.length).toBeGreaterThan(0);
    return ops.map((op) => ({ id: String(op.operation.operationId), read: createCredentialReader(dereferenced, op) }));
  }

  it('Speechmatics: `Authorization: Bearer <key>` on every operation; a raw key is malformed, no key missing', async () => {
    for (const { id, read } of await readers('speechmatics')) {
      expect(read(request({ authorization: 'Bearer test-key' }), policy), id).toEqual({ ok: true, tenant: 'test-key', scheme: 'bearerAuth' });
      expect(read(request({ authorization: 'test-key' }), policy), id).toEqual({ ok: false, problem: 'malformed', scheme: 'bearerAuth' });
      expect(read(request({ 'x-gladia-key': 'test-key' }), policy), id).toEqual({ ok: false, problem: 'missing', scheme: 'bearerAuth' });
    }
  });

  it('AssemblyAI: the raw key in `authorization` on every operation; a Bearer prefix makes it a key nobody issued', async () => {
    for (const { id, read } of await readers('assemblyai')) {
      expect(read(request({ authorization: 'test-key' }), policy), id).toEqual({ ok: true, tenant: 'test-key', scheme: 'ApiKey' });
      expect(read(request({ authorization: 'Bearer test-key' }), policy), id).toEqual({ ok: false, problem: 'rejected', scheme: 'ApiKey' });
      expect(read(request({}), policy), id).toEqual({ ok: false, problem: 'missing', scheme: 'ApiKey' });
    }
  });

  it('Gladia: `x-gladia-key: <key>` on every operation; a Bearer header is no key at all', async () => {
    for (const { id, read } of await readers('gladia')) {
      expect(read(request({ 'x-gladia-key': 'test-key' }), policy), id).toEqual({ ok: true, tenant: 'test-key', scheme: 'gladiaKey' });
      expect(read(request({ authorization: 'Bearer test-key' }), policy), id).toEqual({ ok: false, problem: 'missing', scheme: 'gladiaKey' });
      expect(read(request({ 'x-gladia-key': 'other' }), policy), id).toEqual({ ok: false, problem: 'rejected', scheme: 'gladiaKey' });
    }
  });

  it('Cadence: Bearer for booking (the language list also anonymous), basic for the Twilio add-on', async () => {
    const byId = Object.fromEntries((await readers('cadence')).map(({ id, read }) => [id, read]));
    expect(Object.keys(byId).sort()).toEqual(['createJob', 'getJob', 'getUser', 'listJobs', 'listLanguages', 'submitTwilioAddonRequest']);
    const bearer = request({ authorization: 'Bearer test-key' });
    const friend = request({ authorization: basic('cadence:friend') });

    expect(byId.createJob!(bearer, policy)).toEqual({ ok: true, tenant: 'test-key', scheme: 'bearerAuth' });
    expect(byId.createJob!(friend, policy)).toEqual({ ok: false, problem: 'malformed', scheme: 'bearerAuth' });
    expect(byId.createJob!(request({}), policy)).toEqual({ ok: false, problem: 'missing', scheme: 'bearerAuth' });

    expect(byId.listLanguages!(bearer, policy)).toEqual({ ok: true, tenant: 'test-key', scheme: 'bearerAuth' });
    expect(byId.listLanguages!(request({}), policy)).toEqual(OK_ANONYMOUS);
    expect(byId.listLanguages!(request({ authorization: 'Bearer meowmeowmeow' }), policy)).toEqual({ ok: false, problem: 'rejected', scheme: 'bearerAuth' });

    expect(byId.submitTwilioAddonRequest!(friend, policy)).toEqual({ ok: true, tenant: 'cadence:friend', scheme: 'basicAuth' });
    expect(byId.submitTwilioAddonRequest!(bearer, policy)).toEqual({ ok: false, problem: 'malformed', scheme: 'basicAuth' });
    expect(byId.submitTwilioAddonRequest!(request({ authorization: basic('cadence:foe') }), policy)).toEqual({ ok: false, problem: 'rejected', scheme: 'basicAuth' });
  });

  it('Stenomatic: `Authorization: Bearer <key>` on every operation; a raw key is malformed', async () => {
    for (const { id, read } of await readers('stenomatic')) {
      expect(read(request({ authorization: 'Bearer test-key' }), policy), id).toEqual({ ok: true, tenant: 'test-key', scheme: 'bearerAuth' });
      expect(read(request({ authorization: 'test-key' }), policy), id).toEqual({ ok: false, problem: 'malformed', scheme: 'bearerAuth' });
      expect(read(request({}), policy), id).toEqual({ ok: false, problem: 'missing', scheme: 'bearerAuth' });
    }
  });

  it('the emulator control API declares no security: every operation is anonymous', async () => {
    for (const { id, read } of await readers('control')) {
      expect(read(request({}), policy), id).toEqual(OK_ANONYMOUS);
    }
  });
});
