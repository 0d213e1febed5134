// `npm start` runs `bin/speechdouble.js serve`, and `npm run conform` its conform command:
// this runs the command line as a child process, the way a user's terminal or CI job does, from
// its TypeScript sources (through tsx), so it tests the code as it is, built or not.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('.', import.meta.url));
const CLI = join(ROOT, 'cli.ts');
const WAV = fileURLToPath(new URL('./fixtures/audio/en-greeting.16k.wav', import.meta.url));

/** `env` is added to this process's environment, without any SPEECHDOUBLE_* of its own. */
function run(args: string[], env: Record<string, string> = {}): ChildProcessWithoutNullStreams {
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('SPEECHDOUBLE_')));
  return spawn(process.execPath, ['--import', 'tsx', CLI, ...args], { cwd: ROOT, stdio: 'pipe', env: { ...inherited, ...env } });
}

/** Everything the child prints, as it comes, to wait on. */
function output(child: ChildProcessWithoutNullStreams) {
  let out = '';
  let err = '';
  const waiting: { pattern: RegExp; resolve: (m: RegExpMatchArray) => void }[] = [];
  const check = () => {
    for (const w of [...waiting]) {
      const match = out.match(w.pattern);
      if (match) {
        waiting.splice(waiting.indexOf(w), 1);
        w.resolve(match);
      }
    }
  };
  child.stdout.on('data', (chunk) => {
    out += chunk;
    check();
  });
  child.stderr.on('data', (chunk) => (err += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    get out() {
      return out;
    },
    get err() {
      return err;
    },
    exited,
    /** Resolves when stdout matches; rejects if the child exits first. */
    waitFor(pattern: RegExp): Promise<RegExpMatchArray> {
      return new Promise((resolve, reject) => {
        const waiter = { pattern, resolve };
        waiting.push(waiter);
        check();
        void exited.then((code) => {
          if (waiting.includes(waiter)) reject(new Error(`exited ${code} before printing ${pattern}: ${out}${err}`));
        });
      });
    },
  };
}

function firstLineMatching(child: ChildProcessWithoutNullStreams, pattern: RegExp): Promise<RegExpMatchArray> {
  return output(child).waitFor(pattern);
}

function exitCode(child: ChildProcessWithoutNullStreams): Promise<number | null> {
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

function runToEnd(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; out: string; err: string }> {
  const child = run(args, env);
  const seen = output(child);
  return seen.exited.then((code) => ({ code, out: seen.out, err: seen.err }));
}

const URL_LINE = /^speechdouble \S+ serving .+ on (http:\/\/127\.0\.0\.1:(\d+))$/m;

/** A port something else holds for the test's length. */
async function heldPort(): Promise<{ port: number; server: Server }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as { port: number }).port, server };
}

async function freePort(): Promise<number> {
  const { port, server } = await heldPort();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function connected(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => resolve(socket));
    socket.once('error', reject);
  });
}

