// --allow-fetch and --allow-callback with real servers on loopback: a refused callback is
// recorded and never sent, an allowed one arrives; remote media from a refused host (a cloud
// metadata address by default, or anything off the list) fails the job as an unreachable URL
// does, in each vendor's words; redirects are checked hop by hop; a name that resolves to a
// link-local address is refused.
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { startServer, type RunningServer } from '../compose.ts';
import { FIXTURES_DIR } from '../engine/fixtures.ts';
import { startLoopbackPeer, type LoopbackPeer } from '../testing/loopback-peer.ts';
import { createCallbackSender } from './callbacks.ts';
import { createClock } from './clock.ts';
import { createOutboundPolicy, type Lookup } from './outbound-policy.ts';
import { fetchBytes, RemoteMediaError } from './remote-media.ts';

const GREETING = readFileSync(FIXTURES_DIR + 'en-greeting.16k.wav');
const METADATA = 'http://169.254.169.254/latest/meta-data';

let peer: LoopbackPeer;
const servers: RunningServer[] = [];
beforeAll(async () => {
  peer = await startLoopbackPeer({ '/media/greeting.wav': { body: GREETING, type: 'audio/wav' } });
});
afterAll(async () => {
  await Promise.all(servers.map((server) => server.close()));
  await peer?.close();
});
afterEach(() => {
  peer.clear();
  vi.restoreAllMocks();
});

async function emulator(options: { allowFetch?: string[]; allowCallback?: string[] } = {}): Promise<RunningServer> {
  const server = await startServer({ host: '127.0.0.1', port: 0, apis: ['speechmatics', 'gladia', 'assemblyai'], clock: { mode: 'manual' }, strict: true, ...options });
  servers.push(server);
  return server;
}

const advance = async (server: RunningServer, seconds: number) => server.emulator.clock.advance(seconds);
const json = async (res: Response) => {
  const text = await res.text();
  expect(res.status, text).not.toBe(500);
  return JSON.parse(text);
};

/** A Speechmatics job: the audio uploaded, or fetched from `fetchUrl`; notified at `${peer.url}/hooks/sm`. */
async function speechmaticsJob(server: RunningServer, fetchUrl?: string): Promise<string> {
  const body = new FormData();
  body.append('config', JSON.stringify({
    type: 'transcription', transcription_config: { language: 'en' },
    ...(fetchUrl && { fetch_data: { url: fetchUrl } }),
    notification_config: [{ url: `${peer.url}/hooks/sm`, contents: ['jobinfo'] }],
  }));
  if (!fetchUrl) body.append('data_file', new Blob([new Uint8Array(GREETING)]), 'greeting.wav');
  const res = await fetch(`${server.url}/v2/jobs`, { method: 'POST', headers: { authorization: 'Bearer test-key' }, body });
  return (await json(res)).id;
}
const speechmaticsJobInfo = async (server: RunningServer, id: string) => (await json(await fetch(`${server.url}/v2/jobs/${id}`, { headers: { authorization: 'Bearer test-key' } }))).job;
const callbacks = async (server: RunningServer) => (await json(await fetch(`${server.url}/__emulator/callbacks`))).callbacks as Array<{ attempt: number; status: number | null; error: string | null; url: string }>;

