// `speechdouble conform`: check a live implementation against specs/. Exit 0 when it
// conforms, 1 when it does not, 2 on a usage error (bad flags, unknown API, unreachable
// target) with a message, not a stack trace.
import { writeFile } from 'node:fs/promises';
import { Command, InvalidArgumentError, Option } from 'commander';
import { API_NAMES, isApiName, type ApiName } from '../openapi/specs.ts';
import type { Credentials } from './credentials.ts';
import { renderConsole } from './reporters/console.ts';
import { renderJson } from './reporters/json.ts';
import { renderJUnit } from './reporters/junit.ts';
import { runConformance } from './runner/run.ts';
import { JOURNEYS } from './scenarios/index.ts';

interface ConformFlags {
  api: string;
  target: string;
  token?: string;
  basic?: string;
  token2?: string;
  basic2?: string;
  junit?: string;
  json?: string;
  timeout: number;
  only?: string;
  color: boolean;
}

function usageError(message: string): never {
  process.stderr.write(`speechdouble conform: ${message}\n`);
  process.exit(2);
}

function parseTimeout(value: string): number {
  const seconds = Number(value);
  if (!(seconds > 0)) throw new InvalidArgumentError('seconds, greater than 0');
  return seconds;
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

async function reachable(target: string): Promise<string | undefined> {
  try {
    await fetch(target, { signal: AbortSignal.timeout(10_000) });
    return undefined;
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause;
    return cause?.code ?? (error as Error).message;
  }
}

export const conformCommand = () => new Command('conform')
  .description('Check a live implementation of an API against its spec: every exchange, generated negative cases, and stateful journeys.')
  .requiredOption('--api <name>', `the API to check: ${API_NAMES.join(', ')}`)
  .requiredOption('--target <url>', 'the implementation\'s base URL, e.g. http://127.0.0.1:4010 or https://eu1.asr.api.speechmatics.com')
  .option('--token <key>', 'the API key, sent the way the API documents (Bearer, x-gladia-key, …)')
  .option('--basic <user:password>', 'HTTP basic credentials, for APIs (or operations) that use them; may go with --token, each operation gets the one its security scheme names')
  .option('--token2 <key>', 'a second key, to check that two keys never see each other\'s resources')
  .option('--basic2 <user:password>', 'second basic credentials (with or without --token2)')
  .option('--junit <file>', 'also write a JUnit XML report')
  .option('--json <file>', 'also write a JSON report')
  .addOption(new Option('--timeout <seconds>', 'longest the runner waits for real time on a target without a controllable clock').default(600).argParser(parseTimeout))
  .option('--only <pattern>', 'run only scenarios and steps whose name contains this')
  .option('--no-color', 'plain console output')
  .action(async (flags: ConformFlags) => {
    if (!isApiName(flags.api)) usageError(`unknown API "${flags.api}"; one of ${API_NAMES.join(', ')}`);
    let target: URL;
    try {
      target = new URL(flags.target);
    } catch {
      usageError(`--target is not a URL: ${flags.target}`);
    }
    const primary = credentials(flags.token, flags.basic, '') ?? usageError('give the target\'s credentials with --token or --basic (or both, for an API that uses both)');
    const secondary = credentials(flags.token2, flags.basic2, '2');
    const unreachable = await reachable(target.toString());
    if (unreachable) usageError(`cannot reach ${target} (${unreachable})`);

    let interrupted = false;
    process.on('SIGINT', () => {
      if (interrupted) process.exit(130);
      interrupted = true;
      process.stderr.write('interrupted: finishing the current step and deleting what the run created (Ctrl-C again to leave it)\n');
    });
    const api = flags.api as ApiName;
    const report = await runConformance({
      api,
      target: target.toString().replace(/\/$/, ''),
      credentials: primary,
      ...(secondary && { secondCredentials: secondary }),
      timeoutSeconds: flags.timeout,
      ...(flags.only && { only: flags.only }),
      interrupted: () => interrupted,
      // An API without journeys yet still gets its probes and negative cases.
      scenarios: JOURNEYS[api]?.scenarios ?? [],
      existingResources: JOURNEYS[api]?.existingResources,
      adaptExample: JOURNEYS[api]?.adaptExample,
      readableAfterDelete: JOURNEYS[api]?.readableAfterDelete,
    });
    process.stdout.write(renderConsole(report, { color: flags.color && process.stdout.isTTY === true }));
    if (flags.junit) await writeFile(flags.junit, renderJUnit(report));
    if (flags.json) await writeFile(flags.json, JSON.stringify(renderJson(report), null, 2) + '\n');
    const failed = report.groups.some((g) => g.steps.some((s) => s.outcome === 'failed'));
    process.exit(interrupted ? 130 : failed ? 1 : 0);
  });
