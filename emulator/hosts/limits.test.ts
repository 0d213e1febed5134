// What a client may send, with the status each limit answers: headers too large 431 (Node's
// own answer), a request target too long 414 (ours, before any routing), a body too large 413
// or the vendor's own, a client too slow 408 with its connection closed. After each, the server
// goes on serving. Raw sockets, since fetch would not send what these tests send.
import { connect } from 'node:net';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../compose.ts';
import { DEFAULT_LIMITS, resolveLimits } from '../core/limits.ts';
import { SettingError } from '../core/settings.ts';
import { FIXTURES_DIR } from '../engine/fixtures.ts';
import { expressMiddleware } from '../start-emulator.ts';
import { serverOptions } from './http-server.ts';

const GREETING = readFileSync(FIXTURES_DIR + 'en-greeting.16k.wav');

interface RawReply {
  /** The first line and headers, as received. */
  head: string;
  status: number;
  body: string;
  /** From the write to the server's closing of the connection (or the test's, after `waitMs`). */
  ms: number;
  closedByServer: boolean;
}

/** Writes `text` as is, and reads until the server closes the connection (or `waitMs` passes). */
function raw(url: string, text: string, waitMs = 3000): Promise<RawReply> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    const started = Date.now();
    let closedByServer = true;
    const giveUp = setTimeout(() => {
      closedByServer = false;
      socket.destroy();
    }, waitMs);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      clearTimeout(giveUp);
      const all = Buffer.concat(chunks).toString('latin1');
      const split = all.indexOf('\r\n\r\n');
      const head = split < 0 ? all : all.slice(0, split);
      resolve({ head, status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0), body: split < 0 ? '' : all.slice(split + 4), ms: Date.now() - started, closedByServer });
    });
    socket.write(text);
  });
}

const get = (path: string, headers: Record<string, string> = {}) =>
  `GET ${path} HTTP/1.1\r\nHost: emulator\r\nConnection: close\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`;

const healthy = async (server: RunningServer) => (await fetch(`${server.url}/__emulator/health`)).status;

describe('limits, as startEmulator and serve take them', () => {
  it('default to 16 KiB of headers, 8 KiB of URL, 60 s for the headers and 300 s for the request', () => {
    expect(resolveLimits()).toEqual({ maxHeaderKib: 16, maxUrlKib: 8, headersTimeout: 60, requestTimeout: 300 });
    expect(DEFAULT_LIMITS).toEqual(resolveLimits({}));
  });

  it('become node:http\'s options, checked often enough to notice a short timeout in time', () => {
    expect(serverOptions(undefined)).toEqual({ maxHeaderSize: 16384, headersTimeout: 60_000, requestTimeout: 300_000, connectionsCheckingInterval: 1000 });
    expect(serverOptions({ maxHeaderKib: 2, headersTimeout: 1 })).toMatchObject({ maxHeaderSize: 2048, headersTimeout: 1000, connectionsCheckingInterval: 250 });
    // A request timeout shorter than the default headers timeout shortens it too; 0 is no limit.
    expect(resolveLimits({ requestTimeout: 30 })).toMatchObject({ headersTimeout: 30, requestTimeout: 30 });
    expect(serverOptions({ requestTimeout: 0 })).toMatchObject({ headersTimeout: 60_000, requestTimeout: 0, connectionsCheckingInterval: 1000 });
  });

  it.each([
    [{ maxHeaderKib: 0 }, /maxHeaderKib \(--max-header-kib\) is a number greater than 0/],
    [{ maxUrlKib: -1 }, /maxUrlKib/],
    [{ headersTimeout: Number.NaN }, /headersTimeout/],
    [{ requestTimeout: -5 }, /requestTimeout \(--request-timeout\) is a number greater than 0 \(or 0: no limit\)/],
    [{ headersTimeout: 90, requestTimeout: 30 }, /cannot be longer than limits\.requestTimeout/],
  ])('refuses %j', (limits, message) => {
    expect(() => resolveLimits(limits)).toThrow(SettingError);
    expect(() => resolveLimits(limits)).toThrow(message);
  });

  it('are refused by startServer (and so by startEmulator and serve) before anything listens', async () => {
    await expect(startServer({ host: '127.0.0.1', port: 0, apis: ['speechmatics'], limits: { maxUrlKib: 0 } })).rejects.toThrow(SettingError);
  });
});

