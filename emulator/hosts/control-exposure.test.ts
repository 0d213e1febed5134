// Who may use the control API: anyone on loopback by default; with a control token, only a
// request that shows it (health aside); with the control API off, no one (its paths answer as
// unknown paths do). A non-loopback address needs one of the two, or nothing listens. The
// in-process controls (startEmulator's, msw's and the express adapter's) work throughout.
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmulatorHandlers, startServer, type RunningServer } from '../compose.ts';
import { SettingError } from '../core/settings.ts';
import { expressMiddleware, startEmulator, type RunningEmulator } from '../start-emulator.ts';
import { createAjv, describeErrors } from '../../openapi/schemas.ts';
import { loadSpec, type JsonObject } from '../../openapi/specs.ts';
import { ExposureError } from './http-server.ts';

const TOKEN = 'sd-control-3f9a1c';
const bearer = (token = TOKEN) => ({ authorization: `Bearer ${token}` });

let controlError: (value: unknown) => void;
beforeAll(async () => {
  const schemas = ((await loadSpec('control')).dereferenced.components as JsonObject).schemas as JsonObject;
  const validate = createAjv().compile(schemas.ControlError as JsonObject);
  controlError = (value) => expect(validate(value), describeErrors(validate.errors)).toBe(true);
});

describe('with a control token', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({ host: '127.0.0.1', port: 0, apis: ['speechmatics', 'stenomatic'], clock: { mode: 'manual' }, strict: true, controlToken: TOKEN });
  });
  afterAll(() => server?.close());
  const control = (path: string, init: RequestInit = {}) => fetch(`${server.url}/__emulator${path}`, init);

  it('answers GET /__emulator/health without it', async () => {
    expect((await control('/health')).status).toBe(200);
    expect((await control('/health/')).status).toBe(200);
  });

  it('refuses every other control request without it: 401, WWW-Authenticate: Bearer, the control API\'s error body', async () => {
    for (const [method, path] of [['POST', '/reset'], ['GET', '/clock'], ['POST', '/clock/advance'], ['GET', '/callbacks'], ['GET', '/requests'], ['GET', '/faults'], ['DELETE', '/faults'], ['POST', '/fixtures'], ['GET', '/stenomatic/rooms/q3-town-hall/streaming'], ['GET', '/nothing-here'], ['POST', '/health']] as const) {
      const res = await control(path, { method });
      expect(res.status, `${method} ${path}`).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer realm="speechdouble control"');
      const body = await res.json();
      controlError(body);
      expect(body).toEqual({ error: 'unauthorized', message: 'The control API needs Authorization: Bearer <token>, the token the emulator was started with (--control-token).' });
    }
  });

  it('refuses a wrong token, another scheme, or the token in the wrong place', async () => {
    for (const headers of [bearer('sd-control-3f9a1d'), bearer(TOKEN + 'x'), bearer(TOKEN.slice(0, -1)), { authorization: `Basic ${TOKEN}` }, { authorization: TOKEN }, { 'x-control-token': TOKEN }]) {
      const res = await control('/reset', { method: 'POST', headers });
      expect(res.status, JSON.stringify(headers)).toBe(401);
      controlError(await res.json());
    }
    const wrong = await control('/reset', { method: 'POST', headers: bearer('nope') });
    expect(wrong.headers.get('www-authenticate')).toBe('Bearer realm="speechdouble control", error="invalid_token"');
    expect((await wrong.json()).message).toBe('The control token does not match the one the emulator was started with (--control-token).');
  });

  it('serves every control request that shows it, the scheme in any case', async () => {
    expect((await control('/reset', { method: 'POST', headers: bearer() })).status).toBe(204);
    expect((await control('/reset', { method: 'POST', headers: { authorization: `bearer ${TOKEN}` } })).status).toBe(204);
    expect((await control('/clock/advance', { method: 'POST', headers: { ...bearer(), 'content-type': 'application/json' }, body: '{"seconds":1}' })).status).toBe(200);
    expect((await control('/requests', { headers: bearer() })).status).toBe(200);
    // Stenomatic's own control operations are behind the same check.
    const room = await control('/stenomatic/rooms/no-such-room/streaming', { headers: bearer() });
    expect([room.status, (await room.json()).error]).toEqual([404, 'not_found']);
  });

  it('drains the body of a refused request, so the connection serves the next one', async () => {
    const body = JSON.stringify({ match: { path: '/v2/jobs' }, response: { status: 503 } }).repeat(2000);
    for (let i = 0; i < 3; i++) expect((await control('/faults', { method: 'POST', headers: { 'content-type': 'application/json' }, body })).status).toBe(401);
    expect((await control('/faults', { headers: bearer() })).status).toBe(200);
  });

  it('leaves the emulated APIs as they were', async () => {
    const jobs = await fetch(`${server.url}/v2/jobs`, { headers: { authorization: 'Bearer test-key' } });
    expect(jobs.status).toBe(200);
  });
});

