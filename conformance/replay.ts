// `speechdouble conform --replay FILE`: sends one failing exchange of an earlier run again (FILE
// is an `exchange-N.json` that `--report-dir` wrote, or its `.body` or `.curl.sh`), with the
// credentials and -H headers given now in place of the placeholders, to the run's target or the
// one given now; prints what came back, and re-runs each failure's check on the new exchange:
// whether the failure still holds. A check that needs more than one exchange (a journey's own
// expectation, a resource read before and after) cannot be re-run alone: the status is compared.
import { readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { createSchemaCompiler } from '../openapi/schemas.ts';
import { isApiName, listOperations, loadSpec, type JsonObject, type OperationRef } from '../openapi/specs.ts';
import { CHECKS } from './checks/index.ts';
import { ignoredAuth, securityFailures } from './checks/ignored-auth.ts';
import { MAX_RESPONSE_TIME, maxResponseTime } from './checks/max-response-time.ts';
import { positiveDataAcceptance } from './checks/positive-data-acceptance.ts';
import { unsupportedMethod } from './checks/unsupported-method.ts';
import type { Failure } from './checks/check.ts';
import { createRecordingClient } from './client.ts';
import type { Credentials } from './credentials.ts';
import { clip, formatDuration, printable, redactHeaders, redactUrl } from './reporters/common.ts';
import { CREDENTIAL_VARIABLES, fillBytes, fillText, recordFile, REPLAY_FORMAT, type CredentialVariable, type ReplayRecord } from './report-dir.ts';
import type { CheckFailure, Exchange } from './types.ts';

/** A replay that cannot be made as asked: a usage error (exit 2). */
export class ReplayError extends Error {}

export interface ReplayOptions {
  file: string;
  /** Sends it here instead of the run's target. */
  target?: string;
  credentials: Credentials;
  secondCredentials?: Credentials;
  /** -H, as given now. */
  headers?: Record<string, string>;
  timeoutMs: number;
  /** The spec, when the run's API is not one of the project's (`--spec`). */
  doc?: JsonObject;
}

export type Verdict = 'still fails' | 'now passes' | 'not re-run';

export interface RerunResult {
  failure: CheckFailure;
  verdict: Verdict;
  /** What the check says now, when it still fails; why it was not re-run, otherwise. */
  detail?: string;
}

export interface ReplayResult {
  record: ReplayRecord;
  exchange: Exchange;
  results: RerunResult[];
  /** Whether the recorded failure still holds: a re-run check fails again, or one that cannot be re-run got the same status. */
  holds: boolean;
  text: string;
}

/** The record FILE names: itself, or the `exchange-N.json` beside its body or curl script. */
async function readRecord(file: string): Promise<{ record: ReplayRecord; dir: string }> {
  const match = /^exchange-(\d+)\.(?:body|curl\.sh|json)$/.exec(basename(file));
  const path = match ? join(dirname(file), recordFile(Number(match[1]))) : file;
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ReplayError(`--replay ${file}: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  let record: ReplayRecord;
  try {
    record = JSON.parse(text) as ReplayRecord;
  } catch {
    throw new ReplayError(`--replay ${file}: ${path} is not JSON`);
  }
  if (record?.format !== REPLAY_FORMAT) throw new ReplayError(`--replay ${file}: ${path} is not an exchange --report-dir wrote (exchange-N.json)`);
  return { record, dir: dirname(path) };
}

function valuesOf(options: ReplayOptions): Partial<Record<CredentialVariable, string>> {
  const values: Partial<Record<CredentialVariable, string>> = {};
  const set = (variable: CredentialVariable, value: string | undefined) => void (value && (values[variable] = value));
  set('SPEECHDOUBLE_TOKEN', options.credentials.token);
  set('SPEECHDOUBLE_BASIC', options.credentials.basic);
  set('SPEECHDOUBLE_TOKEN2', options.secondCredentials?.token);
  set('SPEECHDOUBLE_BASIC2', options.secondCredentials?.basic);
  return values;
}

const is2xx = (status: number | undefined) => status !== undefined && status >= 200 && status < 300;

/** The failure's check, run again on the new exchange: a failure, none, or why it cannot be. */
function rerun(failure: CheckFailure, exchange: Exchange, op: OperationRef | undefined): Failure | undefined | { cannot: string } {
  // Two checks carry what they need in the failure itself: the limit, the path's documented methods.
  const limit = failure.check === MAX_RESPONSE_TIME ? /at most (\d+) ms/.exec(failure.expected)?.[1] : undefined;
  if (limit) return maxResponseTime(Number(limit)).run(exchange, { operation: {}, pointer: failure.pointer ?? '', compile: createSchemaCompiler() });
  const allow = failure.check === unsupportedMethod.name ? /^405 with Allow: (.*)$/.exec(failure.expected)?.[1] : undefined;
  if (allow !== undefined) return unsupportedMethod.run(exchange, allow.split(',').map((m) => m.trim()).filter(Boolean), failure.pointer ?? '', !/the spec documents no 405/.test(failure.message));
  if (!op) return { cannot: 'the spec of this run\'s API is not known here (--spec runs are replayed with the project\'s specs only)' };
  const context = { operation: op.operation, pointer: op.pointer, compile: createSchemaCompiler() };
  const check = CHECKS.find((c) => c.name === failure.check);
  if (check) return check.run(exchange, context);
  const status = exchange.response?.status;
  switch (failure.check) {
    case positiveDataAcceptance.name:
      return positiveDataAcceptance.run(exchange, context);
    case 'negative_data_rejection': {
      const documented = Object.keys((op.operation.responses ?? {}) as object);
      const security = /security failure/.test(failure.message);
      const expected = security ? securityFailures(op.operation).map(String) : documented.filter((code) => /^4\d\d$/.test(code));
      if (status !== undefined && expected.includes(String(status))) return undefined;
      return { message: failure.message, expected: failure.expected, received: brief(exchange), ...(failure.pointer && { pointer: failure.pointer }) };
    }
    case ignoredAuth.name:
      if (/was accepted/.test(failure.message)) return ignoredAuth.accepted(exchange, op.operation, 'its credentials', failure.pointer ?? op.pointer);
      return { cannot: 'it compares reads of the resource made before and after another request' };
    case 'use_after_free':
      if (!is2xx(status)) return undefined;
      return { message: 'The deleted resource is still served', expected: failure.expected, received: brief(exchange), ...(failure.pointer && { pointer: failure.pointer }) };
    case 'scenario_expectation':
      return { cannot: 'it is a journey\'s own expectation, which depends on the steps before it' };
    default:
      return { cannot: `${failure.check} is not a check of one exchange` };
  }
}

function brief(exchange: Exchange): string {
  return exchange.response ? `${exchange.response.status} ${exchange.response.body.toString('utf8').slice(0, 300)}` : (exchange.error ?? 'no response');
}

export async function replayExchange(options: ReplayOptions): Promise<ReplayResult> {
  const { record, dir } = await readRecord(options.file);
  const values = valuesOf(options);
  const missing = record.needs.filter((variable) => values[variable] === undefined);
  if (missing.length) {
    throw new ReplayError(`the recorded request carried ${missing.map((v) => CREDENTIAL_VARIABLES[v]).join(' and ')}; give ${missing.length > 1 ? 'them' : 'it'} again (${missing.map((v) => `${CREDENTIAL_VARIABLES[v]} or ${v}`).join(', ')})`);
  }
  const target = (options.target ?? record.target).replace(/\/+$/, '');
  const recordedUrl = fillText(record.request.url, values);
  const url = recordedUrl.startsWith(record.target) ? target + recordedUrl.slice(record.target.length) : recordedUrl;
  const headers = Object.fromEntries(Object.entries(record.request.headers).map(([name, value]) => [name, fillText(value, values)]));
  let body: Buffer | undefined;
  if (record.request.body) {
    const file = join(dir, record.request.body.file);
    try {
      body = fillBytes(await readFile(file), values);
    } catch (error) {
      throw new ReplayError(`--replay ${options.file}: cannot read the request body ${file} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
    }
  }

  const client = createRecordingClient('', { timeoutMs: options.timeoutMs, ...(options.headers && { headers: options.headers }) });
  const exchange = await client.send(record.operation, { method: record.request.method, path: url, headers, ...(body && { body }) }, record.step);

  const doc = options.doc ?? (isApiName(record.api) ? (await loadSpec(record.api)).dereferenced : undefined);
  const op = doc && listOperations(doc).find((o) => String(o.operation.operationId) === record.operation.operationId);
  const recordedStatus = record.response?.status;
  const status = exchange.response?.status;
  const results: RerunResult[] = record.failures.map((failure) => {
    const now = rerun(failure, exchange, op);
    if (now && 'cannot' in now) return { failure, verdict: 'not re-run', detail: now.cannot };
    if (now) return { failure, verdict: 'still fails', detail: `${now.message} (expected ${now.expected}; received ${now.received})` };
    return { failure, verdict: 'now passes' };
  });
  const holds = exchange.response !== undefined && results.some((r) => r.verdict === 'still fails' || (r.verdict === 'not re-run' && status === recordedStatus));

  const given = new Set(Object.keys(options.headers ?? {}).map((name) => name.toLowerCase()));
  const absent = record.extraHeaders.filter((name) => !given.has(name.toLowerCase()));
  const out: string[] = [];
  out.push(`speechdouble conform --replay: exchange #${record.exchangeId} of a ${record.api} run`);
  out.push(`  step     ${printable(record.group ? `${record.group.name} › ${record.step}` : record.step)}`);
  out.push(`  request  ${record.request.method} ${printable(redactUrl(exchange.request.url))}${body ? ` (${body.length} bytes)` : ''}`);
  if (absent.length) out.push(`  note     the run also sent -H ${absent.join(', ')}; give ${absent.length > 1 ? 'them' : 'it'} again with -H`);
  out.push(`  was      ${recordedStatus ?? `no response: ${record.error ?? '?'}`}${record.response ? ` (${formatDuration(record.durationMs)})` : ''}`);
  out.push(`  now      ${status ?? `no response: ${exchange.error ?? '?'}`}${exchange.response ? ` (${formatDuration(exchange.durationMs)})` : ''}`);
  if (exchange.response) {
    for (const [name, value] of Object.entries(redactHeaders(exchange.response.headers))) out.push(`    ${name}: ${printable(value)}`);
    const text = exchange.response.body.toString('utf8');
    if (exchange.response.body.length) out.push('', ...clip(printable(text), { maxChars: 2000, maxLines: 40 }).split('\n').map((line) => `    ${line}`));
  }
  out.push('');
  for (const result of results) {
    const mark = result.verdict === 'still fails' ? '✗' : result.verdict === 'now passes' ? '✓' : '?';
    out.push(`  ${mark} ${result.failure.check}: ${result.verdict}${result.verdict === 'not re-run' && result.detail ? ` (${result.detail}; the status is ${status === recordedStatus ? 'the same' : `now ${status ?? 'none'}, was ${recordedStatus ?? 'none'}`})` : ''}`);
    out.push(`      recorded: ${printable(result.failure.message)}`);
    if (result.verdict === 'still fails' && result.detail) out.push(`      now:      ${printable(clip(result.detail, { maxChars: 600, maxLines: 10 }))}`);
  }
  out.push('', exchange.response ? (holds ? 'THE FAILURE STILL HOLDS' : 'THE FAILURE NO LONGER HOLDS') : 'NO RESPONSE');
  return { record, exchange, results, holds, text: `${out.join('\n')}\n` };
}
