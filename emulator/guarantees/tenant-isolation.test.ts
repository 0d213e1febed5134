// Another tenant's resource is a 404 indistinguishable from one that never existed, on every API
// and every route: for each operation of each vendor spec whose path names a resource (a job, a
// transcript, a booking, a client, a room…), tenant B asks for what tenant A made, and for an id
// of the same shape that nobody made, with every method the route has (a body where it takes
// one). The two answers must match: status, headers (but Date and request ids), and body once
// the id itself is replaced. What A made is unchanged by B's attempts, and B's lists never show
// it. The routes come from the specs, not a hand-written list: a new route is covered when it is
// added.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pathParamNames } from '../../conformance/runner/paths.ts';
import { rawRequest, type RawAnswer } from './testing/raw-http.ts';
import { exampleFor, loadTargets, toRaw, type Target } from './testing/targets.ts';
import { clientFor, GREETING, makeResources, multipart, type Client, type Resources, type Tenant } from './testing/world.ts';
import { startServer, type RunningServer } from '../compose.ts';
import type { ApiName } from '../../openapi/specs.ts';

const A: Tenant = { key: 'key-a', basic: 'a:pass' };
const B: Tenant = { key: 'key-b', basic: 'b:pass' };

let server: RunningServer;
let client: Client;
let targets: Target[];
let theirs: Resources;
let mine: Resources;

beforeAll(async () => {
  server = await startServer({ host: '127.0.0.1', port: 0, clock: { mode: 'manual' }, strict: true, apiKeys: [A.key, B.key, A.basic, B.basic], allowFetch: ['localhost'], allowCallback: ['localhost'] });
  client = clientFor(server.url);
  targets = await loadTargets();
  theirs = await makeResources(client, A);
  mine = await makeResources(client, B);
});
afterAll(() => server?.close());

/**
 * An id of the same shape that nobody made: each letter or digit replaced by another of its kind
 * (hex digits stay hex in a UUID), separators kept, and a Bubble id (`<13-digit ms>x<18 digits>`)
 * keeps its time and changes its random part.
 */
