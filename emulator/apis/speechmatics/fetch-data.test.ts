// fetch_data: the emulator fetches the media itself, from a real server on loopback, with the
// caller's auth_headers, as the vendor does.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../compose.ts';
import { controlClient } from '../../testing/control-client.ts';
import { FIXTURES_DIR } from '../../engine/fixtures.ts';

const GREETING = readFileSync(FIXTURES_DIR + 'en-greeting.16k.wav');
let emulator: RunningServer;
let files: Server;
let base: string;
const notified: URL[] = [];

beforeAll(async () => {
  emulator = await startServer({ host: '127.0.0.1', port: 0, apis: ['speechmatics'], clock: { mode: 'manual' }, strict: true });
  files = createServer((req, res) => {
    if (req.url?.startsWith('/hook')) {
      notified.push(new URL(req.url, 'http://x'));
      return res.end();
    }
    if (req.headers['x-token'] !== 'abc') return void res.writeHead(403).end();
    if (req.url === '/media/greeting.wav') return void res.writeHead(200, { 'content-type': 'audio/wav' }).end(GREETING);
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => files.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(files.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await emulator?.close();
  files?.close();
});

const auth = { authorization: 'Bearer test-key' };
const advance = (seconds: number) => controlClient(emulator.url).advance(seconds);

async function submit(url: string): Promise<string> {
  const body = new FormData();
  body.append('config', JSON.stringify({
    type: 'transcription', transcription_config: { language: 'en' },
    fetch_data: { url, auth_headers: ['X-Token: abc'] },
    notification_config: [{ url: `${base}/hook`, contents: ['jobinfo'] }],
  }));
  const res = await fetch(`${emulator.url}/v2/jobs`, { method: 'POST', headers: auth, body });
  expect(res.status).toBe(201);
  return (await res.json()).id;
}
const job = async (id: string) => (await (await fetch(`${emulator.url}/v2/jobs/${id}`, { headers: auth })).json()).job;

describe('fetch_data', () => {
  it('fetches the media with the auth headers, learns its duration, and transcribes it', async () => {
    const id = await submit(`${base}/media/greeting.wav`);
    expect(await job(id)).toMatchObject({ status: 'running', data_name: '' });
    expect((await job(id)).duration).toBeUndefined();
    await advance(0);
    expect((await job(id)).duration).toBe(5);
    await advance(3);
    expect((await job(id)).status).toBe('done');
    const txt = await (await fetch(`${emulator.url}/v2/jobs/${id}/transcript?format=txt`, { headers: auth })).text();
    expect(txt.trim()).toBe('Good morning, and welcome to the weather report. Will it rain today?');
  });

  it('rejects the job with the reason when the fetch fails, and notifies fetch_error', async () => {
    const id = await submit(`${base}/media/missing.wav`);
    await advance(1);
    const rejected = await job(id);
    expect(rejected.status).toBe('rejected');
    expect(rejected.errors[0].message).toBe('unable to fetch audio: http status 404');
    expect(notified.map((u) => Object.fromEntries(u.searchParams))).toContainEqual({ id, status: 'fetch_error' });
  });

  it('refuses a URL that is not http or https (a local file) with 400 Job rejected, before any job exists', async () => {
    // Found by emulator/guarantees/file-paths.test.ts: file:///etc/passwd was accepted (201), to fail at fetch time.
    for (const url of ['file:///etc/passwd', '/etc/passwd', 'ftp://files.example.com/a.wav']) {
      const body = new FormData();
      body.append('config', JSON.stringify({ type: 'transcription', transcription_config: { language: 'en' }, fetch_data: { url } }));
      const res = await fetch(`${emulator.url}/v2/jobs`, { method: 'POST', headers: auth, body });
      expect([res.status, await res.json()]).toEqual([400, { code: 400, error: 'Job rejected', detail: 'fetch_data.url must be an http or https URL' }]);
    }
    const list = await (await fetch(`${emulator.url}/v2/jobs`, { headers: auth })).json();
    expect(list.jobs.map((j: { config: { fetch_data?: { url: string } } }) => j.config.fetch_data?.url)).not.toContain('file:///etc/passwd');
  });

  it('refuses an upload and a fetch of the same file together', async () => {
    const body = new FormData();
    body.append('config', JSON.stringify({ type: 'transcription', transcription_config: { language: 'en' }, fetch_data: { url: `${base}/media/greeting.wav` } }));
    body.append('data_file', new Blob([new Uint8Array(GREETING)]), 'a.wav');
    const res = await fetch(`${emulator.url}/v2/jobs`, { method: 'POST', headers: auth, body });
    expect([res.status, (await res.json()).error]).toEqual([400, 'Malformed request']);
  });
});
