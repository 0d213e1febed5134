// `--report-dir DIR`: every failing exchange written out so it can be sent again. For each one,
// `exchange-N.json` (what `conform --replay` reads: the request, what came back, the failures),
// `exchange-N.body` (the request's bytes, when it had a body) and `exchange-N.curl.sh` (the same
// request as a curl command); and `failures.har`, the failing exchanges as HAR 1.2 for a browser's
// network panel or an HTTP client.
//
// No credential given to the run is written: each is replaced, in URLs, headers and bodies alike,
// by a placeholder naming the variable it comes back from (`{{SPEECHDOUBLE_TOKEN}}`, or
// `{{SPEECHDOUBLE_BASIC:base64}}` inside `Basic …`); `--replay` and the curl scripts fill them in
// from --token/--basic or the environment. Headers given with -H are not written either: they are
// named, and sent again from the -H flags of the replay.
import { createHash } from 'node:crypto';
import { isUtf8 } from 'node:buffer';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Credentials } from './credentials.ts';
import { describeBody, type JsonBody } from './reporters/json.ts';
import { redactHeaders, redactRequest, replaceBytes, secretScrubber, shellQuote, type BodyFileOf, type Scrubber, type SecretValue } from './reporters/common.ts';
import type { CheckFailure, Exchange, GroupResult, OperationTarget, RunReport } from './types.ts';

export const REPLAY_FORMAT = 'speechdouble-replay';
export const REPLAY_VERSION = 1;

/** The flag each credential variable stands for. */
export const CREDENTIAL_VARIABLES = {
  SPEECHDOUBLE_TOKEN: '--token',
  SPEECHDOUBLE_BASIC: '--basic',
  SPEECHDOUBLE_TOKEN2: '--token2',
  SPEECHDOUBLE_BASIC2: '--basic2',
} as const;
export type CredentialVariable = keyof typeof CREDENTIAL_VARIABLES;

/** `exchange-N.json`: one failing exchange, as `conform --replay` reads it. */
export interface ReplayRecord {
  format: typeof REPLAY_FORMAT;
  version: number;
  api: string;
  /** The run's --target; the request's URL starts with it. */
  target: string;
  group: { kind: GroupResult['kind']; name: string; title: string } | undefined;
  step: string;
  exchangeId: number;
  operation: OperationTarget;
  request: {
    method: string;
    /** With placeholders for credentials. */
    url: string;
    /** With placeholders for credentials; without the -H headers. */
    headers: Record<string, string>;
    /** The body's file, beside this one. */
    body?: { file: string; bytes: number; sha256: string };
  };
  /** Names of the headers the run added with -H (their values are not written). */
  extraHeaders: string[];
  /** The credential variables the request needs filled in. */
  needs: CredentialVariable[];
  response?: { status: number; headers: Record<string, string>; body: JsonBody };
  error?: string;
  durationMs: number;
  failures: CheckFailure[];
}

export interface ReportDirOptions {
  dir: string;
  credentials: Credentials;
  secondCredentials?: Credentials;
  /** -H, as given. */
  headers?: Record<string, string>;
  /** speechdouble's version, for the HAR's creator. */
  version?: string;
}

// ---------------------------------------------------------------------------------------------
// Placeholders

const PLACEHOLDER = /\{\{(SPEECHDOUBLE_(?:TOKEN|BASIC)2?)(?::(base64|url))?\}\}/g;

/** The run's credentials, in every form they travel in, each replaced by the placeholder its variable fills. */
function placeholders(credentials: Credentials, second: Credentials | undefined): Scrubber {
  const secrets: SecretValue[] = [];
  const add = (variable: CredentialVariable, value: string | undefined) => {
    if (!value) return;
    if (variable.startsWith('SPEECHDOUBLE_BASIC')) secrets.push({ value: Buffer.from(value).toString('base64'), replacement: `{{${variable}:base64}}` });
    if (encodeURIComponent(value) !== value) secrets.push({ value: encodeURIComponent(value), replacement: `{{${variable}:url}}` });
    secrets.push({ value, replacement: `{{${variable}}}` });
  };
  add('SPEECHDOUBLE_TOKEN', credentials.token);
  add('SPEECHDOUBLE_BASIC', credentials.basic);
  add('SPEECHDOUBLE_TOKEN2', second?.token);
  add('SPEECHDOUBLE_BASIC2', second?.basic);
  return secretScrubber(secrets);
}

