// `speechdouble conform`: check a live implementation against specs/. Exit 0 when it
// conforms, 1 when it does not, 2 on a usage error (bad flags, unknown API, a filter that
// selects nothing, an output path that cannot be written), an unreachable target, a target that
// stopped answering or refused the credentials, and 130 when interrupted: always a message, never
// a stack trace. Everything a usage error can catch is caught before the first request.
import { appendFile, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { Command, InvalidArgumentError, Option } from 'commander';
import { API_NAMES, listOperations, type JsonObject } from '../openapi/specs.ts';
import type { Credentials } from './credentials.ts';
import { checkOutputFile, prepareOutputDir } from './output-paths.ts';
import { planSelection, selectedBy } from './plan.ts';
import { replayExchange, ReplayError } from './replay.ts';
import { bodyFilesIn, writeReportDir } from './report-dir.ts';
import { credentialValues, scrubReport, secretScrubber } from './reporters/common.ts';
import { renderConsole } from './reporters/console.ts';
import { errorCommand, renderAnnotations, renderStepSummary } from './reporters/github.ts';
import { renderJson } from './reporters/json.ts';
import { renderJUnit } from './reporters/junit.ts';
import { everything404, guardRun, SILENT_LIMIT } from './run-guard.ts';
import { runConformance } from './runner/run.ts';
import { addSpecOptions, chooseSpec, renderPlan, SpecUsageError, type SpecFlags } from './spec-options.ts';

interface ConformFlags extends SpecFlags {
  api?: string;
  target?: string;
  token?: string;
  basic?: string;
  token2?: string;
  basic2?: string;
  controlToken?: string;
  junit?: string;
  json?: string;
  reportDir?: string;
  timeout: number;
  requestTimeout: number;
  rateLimit?: number;
  header?: Array<[string, string]>;
  only?: string;
  color: boolean;
  replay?: string;
}

/** The variable each credential flag may come from instead (a flag wins). */
const CREDENTIAL_ENV: Record<string, string> = {
  '--token': 'SPEECHDOUBLE_TOKEN',
  '--basic': 'SPEECHDOUBLE_BASIC',
  '--token2': 'SPEECHDOUBLE_TOKEN2',
  '--basic2': 'SPEECHDOUBLE_BASIC2',
};

const inGitHubActions = () => process.env.GITHUB_ACTIONS === 'true';

/** Exit 2 with one line (and, in GitHub Actions, an annotation saying the same). */
function usageError(message: string): never {
  process.stderr.write(`speechdouble conform: ${message}\n`);
  if (inGitHubActions()) process.stdout.write(`${errorCommand('speechdouble conform', message)}\n`);
  process.exit(2);
}

function parseSeconds(value: string): number {
  const seconds = Number(value);
  if (!(seconds > 0) || !Number.isFinite(seconds)) throw new InvalidArgumentError('seconds, greater than 0');
  return seconds;
}

function parseRate(value: string): number {
  const rate = Number(value);
  if (!(rate > 0) || !Number.isFinite(rate)) throw new InvalidArgumentError('requests per second, greater than 0 (0.5 is one every two seconds)');
  return rate;
}

const HEADER = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+)\s*:\s*(.*)$/;

function collectHeader(value: string, previous: Array<[string, string]> | undefined): Array<[string, string]> {
  const match = HEADER.exec(value);
  if (!match) throw new InvalidArgumentError('a header as \'Name: value\'');
  return [...(previous ?? []), [match[1]!, match[2]!.trim()]];
}

function parseTarget(flag: string, value: string): URL {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  // `new URL('localhost:4220')` parses, with the scheme `localhost:`.
  if (!url || !['http:', 'https:'].includes(url.protocol)) {
    const hint = /^[\w.-]+:\d+(\/|$)/.test(value) || !value.includes('://') ? `; the scheme is missing: http://${value.replace(/^\/+/, '')}?` : '';
    usageError(`${flag} must be an http:// or https:// URL: ${value}${hint}`);
  }
  return url;
}

/**
 * A key, basic credentials, or both: an API whose operations use different schemes (Cadence's
 * booking API takes a Bearer key, its Twilio add-on HTTP basic) needs both in one run, and
 * `applyCredentials` picks the one each operation's security scheme documents.
 */
function credentials(token: string | undefined, basic: string | undefined, flag: string): Credentials | undefined {
  if (basic && !basic.includes(':')) usageError(`--basic${flag} takes user:password`);
  if (!token && !basic) return undefined;
  return { ...(token && { token }), ...(basic && { basic }) };
}

interface Scheme {
  /** Which flag gives its credentials. */
  flag: '--token' | '--basic';
  label: string;
}

