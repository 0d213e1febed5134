// Nothing from a request reaches a filesystem path: uploads on every path that takes one
// (multipart file parts, raw uploads, Cadence's add-on recordings) with hostile file names,
// hostile ids in paths, and URLs the emulator is asked to fetch that name local files. The
// emulator runs with a fresh temporary root of its own (TMPDIR, which its file store honours):
// afterwards that root holds the store's directory alone, and in it only names the store made
// (`<n>-upload`, `<n>-fetched`); nothing appears anywhere a hostile name points, no answer
// quotes where the emulator keeps its files, and no local file is ever served back.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../compose.ts';
import { pathParamNames } from '../../conformance/runner/paths.ts';
import { rawRequest } from './testing/raw-http.ts';
import { exampleFor, loadTargets, toRaw, type Target } from './testing/targets.ts';
import { clientFor, GREETING, makeResources, multipart, type Client, type Resources } from './testing/world.ts';
import type { ApiName } from '../../openapi/specs.ts';

const HOSTILE_NAMES = [
  '../../../../tmp/evil',
  '../evil',
  '/etc/passwd',
  '/tmp/evil',
  '..\\..\\..\\evil',
  'C:\\Windows\\evil',
  'nul\u0000byte',
  '%00evil',
  'n'.repeat(10_000),
  '%2e%2e%2f%2e%2e%2fevil',
  '..%2F..%2Fevil',
  '..',
  '.',
  '',
  '~/.evil',
  '.evil',
  'evil/',
];

let root: string;
let outside: string;
let server: RunningServer;
let client: Client;
let resources: Resources;
let targets: Target[];
const savedTmpdir = process.env.TMPDIR;
const passwd = existsSync('/etc/passwd') ? readFileSync('/etc/passwd', 'utf8') : undefined;

beforeAll(async () => {
  // Two directories: the emulator's temporary root, and one beside it that hostile names aim at.
  outside = mkdtempSync(join(tmpdir(), 'speechdouble-paths-outside-'));
  root = mkdtempSync(join(outside, 'root-'));
  process.env.TMPDIR = root;
  // Remote media is fetched by the default policy (a file:// URL is no host it could allow or
  // refuse); callbacks go to loopback only, so the made-up hosts they name fail without a DNS wait.
  server = await startServer({ host: '127.0.0.1', port: 0, clock: { mode: 'manual' }, strict: true, allowCallback: ['localhost'] });
  client = clientFor(server.url);
  targets = await loadTargets();
  resources = await makeResources(client);
});
afterAll(async () => {
  await server?.close();
  if (savedTmpdir === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = savedTmpdir;
  rmSync(outside, { recursive: true, force: true });
});

/** Every path under `dir`, relative to it, directories marked with a trailing separator. */
function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? [relative(root, path) + sep, ...walk(path).map((p) => relative(root, join(dir, p)))] : [relative(root, path)];
  }).map((p) => p.replace(/^(?:\.\.\/)+/, ''));
}

/** What the guarantees allow on disk: the root holds the store's directory alone, the store only names it made. */
function expectOnlyStoreFiles(context: string): void {
  const store = server.emulator.files.list();
  const dirs = readdirSync(root);
  expect(dirs.every((name) => /^speechdouble-[\w]+$/.test(name)), `${context}: the temporary root holds ${dirs.join(', ')}`).toBe(true);
  for (const dir of dirs) {
    for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
      expect(entry.isFile() && /^\d+-(?:upload|fetched)$/.test(entry.name), `${context}: the store holds ${entry.name}`).toBe(true);
    }
  }
  for (const path of store) expect(path.startsWith(root + sep), `${context}: a file outside the root, ${path}`).toBe(true);
  // Where hostile names point: the directory beside the root, and the system's temporary directory.
  expect(readdirSync(outside).filter((name) => !root.endsWith(name)), `${context}: beside the root`).toEqual([]);
  for (const path of ['/tmp/evil', join(savedTmpdir ?? '/tmp', 'evil')]) expect(existsSync(path), `${context}: ${path}`).toBe(false);
  if (passwd !== undefined) expect(readFileSync('/etc/passwd', 'utf8'), `${context}: /etc/passwd`).toBe(passwd);
}

/** An answer says nothing of where the emulator keeps files, and serves no local file. */
function expectNothingLocal(text: string, context: string): void {
  expect(text.includes(root), `${context}: the answer quotes the temporary root: ${text.slice(0, 300)}`).toBe(false);
  expect(/root:.*:0:0:/.test(text), `${context}: the answer holds /etc/passwd`).toBe(false);
}

