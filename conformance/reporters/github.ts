// GitHub Actions, when `GITHUB_ACTIONS=true`: a markdown summary of the run appended to the file
// `$GITHUB_STEP_SUMMARY` names (shown on the run's page), and workflow commands that annotate
// it (`::error title=…::…`, one per failed step; GitHub shows ten a step). Both only read a
// RunReport, as the other reporters do.

import type { RunReport } from '../types.ts';
import {
  coverageRows,
  coverageTotals,
  exchangesById,
  failureLines,
  formatDuration,
  formatRatio,
  plural,
  redactUrl,
  summarise,
  verdict,
  type BodyFileOf,
  type ClipLimits,
} from './common.ts';

/** GitHub shows this many error annotations per step; the rest are counted in one more. */
export const MAX_ANNOTATIONS = 10;
/** Rows of the summary's table of failed steps. */
const MAX_ROWS = 50;
const LIMITS: ClipLimits = { maxChars: 2000, maxLines: 40 };

/** A workflow command's message: `%`, CR and LF escaped. */
export function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** A workflow command's property value: also `:` and `,`. */
export function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

export function errorCommand(title: string, message: string): string {
  return `::error title=${escapeProperty(title)}::${escapeData(message)}`;
}

export interface GitHubOptions {
  notes?: readonly string[];
  bodyFileOf?: BodyFileOf;
}

/** One `::error` line per failed step (the first ten), and one per note. */
export function renderAnnotations(report: RunReport, options: GitHubOptions = {}): string {
  const exchanges = exchangesById(report);
  const lines = (options.notes ?? []).map((note) => errorCommand(`speechdouble conform ${report.api}`, note));
  const failed = report.groups.flatMap((group) => group.steps.filter((step) => step.outcome === 'failed').map((step) => ({ group, step })));
  for (const { group, step } of failed.slice(0, MAX_ANNOTATIONS)) {
    const body = step.failures.length
      ? step.failures.map((f, i) => failureLines(f, i + 1, exchanges, { limits: { maxChars: 600, maxLines: 12 }, ...(options.bodyFileOf && { bodyFileOf: options.bodyFileOf }) }).join('\n')).join('\n')
      : 'the step failed';
    lines.push(errorCommand(`${report.api}: ${group.name} › ${step.name}`, body));
  }
  if (failed.length > MAX_ANNOTATIONS) {
    lines.push(errorCommand(`speechdouble conform ${report.api}`, `${plural(failed.length - MAX_ANNOTATIONS, 'more failed step')}: see the job summary or the JUnit report`));
  }
  return lines.length ? `${lines.join('\n')}\n` : '';
}

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ').replace(/`/g, "'");

/** The run as markdown: verdict, tally, coverage, notes, a table of failed steps, the failures in full. */
export function renderStepSummary(report: RunReport, options: GitHubOptions = {}): string {
  const summary = summarise(report);
  const totals = coverageTotals(coverageRows(report.coverage));
  const exchanges = exchangesById(report);
  const steps = summary.passed + summary.failed + summary.skipped;
  const out: string[] = [
    `### speechdouble conform ${report.api}: ${summary.conforms ? '✅' : '❌'} ${verdict(summary)}`,
    '',
    `Target \`${redactUrl(report.target)}\` · ${plural(steps, 'step')}: ${summary.passed} passed, ${summary.failed} failed, ${summary.skipped} skipped · ${formatDuration(report.durationMs)}`,
    '',
    `Operations exercised: ${formatRatio(totals.operations)} · documented statuses exercised: ${formatRatio(totals.statuses)}`,
  ];
  for (const note of options.notes ?? []) out.push('', `> **Note:** ${cell(note)}`);
  const failed = report.groups.flatMap((group) => group.steps.filter((step) => step.outcome === 'failed').map((step) => ({ group, step })));
  if (failed.length) {
    out.push('', '| scenario | step | check | failure |', '| --- | --- | --- | --- |');
    for (const { group, step } of failed.slice(0, MAX_ROWS)) {
      const first = step.failures[0];
      const more = step.failures.length > 1 ? ` (and ${step.failures.length - 1} more)` : '';
      out.push(`| ${cell(group.name)} | ${cell(step.name)} | ${cell(first?.check ?? '')} | ${cell(first?.message ?? 'the step failed')}${more} |`);
    }
    if (failed.length > MAX_ROWS) out.push('', `…and ${plural(failed.length - MAX_ROWS, 'more failed step')}: see the JUnit report.`);
    out.push('', '<details><summary>The failures in full</summary>', '', '```text');
    for (const { group, step } of failed.slice(0, MAX_ROWS)) {
      out.push(`${group.name} › ${step.name}`);
      step.failures.forEach((f, i) => {
        for (const line of failureLines(f, i + 1, exchanges, { limits: LIMITS, ...(options.bodyFileOf && { bodyFileOf: options.bodyFileOf }) })) out.push(`  ${line.replace(/```/g, "'''")}`);
      });
      out.push('');
    }
    out.push('```', '', '</details>');
  }
  return `${out.join('\n')}\n`;
}
