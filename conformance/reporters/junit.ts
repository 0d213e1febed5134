// JUnit XML, the one test-report format every CI reads (GitHub Actions via test-reporter actions,
// GitLab's `artifacts:reports:junit`, Jenkins' junit step). Only the common subset is used:
// testsuites > testsuite (properties) > testcase (failure | skipped), times in seconds. A group
// is a suite, a step is a test case; a step's check failures share its one <failure>, because
// several readers (GitLab among them) show only the first.

import type { GroupResult, RunReport, StepResult } from '../types.ts';
import { coverageRows, coverageTotals, exchangesById, failureLines, formatRatio, plural, printable, redactUrl, summarise, type BodyFileOf, type ClipLimits } from './common.ts';

// CI pages render the body in full; keep a runaway body from making the artifact huge.
const LIMITS: ClipLimits = { maxChars: 16_000, maxLines: 400 };

export function renderJUnit(report: RunReport, options: { bodyFileOf?: BodyFileOf } = {}): string {
  const exchanges = exchangesById(report);
  const summary = summarise(report);
  const target = redactUrl(report.target);
  const totals = coverageTotals(coverageRows(report.coverage));
  const coverage = {
    'operations exercised': formatRatio(totals.operations),
    'documented statuses exercised': formatRatio(totals.statuses),
  };
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>'];

  out.push(
    `<testsuites${attrs({
      name: `speechdouble conform ${report.api}`,
      tests: summary.passed + summary.failed + summary.skipped,
      failures: summary.failed,
      errors: 0,
      skipped: summary.skipped,
      time: seconds(report.durationMs),
      timestamp: report.startedAt,
    })}>`,
  );
  for (const group of report.groups) out.push(...suite(group));
  out.push('</testsuites>');
  return `${out.join('\n')}\n`;

  function suite(group: GroupResult): string[] {
    const count = (outcome: StepResult['outcome']) => group.steps.filter((step) => step.outcome === outcome).length;
    const lines = [
      `  <testsuite${attrs({
        name: group.title,
        tests: group.steps.length,
        failures: count('failed'),
        errors: 0,
        skipped: count('skipped'),
        time: seconds(group.durationMs),
      })}>`,
      '    <properties>',
      // On every suite rather than on <testsuites>: the JUnit schema Jenkins and GitLab follow
      // allows <properties> only inside a <testsuite>.
      ...Object.entries({ api: report.api, target, kind: group.kind, scenario: group.name, ...coverage }).map(
        ([name, value]) => `      <property${attrs({ name, value })}/>`,
      ),
      '    </properties>',
    ];
    const classname = `speechdouble.${report.api}.${group.name}`;
    for (const step of group.steps) {
      const open = `    <testcase${attrs({ name: step.name, classname, time: seconds(step.durationMs) })}`;
      if (step.outcome === 'passed') lines.push(`${open}/>`);
      else if (step.outcome === 'skipped') {
        lines.push(`${open}>`, `      <skipped${attrs({ message: step.skippedReason ?? 'skipped' })}/>`, '    </testcase>');
      } else lines.push(`${open}>`, `      ${failure(step)}`, '    </testcase>');
    }
    lines.push('  </testsuite>');
    return lines;
  }

  function failure(step: StepResult): string {
    if (step.failures.length === 0) return `<failure${attrs({ message: 'the step failed', type: 'failed' })}/>`;
    const first = step.failures[0]!;
    const message = step.failures.length === 1 ? first.message : `${first.message} (and ${plural(step.failures.length - 1, 'more failure')})`;
    const type = [...new Set(step.failures.map((f) => f.check))].join(', ');
    const body = step.failures.map((f, i) => failureLines(f, i + 1, exchanges, { limits: LIMITS, ...(options.bodyFileOf && { bodyFileOf: options.bodyFileOf }) }).join('\n')).join('\n\n');
    return `<failure${attrs({ message, type })}>${text(body)}</failure>`;
  }
}

/** Seconds with three decimals, as every JUnit reader parses them. */
function seconds(ms: number): string {
  return (Number.isFinite(ms) && ms > 0 ? ms / 1000 : 0).toFixed(3);
}

function attrs(values: Record<string, string | number>): string {
  return Object.entries(values)
    .map(([name, value]) => ` ${name}="${attribute(String(value))}"`)
    .join('');
}

// XML 1.0 allows tab, LF, CR, U+0020–U+D7FF, U+E000–U+FFFD and paired surrogates, nothing else;
// one NUL in a response body would make the whole file unreadable. printable() already shows
// ASCII controls as \xNN; this catches what it leaves: U+FFFE/U+FFFF and lone surrogates.
const ILLEGAL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

function legal(value: string): string {
  return printable(value).replace(ILLEGAL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function text(value: string): string {
  return legal(value).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function attribute(value: string): string {
  // Newlines and tabs are written as references: a parser normalises literal ones in an
  // attribute to spaces, and a multi-line message would arrive as one line.
  return text(value).replace(/"/g, '&quot;').replace(/'/g, '&apos;').replace(/\n/g, '&#10;').replace(/\t/g, '&#9;');
}