describe('--allow-callback', () => {
  it('records a notification to a host it does not list as refused, never sends it, and retries it as an unreachable one', async () => {
    const server = await emulator({ allowCallback: ['hooks.example.com'] });
    const id = await speechmaticsJob(server);
    await advance(server, 10);
    expect((await speechmaticsJobInfo(server, id)).status).toBe('done');
    // Speechmatics retries after 6, 26 and 66 seconds.
    await advance(server, 100);
    const attempts = await callbacks(server);
    expect(attempts.map((a) => [a.attempt, a.status, a.error])).toEqual([1, 2, 3, 4].map((n) => [n, null, 'refused by --allow-callback (127.0.0.1)']));
    expect(attempts[0]!.url).toBe(`${peer.url}/hooks/sm?id=${id}&status=success`);
    expect(peer.received).toEqual([]);
  });

  it('sends a notification to a host it lists', async () => {
    const server = await emulator({ allowCallback: [`127.0.0.1:${new URL(peer.url).port}`] });
    const id = await speechmaticsJob(server);
    await advance(server, 10);
    expect((await callbacks(server)).map((a) => [a.status, a.error])).toEqual([[200, null]]);
    expect(peer.received.map((call) => call.path)).toEqual([`/hooks/sm?id=${id}&status=success`]);
  });

  it('refuses a callback to a name that resolves to a link-local address, without sending it', async () => {
    const lookup: Lookup = async () => [{ address: '169.254.169.254', family: 4 }];
    const clock = createClock({ mode: 'manual' });
    const sender = createCallbackSender(clock, { outbound: createOutboundPolicy('--allow-callback', [], { lookup }) });
    const sent = vi.spyOn(globalThis, 'fetch');
    sender.send({ api: 'speechmatics', resourceId: 'job1', url: 'http://hooks.example.test/notify', method: 'POST', headers: {} }, { retryAfterSeconds: [] });
    await clock.advance(0);
    await vi.waitFor(() => expect(sender.attempts()[0]?.error).toBe('refused by --allow-callback (hooks.example.test is 169.254.169.254)'));
    expect(sender.attempts()[0]!.status).toBeNull();
    expect(sent).not.toHaveBeenCalled();
    clock.stop();
  });
});

describe('--allow-fetch', () => {
  it('refuses a cloud metadata address by default: each vendor fails the job as for an unreachable URL', async () => {
    const server = await emulator();
    const sent = vi.spyOn(globalThis, 'fetch');
    const speechmatics = await speechmaticsJob(server, METADATA);
    const gladia = await json(await fetch(`${server.url}/v2/pre-recorded`, { method: 'POST', headers: { 'x-gladia-key': 'test-key', 'content-type': 'application/json' }, body: JSON.stringify({ audio_url: METADATA }) }));
    const assemblyai = await json(await fetch(`${server.url}/v2/transcript`, { method: 'POST', headers: { authorization: 'test-key', 'content-type': 'application/json' }, body: JSON.stringify({ audio_url: METADATA }) }));
    await advance(server, 10);
    // The only requests made from this process are the test's own, to the emulator and the peer.
    expect(sent.mock.calls.map(([url]) => String(url)).filter((url) => url.includes('169.254'))).toEqual([]);
    const rejected = await speechmaticsJobInfo(server, speechmatics);
    expect(rejected.status).toBe('rejected');
    expect(rejected.errors[0].message).toBe('unable to fetch audio: refused by --allow-fetch (169.254.169.254)');
    // The notification of the failure is sent: --allow-callback was not given, and the peer is no metadata host.
    expect(peer.received.map((call) => call.path)).toEqual([`/hooks/sm?id=${speechmatics}&status=fetch_error`]);
    const gladiaJob = await json(await fetch(`${server.url}/v2/pre-recorded/${gladia.id}`, { headers: { 'x-gladia-key': 'test-key' } }));
    expect(gladiaJob).toMatchObject({ status: 'error', error_code: 400 });
    const assemblyaiJob = await json(await fetch(`${server.url}/v2/transcript/${assemblyai.id}`, { headers: { authorization: 'test-key' } }));
    expect(assemblyaiJob).toMatchObject({ status: 'error', error: `Download error, unable to download ${METADATA}. Please make sure the file exists and is accessible from the internet.` });
    expect(server.emulator.files.list()).toEqual([]);
  });

  it('fetches only from the hosts it lists', async () => {
    const listed = await emulator({ allowFetch: ['127.0.0.1'] });
    const unlisted = await emulator({ allowFetch: ['media.example.com'] });
    const done = await speechmaticsJob(listed, `${peer.url}/media/greeting.wav`);
    const refused = await speechmaticsJob(unlisted, `${peer.url}/media/greeting.wav`);
    await Promise.all([advance(listed, 10), advance(unlisted, 10)]);
    expect((await speechmaticsJobInfo(listed, done)).status).toBe('done');
    const rejected = await speechmaticsJobInfo(unlisted, refused);
    expect([rejected.status, rejected.errors[0].message]).toEqual(['rejected', 'unable to fetch audio: refused by --allow-fetch (127.0.0.1)']);
  });

  it('holds for every vendor that fetches: Gladia\'s and AssemblyAI\'s audio_url too', async () => {
    const unlisted = await emulator({ allowFetch: ['media.example.com'] });
    const audioUrl = `${peer.url}/media/greeting.wav`;
    const gladia = await json(await fetch(`${unlisted.url}/v2/pre-recorded`, { method: 'POST', headers: { 'x-gladia-key': 'test-key', 'content-type': 'application/json' }, body: JSON.stringify({ audio_url: audioUrl, callback: true, callback_config: { url: `${peer.url}/hooks/gladia` } }) }));
    const assemblyai = await json(await fetch(`${unlisted.url}/v2/transcript`, { method: 'POST', headers: { authorization: 'test-key', 'content-type': 'application/json' }, body: JSON.stringify({ audio_url: audioUrl }) }));
    await advance(unlisted, 10);
    expect(await json(await fetch(`${unlisted.url}/v2/pre-recorded/${gladia.id}`, { headers: { 'x-gladia-key': 'test-key' } }))).toMatchObject({ status: 'error', error_code: 400 });
    // Gladia's callback says why, in its words.
    expect(JSON.parse(peer.received[0]!.body.toString()).error).toEqual({ code: 400, message: 'audio_url could not be downloaded: refused by --allow-fetch (127.0.0.1)' });
    expect(await json(await fetch(`${unlisted.url}/v2/transcript/${assemblyai.id}`, { headers: { authorization: 'test-key' } }))).toMatchObject({ status: 'error', error: `Download error, unable to download ${audioUrl}. Please make sure the file exists and is accessible from the internet.` });
  });
});

