// Notifications reach a real receiver on loopback, with the query, method, headers and body
// the vendor documents; failures are retried on the clock and recorded.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../compose.ts';
import { controlClient } from '../../testing/control-client.ts';
import { FIXTURES_DIR } from '../../engine/fixtures.ts';
import { parseMultipart } from '../../core/multipart.ts';
import { createAjv, describeErrors } from '../../../openapi/schemas.ts';
import { loadSpec, type JsonObject } from '../../../openapi/specs.ts';

interface Received { method: string; url: URL; headers: IncomingMessage['headers']; body: Buffer }

let emulator: RunningServer;
let receiver: Server;
let receiverUrl: string;
let received: Received[] = [];
/** Statuses the receiver answers with, in order; 200 once they run out. */
let script: number[] = [];

beforeAll(async () => {
  emulator = await startServer({ host: '127.0.0.1', port: 0, apis: ['speechmatics'], clock: { mode: 'manual' }, strict: true });
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ method: req.method!, url: new URL(req.url!, 'http://receiver'), headers: req.headers, body: Buffer.concat(chunks) });
      res.statusCode = script.shift() ?? 200;
      res.end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks/speechmatics`;
});
afterAll(async () => {
  await emulator?.close();
  receiver?.close();
});
beforeEach(async () => {
  received = [];
  script = [];
  await controlClient(emulator.url).reset();
});

const auth = { authorization: 'Bearer test-key' };
const advance = (seconds: number) => controlClient(emulator.url).advance(seconds);

async function submit(notification: Record<string, unknown>, file = 'en-greeting.16k.wav'): Promise<string> {
  const body = new FormData();
  body.append('config', JSON.stringify({ type: 'transcription', transcription_config: { language: 'en' }, notification_config: [{ url: receiverUrl, ...notification }] }));
  body.append('data_file', new Blob([new Uint8Array(readFileSync(FIXTURES_DIR + file))]), file);
  const res = await fetch(`${emulator.url}/v2/jobs`, { method: 'POST', headers: auth, body });
  expect(res.status).toBe(201);
  return (await res.json()).id;
}

describe('a notification', () => {
  it('is POSTed on completion to url?id=…&status=success with the vendor User-Agent and the auth headers', async () => {
    const id = await submit({ contents: ['transcript.json-v2'], auth_headers: ['Authorization: Bearer hook-secret'] });
    expect(received).toEqual([]);
    await advance(3);
    expect(received).toHaveLength(1);
    const [hit] = received;
    expect(hit!.method).toBe('POST');
    expect(hit!.url.pathname).toBe('/hooks/speechmatics');
    expect(Object.fromEntries(hit!.url.searchParams)).toEqual({ id, status: 'success' });
    expect(hit!.headers['user-agent']).toBe('Speechmatics-API/2.0');
    expect(hit!.headers.authorization).toBe('Bearer hook-secret');
    expect(hit!.headers['content-type']).toBe('application/json');
    expect(JSON.parse(hit!.body.toString()).job.id).toBe(id);
  });

  it.each([
    ['[] sends an empty body', [], (r: Received) => expect(r.body.length).toBe(0)],
    ['transcript.txt sends text/plain', ['transcript.txt'], (r: Received) => {
      expect(r.headers['content-type']).toMatch(/^text\/plain/);
      expect(r.body.toString()).toMatch(/^Good morning/);
    }],
    ['jobinfo sends the job summary', ['jobinfo'], (r: Received) => expect(JSON.parse(r.body.toString())).toMatchObject({ data_name: 'en-greeting.16k.wav', duration: 5 })],
  ])('with contents %s', async (_case, contents, check) => {
    await submit({ contents });
    await advance(3);
    expect(received).toHaveLength(1);
    check(received[0]!);
  });

  it('sends several contents, or none named, as multipart attachments', async () => {
    await submit({ contents: ['jobinfo', 'transcript.srt'] });
    await submit({});
    await advance(3);
    const forms = await Promise.all(received.map((r) => parseMultipart(r.headers['content-type']!, r.body)));
    expect(forms.map((f) => Object.keys(f.files).sort())).toEqual([['jobinfo', 'transcript.srt'], ['data_file']]);
  });

  it('uses PUT when asked', async () => {
    await submit({ method: 'put', contents: [] });
    await advance(3);
    expect(received[0]!.method).toBe('PUT');
  });

  it('says status=error for a rejected job, and sends only what exists', async () => {
    const id = await submit({ contents: ['jobinfo', 'transcript.json-v2'] }, 'corrupt.16k.wav');
    await advance(3);
    expect(Object.fromEntries(received[0]!.url.searchParams)).toEqual({ id, status: 'error' });
    const form = await parseMultipart(received[0]!.headers['content-type']!, received[0]!.body);
    expect(Object.keys(form.files)).toEqual(['jobinfo']);
  });
});

describe('a reset', () => {
  it('forgets running jobs entirely: they never finish, notify or keep their files', async () => {
    await submit({ contents: [] });
    await submit({ contents: [] });
    await controlClient(emulator.url).reset();
    await advance(60);
    expect(received).toEqual([]);
    expect(emulator.emulator.files.list()).toEqual([]);
    expect((await (await fetch(`${emulator.url}/__emulator/clock`)).json()).pending).toBe(0);
  });

  it('of one API does the same for that API', async () => {
    await submit({ contents: [] });
    await fetch(`${emulator.url}/__emulator/reset`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"api": "speechmatics"}' });
    await advance(60);
    expect(received).toEqual([]);
    expect(emulator.emulator.files.list()).toEqual([]);
  });
});

describe('a failing receiver', () => {
  it('is retried with backoff until it answers 2xx, and every attempt is recorded', async () => {
    script = [503, 500];
    await submit({ contents: [] });
    await advance(3);
    expect(received).toHaveLength(1);
    await advance(6);
    expect(received).toHaveLength(2);
    await advance(20);
    expect(received).toHaveLength(3);
    const { callbacks } = await (await fetch(`${emulator.url}/__emulator/callbacks?api=speechmatics`)).json();
    expect(callbacks.map((c: { attempt: number; status: number }) => [c.attempt, c.status])).toEqual([[1, 503], [2, 500], [3, 200]]);
    const schema = ((await loadSpec('control')).dereferenced.components as JsonObject).schemas as JsonObject;
    const validate = createAjv().compile(schema.CallbackAttempt as JsonObject);
    for (const attempt of callbacks) expect(validate(attempt), describeErrors(validate.errors)).toBe(true);
  });

  it('gives up after four attempts over 66 s, and the job records it but stays done', async () => {
    script = [503, 503, 503, 503];
    const id = await submit({ contents: [] });
    await advance(3 + 66);
    expect(received).toHaveLength(4);
    const { job } = await (await fetch(`${emulator.url}/v2/jobs/${id}`, { headers: auth })).json();
    expect(job.status).toBe('done');
    expect(job.errors.map((e: { message: string }) => e.message)).toEqual(['Sending notification failed']);
    await advance(600);
    expect(received).toHaveLength(4);
  });

  it('that refuses connections is recorded with the error, not a status', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const body = new FormData();
    body.append('config', JSON.stringify({ type: 'transcription', transcription_config: { language: 'en' }, notification_config: [{ url: `http://127.0.0.1:${port}/closed`, contents: [] }] }));
    body.append('data_file', new Blob([new Uint8Array(readFileSync(FIXTURES_DIR + 'en-greeting.16k.wav'))]), 'a.wav');
    await fetch(`${emulator.url}/v2/jobs`, { method: 'POST', headers: auth, body });
    await advance(3);
    const { callbacks } = await (await fetch(`${emulator.url}/__emulator/callbacks`)).json();
    expect(callbacks[0]).toMatchObject({ status: null, error: 'ECONNREFUSED' });
  });
});
