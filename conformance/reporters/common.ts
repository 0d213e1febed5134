// What the three reporters share: the run's tally and verdict, the coverage arithmetic, how one
// failure is written out as text, and scrubbing credentials from requests before anyone sees
// them. Reporters only read a RunReport (the engine produced it; they listen); nothing here
// changes one.

import { curlFor, type CheckFailure, type Exchange, type OperationCoverage, type RecordedRequest, type RunReport } from '../types.ts';

// ---------------------------------------------------------------------------------------------
// Tally and verdict

export interface RunSummary {
  passed: number;
  failed: number;
  skipped: number;
  /** Check failures, across all steps (a failed step usually has one or more). */
  failures: number;
  conforms: boolean;
}

export function summarise(report: RunReport): RunSummary {
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  let failures = 0;
  for (const group of report.groups) {
    for (const step of group.steps) {
      if (step.outcome === 'passed') passed++;
      else if (step.outcome === 'failed') failed++;
      else skipped++;
      failures += step.failures.length;
    }
  }
  // A failure recorded on a step marked passed still means the target does not conform: the
  // verdict never hides a failure the report carries.
  return { passed, failed, skipped, failures, conforms: failed === 0 && failures === 0 };
}

export function verdict(summary: RunSummary): string {
  if (summary.conforms) return 'CONFORMS';
  // A step can fail without a check failure (e.g. the runner gave up on it); count steps then.
  return summary.failures > 0
    ? `DOES NOT CONFORM (${plural(summary.failures, 'failure')})`
    : `DOES NOT CONFORM (${plural(summary.failed, 'failed step')})`;
}

export function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

// ---------------------------------------------------------------------------------------------
// Coverage

export interface StatusCoverage {
  /** As the spec writes it: `200`, `4XX` or `default`. */
  code: string;
  seen: boolean;
}

export interface CoverageRow {
  operationId: string;
  method: string;
  path: string;
  documented: StatusCoverage[];
  /** Statuses the target answered with that the spec does not document (no range, no default). */
  undocumented: number[];
  /** The operation answered at least once, whatever the status. */
  answered: boolean;
  /** A valid request of it was answered with a documented success (OperationCoverage.succeeded). */
  exercised: boolean;
}

export interface Ratio {
  exercised: number;
  total: number;
}

export interface CoverageTotals {
  operations: Ratio;
  statuses: Ratio;
}

/**
 * The documented response a status falls under, as OpenAPI resolves it: the exact code first,
 * then its range (`4XX`), then `default`.
 */
export function documentedCodeFor(status: number, documented: readonly string[]): string | undefined {
  return (
    documented.find((code) => code === String(status)) ??
    documented.find((code) => code.toUpperCase() === `${Math.floor(status / 100)}XX`) ??
    documented.find((code) => code === 'default')
  );
}

export function coverageRows(coverage: readonly OperationCoverage[]): CoverageRow[] {
  return coverage.map((operation) => {
    const hit = new Set<string>();
    const undocumented = new Set<number>();
    for (const status of operation.seen) {
      const code = documentedCodeFor(status, operation.documented);
      if (code === undefined) undocumented.add(status);
      else hit.add(code);
    }
    return {
      operationId: operation.operationId,
      method: operation.method,
      path: operation.path,
      documented: operation.documented.map((code) => ({ code, seen: hit.has(code) })),
      undocumented: [...undocumented].sort((a, b) => a - b),
      answered: operation.seen.length > 0,
      exercised: operation.succeeded,
    };
  });
}

export function coverageTotals(rows: readonly CoverageRow[]): CoverageTotals {
  return {
    operations: { exercised: rows.filter((row) => row.exercised).length, total: rows.length },
    statuses: {
      exercised: rows.reduce((n, row) => n + row.documented.filter((s) => s.seen).length, 0),
      total: rows.reduce((n, row) => n + row.documented.length, 0),
    },
  };
}

/** `5/16 (31%)`. Rounded down, so 100% means every one. */
export function formatRatio({ exercised, total }: Ratio): string {
  return total === 0 ? `${exercised}/0` : `${exercised}/${total} (${Math.floor((exercised * 100) / total)}%)`;
}

// ---------------------------------------------------------------------------------------------
// Credentials

// Reports end up in CI logs and uploaded artifacts, often public ones; a repro line that carries
// the real API key would leak it. The scheme stays (`Bearer REDACTED`) so the line still says
// which kind of credential to put back.
export const REDACTED = 'REDACTED';
const SECRET_HEADER = /^(authorization|proxy-authorization|cookie|set-cookie|x-api-key|api-key|x-[a-z0-9-]*-key)$|token|secret/i;
const SECRET_QUERY = /^(key|api[-_]?key|access[-_]?token|token|secret|signature|sig)$/i;

