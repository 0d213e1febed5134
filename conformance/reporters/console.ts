// The report a person reads in a terminal: grouped by scenario, every failure with what was
// expected, what came back, where the spec says so and a curl line to reproduce it; then how much
// of the API the run touched, and one verdict line a script can grep for.

import type { Exchange, GroupResult, RunReport, StepResult } from '../types.ts';
import {
  coverageRows,
  coverageTotals,
  exchangesById,
  failureLines,
  formatDuration,
  formatRatio,
  plural,
  printable,
  redactUrl,
  summarise,
  verdict,
  type BodyFileOf,
  type ClipLimits,
  type CoverageRow,
  type Role,
} from './common.ts';

export interface ConsoleOptions {
  /** ANSI colours; off by default so output piped to a file or a test stays plain. */
  color?: boolean;
  /** Show every value in full and list each step's exchanges. */
  verbose?: boolean;
  /** Where `--report-dir` wrote request bodies, for the repro lines. */
  bodyFileOf?: BodyFileOf;
  /** What the command has to say about the run as a whole (every request got 404, the run stopped early), just before the verdict. */
  notes?: readonly string[];
}

// Enough for a typical error body; a multi-megabyte transcript would drown the other failures.
const SHORT: ClipLimits = { maxChars: 1200, maxLines: 30 };
const FULL: ClipLimits = { maxChars: Number.POSITIVE_INFINITY, maxLines: Number.POSITIVE_INFINITY };

type Colour = 'bold' | 'dim' | 'red' | 'green' | 'yellow' | 'cyan';
const ANSI: Record<Colour, [string, string]> = {
  bold: ['\u001b[1m', '\u001b[22m'],
  dim: ['\u001b[2m', '\u001b[22m'],
  red: ['\u001b[31m', '\u001b[39m'],
  green: ['\u001b[32m', '\u001b[39m'],
  yellow: ['\u001b[33m', '\u001b[39m'],
  cyan: ['\u001b[36m', '\u001b[39m'],
};

const MARK: Record<StepResult['outcome'], [string, Colour]> = {
  passed: ['✓', 'green'],
  failed: ['✗', 'red'],
  skipped: ['-', 'yellow'],
};

const CLOCK_TEXT = {
  tenant: "the run's own tenants' clocks (no one else's time moved)",
  global: "the target's one clock (every tenant's time moved with it)",
  none: 'none to move: waited in real time (within --timeout)',
} as const;

