// One row of the report: speechdouble's figure beside the bare node:http server's and Prism's
// from the same run, the ratios to each, and the budget with whether it holds.
import type { ServerKind } from './servers.ts';

export interface Row {
  name: string;
  unit: string;
  values: Partial<Record<ServerKind, number>>;
  /** The budget in words, e.g. "≥ 0.5× bare", and whether this run met it. */
  budget?: string;
  ok?: boolean;
  note?: string;
}

function figure(value: number | undefined, unit: string): string {
  if (value === undefined) return '—';
  if (!Number.isFinite(value)) return 'n/a';
  const digits = Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2;
  return `${value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })} ${unit}`;
}

function ratio(value: number | undefined, baseline: number | undefined): string {
  if (value === undefined || baseline === undefined || !baseline) return '—';
  const r = value / baseline;
  return `${r.toFixed(r >= 10 ? 1 : 2)}×`;
}

export function printTable(rows: Row[]): void {
  console.log('| benchmark | speechdouble | bare node:http | Prism 5.14.2 | ÷ bare | ÷ Prism | budget | ok | note |');
  console.log('| --- | --: | --: | --: | --: | --: | --- | --- | --- |');
  for (const row of rows) {
    const { speechdouble, bare, prism } = row.values;
    const ok = row.ok === undefined ? '' : row.ok ? 'pass' : '**FAIL**';
    console.log(`| ${[row.name, figure(speechdouble, row.unit), figure(bare, row.unit), figure(prism, row.unit), ratio(speechdouble, bare), ratio(speechdouble, prism), row.budget ?? '', ok, row.note ?? ''].join(' | ')} |`);
  }
}

/** The budget line for rows that must be a share of a baseline: value ≥ (or ≤) factor × baseline. */
export function within(value: number | undefined, baseline: number | undefined, factor: number, direction: 'at least' | 'at most'): boolean {
  if (value === undefined || baseline === undefined || !Number.isFinite(value) || !Number.isFinite(baseline)) return false;
  return direction === 'at least' ? value >= factor * baseline : value <= factor * baseline;
}