interface Upload {
  api: ApiName;
  path: string;
  /** A multipart body with the hostile file name on its file part (and a part named by it too). */
  body(name: string): { body: Buffer; headers: Record<string, string> };
}

const wavPart = (field: string, name: string) => ({ name: field, value: GREETING, filename: name, contentType: 'audio/wav' });
const hostilePart = (name: string) => ({ name: name || 'x', value: Buffer.from('RIFF'), filename: name, contentType: 'application/octet-stream' });

const UPLOADS: Upload[] = [
  { api: 'speechmatics', path: '/v2/jobs', body: (name) => multipart([{ name: 'config', value: JSON.stringify({ type: 'transcription', transcription_config: { language: 'en' } }) }, wavPart('data_file', name), hostilePart(name)]) },
  { api: 'speechmatics', path: '/v2/jobs', body: (name) => multipart([{ name: 'config', value: JSON.stringify({ type: 'alignment', alignment_config: { language: 'en' } }) }, wavPart('data_file', name), { name: 'text_file', value: 'Good morning.', filename: name, contentType: 'text/plain' }]) },
  { api: 'gladia', path: '/v2/upload', body: (name) => multipart([wavPart('audio', name), hostilePart(name)]) },
  {
    api: 'cadence', path: '/cadence/twilio',
    body: (name) => multipart([
      { name: 'request_sid', value: `XR${Buffer.from(name).toString('hex').padEnd(32, '0').slice(0, 32)}` },
      { name: 'callback_url', value: 'http://callbacks.invalid/cadence' },
      { name: 'requested_service', value: 'transcription' },
      { name: 'source_language', value: 'en' },
      { name: 'target_language', value: 'en' },
      wavPart('audio_data', name),
      hostilePart(name),
    ]),
  },
];

describe('hostile file names', () => {
  it.each(UPLOADS.map((upload) => [`${upload.api} ${upload.path}`, upload] as const))('on %s are never a path: the store names every file', async (_, upload) => {
    for (const name of HOSTILE_NAMES) {
      const { body, headers } = upload.body(name);
      const reply = await client.send(upload.api, 'POST', upload.path, { body, headers });
      const context = `${upload.api} ${upload.path} with ${JSON.stringify(name.slice(0, 40))}`;
      expect(reply.status, `${context}: ${reply.text.slice(0, 300)}`).toBeLessThan(500);
      expectNothingLocal(reply.text, context);
      expectOnlyStoreFiles(context);
    }
  });

  it('on AssemblyAI\'s raw upload, named in any header, are never a path', async () => {
    // Header values carry no NUL, and two of 10,000 characters would pass the header limit (431).
    for (const name of HOSTILE_NAMES.filter((n) => !n.includes('\u0000') && n.length < 1000)) {
      const headers = { 'content-type': 'application/octet-stream', 'content-disposition': `attachment; filename="${name}"`, 'x-filename': encodeURIComponent(name) };
      const reply = await client.send('assemblyai', 'POST', '/v2/upload', { body: GREETING, headers });
      expect(reply.status, reply.text).toBe(200);
      expectNothingLocal(reply.text, `assemblyai upload ${name.slice(0, 40)}`);
      expectOnlyStoreFiles(`assemblyai upload ${name.slice(0, 40)}`);
    }
  });

  it('in a file that is not audio are not quoted back with where it was kept', async () => {
    const reply = await client.send('gladia', 'POST', '/v2/upload', multipart([{ name: 'audio', value: Buffer.from('not audio at all'.repeat(20)), filename: '../../evil.txt', contentType: 'text/plain' }]));
    expect(reply.status).toBe(400);
    expectNothingLocal(reply.text, 'gladia upload of text');
    expect(reply.json().message).toMatch(/^The audio file could not be read/);
    expectOnlyStoreFiles('gladia upload of text');
  });

  it('are shown as a file name only (the last segment), from a file stored under a name of the store\'s', async () => {
    const reply = await client.send('gladia', 'POST', '/v2/upload', multipart([wavPart('audio', '../../../../tmp/evil.wav')]));
    expect(reply.json().audio_metadata.filename).toBe('evil.wav');
    expectOnlyStoreFiles('gladia upload');
  });
});

