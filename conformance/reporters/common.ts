// What the three reporters share: the run's tally and verdict, the coverage arithmetic, how one
// failure is written out as text, and scrubbing credentials from requests before anyone sees
// them. Reporters only read a RunReport (the engine produced it; they listen); nothing here
// changes one.

import type { CheckFailure, Exchange, OperationCoverage, RecordedRequest, RunReport } from '../types.ts';

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

// The credentials themselves, wherever they travel: a header that is not named like one, a
// query parameter, a body (Cadence's booking repeats the key in `api_token`), an answer that
// echoes it. Given the values, not the names.

export interface SecretValue {
  value: string;
  replacement: string;
}

/** Shorter values are replaced only where they are a whole value: inside text, they could be any word. */
const MIN_INSIDE = 6;

export function replaceBytes(buffer: Buffer, from: Buffer, to: Buffer): Buffer {
  if (from.length === 0) return buffer;
  const parts: Buffer[] = [];
  let start = 0;
  for (let at = buffer.indexOf(from); at !== -1; at = buffer.indexOf(from, start)) {
    parts.push(buffer.subarray(start, at), to);
    start = at + from.length;
  }
  if (start === 0) return buffer;
  parts.push(buffer.subarray(start));
  return Buffer.concat(parts);
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export interface Scrubber {
  text(value: string): string;
  /** A header's value: the whole of it, or the part after its scheme (`Bearer …`), or inside it. */
  header(value: string): string;
  /** A URL: a query parameter's whole value, or inside it. */
  url(value: string): string;
  bytes(value: Buffer): Buffer;
}

/** Replaces each secret value with its replacement (longest first, so a key containing another goes whole). */
export function secretScrubber(secrets: readonly SecretValue[]): Scrubber {
  const sorted = secrets.filter((s) => s.value).sort((a, b) => b.value.length - a.value.length);
  const long = sorted.filter((s) => s.value.length >= MIN_INSIDE);
  const inside = (text: string) => long.reduce((out, s) => out.split(s.value).join(s.replacement), text);
  const whole = (text: string) => sorted.find((s) => s.value === text)?.replacement;
  return {
    text: inside,
    header(value) {
      const replaced = whole(value);
      if (replaced !== undefined) return replaced;
      const scheme = /^(\S+) (.+)$/.exec(value);
      const after = scheme ? whole(scheme[2]!) : undefined;
      return after !== undefined ? `${scheme![1]} ${after}` : inside(value);
    },
    url(value) {
      let out = value;
      for (const s of sorted) {
        for (const form of new Set([s.value, encodeURIComponent(s.value), new URLSearchParams({ v: s.value }).toString().slice(2)])) {
          out = out.replace(new RegExp(`([?&][^=&#]*=)${escapeRegExp(form)}(?=[&#]|$)`, 'g'), (_m, head: string) => `${head}${s.replacement}`);
        }
      }
      return inside(out);
    },
    bytes: (value) => long.reduce((out, s) => replaceBytes(out, Buffer.from(s.value), Buffer.from(s.replacement)), value),
  };
}

/** The credential values a run was given, in every form they travel in, each to be replaced by `replacement`. */
export function credentialValues(values: ReadonlyArray<{ token?: string; basic?: string } | undefined>, replacement = REDACTED): SecretValue[] {
  return values.flatMap((c) => [
    ...(c?.token ? [{ value: c.token, replacement }] : []),
    ...(c?.basic ? [{ value: c.basic, replacement }, { value: Buffer.from(c.basic).toString('base64'), replacement }] : []),
  ]);
}

/** The report with every secret value replaced, for every reporter: requests, answers, and the failures' texts. */
export function scrubReport(report: RunReport, scrub: Scrubber): RunReport {
  const headers = (h: Record<string, string>) => Object.fromEntries(Object.entries(h).map(([name, value]) => [name, scrub.header(value)]));
  return {
    ...report,
    target: scrub.url(report.target),
    groups: report.groups.map((group) => ({
      ...group,
      steps: group.steps.map((step) => ({
        ...step,
        ...(step.skippedReason !== undefined && { skippedReason: scrub.text(step.skippedReason) }),
        failures: step.failures.map((f) => ({ ...f, message: scrub.text(f.message), expected: scrub.text(f.expected), received: scrub.text(f.received) })),
      })),
    })),
    exchanges: report.exchanges.map((e) => ({
      ...e,
      request: { ...e.request, url: scrub.url(e.request.url), headers: headers(e.request.headers), ...(e.request.body && { body: scrub.bytes(e.request.body) }) },
      ...(e.response && { response: { ...e.response, headers: headers(e.response.headers), body: scrub.bytes(e.response.body) } }),
    })),
  };
}

// ---------------------------------------------------------------------------------------------
// Writing a failure out

export function exchangesById(report: RunReport): Map<number, Exchange> {
  return new Map(report.exchanges.map((exchange) => [exchange.id, exchange]));
}

/** Where `--report-dir` wrote an exchange's request body: the file's path, when it wrote one. */
export type BodyFileOf = (exchangeId: number) => string | undefined;

/** Bodies longer than this, or not printable, are sent from a file rather than written inline. */
const INLINE_BODY_BYTES = 4096;

export function isInlineBody(body: Buffer): boolean {
  return body.length <= INLINE_BODY_BYTES && !/[\u0000-\u0008\u000e-\u001f]/.test(body.toString('utf8'));
}

export const shellQuote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/**
 * `curl` that reproduces a request. A short printable body is written inline; any other is sent
 * from a file: the one `--report-dir` wrote (`file`), or, without it, a file the line names and
 * says is not written (`# … --report-dir writes it`), never one that silently does not exist.
 */
export function curlLine(request: RecordedRequest, body: { exchangeId?: number; file?: string } = {}): string {
  const parts = ['curl', '-sS', '-X', request.method, shellQuote(request.url)];
  for (const [name, value] of Object.entries(request.headers)) parts.push('-H', shellQuote(`${name}: ${value}`));
  if (request.body && request.body.length) {
    if (isInlineBody(request.body)) parts.push('--data-binary', shellQuote(request.body.toString('utf8')));
    else if (body.file) parts.push('--data-binary', shellQuote(`@${body.file}`));
    else {
      const name = body.exchangeId === undefined ? 'request.body' : `exchange-${body.exchangeId}.body`;
      parts.push('--data-binary', shellQuote(`@${name}`), `# the ${plural(request.body.length, 'byte')} of the body are not shown: --report-dir DIR writes them to DIR/${name}`);
    }
  }
  return parts.join(' ');
}

export function reproFor(exchangeId: number, exchanges: ReadonlyMap<number, Exchange>, bodyFileOf?: BodyFileOf): string {
  const exchange = exchanges.get(exchangeId);
  if (!exchange) return `(exchange #${exchangeId} is not in the report)`;
  const file = bodyFileOf?.(exchangeId);
  return curlLine(redactRequest(exchange.request), { exchangeId, ...(file && { file }) });
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
  /** Where `--report-dir` wrote request bodies, for the repro lines. */
  bodyFileOf?: BodyFileOf;
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
  { limits, style = (_role, text) => text, bodyFileOf }: FailureTextOptions,
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
  lines.push(`${indent}${style('label', 'repro:')}${' '.repeat(LABEL_WIDTH - 6)}${style('repro', printable(reproFor(failure.exchangeId, exchanges, bodyFileOf)))}`);
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