describe('on a port', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({
      host: '127.0.0.1', port: 0, apis: ['speechmatics', 'gladia'], clock: { mode: 'manual' }, strict: true,
      limits: { maxHeaderKib: 4, maxUrlKib: 1, headersTimeout: 1, requestTimeout: 1 },
      settings: { gladia: { 'max-upload-mb': 100_000 / 2 ** 20 } },
    });
  });
  afterAll(() => server?.close());

  it('answers headers over --max-header-kib with 431, and serves the next connection', async () => {
    const reply = await raw(server.url, get('/v2/jobs', { authorization: 'Bearer test-key', 'x-padding': 'p'.repeat(5000) }));
    expect(reply.status).toBe(431);
    expect(reply.head).toMatch(/^HTTP\/1\.1 431 Request Header Fields Too Large\r\nConnection: close/);
    // Just under the limit is served.
    const under = await raw(server.url, get('/v2/jobs', { authorization: 'Bearer test-key', 'x-padding': 'p'.repeat(3000) }));
    expect(under.status).toBe(200);
    expect(await healthy(server)).toBe(200);
  });

  it('answers a request target over --max-url-kib with 414 and a JSON body, before routing, on any path', async () => {
    const long = 'q'.repeat(1100);
    for (const path of [`/v2/jobs?x=${long}`, `/__emulator/requests?api=${long}`, `/nowhere/${long}`, `/v2/jobs/%ZZ${long}`]) {
      const reply = await raw(server.url, get(path, { authorization: 'Bearer test-key' }));
      expect(reply.status, path.slice(0, 20)).toBe(414);
      expect(reply.head).toMatch(/content-type: application\/json/i);
      expect(JSON.parse(reply.body)).toEqual({ error: 'uri_too_long', message: `the request target is ${path.length} bytes; the limit is 1024 (--max-url-kib 1)` });
    }
    // Nothing of it reached an API: the journal has no entry for it.
    const { requests } = await (await fetch(`${server.url}/__emulator/requests`)).json();
    expect(requests.filter((r: { path: string }) => r.path.length > 1000)).toEqual([]);
    const under = await raw(server.url, get(`/v2/jobs?x=${'q'.repeat(900)}`, { authorization: 'Bearer test-key' }));
    expect(under.status).not.toBe(414);
    expect(under.status).not.toBe(500);
  });

  it('answers a body over the API\'s upload limit with 413 (Gladia\'s own), keeping nothing, and goes on serving', async () => {
    const form = new FormData();
    form.append('audio', new Blob([new Uint8Array(GREETING)]), 'greeting.wav');
    const refused = await fetch(`${server.url}/v2/upload`, { method: 'POST', headers: { 'x-gladia-key': 'test-key' }, body: form });
    expect([refused.status, (await refused.json()).statusCode]).toEqual([413, 413]);
    expect(server.emulator.files.list()).toEqual([]);
    const small = new FormData();
    small.append('audio', new Blob([new Uint8Array(GREETING.subarray(0, 50_000))]), 'short.wav');
    const next = await fetch(`${server.url}/v2/upload`, { method: 'POST', headers: { 'x-gladia-key': 'test-key' }, body: small });
    expect(next.status).not.toBe(500);
    expect(next.status).not.toBe(413);
    expect(await healthy(server)).toBe(200);
  });

  // The one test here where real time passes: about a second.
  it('answers clients that stall (in the request line, or in an upload\'s body) with 408 after their timeout, and serves others meanwhile', async () => {
    const inHeaders = raw(server.url, 'GET /v2/jo', 5000);
    const boundary = 'stalled-upload';
    const part = `--${boundary}\r\nContent-Disposition: form-data; name="config"\r\n\r\n{"type":"transcription","transcription_config":{"language":"en"}}\r\n--${boundary}\r\nContent-Disposition: form-data; name="data_file"; filename="a.wav"\r\n\r\nRIFF`;
    const inBody = raw(server.url, `POST /v2/jobs HTTP/1.1\r\nHost: emulator\r\nAuthorization: Bearer test-key\r\nContent-Type: multipart/form-data; boundary=${boundary}\r\nContent-Length: 100000\r\n\r\n${part}`, 5000);
    let cutOff = false;
    void Promise.all([inHeaders, inBody]).then(() => (cutOff = true));
    // While they stall, other requests are answered: each holds a socket, not the server.
    for (let i = 0; i < 3; i++) expect(await healthy(server)).toBe(200);
    expect(cutOff).toBe(false);
    for (const reply of await Promise.all([inHeaders, inBody])) {
      expect(reply.closedByServer).toBe(true);
      expect(reply.status).toBe(408);
      expect(reply.ms).toBeGreaterThanOrEqual(900);
      expect(reply.ms).toBeLessThan(4000);
    }
    expect(await healthy(server)).toBe(200);
    // The upload cut off left nothing behind.
    await expect.poll(() => server.emulator.files.list()).toEqual([]);
  });
});

describe('through the express adapter', () => {
  let app: Server;
  let url: string;
  const emulator = expressMiddleware({ apis: ['speechmatics'], limits: { maxUrlKib: 1 } });
  beforeAll(async () => {
    app = createServer((req, res) => emulator(req, res, () => res.writeHead(404, { 'content-type': 'text/plain' }).end('the app\'s own 404')));
    await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
    await emulator.ready;
  });
  afterAll(async () => {
    await emulator.close();
    await new Promise((resolve) => app.close(resolve));
  });

  it('answers a target over the URL limit on the emulator\'s paths with 414; other paths stay the app\'s', async () => {
    const long = 'q'.repeat(1100);
    const ours = await fetch(`${url}/v2/jobs?x=${long}`, { headers: { authorization: 'Bearer test-key' } });
    expect([ours.status, (await ours.json()).error]).toEqual([414, 'uri_too_long']);
    const theirs = await fetch(`${url}/elsewhere?x=${long}`);
    expect([theirs.status, await theirs.text()]).toEqual([404, 'the app\'s own 404']);
    expect((await fetch(`${url}/v2/jobs`, { headers: { authorization: 'Bearer test-key' } })).status).toBe(200);
  });
});
