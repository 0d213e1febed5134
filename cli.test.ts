// `npm start` runs `bin/speechdouble.js serve`, and `npm run conform` its conform command:
// this runs the same binary as a child process, the way a user's terminal or CI job does.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('./bin/speechdouble.js', import.meta.url));

function run(args: string[]): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, [BIN, ...args], { stdio: 'pipe' });
}

function firstLineMatching(child: ChildProcessWithoutNullStreams, pattern: RegExp): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const match = out.match(pattern);
      if (match) resolve(match);
    });
    child.stderr.on('data', (chunk) => (err += chunk));
    child.once('exit', (code) => reject(new Error(`exited ${code} before printing ${pattern}: ${out}${err}`)));
  });
}

function exitCode(child: ChildProcessWithoutNullStreams): Promise<number | null> {
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
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
      form.append('data_file', new Blob([await readFile(fileURLToPath(new URL('./fixtures/audio/en-greeting.16k.wav', import.meta.url)))]), 'a.wav');
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

describe('speechdouble conform', () => {
  function runToEnd(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
    const child = run(args);
    let out = '';
    let err = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (err += c));
    return exitCode(child).then((code) => ({ code, out, err }));
  }

  it('exits 0 against a conforming target, 1 against one that is not, and writes JUnit and JSON', async () => {
    const server = run(['serve', '--port', '0', '--manual-clock', '--api', 'speechmatics']);
    const [, url] = await firstLineMatching(server, /on (http:\/\/127\.0\.0\.1:\d+)/);
    const dir = await mkdtemp(join(tmpdir(), 'speechdouble-conform-'));
    try {
      const ok = await runToEnd(['conform', '--api', 'speechmatics', '--target', url!, '--token', 'test-key', '--only', 'transcription', '--junit', join(dir, 'r.xml'), '--json', join(dir, 'r.json')]);
      expect(ok.out).toMatch(/CONFORMS/);
      expect(ok.code).toBe(0);
      expect(await readFile(join(dir, 'r.xml'), 'utf8')).toMatch(/^<\?xml/);
      expect(JSON.parse(await readFile(join(dir, 'r.json'), 'utf8')).summary.conforms).toBe(true);
      // A key the target refuses: every journey fails at its first step.
      const bad = await runToEnd(['conform', '--api', 'speechmatics', '--target', url!, '--token', 'not-a-key', '--only', 'transcription']);
      expect(bad.out).toMatch(/DOES NOT CONFORM/);
      expect(bad.code).toBe(1);
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
