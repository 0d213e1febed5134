// `npm run bench`: every section, printed as a table of value, baseline and their ratio.
// Ratios, not raw times, are what to compare between machines and runs.
import { emulatorBenchmarks } from './emulator.ts';
import { engineBenchmarks, type BenchResult } from './engine.ts';

const sections: Array<[string, () => Promise<BenchResult[]>]> = [['engine', engineBenchmarks], ['emulator', emulatorBenchmarks]];
const only = process.argv[2];

for (const [section, run] of sections) {
  if (only && only !== section) continue;
  console.log(`\n## ${section}`);
  console.log('| benchmark | value | baseline | ratio | note |\n| --- | --- | --- | --- | --- |');
  for (const r of await run()) {
    const digits = r.value < 10 ? 2 : 1;
    console.log(`| ${r.name} | ${r.value.toFixed(digits)} ${r.unit} | ${r.baseline.toFixed(digits)} ${r.unit} | ${r.ratio.toFixed(2)}× | ${r.note} |`);
  }
}