function neverMade(id: string, salt: number): string {
  const hex = /^[0-9a-f-]+$/.test(id);
  const keep = /^\d{13}x\d{18}$/.test(id) ? 14 : 0;
  const shift = (c: string, alphabet: string) => alphabet[(alphabet.indexOf(c) + 1 + (salt % (alphabet.length - 1))) % alphabet.length]!;
  const other = (c: string) => (/\d/.test(c) ? shift(c, '0123456789') : hex && /[a-f]/.test(c) ? shift(c, 'abcdef') : /[a-z]/.test(c) ? shift(c, 'abcdefghijklmnopqrstuvwxyz') : /[A-Z]/.test(c) ? shift(c, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ') : c);
  return id.slice(0, keep) + [...id.slice(keep)].map(other).join('');
}

/** What may differ between two answers that say the same: the Date, per-request ids, and the id asked for. */
function comparable(answer: RawAnswer, id: string): unknown {
  if (answer.kind !== 'response') return answer.kind;
  const headers = Object.fromEntries(Object.entries(answer.headers).filter(([name]) => name !== 'date' && !/request-id/.test(name)));
  const body = answer.body.toString('utf8').split(id).join('{id}').replace(/"request_id":"G-[0-9a-f]+"/g, '"request_id":"G-…"');
  return { status: answer.status, headers, body };
}

/** Every operation whose path names a resource of the tenant's (a path parameter we have A's value for). */
const routes = () => targets.filter((t) => pathParamNames(t.op.path).some((name) => theirs.done[name] !== undefined));

describe('another tenant\'s resource answers as one that never existed', () => {
  it('covers every route with a resource in its path, on every API', () => {
    // The specs decide the list; this pins that each API has some, so a loader problem cannot pass silently.
    const apis = new Set(routes().map((t) => t.api));
    expect([...apis].sort()).toEqual(['assemblyai', 'cadence', 'gladia', 'speechmatics', 'stenomatic']);
    expect(routes().length).toBeGreaterThanOrEqual(20);
  });

  it('on every method of every such route, status, headers and body alike', async () => {
    const differences: string[] = [];
    let salt = 0;
    // A's finished resources, and those still running where the API has them (a job still
    // processing takes other paths: a DELETE refused as not deletable, a read-out not ready).
    const cases = routes().flatMap((target) => pathParamNames(target.op.path).flatMap((param) => [...new Set([theirs.done[param], theirs.running[param]])].flatMap((real) => (real === undefined ? [] : [{ target, param, real }]))));
    expect(cases.length).toBeGreaterThan(routes().length);
    for (const { target, param, real } of cases) {
      const fake = neverMade(real, ++salt);
      expect(fake).not.toBe(real);
      const readBack = await readAll(target.api, A, theirs);
      const asB = (value: string) => toRaw(exampleFor(target, { ...mine.done, [param]: value }, mine, B));
      const [their, never] = [await rawRequest(server.url, asB(real)), await rawRequest(server.url, asB(fake))];
      const [left, right] = [comparable(their, real), comparable(never, fake)];
      const name = `${target.api} ${target.op.method.toUpperCase()} ${target.op.path} (${param} ${real})`;
      if (JSON.stringify(left) !== JSON.stringify(right)) differences.push(`${name}:\n  A's:   ${JSON.stringify(left)}\n  never: ${JSON.stringify(right)}`);
      if (their.kind === 'response' && their.status < 400) differences.push(`${name}: B was answered ${their.status} for A's resource`);
      if (their.kind === 'response' && their.status >= 500) differences.push(`${name}: ${their.status} ${their.body.toString().slice(0, 300)}`);
      // What B tried changed nothing of A's.
      const after = await readAll(target.api, A, theirs);
      if (after !== readBack) differences.push(`${name}: B's request changed what A reads:\n  before: ${readBack.slice(0, 500)}\n  after:  ${after.slice(0, 500)}`);
    }
    expect(differences).toEqual([]);
  });

  it('never lists one tenant\'s resources to another', async () => {
    const ids = Object.values(theirs.done).concat(Object.values(theirs.running), theirs.uploads.assemblyai, theirs.uploads.gladia);
    const lists = targets.filter((t) => t.op.method === 'get' && !t.op.path.includes('{'));
    expect(lists.length).toBeGreaterThanOrEqual(8);
    for (const target of lists) {
      const reply = await rawRequest(server.url, toRaw(exampleFor(target, mine.done, mine, B)));
      expect(reply.kind).toBe('response');
      const text = reply.kind === 'response' ? reply.body.toString('utf8') : '';
      expect(reply.kind === 'response' && reply.status, `${target.api} ${target.op.path}: ${text.slice(0, 300)}`).toBeLessThan(500);
      for (const id of ids) expect(text.includes(id), `${target.api} GET ${target.op.path} shows A's ${id} to B`).toBe(false);
    }
  });
});

describe('another tenant\'s upload, named in a body, answers as one that never existed', () => {
  // An upload URL of A's, given to B's create, and one of the same shape nobody uploaded.
  const cases: Array<{ api: ApiName; path: string; url: (r: Resources) => string; body: (url: string) => Buffer | string; headers?: Record<string, string> }> = [
    { api: 'assemblyai', path: '/v2/transcript', url: (r) => r.uploads.assemblyai, body: (url) => JSON.stringify({ audio_url: url }), headers: { 'content-type': 'application/json' } },
    { api: 'gladia', path: '/v2/pre-recorded', url: (r) => r.uploads.gladia, body: (url) => JSON.stringify({ audio_url: url }), headers: { 'content-type': 'application/json' } },
    { api: 'gladia', path: '/v2/upload', url: (r) => r.uploads.gladia, body: (url) => JSON.stringify({ audio_url: url }), headers: { 'content-type': 'application/json' } },
  ];

  it.each(cases)('$api POST $path', async ({ api, path, url, body, headers }) => {
    const real = url(theirs);
    const id = real.split('/').pop()!;
    const fake = real.replace(id, neverMade(id, 3));
    const send = async (audioUrl: string) => {
      const reply = await client.send(api, 'POST', path, { tenant: B, body: body(audioUrl), ...(headers && { headers }) });
      expect(reply.status, reply.text).toBeLessThan(500);
      const text = reply.text.split(audioUrl).join('{url}').split(audioUrl.split('/').pop()!).join('{id}').replace(/"request_id":"G-[0-9a-f]+"/g, '"request_id":"G-…"');
      // A created resource has an id of its own: what matters is whether it was created, and the answer's shape.
      return { status: reply.status, body: reply.status < 300 ? Object.keys(reply.json()).sort() : text };
    };
    expect(await send(real)).toEqual(await send(fake));
    expect((await send(real)).status).toBeGreaterThanOrEqual(400);
  });
});

describe('another tenant\'s add-on request_sid, sent again, answers as one never sent', () => {
  // Cadence acknowledges a repeated request_sid without doing it again: per credentials, so A's
  // sid sent by B is B's first, answered (and done) as any new one is.
  it('Cadence POST /cadence/twilio', async () => {
    const send = async (sid: string) => {
      const reply = await client.send('cadence', 'POST', '/cadence/twilio', { tenant: B, ...multipart([
        { name: 'request_sid', value: sid },
        { name: 'callback_url', value: 'http://callbacks.invalid/cadence' },
        { name: 'requested_service', value: 'transcription' },
        { name: 'source_language', value: 'en' },
        { name: 'target_language', value: 'en' },
        { name: 'audio_data', value: GREETING, filename: 'call.wav', contentType: 'audio/wav' },
      ]) });
      return { status: reply.status, body: reply.text, type: reply.headers['content-type'] ?? null };
    };
    const files = server.emulator.files.list().length;
    expect(await send(theirs.addonSid)).toEqual(await send(`XR${neverMade(theirs.addonSid.slice(2), 5)}`));
    // Both were taken as B's own: each keeps its recording until it is done.
    expect(server.emulator.files.list().length).toBe(files + 2);
  });
});

/** Everything `tenant` reads of its resources in one API: its lists and each resource. */
async function readAll(api: ApiName, tenant: Tenant, resources: Resources): Promise<string> {
  const paths: Record<ApiName, string[]> = {
    speechmatics: ['/v2/jobs?include_deleted=true', `/v2/jobs/${resources.done.jobid}`, `/v2/jobs/${resources.done.jobid}/transcript?format=txt`],
    assemblyai: ['/v2/transcript', `/v2/transcript/${resources.done.transcript_id}`],
    gladia: ['/v2/pre-recorded', `/v2/pre-recorded/${resources.done.id}`],
    cadence: ['/api/1.1/obj/job', `/api/1.1/obj/job/${resources.done.job_id}`],
    stenomatic: ['/v1/clients', `/v1/clients/${resources.done.client_id}/rooms`, `/v1/rooms/${resources.done.room_id}`, `/v1/rooms/${resources.done.room_id}/passwords`],
  };
  const texts: string[] = [];
  for (const path of paths[api]) texts.push(`${path} ${(await client.send(api, 'GET', path, { tenant })).text}`);
  return texts.join('\n');
}