describe('speechdouble serve', () => {
  it('listens, answers health and a vendor path, and exits 0 on SIGTERM', async () => {
    const child = run(['serve', '--port', '0']);
    const [, url] = await firstLineMatching(child, /on (http:\/\/127\.0\.0\.1:\d+)/);
    const health = await fetch(`${url}/__emulator/health`);
    expect(health.status).toBe(200);
    const unknown = await fetch(`${url}/v2/jobs/a1b2c3d4e5`, { headers: { authorization: 'Bearer test-key' } });
    expect([unknown.status, await unknown.json()]).toEqual([404, { code: 404, error: 'Job not found' }]);
    const documented = await fetch(`${url}/v2/jobs/a1b2c3d4e5`, { headers: { authorization: 'Bearer test-key', prefer: 'code=200' } });
    expect(documented.status).toBe(200);
    const exited = exitCode(child);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  }, 60_000);

  it('refuses an unknown --api with a message and a non-zero exit', async () => {
    const child = run(['serve', '--api', 'whisper']);
    let err = '';
    child.stderr.on('data', (chunk) => (err += chunk));
    expect(await exitCode(child)).not.toBe(0);
    expect(err).toMatch(/speechmatics, assemblyai, gladia, cadence, stenomatic/);
  }, 30_000);

  it('takes an API\'s settings with --set, the older flags too, and lists them in --help', async () => {
    const child = run(['serve', '--port', '0', '--manual-clock', '--api', 'speechmatics', '--set', 'speechmatics.processing=reads:1', '--retention-days', '2']);
    const [, url] = await firstLineMatching(child, /on (http:\/\/127\.0\.0\.1:\d+)/);
    try {
      const form = new FormData();
      form.append('config', JSON.stringify({ type: 'transcription', transcription_config: { language: 'en' } }));
      form.append('data_file', new Blob([await readFile(WAV)]), 'a.wav');
      const auth = { authorization: 'Bearer test-key' };
      const { id } = await (await fetch(`${url}/v2/jobs`, { method: 'POST', headers: auth, body: form })).json();
      // reads:1 — the first read finishes the job, with no clock step at all.
      expect((await (await fetch(`${url}/v2/jobs/${id}`, { headers: auth })).json()).job.status).toBe('done');
      const advance = (seconds: number) => fetch(`${url}/__emulator/clock/advance`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ seconds }) });
      await advance(2 * 86400);
      expect((await fetch(`${url}/v2/jobs/${id}`, { headers: auth })).status).toBe(410);
    } finally {
      child.kill('SIGTERM');
    }
    const help = run(['serve', '--help']);
    let out = '';
    help.stdout.on('data', (chunk) => (out += chunk));
    expect(await exitCode(help)).toBe(0);
    expect(out).toMatch(/speechmatics\.retention-days: finished jobs expire after this many days/);
  }, 60_000);

  it.each([
    // Bad values and APIs without settings are refused the same way (emulator/core/stateful.test.ts).
    ['an unknown setting', ['--set', 'speechmatics.speed=fast'], /speechmatics has no setting "speed"; it has: processing, retention-days/],
    ['a malformed --set', ['--set', 'retention-days'], /is not api\.setting=value/],
  ])('refuses %s with exit 2 and a message', async (_case, args, message) => {
    const child = run(['serve', '--port', '0', ...args]);
    let err = '';
    child.stderr.on('data', (chunk) => (err += chunk));
    expect(await exitCode(child)).toBe(2);
    expect(err).toMatch(message);
  }, 30_000);
});

describe('speechdouble --help', () => {
  it('lists the commands without loading them, with the descriptions their own help gives', async () => {
    const top = await runToEnd(['--help']);
    expect(top.code).toBe(0);
    const flat = (text: string) => text.replace(/\s+/g, ' ');
    for (const name of ['serve', 'conform']) {
      const own = await runToEnd([name, '--help']);
      expect(own.code).toBe(0);
      const description = flat(own.out).match(/Usage: speechdouble \S+ \[options\] (.+?) Options:/)?.[1];
      expect(description, own.out).toBeTruthy();
      expect(flat(top.out)).toContain(`${name} ${description}`);
    }
  }, 60_000);
});

