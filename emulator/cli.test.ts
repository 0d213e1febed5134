// `npm start` runs `bin/speechdouble.js serve`: this runs the same binary as a child process,
// the way a user's terminal or CI job does.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../bin/speechdouble.js', import.meta.url));

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
});
