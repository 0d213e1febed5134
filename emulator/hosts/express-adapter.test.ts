// `app.use(speechdouble.express())` as a user mounts it: a real express 5 app of their own, on a
// real loopback port, with routes of its own before and after the emulator, plain fetch.
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type ErrorRequestHandler, type Express } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as speechdouble from '../../index.ts';
import { express as speechdoubleExpress, type EmulatorMiddleware } from '../../index.ts';
import { expressMiddleware } from '../start-emulator.ts';
import { emulatorMiddleware } from './express-adapter.ts';
import type { Emulator } from '../core/emulator.ts';
import type { EmulatorResponse } from '../core/http-types.ts';
import { FIXTURES_DIR } from '../engine/fixtures.ts';

const GREETING = readFileSync(FIXTURES_DIR + 'en-greeting.16k.wav');
const GREETING_TEXT = 'Good morning, and welcome to the weather report. Will it rain today?';
const bearer = { authorization: 'Bearer test-key' };

interface Listening {
  url: string;
  close(): Promise<void>;
}

async function listenApp(app: Express): Promise<Listening> {
  const server: Server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/** The app's own error handler: what reaches it is answered as JSON the test can read. */
const reportErrors: ErrorRequestHandler = (error: Error, _req, res, _next) => {
  res.status(500).json({ caught: error.message });
};

/** A user's app: a route before the emulator, the emulator (at `mount`, or the root), a route after it. */
function userApp(emulator: EmulatorMiddleware, mount: string, before: express.RequestHandler[] = []): Express {
  const app = express();
  app.get('/hello', (_req, res) => {
    res.json({ from: 'the app', route: 'before' });
  });
  if (before.length > 0) app.use(...before);
  if (mount) app.use(mount, emulator);
  else app.use(emulator);
  app.get('/after', (_req, res) => {
    res.json({ from: 'the app', route: 'after' });
  });
  app.get(`${mount}/mine`, (_req, res) => {
    res.json({ from: 'the app', route: 'beside the emulator' });
  });
  app.use(reportErrors);
  return app;
}

const json = async (res: Response) => ({ status: res.status, body: (await res.json()) as Record<string, unknown> });

describe.each([
  ['at the root', ''],
  ['under /mock', '/mock'],
])('mounted %s', (_where, mount) => {
  let emulator: EmulatorMiddleware;
  let app: Listening;
  let base: string;

  beforeAll(async () => {
    emulator = speechdouble.express();
    app = await listenApp(userApp(emulator, mount));
    base = app.url + mount;
    await emulator.ready;
  }, 60_000);

  afterAll(async () => {
    await emulator?.close();
    await app?.close();
  });

  it('runs a Speechmatics job: multipart upload of a real WAV, listed, finished by the clock, transcript fetched', async () => {
    const form = new FormData();
    form.append('config', JSON.stringify({ type: 'transcription', transcription_config: { language: 'en' } }));
    form.append('data_file', new Blob([new Uint8Array(GREETING)], { type: 'audio/wav' }), 'greeting.wav');
    const created = await json(await fetch(`${base}/v2/jobs`, { method: 'POST', headers: bearer, body: form }));
    expect(created.status).toBe(201);
    const id = created.body.id as string;

    const listed = await json(await fetch(`${base}/v2/jobs`, { headers: bearer }));
    expect(listed.status).toBe(200);
    expect((listed.body.jobs as Array<{ id: string; status: string }>).map((job) => [job.id, job.status])).toEqual([[id, 'running']]);

    expect(emulator.clock.mode).toBe('manual');
    const before = emulator.clock.now().getTime();
    const advanced = await emulator.clock.advance(3);
    expect(advanced.now.getTime()).toBe(before + 3000);
    expect(advanced.ran).toBeGreaterThanOrEqual(1);

    const job = await json(await fetch(`${base}/v2/jobs/${id}`, { headers: bearer }));
    expect(job.body).toMatchObject({ job: { id, status: 'done' } });
    const transcript = await fetch(`${base}/v2/jobs/${id}/transcript?format=txt`, { headers: bearer });
    expect(transcript.status).toBe(200);
    expect((await transcript.text()).trim()).toBe(GREETING_TEXT);
  });

  it('moves one key\'s clock alone with clock.forTenant(key)', async () => {
    const form = new FormData();
    form.append('config', JSON.stringify({ type: 'transcription', transcription_config: { language: 'en' } }));
    form.append('data_file', new Blob([new Uint8Array(GREETING)], { type: 'audio/wav' }), 'greeting.wav');
    const { body } = await json(await fetch(`${base}/v2/jobs`, { method: 'POST', headers: bearer, body: form }));
    const before = emulator.clock.now().getTime();
    const own = emulator.clock.forTenant('test-key');
    const advanced = await own.advance(3);
    expect([advanced.now.getTime(), own.now().getTime(), emulator.clock.now().getTime()]).toEqual([before + 3000, before + 3000, before]);
    expect(await json(await fetch(`${base}/v2/jobs/${body.id as string}`, { headers: bearer }))).toMatchObject({ body: { job: { status: 'done' } } });
  });

  it('hands out URLs that come back through the mount (an AssemblyAI upload URL, a resource_url)', async () => {
    const headers = { authorization: 'test-key' };
    const upload = await json(await fetch(`${base}/v2/upload`, { method: 'POST', headers: { ...headers, 'content-type': 'application/octet-stream' }, body: new Uint8Array(GREETING) }));
    expect(upload.status).toBe(200);
    const uploadUrl = upload.body.upload_url as string;
    expect(uploadUrl.startsWith(`${base}/upload/`)).toBe(true);
    const submitted = await json(await fetch(`${base}/v2/transcript`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify({ audio_url: uploadUrl }) }));
    expect(submitted.status).toBe(200);
    const listed = await json(await fetch(`${base}/v2/transcript`, { headers }));
    const resourceUrl = (listed.body.transcripts as Array<{ id: string; resource_url: string }>).find((t) => t.id === submitted.body.id)!.resource_url;
    expect(resourceUrl).toBe(`${base}/v2/transcript/${String(submitted.body.id)}`);
    expect((await fetch(resourceUrl, { headers })).status).toBe(200);
  });

  it('leaves the app\'s own routes answering: before the mount, after it, and beside it under the same prefix', async () => {
    expect(await json(await fetch(`${app.url}/hello`))).toEqual({ status: 200, body: { from: 'the app', route: 'before' } });
    expect(await json(await fetch(`${app.url}/after`))).toEqual({ status: 200, body: { from: 'the app', route: 'after' } });
    expect(await json(await fetch(`${base}/mine`))).toEqual({ status: 200, body: { from: 'the app', route: 'beside the emulator' } });
  });

  it('passes a path no API serves on to the app, whose own 404 answers; an API\'s paths get the API\'s answers', async () => {
    for (const path of ['/v3/nothing', '/', '/favicon.ico']) {
      const res = await fetch(`${base}${path}`);
      expect(res.status, path).toBe(404);
      expect(await res.text(), path).toMatch(/Cannot GET/); // express's finalhandler, not the emulator's JSON
    }
    // A wrong method on an API's path is that API's 405, a path under a namespace an API owns its 404.
    const wrongMethod = await fetch(`${base}/v2/jobs`, { method: 'PUT', headers: bearer });
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('GET, POST');
    const cadence = await fetch(`${base}/api/1.1/obj/nothing`, { headers: bearer });
    expect(cadence.status).toBe(404);
    expect(cadence.headers.get('content-type')).toMatch(/^application\/json/);
  });

  it('answers the control API through the mount', async () => {
    const health = await json(await fetch(`${base}/__emulator/health`));
    expect(health).toMatchObject({ status: 200, body: { status: 'ok', apis: ['speechmatics', 'assemblyai', 'gladia', 'cadence', 'stenomatic'] } });
    const before = emulator.clock.now().getTime();
    const advanced = await json(await fetch(`${base}/__emulator/clock/advance`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ seconds: 10 }) }));
    expect(advanced.status).toBe(200);
    expect(emulator.clock.now().getTime()).toBe(before + 10_000);
    const unknown = await json(await fetch(`${base}/__emulator/nothing`));
    expect(unknown).toMatchObject({ status: 404, body: { error: 'not_found' } });
    const requests = await json(await fetch(`${base}/__emulator/requests`));
    expect((requests.body.requests as unknown[]).length).toBeGreaterThan(0);
  });

  it('reset() forgets the jobs', async () => {
    await emulator.reset();
    expect(await json(await fetch(`${base}/v2/jobs`, { headers: bearer }))).toEqual({ status: 200, body: { jobs: [] } });
    await emulator.reset('speechmatics');
  });
});

