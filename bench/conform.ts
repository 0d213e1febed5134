// One full `speechdouble conform` per stateful API, each against a fresh emulator, with the
// flags CI uses (.ci/run): a second key for the isolation checks, and for Cadence the basic
// credentials its add-on requests take. Timed from spawn to exit of the runner.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, launch, ROOT } from './servers.ts';
import { elapsedMs } from './system.ts';
import type { Row } from './table.ts';

const APIS = ['speechmatics', 'gladia', 'assemblyai', 'stenomatic', 'cadence'] as const;
const SERVE_ARGS = ['--manual-clock', '--api-key', 'second-key', '--api-key', 'second:pass'];

function credentials(api: (typeof APIS)[number]): string[] {
  const keys = ['--token', 'test-key', '--token2', 'second-key'];
  return api === 'cadence' ? [...keys, '--basic', 'cadence:friend', '--basic2', 'second:pass'] : keys;
}

interface Report { durationMs: number; summary: { passed: number; failed: number; skipped: number; conforms: boolean } }

export async function conformRows(tmp: string): Promise<Row[]> {
  const rows: Row[] = [];
  for (const api of APIS) {
    const server = await launch('speechdouble', { serveArgs: SERVE_ARGS });
    try {
      const json = join(tmp, `conform-${api}.json`);
      const args = [BIN, 'conform', '--api', api, '--target', server.url, ...credentials(api), '--json', json, '--no-color'];
      const started = process.hrtime.bigint();
      const child = spawn(process.execPath, args, { cwd: ROOT, stdio: 'ignore' });
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
      const seconds = elapsedMs(started) / 1000;
      let note = `exit ${code}`;
      try {
        const { durationMs, summary } = JSON.parse(readFileSync(json, 'utf8')) as Report;
        note = `${summary.passed} passed, ${summary.failed} failed, ${summary.skipped} skipped (${summary.conforms ? 'conforms' : 'DOES NOT CONFORM'}); the runner's own clock ${(durationMs / 1000).toFixed(1)} s; exit ${code}`;
      } catch {
        note += ', no JSON report';
      }
      rows.push({ name: `\`conform --api ${api}\`, full run`, unit: 's', values: { speechdouble: seconds }, budget: '≤ 10 s', ok: seconds <= 10 && code === 0, note });
    } finally {
      await server.stop();
    }
  }
  return rows;
}