describe('hostile ids in paths', () => {
  const HOSTILE_IDS = ['..%2F..%2Fetc', '..%2F..%2F..%2F..%2Fetc%2Fpasswd', '%2e%2e%2f%2e%2e%2fetc%2fpasswd', '..%5C..%5Cevil', '%00', '%2Fetc%2Fpasswd', 'file%3A%2F%2F%2Fetc%2Fpasswd'];
  /**
   * Dot segments, plain or percent-encoded, are resolved as URLs resolve them (WHATWG: `%2e%2e` is
   * `..`) before routing: `/v2/transcript/<id>/%2e%2e` is `/v2/transcript`, a list. They reach no
   * file either; they may only be answered as the path they resolve to is.
   */
  const DOT_SEGMENTS = ['%2e%2e', '.%2E', '..', '%2e'];

  it('name nothing on any route of any API: a 4xx in the vendor\'s envelope, no local file', async () => {
    const routes = targets.filter((t) => t.op.path.includes('{'));
    expect(routes.length).toBeGreaterThanOrEqual(20);
    for (const target of routes) {
      for (const param of pathParamNames(target.op.path)) {
        for (const id of [...HOSTILE_IDS, ...DOT_SEGMENTS]) {
          const good = toRaw(exampleFor(target, resources.done, resources));
          // The example's path with this parameter's segment as sent (already encoded), the others real.
          const template = target.op.path.split('/');
          const segments = good.target.split('?')[0]!.split('/');
          segments[template.indexOf(`{${param}}`)] = id;
          const query = good.target.includes('?') ? `?${good.target.split('?')[1]}` : '';
          const reply = await rawRequest(server.url, { ...good, target: segments.join('/') + query });
          const context = `${target.api} ${target.op.method.toUpperCase()} ${segments.join('/')}`;
          expect(reply.kind, context).toBe('response');
          if (reply.kind !== 'response') continue;
          if (!DOT_SEGMENTS.includes(id)) expect(reply.status, `${context}: ${reply.body.toString().slice(0, 300)}`).toBeGreaterThanOrEqual(400);
          expect(reply.status, `${context}: ${reply.body.toString().slice(0, 300)}`).toBeLessThan(500);
          expectNothingLocal(reply.body.toString('latin1'), context);
        }
      }
    }
    expectOnlyStoreFiles('hostile ids');
  });
});

describe('URLs that name local files', () => {
  const LOCAL_URLS = ['file:///etc/passwd', 'file://localhost/etc/passwd', 'FILE:///etc/passwd', '/etc/passwd', '../../../../etc/passwd', 'file:///proc/self/environ'];

  it('in Speechmatics\' fetch_data and fetch_text are refused with the vendor\'s error, and nothing local is read', async () => {
    for (const url of LOCAL_URLS) {
      for (const config of [
        { type: 'transcription', transcription_config: { language: 'en' }, fetch_data: { url } },
        { type: 'alignment', alignment_config: { language: 'en' }, fetch_data: { url }, fetch_text: { url } },
      ]) {
        const reply = await client.send('speechmatics', 'POST', '/v2/jobs', multipart([{ name: 'config', value: JSON.stringify(config) }]));
        const context = `fetch ${url} (${config.type})`;
        expect(reply.status, `${context}: ${reply.text}`).toBe(400);
        expect(reply.json(), context).toMatchObject({ code: 400, error: 'Job rejected' });
        expectNothingLocal(reply.text, context);
      }
    }
    expectOnlyStoreFiles('fetch_data');
  });

  it('as an audio_url of AssemblyAI or Gladia are refused with the vendor\'s error, and nothing local is read', async () => {
    for (const url of LOCAL_URLS) {
      const sends: Array<[ApiName, string]> = [['assemblyai', '/v2/transcript'], ['gladia', '/v2/pre-recorded'], ['gladia', '/v2/upload']];
      for (const [api, path] of sends) {
        const reply = await client.send(api, 'POST', path, { body: JSON.stringify({ audio_url: url }), headers: { 'content-type': 'application/json' } });
        const context = `${api} ${path} audio_url ${url}`;
        expect(reply.status, `${context}: ${reply.text}`).toBeGreaterThanOrEqual(400);
        expect(reply.status, `${context}: ${reply.text}`).toBeLessThan(500);
        expectNothingLocal(reply.text, context);
      }
    }
    expectOnlyStoreFiles('audio_url');
  });

  it('leave nothing local behind once time moves', async () => {
    await client.advance(3600);
    for (const [api, path] of [['speechmatics', '/v2/jobs?include_deleted=true'], ['assemblyai', '/v2/transcript'], ['gladia', '/v2/pre-recorded']] as Array<[ApiName, string]>) {
      expectNothingLocal((await client.send(api, 'GET', path)).text, `${api} ${path}`);
    }
    expectOnlyStoreFiles('after time moved');
    expect(statSync(root).isDirectory()).toBe(true);
  });
});