describe('body parsers before the emulator', () => {
  it('a JSON body express.json() already read is passed on; one express.urlencoded() read reaches the error handler', async () => {
    const emulator = speechdoubleExpress({ apis: ['assemblyai', 'speechmatics'] });
    const app = await listenApp(userApp(emulator, '', [express.json(), express.urlencoded()]));
    try {
      const headers = { authorization: 'test-key', 'content-type': 'application/json' };
      const submitted = await json(await fetch(`${app.url}/v2/transcript`, { method: 'POST', headers, body: JSON.stringify({ audio_url: 'https://example.test/a.wav', speech_model: 'universal' }) }));
      expect(submitted).toMatchObject({ status: 200, body: { status: 'queued', audio_url: 'https://example.test/a.wav' } });
      const refused = await json(await fetch(`${app.url}/v2/transcript`, { method: 'POST', headers, body: JSON.stringify({ speech_model: 'universal' }) }));
      expect(refused.status).toBe(400); // the emulator's own check of the body it was handed

      const form = await json(await fetch(`${app.url}/v2/jobs`, { method: 'POST', headers: { ...bearer, 'content-type': 'application/x-www-form-urlencoded' }, body: 'config=x' }));
      expect(form.status).toBe(500);
      expect(form.body.caught).toMatch(/already read by a middleware before the emulator's .*mount speechdouble\.express\(\) before body parsers/);
    } finally {
      await emulator.close();
      await app.close();
    }
  }, 60_000);
});

describe('an emulator that cannot be composed', () => {
  it('rejects ready, and hands the error to the app\'s error handler (no unhandled rejection)', async () => {
    const emulator = speechdouble.express({ settings: { speechmatics: { 'no-such-setting': 1 } } });
    const app = await listenApp(userApp(emulator, '/mock'));
    try {
      await expect(emulator.ready).rejects.toThrow(/no-such-setting/);
      const res = await json(await fetch(`${app.url}/mock/v2/jobs`, { headers: bearer }));
      expect(res.status).toBe(500);
      expect(res.body.caught).toMatch(/no-such-setting/);
      // So does every request to an emulator whose composing fails, however early it comes.
      const early = speechdouble.express({ apis: ['nonesuch' as never] });
      const earlyApp = await listenApp(userApp(early, ''));
      try {
        expect((await json(await fetch(`${earlyApp.url}/v2/jobs`))).body.caught).toMatch(/no API is called nonesuch/);
      } finally {
        await earlyApp.close();
        await early.close();
      }
      await expect(emulator.clock.advance(1)).rejects.toThrow(/no-such-setting/);
    } finally {
      await emulator.close();
      await app.close();
    }
  });

  it('throws at once on options that cannot be right', () => {
    expect(() => speechdouble.express({ seed: -1 })).toThrow(RangeError);
    expect(() => speechdouble.express({ clock: 'sideways' as never })).toThrow(TypeError);
  });
});

describe('what goes wrong in the emulator', () => {
  it('reaches the app\'s error handler: an exception, an answer Node refuses to send (without its headers)', async () => {
    const answers: Array<() => Promise<EmulatorResponse>> = [
      async () => {
        throw new Error('boom');
      },
      async () => ({ status: 200, headers: { 'x-emulator': 'set', 'x-bad': 'a\nb' }, body: 'hello' }),
    ];
    for (const answer of answers) {
      const fake = { serves: () => true, handle: answer, beginShutdown() {} } as unknown as Emulator;
      const emulator = emulatorMiddleware(async () => fake, 'manual');
      const app = await listenApp(userApp(emulator, ''));
      try {
        const res = await fetch(`${app.url}/anything`);
        expect(res.status).toBe(500);
        expect(res.headers.get('x-emulator')).toBeNull();
        expect(((await res.json()) as { caught: string }).caught).toMatch(/boom|Invalid character/);
      } finally {
        await app.close();
      }
    }
  });
});

describe('close()', () => {
  it('stops the emulator: its paths answer 503, the app\'s do not change, the controls reject, and twice is harmless', async () => {
    const emulator = speechdouble.express({ apis: ['speechmatics'] });
    const app = await listenApp(userApp(emulator, '/mock'));
    try {
      expect(emulator.clock.mode).toBe('manual');
      expect(() => emulator.clock.now()).toThrow(/await middleware\.ready first/);
      // A request, and clock.advance, made while the emulator is being composed wait for it.
      const [health, advanced] = await Promise.all([fetch(`${app.url}/mock/__emulator/health`), emulator.clock.advance(1)]);
      expect(health.status).toBe(200);
      expect(advanced.now.getTime()).toBe(emulator.clock.now().getTime());
      const closed = emulator.close();
      expect(emulator.close()).toBe(closed);
      await closed;
      const after = await json(await fetch(`${app.url}/mock/v2/jobs`, { headers: bearer }));
      expect(after).toMatchObject({ status: 503, body: { error: 'closed' } });
      expect((await fetch(`${app.url}/hello`)).status).toBe(200);
      expect((await fetch(`${app.url}/mock/v3/nothing`)).status).toBe(404);
      await expect(emulator.clock.advance(1)).rejects.toThrow(/after close\(\)/);
      await expect(emulator.reset()).rejects.toThrow(/after close\(\)/);
    } finally {
      await app.close();
    }
  });

  it('closing before the emulator is composed stops it once it is', async () => {
    const emulator = speechdouble.express({ apis: ['gladia'] });
    await emulator.close();
    await emulator.ready;
    await expect(emulator.clock.set(Date.now())).rejects.toThrow(/after close\(\)/);
  });
});

describe('the package entry', () => {
  it('exports the middleware factory as `express`, for both import styles', () => {
    expect(speechdouble.express).toBe(expressMiddleware);
    expect(speechdoubleExpress).toBe(expressMiddleware);
  });
});