export function renderConsole(report: RunReport, options: ConsoleOptions = {}): string {
  const paint = (colour: Colour, text: string) => (options.color ? `${ANSI[colour][0]}${text}${ANSI[colour][1]}` : text);
  const limits = options.verbose ? FULL : SHORT;
  const exchanges = exchangesById(report);
  const summary = summarise(report);
  const out: string[] = [];

  out.push(paint('bold', `speechdouble conform: ${printable(report.api)}`));
  out.push(`  target   ${printable(redactUrl(report.target))}`);
  out.push(`  started  ${printable(report.startedAt)}`);
  out.push(`  wall     ${formatDuration(report.durationMs)}`);
  if (report.clock) out.push(`  clock    ${CLOCK_TEXT[report.clock]}`);

  for (const group of report.groups) {
    out.push('', ...groupSection(group));
  }
  if (report.groups.length === 0) out.push('', 'No scenarios or cases were run.');

  out.push('', ...coverageSection(coverageRows(report.coverage)));

  for (const note of options.notes ?? []) out.push('', paint('yellow', `note: ${printable(note)}`));

  const steps = summary.passed + summary.failed + summary.skipped;
  out.push(
    '',
    `${plural(steps, 'step')}: ${summary.passed} passed, ${summary.failed} failed, ${summary.skipped} skipped` +
      ` · ${plural(summary.failures, 'failure')} · ${formatDuration(report.durationMs)}`,
  );
  out.push(paint('bold', paint(summary.conforms ? 'green' : 'red', verdict(summary))));
  return `${out.join('\n')}\n`;

  function groupSection(group: GroupResult): string[] {
    const counts = { passed: 0, failed: 0, skipped: 0 };
    for (const step of group.steps) counts[step.outcome]++;
    const tally = (['passed', 'failed', 'skipped'] as const)
      .filter((outcome) => counts[outcome] > 0)
      .map((outcome) => `${counts[outcome]} ${outcome}`)
      .join(', ');
    const lines = [
      `${paint('dim', `[${group.kind}]`)} ${paint('bold', printable(group.title))} ${paint('dim', `(${printable(group.name)})`)}` +
        paint('dim', ` · ${tally || 'no steps'} · ${formatDuration(group.durationMs)}`),
    ];
    for (const step of group.steps) lines.push(...stepLines(step));
    return lines;
  }

  function stepLines(step: StepResult): string[] {
    const [mark, colour] = MARK[step.outcome];
    const name = printable(step.name);
    const lines =
      step.outcome === 'skipped'
        ? [`  ${paint(colour, mark)} ${name}  ${paint('yellow', `skipped: ${printable(step.skippedReason ?? 'no reason given')}`)}`]
        : [`  ${paint(colour, mark)} ${name}  ${paint('dim', formatDuration(step.durationMs))}`];
    if (options.verbose) {
      for (const id of step.exchangeIds) lines.push(`      ${paint('dim', exchangeLine(id, exchanges.get(id)))}`);
    }
    const style = (role: Role, text: string) =>
      role === 'check' ? paint('red', text) : role === 'label' ? paint('dim', text) : role === 'pointer' ? paint('cyan', text) : text;
    step.failures.forEach((failure, i) => {
      for (const line of failureLines(failure, i + 1, exchanges, { limits, style, ...(options.bodyFileOf && { bodyFileOf: options.bodyFileOf }) })) lines.push(`      ${line}`);
    });
    return lines;
  }

  function coverageSection(rows: CoverageRow[]): string[] {
    const lines = [paint('bold', 'Coverage')];
    if (rows.length === 0) return [...lines, '  no operations documented'];
    // Pad on plain text, colour afterwards, so escape codes never skew the columns.
    const table = rows.map((row) => ({
      method: row.method.toUpperCase(),
      path: row.path,
      operation: row.operationId,
      documented: row.documented.map((s) => ({ plain: `${s.code}${s.seen ? '✓' : '·'}`, seen: s.seen })),
      undocumented: row.undocumented.join(' '),
      answered: row.answered,
      exercised: row.exercised,
    }));
    const head = { method: 'METHOD', path: 'PATH', operation: 'OPERATION', documented: 'DOCUMENTED', undocumented: 'UNDOCUMENTED SEEN' };
    const documentedText = (cells: { plain: string }[]) => cells.map((c) => c.plain).join(' ');
    const width = {
      method: Math.max(head.method.length, ...table.map((r) => r.method.length)),
      path: Math.max(head.path.length, ...table.map((r) => r.path.length)),
      operation: Math.max(head.operation.length, ...table.map((r) => r.operation.length)),
      documented: Math.max(head.documented.length, ...table.map((r) => documentedText(r.documented).length)),
    };
    lines.push(
      paint(
        'dim',
        `  ${head.method.padEnd(width.method)}  ${head.path.padEnd(width.path)}  ${head.operation.padEnd(width.operation)}  ` +
          `${head.documented.padEnd(width.documented)}  ${head.undocumented}`,
      ),
    );
    for (const row of table) {
      const documented =
        row.documented.map((c) => paint(c.seen ? 'green' : 'dim', c.plain)).join(' ') +
        ' '.repeat(width.documented - documentedText(row.documented).length);
      const unexercised = row.answered ? 'no documented success' : 'not exercised';
      const tail = row.undocumented ? paint('red', row.undocumented) : row.exercised ? '' : paint('yellow', unexercised);
      lines.push(
        `  ${row.method.padEnd(width.method)}  ${printable(row.path).padEnd(width.path)}  ${printable(row.operation).padEnd(width.operation)}  ` +
          `${documented}  ${tail}`.trimEnd(),
      );
    }
    const totals = coverageTotals(rows);
    lines.push(
      paint('dim', '  ✓ seen · not seen; undocumented statuses seen are reported as failures above'),
      `  operations exercised: ${formatRatio(totals.operations)} (answered a valid request with a documented success)`,
      `  documented statuses exercised: ${formatRatio(totals.statuses)}`,
    );
    return lines;
  }
}

function exchangeLine(id: number, exchange: Exchange | undefined): string {
  if (!exchange) return `#${id} (not in the report)`;
  const outcome = exchange.response ? String(exchange.response.status) : `no response: ${exchange.error ?? 'unknown error'}`;
  return printable(
    `#${id} ${exchange.request.method} ${redactUrl(exchange.request.url)} → ${outcome} (${formatDuration(exchange.durationMs)})`,
  );
}
