// `conform`'s options about what is checked and how (issue 14): `--spec` (any OpenAPI 3.x or
// Swagger 2.0 document, a file or a URL), the generated cases (`--max-examples`, `--seed`), which
// checks count (`--checks`, `--exclude-checks`, `--max-response-time`), `--max-failures`,
// `--dry-run` and `--base-path`. conform-command.ts adds them with `addSpecOptions` and turns them
// into the run's options with `chooseSpec`; a usage error is a SpecUsageError, its message the line
// to print.
//
// Which journeys run: those of the API whose own spec the document is. A document is an API's
// own when it is the same file as `specs/<api>.yaml`, or has the same `info.title` and
// `info.version` (a copy, the build's JSON twin, the spec served at a URL); with `--api` too, the
// journeys run only when the document is that API's own, and a note says so when it is not.
import { Command, InvalidArgumentError, Option } from 'commander';
import { API_NAMES, isApiName, loadSpec, type ApiName, type JsonObject } from '../openapi/specs.ts';
import { KNOWN_CHECKS } from './checks/index.ts';
import { MAX_RESPONSE_TIME } from './checks/max-response-time.ts';
import type { RunOptions } from './runner/run.ts';
import { JOURNEYS } from './scenarios/index.ts';
import { loadSpecSource } from './spec-source.ts';
import type { RunReport } from './types.ts';

/** Generated requests per operation when --max-examples is not given: few, so a run stays fast. */
export const DEFAULT_MAX_EXAMPLES = 10;

export interface SpecFlags {
  api?: string;
  spec?: string;
  maxExamples?: number;
  seed?: number;
  checks?: string[];
  excludeChecks?: string[];
  maxFailures?: number;
  dryRun?: boolean;
  maxResponseTime?: number;
  basePath?: string;
}

export class SpecUsageError extends Error {}

function count(what: string, min: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`${what}, a whole number ${min === 0 ? '(0 or more)' : `of ${min} or more`}`);
    return n;
  };
}

function seed(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < -0x80000000 || n > 0xffffffff) throw new InvalidArgumentError('a whole number (a 32-bit seed, as a run prints it)');
  return n;
}

const list = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), ...value.split(',').map((s) => s.trim()).filter(Boolean)];

/** The options, added to `conform`. */
export function addSpecOptions(command: Command): Command {
  const names = KNOWN_CHECKS.map((c) => c.name).join(', ');
  return command
    .option('--spec <file|url>', 'check against this OpenAPI 3.0/3.1 or Swagger 2.0 document instead of the API\'s own (then --api is optional; the API\'s journeys run only when it is that API\'s own spec)')
    .addOption(new Option('--max-examples <n>', 'generated requests per operation, valid and breaking one rule each (0: none)').default(DEFAULT_MAX_EXAMPLES).argParser(count('requests', 0)))
    .addOption(new Option('--seed <n>', 'the seed of the generated requests (default: a random one, printed; the same seed makes the same requests)').argParser(seed))
    .addOption(new Option('--checks <names>', `only these checks count, comma-separated: ${names}`).argParser(list))
    .addOption(new Option('--exclude-checks <names>', 'these checks do not count, comma-separated').argParser(list))
    .addOption(new Option('--max-failures <n>', 'stop after this many failed steps; the rest are listed as skipped').argParser(count('failed steps', 1)))
    .option('--dry-run', 'print the plan (groups and steps) and send nothing')
    .addOption(new Option('--max-response-time <ms>', 'an exchange slower than this fails max_response_time').argParser(count('milliseconds', 1)))
    .option('--base-path <path>', 'the path the spec\'s paths are under on the target (default: the path of the spec\'s servers, or Swagger 2.0 basePath, when --target has none; / for none, e.g. Prism)');
}

function checkNames(flag: string, names: string[] | undefined): void {
  const known = KNOWN_CHECKS.map((c) => c.name);
  const unknown = (names ?? []).filter((name) => !known.includes(name));
  if (unknown.length) throw new SpecUsageError(`unknown check${unknown.length > 1 ? 's' : ''} ${unknown.map((n) => `"${n}"`).join(', ')} in ${flag}; the checks are ${known.join(', ')}`);
}

export interface ChosenSpec {
  /** The name reports give the API: --api, the project's API the spec is, or the document's title. */
  api: string;
  /** The document, dereferenced, as the run reads it. */
  doc: JsonObject;
  /** What the runner is given besides the target and credentials: the spec, the journeys, the options above. */
  run: Pick<RunOptions, 'api' | 'scenarios' | 'existingResources' | 'adaptExample' | 'readableAfterDelete' | 'spec' | 'lenientSchemas' | 'generated' | 'unsupportedMethods' | 'checks' | 'excludeChecks' | 'maxFailures' | 'dryRun' | 'maxResponseTimeMs' | 'basePath'>;
  /** What a reader should know: the document's conversion, journeys not run and why. Printed on stderr by chooseSpec. */
  notes: string[];
}

