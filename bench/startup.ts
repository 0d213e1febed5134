// Cold start and idle memory: spawn to the first 200 (speechdouble on /__emulator/health,
// serving every spec; the bare server and Prism on their first route), then the resident
// memory a moment later; and `speechdouble --help` beside `node -e 0` and `prism --help`,
// spawn to exit. Runs alternate between the three so that noise on a shared machine falls
// on all of them alike; each figure is the median of RUNS.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { BIN, KINDS, launch, ROOT, type ServerKind } from './servers.ts';
import { elapsedMs, median } from './system.ts';
import type { Row } from './table.ts';

const RUNS = Number(process.env.BENCH_STARTS ?? 7);
const SETTLE_MS = 300;
const PRISM = fileURLToPath(new URL('../node_modules/@stoplight/prism-cli/dist/index.js', import.meta.url));
const MB = 1e6;

async function timeToExit(args: string[]): Promise<number> {
  const started = process.hrtime.bigint();
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: 'ignore' });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`${args.join(' ')} exited ${code}`);
  return elapsedMs(started);
}

export async function startupRows(): Promise<Row[]> {
  const startMs: Record<ServerKind, number[]> = { speechdouble: [], bare: [], prism: [] };
  const rssKb: Record<ServerKind, number[]> = { speechdouble: [], bare: [], prism: [] };
  for (let run = 0; run < RUNS; run++) {
    for (const kind of KINDS) {
      const server = await launch(kind);
      startMs[kind].push(server.startMs);
      await sleep(SETTLE_MS);
      rssKb[kind].push(server.memory().rssKb);
      await server.stop();
    }
  }
  const help: Record<ServerKind, number[]> = { speechdouble: [], bare: [], prism: [] };
  for (let run = 0; run < RUNS; run++) {
    help.speechdouble.push(await timeToExit([BIN, '--help']));
    help.bare.push(await timeToExit(['-e', '0']));
    help.prism.push(await timeToExit([PRISM, '--help']));
  }

  const medians = (samples: Record<ServerKind, number[]>, scale = 1) =>
    Object.fromEntries(KINDS.map((kind) => [kind, median(samples[kind]) * scale])) as Record<ServerKind, number>;
  const spread = (samples: Record<ServerKind, number[]>) =>
    KINDS.map((kind) => `${kind} ${Math.min(...samples[kind]).toFixed(0)}–${Math.max(...samples[kind]).toFixed(0)}`).join(', ');
  const start = medians(startMs);
  const helpMs = medians(help);
  const idle = medians(rssKb, 1024 / MB);
  return [
    {
      name: '`serve` cold start: spawn → first 200 on health', unit: 'ms', values: start, budget: '≤ 250 ms', ok: start.speechdouble <= 250,
      note: `median of ${RUNS}; range ms: ${spread(startMs)}; speechdouble serves all five specs (built CLI), Prism the Speechmatics spec`,
    },
    {
      name: '`speechdouble --help`: spawn → exit', unit: 'ms', values: helpMs, budget: '≤ 150 ms', ok: helpMs.speechdouble <= 150,
      note: `median of ${RUNS}; bare column: \`node -e 0\`, Prism column: \`prism --help\`; range ms: ${spread(help)}`,
    },
    {
      name: 'idle RSS after start', unit: 'MB', values: idle, budget: '≤ 80 MB', ok: idle.speechdouble <= 80,
      note: `median of ${RUNS}, VmRSS ${SETTLE_MS} ms after the first 200`,
    },
  ];
}