describe('the in-process controls, with a token set or the control API off', () => {
  for (const options of [{ controlToken: TOKEN }, { control: false }]) {
    it(`startEmulator's work (${JSON.stringify(options)})`, async () => {
      const emu: RunningEmulator = await startEmulator({ apis: ['speechmatics'], ...options });
      try {
        await emu.reset();
        await emu.faults.add({ match: { path: '/v2/jobs' }, response: { status: 503 } });
        expect(await emu.faults.list()).toHaveLength(1);
        await emu.faults.clear();
        expect(await emu.callbacks()).toEqual([]);
        expect(await emu.requests()).toEqual([]);
        await emu.clock.advance(1);
        // Over HTTP it is another matter.
        expect((await fetch(`${emu.url}/__emulator/faults`)).status).toBe(options.control === false ? 404 : 401);
      } finally {
        await emu.close();
      }
    });

    it(`msw's reset works (${JSON.stringify(options)})`, async () => {
      const inProcess = await createEmulatorHandlers({ apis: ['speechmatics'], ...options });
      try {
        await inProcess.reset();
        await inProcess.reset('speechmatics');
        // A request the handlers pass on (a test's own fetch) is checked.
        const reset = await inProcess.emulator.handle({ method: 'POST', path: '/__emulator/reset', query: {}, headers: {}, body: Buffer.alloc(0) });
        expect(reset.status).toBe(options.control === false ? 404 : 401);
      } finally {
        inProcess.close();
      }
    });

    it(`the express adapter's reset works (${JSON.stringify(options)})`, async () => {
      const emulator = expressMiddleware({ apis: ['speechmatics'], ...options });
      const app: Server = createServer((req, res) => emulator(req, res, () => res.writeHead(404).end('the app\'s')));
      await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
      try {
        await emulator.reset();
        const url = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
        const res = await fetch(`${url}/__emulator/reset`, { method: 'POST' });
        // Off, the control API's paths are not the emulator's: they go on to the app.
        if (options.control === false) expect([res.status, await res.text()]).toEqual([404, 'the app\'s']);
        else expect(res.status).toBe(401);
        if (options.controlToken) expect((await fetch(`${url}/__emulator/reset`, { method: 'POST', headers: bearer() })).status).toBe(204);
      } finally {
        await emulator.close();
        await new Promise((resolve) => app.close(resolve));
      }
    });
  }
});

describe('with the control API off', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({ host: '127.0.0.1', port: 0, apis: ['speechmatics'], clock: { mode: 'manual' }, control: false });
  });
  afterAll(() => server?.close());

  it('answers every /__emulator path, health included, as an unknown path', async () => {
    for (const [method, path] of [['GET', '/__emulator/health'], ['POST', '/__emulator/reset'], ['GET', '/__emulator'], ['GET', '/__emulator/requests']] as const) {
      const res = await fetch(`${server.url}${path}`, { method, headers: bearer() });
      expect([res.status, await res.json()]).toEqual([404, { error: 'not_found', message: `No emulated API serves ${method} ${path}. Serving: speechmatics.` }]);
    }
    const unknown = await fetch(`${server.url}/elsewhere`);
    expect([unknown.status, (await unknown.json()).error]).toEqual([404, 'not_found']);
    expect(server.emulator.serves('/__emulator/health')).toBe(false);
    expect((await fetch(`${server.url}/v2/jobs`, { headers: { authorization: 'Bearer test-key' } })).status).toBe(200);
  });
});