/** The credential variables a text's placeholders name. */
export function placeholdersIn(text: string): CredentialVariable[] {
  return [...new Set([...text.matchAll(PLACEHOLDER)].map((m) => m[1] as CredentialVariable))];
}

/** The text with its placeholders filled in from `values` (by variable). */
export function fillText(text: string, values: Partial<Record<CredentialVariable, string>>): string {
  return text.replace(PLACEHOLDER, (whole, variable: CredentialVariable, form?: string) => {
    const value = values[variable];
    if (value === undefined) return whole;
    return form === 'base64' ? Buffer.from(value).toString('base64') : form === 'url' ? encodeURIComponent(value) : value;
  });
}

/** The bytes with their placeholders filled in; bytes without any are returned as they are. */
export function fillBytes(buffer: Buffer, values: Partial<Record<CredentialVariable, string>>): Buffer {
  if (!buffer.includes('{{SPEECHDOUBLE_')) return buffer;
  let out = buffer;
  for (const [variable, value] of Object.entries(values) as [CredentialVariable, string][]) {
    out = replaceBytes(out, Buffer.from(`{{${variable}:base64}}`), Buffer.from(Buffer.from(value).toString('base64')));
    out = replaceBytes(out, Buffer.from(`{{${variable}:url}}`), Buffer.from(encodeURIComponent(value)));
    out = replaceBytes(out, Buffer.from(`{{${variable}}}`), Buffer.from(value));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Which exchanges, which files

/** Exchanges a failure points at, in order. */
export function failingExchanges(report: RunReport): Exchange[] {
  const ids = new Set(report.groups.flatMap((g) => g.steps.flatMap((s) => s.failures.map((f) => f.exchangeId))));
  return report.exchanges.filter((e) => ids.has(e.id));
}

export const recordFile = (id: number) => `exchange-${id}.json`;
export const bodyFile = (id: number) => `exchange-${id}.body`;
export const curlFile = (id: number) => `exchange-${id}.curl.sh`;
export const HAR_FILE = 'failures.har';

/** Where `--report-dir DIR` writes each failing exchange's request body, for the reports' repro lines. */
export function bodyFilesIn(dir: string, report: RunReport): BodyFileOf {
  const written = new Set(failingExchanges(report).filter((e) => e.request.body?.length).map((e) => e.id));
  return (id) => (written.has(id) ? join(dir, bodyFile(id)) : undefined);
}

// ---------------------------------------------------------------------------------------------
// Writing

interface Located {
  group?: GroupResult;
  failures: CheckFailure[];
}

function locate(report: RunReport, exchange: Exchange): Located {
  const failures: CheckFailure[] = [];
  let group: GroupResult | undefined;
  for (const g of report.groups) {
    for (const step of g.steps) {
      const mine = step.failures.filter((f) => f.exchangeId === exchange.id);
      if (mine.length || step.exchangeIds.includes(exchange.id)) group ??= g;
      failures.push(...mine);
    }
  }
  return { ...(group && { group }), failures };
}

/** Writes the report folder (made already, see output-paths.ts); answers the files written. */
export async function writeReportDir(report: RunReport, options: ReportDirOptions): Promise<string[]> {
  const scrub = placeholders(options.credentials, options.secondCredentials);
  const extra = Object.fromEntries(Object.entries(options.headers ?? {}).map(([name, value]) => [name.toLowerCase(), value]));
  const written: string[] = [];
  const write = async (name: string, data: string | Buffer) => {
    await writeFile(join(options.dir, name), data);
    written.push(join(options.dir, name));
  };
  const exchanges = failingExchanges(report);
  for (const exchange of exchanges) {
    const { group, failures } = locate(report, exchange);
    const headers: Record<string, string> = {};
    const extraHeaders: string[] = [];
    for (const [name, value] of Object.entries(exchange.request.headers)) {
      if (extra[name.toLowerCase()] === value) extraHeaders.push(name);
      else headers[name] = scrub.header(value);
    }
    const url = scrub.url(exchange.request.url);
    const body = exchange.request.body?.length ? scrub.bytes(exchange.request.body) : undefined;
    const record: ReplayRecord = {
      format: REPLAY_FORMAT,
      version: REPLAY_VERSION,
      api: report.api,
      target: report.target,
      group: group && { kind: group.kind, name: group.name, title: group.title },
      step: exchange.step,
      exchangeId: exchange.id,
      operation: exchange.operation,
      request: {
        method: exchange.request.method,
        url,
        headers,
        ...(body && { body: { file: bodyFile(exchange.id), bytes: body.length, sha256: createHash('sha256').update(body).digest('hex') } }),
      },
      extraHeaders,
      needs: placeholdersIn([url, ...Object.values(headers), body?.toString('latin1') ?? ''].join('\n')),
      ...(exchange.response && {
        response: {
          status: exchange.response.status,
          headers: redactHeaders(Object.fromEntries(Object.entries(exchange.response.headers).map(([name, value]) => [name, scrub.header(value)]))),
          body: describeBody(scrub.bytes(exchange.response.body)),
        },
      }),
      ...(exchange.error !== undefined && { error: exchange.error }),
      durationMs: exchange.durationMs,
      failures: failures.map((f) => ({ ...f, message: scrub.text(f.message), expected: scrub.text(f.expected), received: scrub.text(f.received) })),
    };
    if (body) await write(bodyFile(exchange.id), body);
    await write(recordFile(exchange.id), `${JSON.stringify(record, null, 2)}\n`);
    await write(curlFile(exchange.id), curlScript(record, extraHeaders.map((name) => [name, exchange.request.headers[name]!]), body !== undefined && placeholdersIn(body.toString('latin1')).length > 0));
  }
  await write(HAR_FILE, `${JSON.stringify(har(report, exchanges, scrub, options.version ?? '0.0.0'), null, 2)}\n`);
  return written;
}

// ---------------------------------------------------------------------------------------------
// The curl script

/** A templated text as one shell word: the literal parts quoted, the placeholders read from the environment. */
function shellWord(templated: string): string {
  const words: string[] = [];
  let last = 0;
  for (const match of templated.matchAll(PLACEHOLDER)) {
    if (match.index > last) words.push(shellQuote(templated.slice(last, match.index)));
    const variable = match[1]!;
    words.push(match[2] === 'base64' ? `"$(printf %s "$${variable}" | base64 | tr -d '\\n')"` : `"$${variable}"`);
    last = match.index + match[0].length;
  }
  if (last < templated.length || words.length === 0) words.push(shellQuote(templated.slice(last)));
  return words.join('');
}

function curlScript(record: ReplayRecord, extra: [string, string][], fillBody: boolean): string {
  const comment = (text: string) => text.split('\n').map((line) => `# ${line}`.trimEnd()).join('\n');
  const failures = record.failures.map((f) => `${f.check}: ${f.message}`).join('\n');
  const path = record.request.url.startsWith(record.target) ? record.request.url.slice(record.target.length) : undefined;
  const parts = ['curl', '-sS', '-i', '-X', shellQuote(record.request.method), path === undefined ? shellWord(record.request.url) : `"$TARGET"${path ? shellWord(path) : ''}`];
  for (const [name, value] of Object.entries(record.request.headers)) parts.push('-H', shellWord(`${name}: ${value}`));
  for (const [name, value] of Object.entries(redactHeaders(Object.fromEntries(extra)))) parts.push('-H', shellQuote(`${name}: ${value}`));
  const body = record.request.body;
  if (body) {
    parts.push('--data-binary', fillBody
      ? `@<(perl -0777 -pe 's/\\{\\{(SPEECHDOUBLE_\\w+)\\}\\}/$ENV{$1}/g' ${shellQuote(body.file)})`
      : shellQuote(`@${body.file}`));
  }
  const variables = record.needs.map((v) => `${v} (the run's ${CREDENTIAL_VARIABLES[v]})`).join(', ');
  return [
    '#!/usr/bin/env bash',
    comment(`speechdouble conform: exchange #${record.exchangeId} of a ${record.api} run against ${record.target}`),
    comment(`step: ${record.group ? `${record.group.name} › ` : ''}${record.step}`),
    comment(`failed: ${failures}`),
    comment(`Send it again with \`speechdouble conform --replay ${recordFile(record.exchangeId)}\` (which re-runs the checks), or run this.`),
    comment(`${variables ? `It reads ${variables} from the environment; ` : ''}TARGET sends it elsewhere.`),
    ...(extra.length ? [comment(`The run also sent -H ${extra.map(([name]) => name).join(', ')}; a value named like a secret is REDACTED here.`)] : []),
    'set -euo pipefail',
    'cd "$(dirname "$0")"',
    `if [ -z "\${TARGET:-}" ]; then TARGET=${shellQuote(record.target)}; fi`,
    parts.join(' '),
    '',
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------
// HAR 1.2 (http://www.softwareishard.com/blog/har-12-spec/)

function harContent(body: Buffer): { text: string; encoding?: 'base64' } {
  return isUtf8(body) ? { text: body.toString('utf8') } : { text: body.toString('base64'), encoding: 'base64' };
}

function har(report: RunReport, exchanges: readonly Exchange[], scrub: Scrubber, version: string): object {
  const nameValues = (headers: Record<string, string>) => Object.entries(headers).map(([name, value]) => ({ name, value }));
  return {
    log: {
      version: '1.2',
      creator: { name: 'speechdouble', version },
      comment: `speechdouble conform ${report.api} against ${report.target}: the exchanges a failure points at`,
      entries: exchanges.map((exchange) => {
        const templated = Object.fromEntries(Object.entries(exchange.request.headers).map(([name, value]) => [name, scrub.header(value)]));
        const request = redactRequest({ ...exchange.request, url: scrub.url(exchange.request.url), headers: templated });
        const url = new URL(request.url);
        const body = exchange.request.body?.length ? scrub.bytes(exchange.request.body) : undefined;
        const type = request.headers['content-type'] ?? Object.entries(request.headers).find(([n]) => n.toLowerCase() === 'content-type')?.[1] ?? 'application/octet-stream';
        const response = exchange.response;
        const { failures } = locate(report, exchange);
        return {
          startedDateTime: report.startedAt,
          time: exchange.durationMs,
          comment: failures.map((f) => `${f.check}: ${scrub.text(f.message)}`).join('\n'),
          request: {
            method: request.method,
            url: request.url,
            httpVersion: 'HTTP/1.1',
            cookies: [],
            headers: nameValues(request.headers),
            queryString: [...url.searchParams].map(([name, value]) => ({ name, value })),
            ...(body && { postData: { mimeType: type, ...harContent(body), ...(!isUtf8(body) && { comment: `base64; the bytes are in ${bodyFile(exchange.id)}` }) } }),
            headersSize: -1,
            bodySize: body?.length ?? 0,
          },
          response: response
            ? {
              status: response.status,
              statusText: '',
              httpVersion: 'HTTP/1.1',
              cookies: [],
              headers: nameValues(redactHeaders(Object.fromEntries(Object.entries(response.headers).map(([name, value]) => [name, scrub.header(value)])))),
              content: { size: response.body.length, mimeType: response.headers['content-type'] ?? '', ...harContent(scrub.bytes(response.body)) },
              redirectURL: response.headers.location ?? '',
              headersSize: -1,
              bodySize: response.body.length,
            }
            : { status: 0, statusText: '', httpVersion: '', cookies: [], headers: [], content: { size: 0, mimeType: '' }, redirectURL: '', headersSize: -1, bodySize: -1, comment: exchange.error ?? 'no response' },
          cache: {},
          timings: { send: 0, wait: exchange.durationMs, receive: 0 },
        };
      }),
    },
  };
}