/** The security schemes the spec's operations use, and the flag that gives each its credentials. */
function schemesOf(doc: JsonObject): Scheme[] {
  const used = new Set<string>();
  const requirements = [...((doc.security ?? []) as JsonObject[]), ...listOperations(doc).flatMap((op) => (op.operation.security ?? []) as JsonObject[])];
  for (const requirement of requirements) for (const name of Object.keys(requirement)) used.add(name);
  const schemes = ((doc.components as JsonObject | undefined)?.securitySchemes ?? {}) as Record<string, JsonObject>;
  return [...used].filter((name) => schemes[name]).map((name) => {
    const scheme = schemes[name]!;
    const kind = String(scheme.scheme ?? '').toLowerCase();
    if (scheme.type === 'http' && kind === 'basic') return { flag: '--basic', label: `${name} (HTTP basic)` };
    if (scheme.type === 'http') return { flag: '--token', label: `${name} (HTTP ${kind === 'bearer' ? 'Bearer' : kind})` };
    if (scheme.type === 'apiKey') return { flag: '--token', label: `${name} (an API key in the ${String(scheme.in)} ${String(scheme.name)})` };
    return { flag: '--token', label: `${name} (${String(scheme.type)})` };
  });
}

/** Refuses a credential flag no scheme of the API takes (--basic on a Bearer API). */
function checkSchemes(api: string, doc: JsonObject, given: Record<string, string | undefined>, source: (flag: string) => string): void {
  const schemes = schemesOf(doc);
  if (schemes.length === 0) return;
  const documented = schemes.map((s) => s.label).join(', ');
  for (const [flag, value] of Object.entries(given)) {
    if (!value) continue;
    const kind = flag.replace(/2$/, '') as Scheme['flag'];
    if (schemes.some((s) => s.flag === kind)) continue;
    const other = kind === '--basic' ? '--token' : '--basic';
    usageError(`${source(flag)} is not for ${api}: its spec documents ${documented}; give ${other}${flag.endsWith('2') ? '2' : ''} instead`);
  }
}

function serversOf(doc: JsonObject): string[] {
  return ((doc.servers ?? []) as JsonObject[]).map((server) => String(server.url)).filter(Boolean);
}

/** Why the target cannot be reached, or nothing: any answer at all will do. */
async function unreachable(target: string, headers: Record<string, string>, timeoutMs: number): Promise<string | undefined> {
  const timeout = AbortSignal.timeout(timeoutMs);
  try {
    const res = await fetch(target, { headers, signal: timeout, redirect: 'manual' });
    await res.body?.cancel();
    return undefined;
  } catch (error) {
    if (timeout.aborted) return `no answer within ${timeoutMs / 1000} s (--request-timeout)`;
    const cause = (error as { cause?: { code?: string } }).cause;
    return cause?.code ?? (error as Error).message;
  }
}

