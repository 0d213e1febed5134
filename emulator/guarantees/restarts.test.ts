// `serve --data-dir`: a real child process is killed with SIGKILL at random points of a scripted
// workload over every API, and started again on the same directory. Everything it acknowledged
// reads back byte for byte the same (jobs, uploads, bookings, add-on requests, rooms and their
// usage, the clock, callback attempts), lifecycles go on from where they stood, nothing runs
// twice, and a job that fell due while the emulator was down runs as it starts.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createRandom } from '../core/random.ts';
import { TENANT_HEADER } from '../core/control.ts';
import { startLoopbackPeer, type LoopbackPeer } from '../testing/loopback-peer.ts';
import { APIS, clientFor, GREETING, multipart, stateReads, type Client, type Reply, type Resources } from './testing/world.ts';

const CLI = new URL('../../cli.ts', import.meta.url).pathname;
const ROOT = new URL('../..', import.meta.url).pathname;
const SEED = Number(process.env.SPEECHDOUBLE_RESTART_SEED ?? 20261130);
const MEDIA = '/media/greeting.wav';

interface Serving {
  child: ChildProcess;
  url: string;
  banner: string;
}

const children: ChildProcess[] = [];
const dirs: string[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
});
afterAll(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const freshDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'speechdouble-restarts-'));
  dirs.push(dir);
  return dir;
};

/** A port free now, so that a restart serves on the port the first run did, as a user's would. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** `speechdouble serve --data-dir DIR` on `port`; resolves once its banner is out. */
function serve(dir: string, port: number, args: string[] = ['--manual-clock', '--seed', '7']): Promise<Serving> {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, 'serve', '--host', '127.0.0.1', '--port', String(port), '--data-dir', dir, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const url = /serving .* on (http:\/\/\S+)/.exec(out)?.[1];
      // The banner is one write: once its last line is here, all of it is.
      if (url && /\nlog: /.test(out)) resolve({ child, url, banner: out });
    });
    child.once('exit', (code) => reject(new Error(`serve exited (${code}) before its banner: ${err}${out}`)));
  });
}

async function kill(serving: Serving): Promise<void> {
  if (serving.child.exitCode !== null) return;
  const exited = new Promise((resolve) => serving.child.once('exit', resolve));
  serving.child.kill('SIGKILL');
  await exited;
}

const json = (value: unknown) => ({ body: JSON.stringify(value), headers: { 'content-type': 'application/json' } });

function ok(reply: Reply, statuses: number[], what: string): Reply {
  if (!statuses.includes(reply.status)) throw new Error(`${what} answered ${reply.status}: ${reply.text.slice(0, 300)}`);
  return reply;
}

/** What the workload made and was told about, to read back after each restart. */
interface Made {
  resources: Resources;
  /** Speechmatics jobs made, deleted ones included. */
  smJobs: string[];
  extraReads: { api: (typeof APIS)[number]; path: string }[];
}

