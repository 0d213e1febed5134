// The whole report as JSON, for tools and for diffing two runs. Same shape as RunReport, with
// what JSON cannot hold made plain: a body becomes its size, its SHA-256 and, when it is short
// UTF-8 text, the text itself; each exchange gains the curl line that repeats it; the document
// gains the tally, the verdict and the coverage totals a reader would otherwise recompute.
// Nothing in it is undefined, so JSON.parse(JSON.stringify(doc)) gives back an equal value.

import { createHash } from 'node:crypto';
import { isUtf8 } from 'node:buffer';
import type { CheckFailure, Exchange, GroupResult, OperationTarget, RunReport, StepResult } from '../types.ts';
import {
  coverageRows,
  coverageTotals,
  curlLine,
  redactHeaders,
  redactRequest,
  redactUrl,
  summarise,
  type BodyFileOf,
  type CoverageTotals,
  type RunSummary,
  type StatusCoverage,
} from './common.ts';

/**
 * Bumped when a field changes meaning or goes away; new fields do not bump it. 2: `exercised`
 * means a documented success was seen (it meant any answer, now `answered`).
 */
export const JSON_REPORT_VERSION = 2;

/** Bodies longer than this are summarised without their text. */
export const MAX_TEXT_BYTES = 64 * 1024;

export interface JsonBody {
  bytes: number;
  sha256: string;
  /** Present only when the body is valid UTF-8 and at most 64 KiB. */
  text?: string;
}

export interface JsonExchange {
  id: number;
  step: string;
  operation: OperationTarget;
  request: { method: string; url: string; headers: Record<string, string>; body?: JsonBody };
  response?: { status: number; headers: Record<string, string>; body: JsonBody };
  error?: string;
  durationMs: number;
  curl: string;
}

export interface JsonCoverage {
  operationId: string;
  method: string;
  path: string;
  documented: string[];
  seen: number[];
  /** Each documented code and whether a response fell under it (exact, range or default). */
  statuses: StatusCoverage[];
  undocumented: number[];
  /** Answered at least once, whatever the status. */
  answered: boolean;
  /** A valid request was answered with a documented success. */
  exercised: boolean;
}

export interface JsonReport {
  version: number;
  api: string;
  target: string;
  startedAt: string;
  durationMs: number;
  /** Whose clock the run moved (RunReport.clock); absent on a dry run. */
  clock?: RunReport['clock'];
  summary: RunSummary;
  coverageTotals: CoverageTotals;
  groups: GroupResult[];
  coverage: JsonCoverage[];
  exchanges: JsonExchange[];
}

export function renderJson(report: RunReport, options: { bodyFileOf?: BodyFileOf } = {}): JsonReport {
  const rows = coverageRows(report.coverage);
  return {
    version: JSON_REPORT_VERSION,
    api: report.api,
    target: redactUrl(report.target),
    startedAt: report.startedAt,
    durationMs: finite(report.durationMs),
    ...(report.clock && { clock: report.clock }),
    summary: summarise(report),
    coverageTotals: coverageTotals(rows),
    groups: report.groups.map(group),
    coverage: report.coverage.map((operation, i) => ({
      operationId: operation.operationId,
      method: operation.method,
      path: operation.path,
      documented: [...operation.documented],
      seen: [...operation.seen],
      statuses: rows[i]!.documented,
      undocumented: rows[i]!.undocumented,
      answered: rows[i]!.answered,
      exercised: rows[i]!.exercised,
    })),
    exchanges: report.exchanges.map((e) => exchange(e, options.bodyFileOf?.(e.id))),
  };
}

/** Size, digest and, for short UTF-8, the text: enough to compare runs without dumping audio. */
export function describeBody(body: Buffer): JsonBody {
  const described: JsonBody = { bytes: body.length, sha256: createHash('sha256').update(body).digest('hex') };
  if (body.length <= MAX_TEXT_BYTES && isUtf8(body)) described.text = body.toString('utf8');
  return described;
}

// Built field by field rather than spread: an optional field the runner set to undefined would
// vanish in JSON and break the round trip.

function group(g: GroupResult): GroupResult {
  return { kind: g.kind, name: g.name, title: g.title, steps: g.steps.map(step), durationMs: finite(g.durationMs) };
}

function step(s: StepResult): StepResult {
  return {
    name: s.name,
    outcome: s.outcome,
    failures: s.failures.map(failure),
    ...(s.skippedReason !== undefined ? { skippedReason: s.skippedReason } : {}),
    exchangeIds: [...s.exchangeIds],
    durationMs: finite(s.durationMs),
  };
}

function failure(f: CheckFailure): CheckFailure {
  return {
    check: f.check,
    message: f.message,
    expected: f.expected,
    received: f.received,
    ...(f.pointer !== undefined ? { pointer: f.pointer } : {}),
    exchangeId: f.exchangeId,
  };
}

function exchange(e: Exchange, bodyFile: string | undefined): JsonExchange {
  const request = redactRequest(e.request);
  return {
    id: e.id,
    step: e.step,
    operation: { ...e.operation },
    request: {
      method: request.method,
      url: request.url,
      headers: request.headers,
      ...(request.body ? { body: describeBody(request.body) } : {}),
    },
    ...(e.response
      ? { response: { status: e.response.status, headers: redactHeaders(e.response.headers), body: describeBody(e.response.body) } }
      : {}),
    ...(e.error !== undefined ? { error: e.error } : {}),
    durationMs: finite(e.durationMs),
    curl: curlLine(request, { exchangeId: e.id, ...(bodyFile && { file: bodyFile }) }),
  };
}

/** NaN and Infinity are not JSON (they would come back as null). */
function finite(n: number): number {
  return Number.isFinite(n) ? n : 0;
}