describe('speechdouble serve, as a user meets it', () => {
  it('refuses a port in use with one line and exit 2', async () => {
    const { port, server } = await heldPort();
    try {
      const { code, out, err } = await runToEnd(['serve', '--port', String(port)]);
      expect(code).toBe(2);
      expect(err).toBe(`speechdouble serve: port ${port} on 127.0.0.1 is in use; pick another with --port (0 picks a free one)\n`);
      expect(out).toBe('');
    } finally {
      server.close();
    }
  }, 60_000);

  it('refuses an address that is not this machine\'s with one line and exit 2', async () => {
    // 192.0.2.1 is TEST-NET-1 (RFC 5737): no machine has it.
    const { code, err } = await runToEnd(['serve', '--port', '0', '--host', '192.0.2.1', '--no-control']);
    expect(code).toBe(2);
    expect(err).toMatch(/^speechdouble serve: 192\.0\.2\.1 is not an address of this machine \(EADDRNOTAVAIL\); pick another with --host .*\n$/);
  }, 60_000);

  it('exits 0 on SIGTERM sent as soon as the first line is out, with a kept-alive and an unused connection open', async () => {
    const child = run(['serve', '--port', '0', '--api', 'speechmatics']);
    const seen = output(child);
    const [, url, port] = await seen.waitFor(URL_LINE);
    // A client that keeps its connection after an answer, and one that connected and sent nothing.
    const kept = await connected(Number(port));
    kept.on('error', () => {});
    kept.write('GET /__emulator/health HTTP/1.1\r\nHost: x\r\n\r\n');
    await new Promise((resolve) => kept.once('data', resolve));
    const unused = await connected(Number(port));
    unused.on('error', () => {});
    child.kill('SIGTERM');
    expect(await seen.exited).toBe(0);
    expect(seen.out).toMatch(/SIGTERM: stopped\n$/);
    expect(url).toBeTruthy();
    kept.destroy();
    unused.destroy();

    const idle = run(['serve', '--port', '0', '--api', 'speechmatics']);
    const idleSeen = output(idle);
    await idleSeen.waitFor(URL_LINE);
    idle.kill('SIGTERM');
    expect(await idleSeen.exited).toBe(0);
  }, 60_000);

  it('lets a request in flight finish on SIGTERM, and a second SIGTERM stops at once', async () => {
    const wav = await readFile(WAV);
    /** An upload whose body is still arriving; resolves once the server has the request (its 100 Continue). */
    const upload = async (port: number) => {
      const socket = await connected(port);
      socket.on('error', () => {});
      let reply = '';
      const continued = new Promise((resolve) => socket.on('data', (chunk) => {
        reply += chunk;
        if (reply.startsWith('HTTP/1.1 100')) resolve(undefined);
      }));
      socket.write(`POST /v2/upload HTTP/1.1\r\nHost: x\r\nAuthorization: test-key\r\nContent-Type: application/octet-stream\r\nContent-Length: ${wav.length}\r\nExpect: 100-continue\r\n\r\n`);
      await continued;
      socket.write(wav.subarray(0, 1000));
      return { socket, reply: () => reply };
    };

    const child = run(['serve', '--port', '0', '--api', 'assemblyai']);
    const seen = output(child);
    const [, , port] = await seen.waitFor(URL_LINE);
    const first = await upload(Number(port));
    child.kill('SIGTERM');
    await seen.waitFor(/^SIGTERM: finishing 1 in-flight request \(at most 10 s; SIGTERM again stops at once\)$/m);
    const replied = new Promise((resolve) => first.socket.once('close', resolve));
    first.socket.write(wav.subarray(1000));
    await replied;
    expect(first.reply()).toMatch(/\r\n\r\nHTTP\/1\.1 200 OK\r\n/);
    expect(await seen.exited).toBe(0);

    const again = run(['serve', '--port', '0', '--api', 'assemblyai']);
    const againSeen = output(again);
    const [, , againPort] = await againSeen.waitFor(URL_LINE);
    const stuck = await upload(Number(againPort));
    again.kill('SIGTERM');
    await againSeen.waitFor(/^SIGTERM: finishing 1 in-flight request/m);
    again.kill('SIGTERM');
    expect(await againSeen.exited).toBe(143);
    stuck.socket.destroy();
  }, 60_000);

  it('prints the APIs with their paths, the keys and where each came from, the clock and the control API', async () => {
    const child = run(['serve', '--port', '0', '--manual-clock', '--api', 'speechmatics', '--api', 'cadence', '--api-key', 'flag-key', '--set', 'speechmatics.processing=reads:1'], { SPEECHDOUBLE_API_KEYS: 'env-key, env-key-2' });
    const seen = output(child);
    try {
      const [first, url] = await seen.waitFor(URL_LINE);
      await seen.waitFor(/^log: .*$/m);
      const lines = seen.out.split('\n');
      // The first line, unchanged: scripts (.ci/run) parse the URL off its end.
      expect(lines[0]).toBe(first);
      expect(lines[0]).toMatch(/^speechdouble \d+\.\d+\.\d+\S* serving speechmatics, cadence on http:\/\/127\.0\.0\.1:\d+$/);
      expect(lines).toContain('  speechmatics  /v2/jobs[/{jobid}[/transcript|/alignment|/data|/text]], /v2/usage');
      expect(lines).toContain('  cadence       /api/1.1/wf/create_job, /api/1.1/obj/language, /api/1.1/obj/job[/{job_id}], /api/1.1/obj/user/{user_id}, /cadence/twilio (/api/1.1/… also under /version-test)');
      const keys = lines.find((l) => l.startsWith('keys:'));
      expect(keys).toContain('test-key (built in)');
      expect(keys).toContain('flag-key (--api-key)');
      expect(keys).toContain('env-key, env-key-2 (SPEECHDOUBLE_API_KEYS)');
      expect(lines).toContain(`clock:    manual, at 2026-01-05T09:00:00.000Z; it moves only with POST ${url}/__emulator/clock/advance`);
      expect(lines).toContain(`control:  ${url}/__emulator (health: ${url}/__emulator/health)`);
      expect(lines).toContain('settings: speechmatics.processing=reads:1');
      expect(lines.find((l) => l.startsWith('log:'))).toMatch(/^log: +off/);
    } finally {
      child.kill('SIGTERM');
      await seen.exited;
    }
  }, 60_000);

  it('--log prints a line per request: time, method, path, API, operation, status, ms, and what a refusal said', async () => {
    const child = run(['serve', '--port', '0', '--api', 'speechmatics', '--log']);
    const seen = output(child);
    try {
      const [, url] = await seen.waitFor(URL_LINE);
      const ok = await fetch(`${url}/v2/jobs?limit=5`, { headers: { authorization: 'Bearer test-key' } });
      expect(ok.status).toBe(200);
      const [okLine] = await seen.waitFor(/^.* 200 .*$/m);
      expect(okLine).toMatch(/^\d\d:\d\d:\d\d\.\d{3} GET \/v2\/jobs\?limit=5 speechmatics listJobs 200 \d+(\.\d)?ms$/);
      const refused = await fetch(`${url}/v2/jobs`, { headers: { authorization: 'Bearer wrong-key' } });
      expect([refused.status, await refused.json()]).toEqual([401, { code: 401, error: 'Permission Denied' }]);
      const [refusedLine] = await seen.waitFor(/^.* 401 .*$/m);
      expect(refusedLine).toMatch(/^\d\d:\d\d:\d\d\.\d{3} GET \/v2\/jobs speechmatics listJobs 401 \d+(\.\d)?ms {2}credentials: key not accepted \(bearerAuth\)$/);
      await fetch(`${url}/__emulator/health`);
      await seen.waitFor(/^.* GET \/__emulator\/health control getHealth 200 .*$/m);
    } finally {
      child.kill('SIGTERM');
      await seen.exited;
    }
  }, 60_000);

  it('takes its settings from SPEECHDOUBLE_* variables, and a flag wins over its variable', async () => {
    const port = await freePort();
    const child = run(['serve', '--api', 'speechmatics'], {
      SPEECHDOUBLE_PORT: String(port), SPEECHDOUBLE_HOST: '127.0.0.1', SPEECHDOUBLE_MANUAL_CLOCK: '1', SPEECHDOUBLE_LOG: '1', SPEECHDOUBLE_STRICT: 'true', SPEECHDOUBLE_SEED: '7',
    });
    const seen = output(child);
    try {
      const [, url] = await seen.waitFor(URL_LINE);
      expect(url).toBe(`http://127.0.0.1:${port}`);
      await seen.waitFor(/^log: .*$/m);
      expect(seen.out).toMatch(/^from env: SPEECHDOUBLE_PORT=\d+, SPEECHDOUBLE_HOST=127\.0\.0\.1, SPEECHDOUBLE_SEED=7, SPEECHDOUBLE_MANUAL_CLOCK=1, SPEECHDOUBLE_STRICT=true, SPEECHDOUBLE_LOG=1$/m);
      expect(seen.out).toMatch(/^strict: /m);
      expect(await (await fetch(`${url}/__emulator/clock`)).json()).toMatchObject({ mode: 'manual' });
      await seen.waitFor(/^.* GET \/__emulator\/clock control \S+ 200 .*$/m);
    } finally {
      child.kill('SIGTERM');
      await seen.exited;
    }
    // --port and --time-scale on the command line win over SPEECHDOUBLE_PORT and SPEECHDOUBLE_MANUAL_CLOCK.
    const flagged = run(['serve', '--port', '0', '--time-scale', '10', '--api', 'speechmatics'], { SPEECHDOUBLE_PORT: 'not-read', SPEECHDOUBLE_MANUAL_CLOCK: '1' });
    const flaggedSeen = output(flagged);
    try {
      await flaggedSeen.waitFor(URL_LINE);
      await flaggedSeen.waitFor(/^clock: +scaled, 10 times real time$/m);
    } finally {
      flagged.kill('SIGTERM');
      await flaggedSeen.exited;
    }
  }, 60_000);

  it.each([
    ['SPEECHDOUBLE_PORT', 'eighty', /^speechdouble serve: SPEECHDOUBLE_PORT="eighty" is refused: a port is an integer from 0 to 65535\n$/],
    ['SPEECHDOUBLE_SEED', '-1', /^speechdouble serve: SPEECHDOUBLE_SEED="-1" is refused: a seed is a whole number >= 0\n$/],
    ['SPEECHDOUBLE_LOG', 'maybe', /^speechdouble serve: SPEECHDOUBLE_LOG="maybe" is refused: it is 1 \(on\) or 0 \(off\)\n$/],
  ])('refuses a bad %s with one line naming it and exit 2', async (variable, value, message) => {
    const { code, err } = await runToEnd(['serve'], { [variable]: value });
    expect(code).toBe(2);
    expect(err).toMatch(message);
  }, 60_000);

  it('does not crash when its stdout is closed under it (EPIPE): it stops quietly, exit 0', async () => {
    const child = run(['serve', '--port', '0', '--api', 'speechmatics', '--log']);
    const seen = output(child);
    const [, url] = await seen.waitFor(URL_LINE);
    // As when the process that read the output (npm exec, a CI step) went away.
    child.stdout.destroy();
    expect((await fetch(`${url}/v2/jobs`, { headers: { authorization: 'Bearer test-key' } })).status).toBe(200);
    expect(await seen.exited).toBe(0);
    expect(seen.err).toBe('');

    // Without --log nothing is written after the banner (one write): a reader may take the URL
    // and close the pipe, and the server keeps serving until it is stopped.
    const quiet = run(['serve', '--port', '0', '--api', 'speechmatics']);
    const quietSeen = output(quiet);
    const [, quietUrl] = await quietSeen.waitFor(URL_LINE);
    quiet.stdout.destroy();
    for (let i = 0; i < 2; i++) expect((await fetch(`${quietUrl}/__emulator/health`)).status).toBe(200);
    quiet.kill('SIGTERM');
    expect(await quietSeen.exited).toBe(0);
    expect(quietSeen.err).toBe('');
  }, 60_000);
});