/** The steps of the workload: each one request (or a few), each acknowledged before the next. */
function workload(client: Client, receiver: string, made: Made) {
  const { resources } = made;
  const smJob = (notify: boolean) => async () => {
    const config = { type: 'transcription', transcription_config: { language: 'en' }, ...(notify && { notification_config: [{ url: `${receiver}/hooks/sm`, contents: ['transcript'] }] }) };
    const id = ok(await client.send('speechmatics', 'POST', '/v2/jobs', multipart([
      { name: 'config', value: JSON.stringify(config) },
      { name: 'data_file', value: GREETING, filename: 'greeting.wav', contentType: 'audio/wav' },
    ])), [201], 'a Speechmatics job').json().id as string;
    made.smJobs.push(id);
    made.extraReads.push({ api: 'speechmatics', path: `/v2/jobs/${id}` });
  };
  return [
    smJob(true),
    smJob(false),
    async () => {
      resources.uploads.assemblyai = ok(await client.send('assemblyai', 'POST', '/v2/upload', { body: GREETING, headers: { 'content-type': 'application/octet-stream' } }), [200], 'an upload').json().upload_url;
      const id = ok(await client.send('assemblyai', 'POST', '/v2/transcript', json({ audio_url: resources.uploads.assemblyai, webhook_url: `${receiver}/hooks/aai` })), [200], 'a transcript').json().id as string;
      made.extraReads.push({ api: 'assemblyai', path: `/v2/transcript/${id}` });
    },
    async () => {
      resources.uploads.gladia = ok(await client.send('gladia', 'POST', '/v2/upload', multipart([{ name: 'audio', value: GREETING, filename: 'greeting.wav', contentType: 'audio/wav' }])), [200], 'a Gladia upload').json().audio_url;
      const id = ok(await client.send('gladia', 'POST', '/v2/pre-recorded', json({ audio_url: resources.uploads.gladia, callback: true, callback_config: { url: `${receiver}/hooks/gl` } })), [201], 'a Gladia job').json().id as string;
      made.extraReads.push({ api: 'gladia', path: `/v2/pre-recorded/${id}` });
    },
    async () => {
      const booking = ok(await client.send('cadence', 'POST', '/api/1.1/wf/create_job', json({ api_token: 'test-key', start_time: '2031-03-04T10:15:00Z', timezone: 'Europe/Berlin', languages: [1, 2], notes: 'restarts' })), [200], 'a booking').json().response as { job_id: string };
      made.extraReads.push({ api: 'cadence', path: `/api/1.1/obj/job/${booking.job_id}` });
    },
    async () => {
      const client_ = ok(await client.send('stenomatic', 'POST', '/v1/clients', json({ name: 'restarts' })), [201], 'a client').json().id as string;
      const room = ok(await client.send('stenomatic', 'POST', `/v1/clients/${client_}/rooms`, json({ title: 'Restarts', from_language: 'en-US', to_languages: ['de-DE'] })), [201], 'a room').json().id as string;
      // Usage accrues on the clock while the room streams: it must go on from where it stood.
      const streaming = await fetch(`${client.base}/__emulator/stenomatic/rooms/${room}/streaming`, { method: 'PUT', ...json({ services: ['speech_recognition'] }) });
      ok({ status: streaming.status, text: await streaming.text() } as Reply, [200], 'streaming');
      made.extraReads.push({ api: 'stenomatic', path: `/v1/rooms/${room}` }, { api: 'stenomatic', path: `/v1/clients/${client_}/rooms` });
    },
    async () => {
      // Media the emulator fetches itself: a replay must have the bytes without fetching again.
      const config = { type: 'transcription', transcription_config: { language: 'en' }, fetch_data: { url: `${receiver}${MEDIA}` } };
      const id = ok(await client.send('speechmatics', 'POST', '/v2/jobs', multipart([{ name: 'config', value: JSON.stringify(config) }])), [201], 'a fetch_data job').json().id as string;
      made.smJobs.push(id);
      made.extraReads.push({ api: 'speechmatics', path: `/v2/jobs/${id}` }, { api: 'speechmatics', path: `/v2/jobs/${id}/transcript?format=txt` });
    },
    async () => {
      // One tenant's clock moved alone: its lead survives too.
      const res = await fetch(`${client.base}/__emulator/clock/advance`, { method: 'POST', headers: { 'content-type': 'application/json', [TENANT_HEADER]: 'test-key' }, body: JSON.stringify({ seconds: 30 }) });
      ok({ status: res.status, text: await res.text() } as Reply, [200], 'a tenant advance');
    },
    async () => {
      // A reset of one API is replayed as one.
      const res = await fetch(`${client.base}/__emulator/reset`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ api: 'cadence' }) });
      ok({ status: res.status, text: await res.text() } as Reply, [200, 204], 'a reset of cadence');
    },
    async () => {
      // A deleted job stays deleted (423 if it still runs: then it simply is not deleted).
      const victim = made.smJobs[0];
      if (victim) ok(await client.send('speechmatics', 'DELETE', `/v2/jobs/${victim}`), [200, 404, 423], 'a delete');
    },
    () => client.advance(7),
    () => client.advance(90),
  ];
}

/** Every read that shows what was made, and the emulator's own records of time and callbacks. */
async function readAll(client: Client, made: Made): Promise<Record<string, string>> {
  const reads: Record<string, string> = {};
  const paths = [...APIS.flatMap((api) => stateReads(api, made.resources).map((path) => ({ api, path }))), ...made.extraReads];
  // One at a time: a read is itself recorded, and these must not depend on their own order.
  for (const { api, path } of paths) {
    const reply = await client.send(api, 'GET', path);
    // Gladia's error bodies carry a request id of their own, new every time.
    reads[`${api} ${path}`] = `${reply.status} ${reply.text.replace(/"request_id":"G-[0-9a-f]+"/g, '"request_id":"G-…"')}`;
  }
  for (const control of ['/__emulator/clock', '/__emulator/callbacks']) reads[control] = await (await fetch(client.base + control)).text();
  reads['/__emulator/clock, test-key'] = await (await fetch(client.base + '/__emulator/clock', { headers: { [TENANT_HEADER]: 'test-key' } })).text();
  return reads;
}