function version(): string {
  try {
    return (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  } catch {
    return '0.0.0';
  }
}

const HELP_AFTER = `
Credentials may come from the environment instead, where ps cannot see them: SPEECHDOUBLE_TOKEN,
SPEECHDOUBLE_BASIC, SPEECHDOUBLE_TOKEN2, SPEECHDOUBLE_BASIC2 (a flag wins over its variable).
In GitHub Actions (GITHUB_ACTIONS=true) the run is also summarised in $GITHUB_STEP_SUMMARY and
each failed step annotated (::error).

Exit codes:
  0    the target conforms
  1    it does not: a step failed
  2    a usage error (bad flags, an unknown API, --only selecting nothing, an output path that
       cannot be written), a target that cannot be reached or stopped answering, or credentials
       the target refused on the first request that carried them
  130  interrupted (Ctrl-C): what the run created is deleted first; Ctrl-C again leaves at once

Examples:
  speechdouble conform --api speechmatics --target http://127.0.0.1:4010 --token test-key
  SPEECHDOUBLE_TOKEN="$SPEECHMATICS_API_KEY" speechdouble conform --api speechmatics \\
    --target https://eu1.asr.api.speechmatics.com --junit conform.xml --report-dir conform-report
  speechdouble conform --api cadence --target http://127.0.0.1:4010 --token test-key --basic cadence:friend
  speechdouble conform --api gladia --target https://staging.example.com --token KEY -H 'X-Env: staging' --rate-limit 5
  speechdouble conform --replay conform-report/exchange-12.json --token test-key
`;

export const conformCommand = () => addSpecOptions(new Command('conform')
  .description('Check a live implementation of an API against its spec: every exchange, generated negative cases, and stateful journeys.')
  .option('--api <name>', `the API to check: ${API_NAMES.join(', ')}`)
  .option('--target <url>', 'the implementation\'s base URL, http:// or https://, e.g. http://127.0.0.1:4010 or https://eu1.asr.api.speechmatics.com')
  .addOption(new Option('--token <key>', 'the API key, sent the way the API documents (Bearer, x-gladia-key, …)').env('SPEECHDOUBLE_TOKEN'))
  .addOption(new Option('--basic <user:password>', 'HTTP basic credentials, for APIs (or operations) that use them; may go with --token, each operation gets the one its security scheme names').env('SPEECHDOUBLE_BASIC'))
  .addOption(new Option('--token2 <key>', 'a second key, to check that two keys never see each other\'s resources').env('SPEECHDOUBLE_TOKEN2'))
  .addOption(new Option('--basic2 <user:password>', 'second basic credentials (with or without --token2)').env('SPEECHDOUBLE_BASIC2'))
  .addOption(new Option('--control-token <token>', 'the token of a speechdouble started with --control-token: sent to its control API (/__emulator/clock) only, never to the API under test').env('SPEECHDOUBLE_CONTROL_TOKEN'))
  .option('--junit <file>', 'also write a JUnit XML report')
  .option('--json <file>', 'also write a JSON report')
  .option('--report-dir <dir>', 'also write every failing exchange there: its request body, a curl script, a record --replay reads, and failures.har')
  .addOption(new Option('--timeout <seconds>', 'longest the runner waits for real time on a target without a controllable clock').default(600).argParser(parseSeconds))
  .addOption(new Option('--request-timeout <seconds>', `longest one request may take, the first included; after ${SILENT_LIMIT} requests in a row without an answer the run stops`).default(30).argParser(parseSeconds))
  .addOption(new Option('--rate-limit <per-second>', 'send at most this many requests a second (in the same order)').argParser(parseRate))
  .addOption(new Option('-H, --header <name: value>', 'a header to send with every request (repeatable); a header the runner sets itself (credentials, content type) is not replaced').argParser(collectHeader))
  .option('--only <pattern>', 'run only scenarios and steps whose name contains this')
  .option('--replay <file>', 'send one failing exchange --report-dir wrote (exchange-N.json) again, with the credentials given now (and --target, -H, --spec), and say whether its failure still holds')
  .option('--no-color', 'plain console output')
  .addHelpText('after', HELP_AFTER)
  .action(async (flags: ConformFlags, command: Command) => {
    const source = (flag: string) => {
      const key = flag.replace(/^--/, '');
      return command.getOptionValueSource(key) === 'env' ? `${CREDENTIAL_ENV[flag]} (for ${flag})` : flag;
    };
    const headers = Object.fromEntries(flags.header ?? []);
    const timeoutMs = flags.requestTimeout * 1000;

    // Ctrl-C before the run (or a second one) leaves at once; during it, stops it and cleans up.
    const stop = new AbortController();
    let running = false;
    process.on('SIGINT', () => {
      if (!running || stop.signal.aborted) process.exit(130);
      stop.abort('interrupted');
      process.stderr.write(`interrupted: stopping, and deleting what the run created (at most ${flags.requestTimeout} s; Ctrl-C again to leave it)\n`);
    });

    if (flags.replay) {
      const target = flags.target === undefined ? undefined : parseTarget('--target', flags.target).toString();
      // A run against a document of its own (--spec) is replayed against it too.
      const doc = flags.spec ? (await chooseSpec(flags, { quiet: true }).catch((error: unknown) => (error instanceof SpecUsageError ? usageError(error.message) : Promise.reject(error)))).doc : undefined;
      const result = await replayExchange({
        ...(doc && { doc }),
        file: flags.replay,
        ...(target && { target }),
        credentials: credentials(flags.token, flags.basic, '') ?? {},
        ...(credentials(flags.token2, flags.basic2, '2') && { secondCredentials: credentials(flags.token2, flags.basic2, '2') }),
        headers,
        timeoutMs,
      }).catch((error: unknown) => (error instanceof ReplayError ? usageError(error.message) : Promise.reject(error)));
      process.stdout.write(result.text);
      process.exit(result.exchange.response ? (result.holds ? 1 : 0) : 2);
    }

    // The API, its spec (--spec: any document) and journeys, and the options of spec-options.ts.
    const chosen = await chooseSpec(flags).catch((error: unknown) => (error instanceof SpecUsageError ? usageError(error.message) : Promise.reject(error)));
    const api = chosen.api;
    if (!flags.target) usageError('give the implementation\'s base URL with --target, e.g. --target http://127.0.0.1:4010');
    const target = parseTarget('--target', flags.target);
    const primary = credentials(flags.token, flags.basic, '') ?? usageError('give the target\'s credentials with --token or --basic (or both, for an API that uses both), or SPEECHDOUBLE_TOKEN / SPEECHDOUBLE_BASIC');
    const secondary = credentials(flags.token2, flags.basic2, '2');
    const doc = chosen.doc;
    checkSchemes(api, doc, { '--token': flags.token, '--basic': flags.basic, '--token2': flags.token2, '--basic2': flags.basic2 }, source);

    // Every path the run writes, before its first request.
    for (const [flag, path] of [['--junit', flags.junit], ['--json', flags.json]] as const) {
      const problem = path === undefined ? undefined : await checkOutputFile(flag, path);
      if (problem) usageError(problem);
    }
    const dirProblem = flags.reportDir === undefined ? undefined : await prepareOutputDir('--report-dir', flags.reportDir);
    if (dirProblem) usageError(dirProblem);

    const base = {
      credentials: primary,
      ...(secondary && { secondCredentials: secondary }),
      ...(flags.controlToken && { controlToken: flags.controlToken }),
      timeoutSeconds: flags.timeout,
      ...chosen.run,
    };
    const selectsNothing = (examples: readonly string[]) => `--only "${flags.only}" selects no step of ${api}; steps are named like ${examples.slice(0, 4).map((e) => `"${e}"`).join(', ')}`;
    if (flags.only) {
      const plan = await planSelection({ ...base, target: target.toString().replace(/\/$/, ''), only: flags.only });
      if (plan.selected.length === 0) usageError(selectsNothing(plan.examples));
    }

    if (chosen.run.dryRun) process.exit((process.stdout.write(renderPlan(await runConformance({ ...base, target: target.toString().replace(/\/$/, ''), ...(flags.only && { only: flags.only }) }))), 0));
    const problem = await unreachable(target.toString(), headers, timeoutMs);
    if (problem) usageError(`cannot reach ${target} (${problem})`);

    const guard = guardRun({ credentials: primary, ...(secondary && { secondCredentials: secondary }), env: CREDENTIAL_ENV, stop: (reason) => stop.abort(reason) });
    running = true;
    const report = await runConformance({
      ...base,
      target: target.toString().replace(/\/$/, ''),
      ...(flags.only && { only: flags.only }),
      interrupted: () => stop.signal.aborted,
      client: {
        timeoutMs,
        headers,
        ...(flags.rateLimit && { ratePerSecond: flags.rateLimit }),
        signal: stop.signal,
        cleanupBudgetMs: timeoutMs,
        observe: (exchange) => guard.observe(exchange),
      },
    });
    running = false;

    // Credentials refused on the first request that carried them: that, not a report of the failures it caused.
    if (guard.problem?.kind === 'credentials') usageError(guard.problem.message);
    if (flags.only && selectedBy(report, flags.only).selected.length === 0) usageError(selectsNothing(selectedBy(report, flags.only).examples));

    const interrupted = stop.signal.aborted && !guard.problem ? 'interrupted (Ctrl-C): the run stopped early; the steps it did not reach are listed as skipped, and its clean-up ran (for --request-timeout at most)' : undefined;
    const clockRefused = report.clockRefused ? `GET /__emulator/clock answered ${report.clockRefused}: a speechdouble started with --control-token needs conform --control-token (or SPEECHDOUBLE_CONTROL_TOKEN); without a clock the run waited in real time` : undefined;
    const notes = [everything404(report, serversOf(doc)), guard.problem?.message, interrupted, clockRefused].filter((n): n is string => n !== undefined);
    const bodyFileOf = flags.reportDir === undefined ? undefined : bodyFilesIn(flags.reportDir, report);
    const rendering = { notes, ...(bodyFileOf && { bodyFileOf }) };
    // No reporter sees a credential given to the run, wherever it travelled (a body, a query, an echo).
    const shown = scrubReport(report, secretScrubber(credentialValues([primary, secondary])));
    process.stdout.write(renderConsole(shown, { color: flags.color && process.stdout.isTTY === true, ...rendering }));
    if (flags.junit) await writeFile(flags.junit, renderJUnit(shown, rendering));
    if (flags.json) await writeFile(flags.json, JSON.stringify(renderJson(shown, rendering), null, 2) + '\n');
    if (flags.reportDir) {
      await writeReportDir(report, { dir: flags.reportDir, credentials: primary, ...(secondary && { secondCredentials: secondary }), headers, version: version() });
    }
    if (inGitHubActions()) {
      process.stdout.write(renderAnnotations(shown, rendering));
      const summaryFile = process.env.GITHUB_STEP_SUMMARY;
      if (summaryFile) {
        await new Promise<void>((resolve) => appendFile(summaryFile, renderStepSummary(shown, rendering), (error) => {
          if (error) process.stderr.write(`speechdouble conform: could not append to $GITHUB_STEP_SUMMARY (${error.code ?? error.message})\n`);
          resolve();
        }));
      }
    }
    if (guard.problem) {
      process.stderr.write(`speechdouble conform: ${guard.problem.message}\n`);
      process.exit(2);
    }
    const failed = report.groups.some((g) => g.steps.some((s) => s.outcome === 'failed'));
    process.exit(stop.signal.aborted ? 130 : failed ? 1 : 0);
  }));
