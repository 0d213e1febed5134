// `conform --spec` on the vendors' own published documents (../shared/reference/vendor-specs/,
// beside the repository: reference material, never copied into it), each served by Prism 5.14.2
// (`prism mock`, static examples): the run completes, exits 0 or 1 (never 2, a usage error or a
// crash), and finds what a mock answering from a vendor's examples gets wrong about that
// vendor's schemas. Skipped where the folder is not there.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const VENDOR_SPECS = join(ROOT, '..', 'shared', 'reference', 'vendor-specs');
const PRISM = join(ROOT, 'node_modules', '@stoplight', 'prism-cli', 'dist', 'index.js');
const CLI = join(ROOT, 'cli.ts');

const SPECS = [
  'assemblyai-openapi-1.3.4.yml',
  'gladia-control-api-v2-openapi-3.1.json',
  'speechmatics-batch-v2-2026-08-07-latest.yaml',
  'speechmatics-batch-v2-2026-05-08-with-alignment.yaml',
];

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Prism mocking `file`, silenced, once it answers. */
async function prism(file: string): Promise<{ url: string; stop(): Promise<void> }> {
  const port = await freePort();
  const child = spawn(process.execPath, [PRISM, 'mock', file, '--port', String(port), '--host', '127.0.0.1', '--verboseLevel', 'silent'], { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    child.kill('SIGTERM');
    await exited;
  };
  for (const deadline = Date.now() + 60_000; ; await new Promise((resolve) => setTimeout(resolve, 250))) {
    if (child.exitCode !== null) throw new Error(`prism exited before answering (${file})`);
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`prism did not answer within 60 s (${file})`);
    }
    if (await fetch(url).then(() => true, () => false)) return { url, stop };
  }
}

/** `speechdouble conform` as a user runs it; its exit code and output. */
function conform(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, 'conform', ...args], { cwd: ROOT, env: { ...process.env, NO_COLOR: '1', GITHUB_ACTIONS: '' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

interface JsonStep { name: string; outcome: string; failures: Array<{ check: string; message: string }> }

let out: string;
beforeAll(async () => {
  out = await mkdtemp(join(tmpdir(), 'speechdouble-vendor-specs-'));
});
afterAll(() => rm(out, { recursive: true, force: true }));

describe(`conform --spec on the vendors' documents (${VENDOR_SPECS}), against Prism`, () => {
  it.skipIf(!existsSync(VENDOR_SPECS)).each(SPECS)('%s: the run completes, exits 0 or 1, and has findings', async (name) => {
    const file = join(VENDOR_SPECS, name);
    const server = await prism(file);
    try {
      const json = join(out, `${name}.json`);
      // Prism serves the paths at its root, whatever the servers (or Swagger 2.0 basePath) say: --base-path /.
      const run = await conform(['--spec', file, '--target', server.url, '--token', 'test-key', '--base-path', '/', '--seed', '1', '--max-examples', '5', '--json', json]);
      expect(run.code, `${run.stderr}\n${run.stdout.slice(-2000)}`).toBeOneOf([0, 1]);
      expect(run.stderr).toMatch(/generated requests: --seed 1/);
      const report = JSON.parse(await readFile(json, 'utf8')) as { summary: { failures: number }; groups: Array<{ name: string; steps: JsonStep[] }> };
      expect(report.groups.map((g) => g.name)).toEqual(['documented-requests', 'negative-cases', 'generated-cases', 'generated-negative-cases', 'unsupported-methods']);
      expect(report.summary.failures).toBeGreaterThan(0);
      // No step failed for the runner's own code: every failure is a check's.
      const own = report.groups.flatMap((g) => g.steps).flatMap((s) => s.failures).filter((f) => f.check === 'scenario_error');
      expect(own).toEqual([]);
    } finally {
      await server.stop();
    }
  }, 180_000);
});