describe('serve --data-dir: restarts and kill -9', () => {
  it('after a kill -9 at random points of a workload over every API, every acknowledged resource reads back the same, and lifecycles go on', async () => {
    const random = createRandom(SEED);
    // The media host counts its fetches: a replay must fetch nothing.
    let fetched = 0;
    const media = new Proxy({ [MEDIA]: { body: GREETING, type: 'audio/wav' } }, { get: (files, path: string) => (path === MEDIA ? (fetched++, files[MEDIA]) : undefined) });
    const receiver: LoopbackPeer = await startLoopbackPeer(media);
    try {
      const dir = freshDir();
      const port = await freePort();
      let serving = await serve(dir, port);
      expect(serving.banner).toMatch(/data: +.* \(nothing to resume\)/);
      const made: Made = { resources: { done: {}, running: {}, uploads: { assemblyai: '', gladia: '' }, addonSid: '' }, smJobs: [], extraReads: [] };
      for (let round = 0; round < 5; round++) {
        const client = clientFor(serving.url);
        const steps = workload(client, receiver.url, made);
        // A random stretch of the workload, in a random order, then a kill at that point; the
        // last round runs every step once, so each kind of execution is replayed at least once.
        const order = round === 4 ? steps.map((_, i) => i) : Array.from({ length: 1 + random.int(steps.length) }, () => random.int(steps.length));
        for (const i of order) await steps[i]!();
        const before = await readAll(client, made);
        const received = receiver.received.length;
        const fetchedBefore = fetched;
        await kill(serving);
        serving = await serve(dir, port);
        expect(serving.banner, `round ${round} (seed ${SEED})`).toMatch(/data: +.* \(resumed: \d+ executions replayed/);
        const after = await readAll(clientFor(serving.url), made);
        expect(after, `round ${round} (seed ${SEED}): state after a kill -9 and a restart`).toEqual(before);
        // Nothing acknowledged is sent again: a callback delivered before the kill stays delivered.
        expect(receiver.received.length, `round ${round}: callbacks sent again after the restart`).toBe(received);
        expect(fetched, `round ${round}: media fetched again after the restart`).toBe(fetchedBefore);
      }
      // And it goes on: the next advance finishes what was running, each job once, each callback once.
      const client = clientFor(serving.url);
      await client.advance(600);
      expect(fetched, 'the fetch_data job never fetched its media').toBeGreaterThan(0);
      const jobs = ok(await client.send('speechmatics', 'GET', '/v2/jobs?include_deleted=true&limit=100'), [200], 'the list').json().jobs as { id: string; status: string }[];
      expect(new Set(jobs.map((job) => job.id)).size).toBe(jobs.length);
      expect(jobs.filter((job) => job.status === 'running')).toEqual([]);
      const paths = receiver.received.map((call) => call.path + ' ' + call.body.toString('utf8').slice(0, 120));
      expect(new Set(paths).size, 'a callback delivered twice').toBe(paths.length);
    } finally {
      await receiver.close();
    }
  }, 120_000);

  it('acknowledged submissions survive a kill -9 in the middle of a burst; what was in flight is there whole or not at all', async () => {
    const dir = freshDir();
    const port = await freePort();
    let serving = await serve(dir, port);
    const client = clientFor(serving.url);
    const acknowledged: { id: string; body: string }[] = [];
    const submit = async () => {
      const reply = await client.send('speechmatics', 'POST', '/v2/jobs', multipart([
        { name: 'config', value: JSON.stringify({ type: 'transcription', transcription_config: { language: 'en' } }) },
        { name: 'data_file', value: GREETING, filename: 'greeting.wav', contentType: 'audio/wav' },
      ]));
      if (reply.status === 201) acknowledged.push({ id: reply.json().id, body: reply.text });
    };
    const random = createRandom(SEED + 1);
    const killAfter = 3 + random.int(10);
    const burst = Array.from({ length: 24 }, () => submit().catch(() => undefined));
    while (acknowledged.length < killAfter) await new Promise((resolve) => setImmediate(resolve));
    await kill(serving);
    await Promise.all(burst);
    serving = await serve(dir, port);
    const again = clientFor(serving.url);
    const listed = ok(await again.send('speechmatics', 'GET', '/v2/jobs?limit=100'), [200], 'the list').json().jobs as { id: string; status: string }[];
    const ids = listed.map((job) => job.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const { id } of acknowledged) expect(ids, `acknowledged job ${id} lost (seed ${SEED})`).toContain(id);
    for (const job of listed) {
      const read = ok(await again.send('speechmatics', 'GET', `/v2/jobs/${job.id}`), [200], 'a job').json().job;
      expect(read.status).toBe('running');
      expect(read.data_name).toBe('greeting.wav');
    }
    // Each runs to the end once, with its own audio (kept in the data dir).
    await again.advance(600);
    for (const id of ids) {
      const transcript = ok(await again.send('speechmatics', 'GET', `/v2/jobs/${id}/transcript?format=txt`), [200], 'a transcript').text;
      expect(transcript.length).toBeGreaterThan(0);
    }
  }, 60_000);

  it('a job that fell due while the emulator was down runs as it starts (a scaled clock runs on across the restart)', async () => {
    const dir = freshDir();
    // 100 times real time: processing of the greeting (a few emulated seconds, stretched to 60 s
    // here) is due 0.6 s of real time after it starts; a restart takes longer than that.
    const args = ['--time-scale', '100', '--set', 'speechmatics.processing=seconds:60'];
    const port = await freePort();
    let serving = await serve(dir, port, args);
    const client = clientFor(serving.url);
    const id = ok(await client.send('speechmatics', 'POST', '/v2/jobs', multipart([
      { name: 'config', value: JSON.stringify({ type: 'transcription', transcription_config: { language: 'en' } }) },
      { name: 'data_file', value: GREETING, filename: 'greeting.wav', contentType: 'audio/wav' },
    ])), [201], 'a job').json().id as string;
    expect(ok(await client.send('speechmatics', 'GET', `/v2/jobs/${id}`), [200], 'the job').json().job.status).toBe('running');
    const submittedAt = Date.now();
    await kill(serving);
    serving = await serve(dir, port, args);
    // The restart took longer than the 0.6 s the job had left (if a very fast machine restarts
    // sooner, the job still finishes on time after it; what is checked is that it finishes once).
    const restartedAfterMs = Date.now() - submittedAt;
    const again = clientFor(serving.url);
    let status = '';
    for (let i = 0; i < 100 && status !== 'done'; i++) {
      status = ok(await again.send('speechmatics', 'GET', `/v2/jobs/${id}`), [200], 'the job').json().job.status;
      if (status !== 'done') await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(status, `restarted after ${restartedAfterMs} ms`).toBe('done');
    const listed = ok(await again.send('speechmatics', 'GET', '/v2/jobs'), [200], 'the list').json().jobs as unknown[];
    expect(listed).toHaveLength(1);
  }, 60_000);

  it('refuses a data dir another emulator is running on, or made under another seed or clock, saying which', async () => {
    const dir = freshDir();
    const refused = async (args: string[]) => {
      const child = spawn(process.execPath, ['--import', 'tsx', CLI, 'serve', '--port', '0', '--data-dir', dir, '--manual-clock', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
      children.push(child);
      let err = '';
      child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
      const code = await new Promise((resolve) => child.once('exit', resolve));
      return { code, err };
    };
    const serving = await serve(dir, await freePort());
    // Two appending to one log would interleave their records: the second is refused.
    const second = await refused(['--seed', '7']);
    expect(second.code).toBe(2);
    expect(second.err).toMatch(new RegExp(`is in use by another emulator \\(process ${serving.child.pid}\\)`));
    // Its lock dies with it: after a kill -9 the directory is free again, for the same settings only.
    await kill(serving);
    const other = await refused(['--seed', '8']);
    expect(other.code).toBe(2);
    expect(other.err).toMatch(/made with other settings \(seed: 7 there, 8 now\)/);
    await kill(await serve(dir, await freePort()));
  }, 30_000);
});