describe('an address other than loopback', () => {
  it('is refused without a token or control off: startEmulator and startServer reject, nothing listens', async () => {
    await expect(startEmulator({ host: '0.0.0.0' })).rejects.toThrow(ExposureError);
    await expect(startEmulator({ host: '0.0.0.0' })).rejects.toThrow(/0\.0\.0\.0 is not a loopback address.*controlToken.*control: false/);
    await expect(startServer({ host: '0.0.0.0', port: 0, apis: ['speechmatics'] })).rejects.toThrow(ExposureError);
  });

  it('is served with a token, or with the control API off', async () => {
    for (const options of [{ controlToken: TOKEN }, { control: false }]) {
      const emu = await startEmulator({ host: '0.0.0.0', apis: ['speechmatics'], ...options });
      try {
        const port = new URL(emu.url).port;
        expect((await fetch(`http://127.0.0.1:${port}/v2/jobs`, { headers: { authorization: 'Bearer test-key' } })).status).toBe(200);
        expect((await fetch(`http://127.0.0.1:${port}/__emulator/reset`, { method: 'POST' })).status).toBe(options.control === false ? 404 : 401);
      } finally {
        await emu.close();
      }
    }
  });

  it('and loopback in any spelling needs neither', async () => {
    for (const host of ['127.0.0.1', 'localhost']) {
      const emu = await startEmulator({ host, apis: ['speechmatics'] });
      await emu.close();
    }
  });
});

describe('the token itself', () => {
  it.each([
    [{ controlToken: '' }, /visible ASCII without spaces/],
    [{ controlToken: 'two words' }, /visible ASCII without spaces/],
    [{ controlToken: 'tökén' }, /visible ASCII without spaces/],
    [{ controlToken: TOKEN, control: false }, /contradict each other/],
  ])('%j is refused', async (options, message) => {
    await expect(startServer({ host: '127.0.0.1', port: 0, apis: ['speechmatics'], ...options })).rejects.toThrow(SettingError);
    await expect(startServer({ host: '127.0.0.1', port: 0, apis: ['speechmatics'], ...options })).rejects.toThrow(message);
  });
});

// `speechdouble serve` as a user meets it: run from its sources, as cli.test.ts does.
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
function serve(args: string[], env: Record<string, string> = {}) {
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('SPEECHDOUBLE_')));
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'cli.ts'), 'serve', ...args], { cwd: ROOT, stdio: 'pipe', env: { ...inherited, ...env } });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk) => (out += chunk));
  child.stderr.on('data', (chunk) => (err += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child, exited,
    get out() {
      return out;
    },
    get err() {
      return err;
    },
    /** Resolves with the banner, once its last line (log:) is out. */
    banner: () => new Promise<string[]>((resolve, reject) => {
      const check = () => {
        if (/^log: .*$/m.test(out)) resolve(out.split('\n'));
      };
      child.stdout.on('data', check);
      void exited.then((code) => reject(new Error(`exited ${code}: ${out}${err}`)));
    }),
  };
}

