// `npm run bench` (which builds first): one run on one machine, printed as one table with
// speechdouble beside a bare node:http server returning the same bytes and beside Prism 5.14.2
// serving the same spec, the ratios between them, and issue 13's budget with pass/fail per
// row; then the engine's own benchmarks. Ratios, not raw figures, are what compare between
// machines and runs. A missed budget is reported, never an exit code: this is a report.
// `npm run bench -- startup throughput` runs only the parts named
// (startup, throughput, memory, load, conform, data-dir, engine).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { conformRows } from './conform.ts';
import { dataDirRows, printDataDirTable } from './data-dir.ts';
import { engineBenchmarks } from './engine.ts';
import { loadSubmissionRows } from './load-submissions.ts';
import { memoryRows } from './memory.ts';
import { startupRows } from './startup.ts';
import { elapsedMs, machine } from './system.ts';
import { printTable, type Row } from './table.ts';
import { throughputRows } from './throughput.ts';

const only = process.argv.slice(2);
const wanted = (part: string) => only.length === 0 || only.includes(part);
const started = process.hrtime.bigint();
const tmp = await mkdtemp(join(tmpdir(), 'speechdouble-bench-'));

console.log(`# speechdouble bench\n\n${machine()}\n`);
try {
  const parts: Array<[string, () => Promise<Row[]>]> = [
    ['startup', startupRows],
    ['throughput', () => throughputRows(tmp)],
    ['memory', () => memoryRows(tmp)],
    ['load', loadSubmissionRows],
    ['conform', () => conformRows(tmp)],
  ];
  const rows: Row[] = [];
  for (const [part, run] of parts) {
    if (!wanted(part)) continue;
    const partStarted = process.hrtime.bigint();
    try {
      rows.push(...(await run()));
    } catch (error) {
      // A part that cannot run (a server that does not start, dist/ missing) is reported, and the rest still run.
      rows.push({ name: `${part}: did not run`, unit: '', values: {}, ok: false, note: String(error instanceof Error ? error.message : error).replace(/\s+/g, ' ') });
    }
    console.error(`bench: ${part} took ${(elapsedMs(partStarted) / 1000).toFixed(1)} s`);
  }
  if (rows.length) {
    console.log('## speechdouble, a bare node:http server and Prism, same run\n');
    printTable(rows);
    const missed = rows.filter((row) => row.ok === false).length;
    const checked = rows.filter((row) => row.ok !== undefined).length;
    console.log(`\n${checked - missed}/${checked} budgets met. ÷ columns: speechdouble's figure over the other's. MB and KB are 10^6 and 10^3 bytes. speechdouble is the built CLI (\`bin/speechdouble.js\`), the bare server is bench/bare-server.mjs, Prism is \`prism mock specs/speechmatics-batch.yaml\` (static examples, log silenced).`);
  }

  if (wanted('data-dir')) {
    console.log('\n## --data-dir: the same emulator with state in memory and in a data dir, same run\n');
    try {
      printDataDirTable(await dataDirRows(tmp));
    } catch (error) {
      console.log(`data-dir: did not run: ${String(error instanceof Error ? error.message : error)}`);
    }
  }

  if (wanted('engine')) {
    console.log('\n## engine\n');
    console.log('| benchmark | value | baseline | ratio | note |\n| --- | --: | --: | --: | --- |');
    for (const r of await engineBenchmarks()) {
      const digits = r.value < 10 ? 2 : 1;
      console.log(`| ${r.name} | ${r.value.toFixed(digits)} ${r.unit} | ${r.baseline.toFixed(digits)} ${r.unit} | ${r.ratio.toFixed(2)}× | ${r.note} |`);
    }
  }
} finally {
  await rm(tmp, { recursive: true, force: true });
}
console.log(`\nbench took ${(elapsedMs(started) / 1000).toFixed(0)} s`);