describe('remote media and redirects', () => {
  let redirector: Server;
  let base: string;
  const seen: Array<{ url: string; authorization?: string }> = [];
  beforeAll(async () => {
    redirector = createServer((req, res) => {
      seen.push({ url: req.url!, ...(req.headers.authorization && { authorization: req.headers.authorization }) });
      if (req.url === '/to-metadata') return void res.writeHead(302, { location: METADATA }).end();
      if (req.url === '/to-peer') return void res.writeHead(301, { location: `${peer.url}/media/greeting.wav` }).end();
      if (req.url === '/relative') return void res.writeHead(307, { location: '/file' }).end();
      if (req.url === '/loop') return void res.writeHead(302, { location: '/loop' }).end();
      if (req.url === '/file') return void res.writeHead(200, { 'content-type': 'text/plain' }).end('the file');
      res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => redirector.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(redirector.address() as AddressInfo).port}`;
  });
  afterAll(() => redirector?.close());

  it('checks every hop of a redirect: one to a metadata address is refused before it is asked', async () => {
    const sent = vi.spyOn(globalThis, 'fetch');
    await expect(fetchBytes(`${base}/to-metadata`, {})).rejects.toThrow(new RemoteMediaError('refused by --allow-fetch (169.254.169.254)'));
    expect(sent.mock.calls.map(([url]) => String(url))).toEqual([`${base}/to-metadata`]);
  });

  it('follows redirects it allows, relative ones too, and drops Authorization when one leaves the origin', async () => {
    seen.length = 0;
    expect((await fetchBytes(`${base}/relative`, { authorization: 'Bearer media' })).toString()).toBe('the file');
    expect(seen).toEqual([{ url: '/relative', authorization: 'Bearer media' }, { url: '/file', authorization: 'Bearer media' }]);
    const bytes = await fetchBytes(`${base}/to-peer`, { authorization: 'Bearer media' });
    expect(bytes.equals(GREETING)).toBe(true);
    const allowed = createOutboundPolicy('--allow-fetch', [`127.0.0.1:${new URL(base).port}`]);
    await expect(fetchBytes(`${base}/to-peer`, {}, { outbound: allowed })).rejects.toThrow(new RemoteMediaError('refused by --allow-fetch (127.0.0.1)'));
  });

  it('gives up on a redirect loop with a reason, not a crash', async () => {
    await expect(fetchBytes(`${base}/loop`, {})).rejects.toThrow(new RemoteMediaError('more than 20 redirects'));
  });

  it('refuses a name that resolves to a link-local address, without a request', async () => {
    const sent = vi.spyOn(globalThis, 'fetch');
    const outbound = createOutboundPolicy('--allow-fetch', [], { lookup: async () => [{ address: 'fe80::1', family: 6 }] });
    await expect(fetchBytes('http://media.example.test/a.wav', {}, { outbound })).rejects.toThrow(new RemoteMediaError('refused by --allow-fetch (media.example.test is fe80::1)'));
    expect(sent).not.toHaveBeenCalled();
  });
});