describe('speechdouble serve', () => {
  it('refuses --host 0.0.0.0 without --control-token or --no-control: one line, exit 2, nothing served', async () => {
    const run = serve(['--port', '0', '--host', '0.0.0.0']);
    expect(await run.exited).toBe(2);
    expect(run.err).toBe('speechdouble serve: --host 0.0.0.0 is not loopback, and anyone who reaches it could reset and steer the emulator: give --control-token T (or SPEECHDOUBLE_CONTROL_TOKEN) to require Authorization: Bearer T on the control API, or --no-control to serve none\n');
    expect(run.out).toBe('');
  }, 60_000);

  it('serves 0.0.0.0 with the token from SPEECHDOUBLE_CONTROL_TOKEN, says so in the banner, and never prints the token', async () => {
    const run = serve(['--port', '0', '--host', '0.0.0.0', '--api', 'speechmatics'], { SPEECHDOUBLE_CONTROL_TOKEN: TOKEN });
    try {
      const lines = await run.banner();
      expect(lines).toContain('control:  needs Authorization: Bearer <token>');
      expect(lines.find((line) => line.startsWith('from env:'))).toBe('from env: SPEECHDOUBLE_CONTROL_TOKEN=<hidden>');
      expect(run.out + run.err).not.toContain(TOKEN);
      const port = /:(\d+)$/m.exec(lines[0]!)![1];
      expect((await fetch(`http://127.0.0.1:${port}/__emulator/health`)).status).toBe(200);
      expect((await fetch(`http://127.0.0.1:${port}/__emulator/reset`, { method: 'POST' })).status).toBe(401);
      expect((await fetch(`http://127.0.0.1:${port}/__emulator/reset`, { method: 'POST', headers: bearer() })).status).toBe(204);
    } finally {
      run.child.kill('SIGTERM');
      await run.exited;
    }
  }, 60_000);

  it('with --no-control, --allow-fetch and a limit, the banner says so', async () => {
    const run = serve(['--port', '0', '--api', 'speechmatics', '--no-control', '--allow-fetch', 'media.example.com', '--max-url-kib', '4'], { SPEECHDOUBLE_ALLOW_CALLBACK: '10.0.0.0/8, hooks.example.com' });
    try {
      const lines = await run.banner();
      expect(lines.filter((line) => line.startsWith('control:'))).toEqual(['control:  off (--no-control)']);
      expect(lines).toContain('outbound: fetch from media.example.com; callbacks to 10.0.0.0/8, hooks.example.com');
      expect(lines).toContain('limits:   --max-url-kib 4');
      const port = /:(\d+)$/m.exec(lines[0]!)![1];
      expect((await fetch(`http://127.0.0.1:${port}/__emulator/health`)).status).toBe(404);
    } finally {
      run.child.kill('SIGTERM');
      await run.exited;
    }
  }, 60_000);

  it('refuses a malformed pattern in its variable, and --no-control with a token, with exit 2', async () => {
    const pattern = serve(['--port', '0'], { SPEECHDOUBLE_ALLOW_FETCH: 'media example.com' });
    const both = serve(['--port', '0', '--no-control'], { SPEECHDOUBLE_CONTROL_TOKEN: TOKEN });
    expect(await pattern.exited).toBe(2);
    expect(pattern.err).toMatch(/^speechdouble serve: SPEECHDOUBLE_ALLOW_FETCH="media example.com" is refused: .*neither a host name/);
    expect(await both.exited).toBe(2);
    expect(both.err).toMatch(/--no-control and a control token \(SPEECHDOUBLE_CONTROL_TOKEN\) contradict each other/);
    expect(both.err).not.toContain(TOKEN);
  }, 60_000);

  it('lists the flags in --help, with the statuses', async () => {
    const run = serve(['--help']);
    expect(await run.exited).toBe(0);
    for (const flag of ['--control-token <token>', '--no-control', '--allow-fetch <pattern>', '--allow-callback <pattern>', '--max-header-kib <n>', '--max-url-kib <n>', '--headers-timeout <s>', '--request-timeout <s>', 'SPEECHDOUBLE_CONTROL_TOKEN', 'SPEECHDOUBLE_ALLOW_FETCH']) {
      expect(run.out).toContain(flag);
    }
    expect(run.out).toMatch(/431/);
    expect(run.out).toMatch(/414/);
    expect(run.out).toMatch(/408/);
  }, 60_000);
});