export function redactHeaders(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (!SECRET_HEADER.test(name)) out[name] = value;
    else {
      const scheme = /^([A-Za-z][\w-]*)\s+\S/.exec(value);
      out[name] = scheme && /authorization/i.test(name) ? `${scheme[1]} ${REDACTED}` : REDACTED;
    }
  }
  return out;
}

export function redactUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url;
  }
  const secret = [...parsed.searchParams.keys()].filter((key) => SECRET_QUERY.test(key));
  if (secret.length === 0) return url; // untouched, so the URL reads exactly as it was sent
  for (const key of secret) parsed.searchParams.set(key, REDACTED);
  return parsed.toString();
}

export function redactRequest(request: RecordedRequest): RecordedRequest {
  return { ...request, url: redactUrl(request.url), headers: redactHeaders(request.headers) };
}

// ---------------------------------------------------------------------------------------------
// Writing a failure out

export function exchangesById(report: RunReport): Map<number, Exchange> {
  return new Map(report.exchanges.map((exchange) => [exchange.id, exchange]));
}

export function reproFor(exchangeId: number, exchanges: ReadonlyMap<number, Exchange>): string {
  const exchange = exchanges.get(exchangeId);
  return exchange ? curlFor(redactRequest(exchange.request)) : `(exchange #${exchangeId} is not in the report)`;
}

/**
 * Makes text safe to print: CRLF becomes LF, and control characters other than tab and newline
 * (NUL, ESC, ...) are shown as `\xNN`, so a hostile body can neither drive the terminal nor
 * corrupt an XML report.
 */
export function printable(text: string): string {
  return text
    .replace(/\r\n/g, '\n')
    .replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

export interface ClipLimits {
  maxChars: number;
  maxLines: number;
}

/** Keeps the head of a long value and says how much was cut. */
export function clip(text: string, { maxChars, maxLines }: ClipLimits): string {
  let shown = text.length > maxChars ? text.slice(0, maxChars) : text;
  const lines = shown.split('\n');
  if (lines.length > maxLines) shown = lines.slice(0, maxLines).join('\n');
  // Never end on half a surrogate pair.
  if (shown.length < text.length && /[\ud800-\udbff]$/.test(shown)) shown = shown.slice(0, -1);
  const cut = text.length - shown.length;
  if (cut === 0) return text;
  return `${shown}${shown.includes('\n') ? '\n' : ' '}… (${plural(cut, 'more character')})`;
}

export type Role = 'check' | 'label' | 'pointer' | 'repro';

export interface FailureTextOptions {
  limits: ClipLimits;
  /** Decorates parts of the text (the console colours them); identity by default. */
  style?: (role: Role, text: string) => string;
}

const LABEL_WIDTH = 10;

/**
 * One failure as lines of text, without leading indentation:
 *
 *     1) status_code_documented: The response status is not documented
 *        expected: one of 200, 401, 404
 *        received: 500
 *        spec:     #/paths/~1v2~1jobs~1{jobid}/delete/responses
 *        repro:    curl -sS -X DELETE 'http://…'
 *
 * A multi-line value starts on the line after its label, indented under it.
 */
export function failureLines(
  failure: CheckFailure,
  ordinal: number,
  exchanges: ReadonlyMap<number, Exchange>,
  { limits, style = (_role, text) => text }: FailureTextOptions,
): string[] {
  const head = `${ordinal}) `;
  const indent = ' '.repeat(head.length);
  const lines = [`${head}${style('check', failure.check)}: ${printable(failure.message)}`];
  const field = (label: string, value: string, role?: Role) => {
    const text = clip(printable(value), limits);
    const tag = style('label', `${label}:`) + ' '.repeat(Math.max(1, LABEL_WIDTH - label.length - 1));
    if (!text.includes('\n')) {
      lines.push(`${indent}${tag}${role ? style(role, text) : text}`);
      return;
    }
    lines.push(`${indent}${style('label', `${label}:`)}`);
    for (const line of text.split('\n')) lines.push(`${indent}  ${line}`);
  };
  field('expected', failure.expected);
  field('received', failure.received);
  field('spec', failure.pointer ?? '(no pointer given)', failure.pointer ? 'pointer' : undefined);
  // The repro is never clipped: a cut curl line cannot be pasted. curlFor already elides big bodies.
  lines.push(`${indent}${style('label', 'repro:')}${' '.repeat(LABEL_WIDTH - 6)}${style('repro', printable(reproFor(failure.exchangeId, exchanges)))}`);
  return lines;
}

/** 850 ms, 4.3 s, 2m 05s. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '?';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const seconds = Math.round(ms / 1000);
  return `${Math.floor(seconds / 60)}m ${String(seconds % 60).padStart(2, '0')}s`;
}
