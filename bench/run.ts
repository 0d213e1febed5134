// `npm run bench`: every section, printed as a table of value, baseline and their ratio.
// Ratios, not raw times, are what to compare between machines and runs.
import { engineBenchmarks, type BenchResult } from './engine.ts';

const sections: Array<[string, () => Promise<BenchResult[]>]> = [['engine', engineBenchmarks]];
const only = process.argv[2];

for (const [section, run] of sections) {
  if (only && only !== section) continue;
  console.log(`\n## ${section}`);
  console.log('| benchmark | value | baseline | ratio | note |\n| --- | --- | --- | --- | --- |');
  for (const r of await run()) {
    console.log(`| ${r.name} | ${r.value.toFixed(1)} ${r.unit} | ${r.baseline.toFixed(1)} ${r.unit} | ${r.ratio.toFixed(2)}× | ${r.note} |`);
  }
}