const journeysOf = (api: ApiName | undefined) => ({
  // An API without journeys yet still gets its probes and negative cases.
  scenarios: (api && JOURNEYS[api]?.scenarios) || [],
  existingResources: api ? JOURNEYS[api]?.existingResources : undefined,
  adaptExample: api ? JOURNEYS[api]?.adaptExample : undefined,
  readableAfterDelete: api ? JOURNEYS[api]?.readableAfterDelete : undefined,
});

/** The document, the API's name, its journeys and the run's options, from the flags; throws SpecUsageError. */
export async function chooseSpec(flags: SpecFlags, options: { quiet?: boolean } = {}): Promise<ChosenSpec> {
  checkNames('--checks', flags.checks);
  checkNames('--exclude-checks', flags.excludeChecks);
  if (flags.checks?.includes(MAX_RESPONSE_TIME) && flags.maxResponseTime === undefined) throw new SpecUsageError(`--checks ${MAX_RESPONSE_TIME} needs --max-response-time <ms>`);
  if (flags.api !== undefined && !isApiName(flags.api)) throw new SpecUsageError(`unknown API "${flags.api}"; one of ${API_NAMES.join(', ')}${flags.spec ? '' : ', or give any OpenAPI document with --spec'}`);
  const maxExamples = flags.maxExamples ?? DEFAULT_MAX_EXAMPLES;
  const extras = {
    ...(maxExamples > 0 && { generated: { maxExamples, seed: flags.seed ?? Math.floor(Math.random() * 0x80000000) } }),
    unsupportedMethods: true,
    ...(flags.checks && { checks: flags.checks }),
    ...(flags.excludeChecks && { excludeChecks: flags.excludeChecks }),
    ...(flags.maxFailures !== undefined && { maxFailures: flags.maxFailures }),
    ...(flags.dryRun && { dryRun: true }),
    ...(flags.maxResponseTime !== undefined && { maxResponseTimeMs: flags.maxResponseTime }),
    ...(flags.basePath !== undefined && { basePath: flags.basePath === '/' ? '' : flags.basePath }),
  };
  const notes: string[] = [];
  let chosen: ChosenSpec;
  if (!flags.spec) {
    if (flags.api === undefined) throw new SpecUsageError(`name the API with --api: one of ${API_NAMES.join(', ')}; or give any OpenAPI document with --spec`);
    const api = flags.api as ApiName;
    chosen = { api, doc: (await loadSpec(api)).dereferenced, run: { api, ...journeysOf(api), ...extras }, notes };
  } else {
    const source = await loadSpecSource(flags.spec).catch((error: unknown) => {
      throw new SpecUsageError(`cannot read --spec ${flags.spec}: ${(error as Error).message}`);
    });
    const info = source.spec.document.info as JsonObject | undefined;
    const described = `"${String(info?.title ?? '?')}" ${String(info?.version ?? '?')}`;
    notes.push(`--spec ${flags.spec}: ${source.version.startsWith('2') ? 'Swagger' : 'OpenAPI'} ${source.version}, ${described}${source.ownApi ? `, ${source.ownApi}'s own spec` : ''}`, ...source.notes.map((n) => `--spec: ${n}`));
    let journeys: ApiName | undefined = source.ownApi;
    if (flags.api !== undefined && source.ownApi !== flags.api) {
      journeys = undefined;
      notes.push(`${flags.api}'s journeys do not run: ${flags.spec} is not ${flags.api}'s own spec (its file is specs/, or its info.title and info.version are the same); the generic checks and generated cases do`);
    }
    const api = flags.api ?? source.ownApi ?? String(info?.title ?? flags.spec);
    chosen = { api, doc: source.spec.dereferenced, run: { api, spec: source.spec, ...(!source.ownApi && { lenientSchemas: true }), ...journeysOf(journeys), ...extras }, notes };
  }
  if (extras.generated) notes.push(`generated requests: --seed ${extras.generated.seed} (${maxExamples} per operation; the same seed makes the same requests)`);
  if (!options.quiet) for (const note of notes) process.stderr.write(`speechdouble conform: ${note}\n`);
  return chosen;
}

/** The plan --dry-run prints: every group and step the run would have, nothing sent. */
export function renderPlan(report: RunReport): string {
  const steps = report.groups.reduce((n, g) => n + g.steps.length, 0);
  const out = [`speechdouble conform --dry-run: ${report.api} at ${report.target}: ${report.groups.length} groups, ${steps} steps; nothing was sent`];
  for (const group of report.groups) {
    out.push('', `[${group.kind}] ${group.title} (${group.name}): ${group.steps.length} step${group.steps.length === 1 ? '' : 's'}`);
    for (const step of group.steps) {
      const note = step.outcome === 'skipped' && step.skippedReason && !step.skippedReason.startsWith('dry run') ? `  (${step.skippedReason})` : '';
      out.push(`  - ${step.name}${note}`);
    }
  }
  return `${out.join('\n')}\n`;
}
