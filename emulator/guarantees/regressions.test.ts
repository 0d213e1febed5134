// Bugs emulator/guarantees/fuzz.test.ts found in the core, each pinned by the smallest request
// that showed it. (Those in one vendor's answers are pinned in that vendor's own tests.)
import { PassThrough } from 'node:stream';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../compose.ts';
import { meter } from '../core/body-stream.ts';
import { rawRequest } from './testing/raw-http.ts';

let server: RunningServer;
beforeAll(async () => {
  server = await startServer({ host: '127.0.0.1', port: 0, clock: { mode: 'manual' }, strict: true });
});
afterAll(() => server?.close());

/** Uncaught exceptions while a test runs: each would have ended `speechdouble serve`. */
const uncaught: Error[] = [];
const listener = (error: Error) => void uncaught.push(error);
beforeEach(() => {
  uncaught.length = 0;
  process.prependListener('uncaughtException', listener);
});
afterEach(() => void process.off('uncaughtException', listener));

const settle = () => new Promise((resolve) => setTimeout(resolve, 100));

describe('a body nobody reads that fails', () => {
  // GET /v1/clients with `Transfer-Encoding: frobnicate`: Node hands the request over, the GET
  // never reads a body, Node then refuses the framing and closes; the request stream errors
  // ("aborted"), the meter passes it on to its tap, and a tap with no reader had no listener:
  // an uncaught exception, and the whole emulator gone.
  it.each([
    ['a framing Node refuses after the head', { method: 'GET', target: '/v1/clients', headers: [['authorization', 'Bearer test-key'], ['transfer-encoding', 'frobnicate']] as Array<[string, string]> }],
    ['chunks of a size that is no number', { method: 'GET', target: '/v2/jobs', headers: [['authorization', 'Bearer test-key'], ['transfer-encoding', 'chunked']] as Array<[string, string]>, body: Buffer.from('zz\r\nhello\r\n0\r\n\r\n') }],
    ['a refused credential, then the client leaves mid-body', { method: 'POST', target: '/v1/clients', headers: [['content-type', 'application/json'], ['content-length', '1000']] as Array<[string, string]>, body: Buffer.alloc(1000, 'a'), sendBytes: 10 }],
  ])('(%s) is no crash: the emulator answers on', async (_, request) => {
    await rawRequest(server.url, request);
    await settle();
    expect(uncaught.map((e) => e.message)).toEqual([]);
    const health = await fetch(`${server.url}/v1/clients`, { headers: { authorization: 'Bearer test-key' } });
    expect(health.status).toBe(200);
  });

  it('is passed on to a reader, and to no one when there is none', async () => {
    const source = new PassThrough();
    const { stream } = meter(source);
    source.destroy(new Error('aborted'));
    await settle();
    expect(uncaught).toEqual([]);
    const read = new PassThrough();
    const readSource = new PassThrough();
    const metered = meter(readSource).stream;
    metered.pipe(read);
    const failed = new Promise((resolve) => metered.once('error', resolve));
    readSource.destroy(new Error('cut'));
    expect(((await failed) as Error).message).toBe('cut');
    expect(stream.destroyed).toBe(true);
  });
});

describe('junk pipelined behind a complete request on the same connection', () => {
  // Node's parser refuses the junk while the request before it is still being handled; its
  // default handler then wrote a 400 and cut the connection at once, and the first request,
  // acted on by its handler (a client created), never got its answer.
  it('is refused with 400 only after the request before it has its answer', async () => {
    const { connect } = await import('node:net');
    const { port } = new URL(server.url);
    const body = JSON.stringify({ name: 'pipelined' });
    const request = `POST /v1/clients HTTP/1.1\r\nhost: 127.0.0.1\r\nauthorization: Bearer test-key\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n${body}`;
    const received = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), '127.0.0.1');
      let text = '';
      socket.on('data', (chunk: Buffer) => void (text += chunk.toString('latin1')));
      socket.on('close', () => resolve(text));
      socket.on('error', reject);
      socket.write(request + 'NOT\x01HTTP at all\r\n\r\n');
    });
    const answers = received.split(/(?=HTTP\/1\.1 )/);
    expect(answers.map((answer) => answer.slice(0, 12))).toEqual(['HTTP/1.1 201', 'HTTP/1.1 400']);
    const created = JSON.parse(answers[0]!.slice(answers[0]!.indexOf('\r\n\r\n') + 4)) as { id: string; name: string };
    expect(created.name).toBe('pipelined');
    const listed = await fetch(`${server.url}/v1/clients`, { headers: { authorization: 'Bearer test-key' } }).then((res) => res.json() as Promise<Array<{ id: string }>>);
    expect(listed.map((client) => client.id)).toContain(created.id);
  });
});