describe('speechdouble conform', () => {
  it('exits 0 against a conforming target, 2 when the target refuses the key, and writes JUnit and JSON', async () => {
    const server = run(['serve', '--port', '0', '--manual-clock', '--api', 'speechmatics']);
    const [, url] = await firstLineMatching(server, /on (http:\/\/127\.0\.0\.1:\d+)/);
    const dir = await mkdtemp(join(tmpdir(), 'speechdouble-conform-'));
    try {
      const ok = await runToEnd(['conform', '--api', 'speechmatics', '--target', url!, '--token', 'test-key', '--only', 'transcription', '--junit', join(dir, 'r.xml'), '--json', join(dir, 'r.json')]);
      expect(ok.out).toMatch(/CONFORMS/);
      expect(ok.code).toBe(0);
      expect(await readFile(join(dir, 'r.xml'), 'utf8')).toMatch(/^<\?xml/);
      expect(JSON.parse(await readFile(join(dir, 'r.json'), 'utf8')).summary.conforms).toBe(true);
      // A key the target refuses is a usage problem (exit 2), not a run of conformance failures.
      const bad = await runToEnd(['conform', '--api', 'speechmatics', '--target', url!, '--token', 'not-a-key', '--only', 'transcription']);
      expect(bad.err).toMatch(/the target refused --token: .*; check --token/);
      expect(bad.code).toBe(2);
    } finally {
      server.kill('SIGTERM');
      await rm(dir, { recursive: true, force: true });
    }
  }, 90_000);

  it.each([
    ['an unknown API', ['--api', 'whisper', '--target', 'http://127.0.0.1:9', '--token', 'k'], /unknown API "whisper"/],
    ['no target', ['--api', 'speechmatics', '--token', 'k'], /--target/],
    ['no credentials', ['--api', 'speechmatics', '--target', 'http://127.0.0.1:4010'], /--token or --basic/],
    ['an unreachable target', ['--api', 'speechmatics', '--target', 'http://127.0.0.1:1', '--token', 'k'], /cannot reach/],
  ])('exits 2 with a message for %s', async (_case, args, message) => {
    const { code, err } = await runToEnd(['conform', ...args]);
    expect(code).toBe(2);
    expect(err).toMatch(message);
    expect(err).not.toMatch(/\n\s+at /);
  }, 30_000);
});
