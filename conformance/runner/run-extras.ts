// What a run may do besides its journeys and the documented and negative cases: check a document
// that is not the API's own (`--spec`, loaded by spec-source.ts), the generated cases, the
// unsupported methods, which checks count (`--checks`, `--exclude-checks`,
// `--max-response-time`), `--max-failures`, `--dry-run`, and where the spec's servers put the
// paths on the target. All of it off unless asked for, so a run without these options is the run
// it always was.
import type { JsonObject, LoadedSpec, OperationRef } from '../../openapi/specs.ts';
import { CHECKS, KNOWN_CHECKS } from '../checks/index.ts';
import { maxResponseTime } from '../checks/max-response-time.ts';
import { unsupportedMethod } from '../checks/unsupported-method.ts';
import type { TimeControl } from '../scenario.ts';
import { serverBasePath } from '../spec-source.ts';
import type { GroupResult } from '../types.ts';
import { generatedCases, type GeneratedOptions } from './generated-cases.ts';
import { runGroup, type RunEnv } from './group.ts';
import type { Resources } from './resources.ts';
import { unsupportedMethods } from './unsupported-methods.ts';

export interface ExtraRunOptions {
  /** The document to check against instead of the API's own spec (`--spec`), as spec-source.ts loads it. */
  spec?: LoadedSpec;
  /** The document is not one of the project's: its schemas are compiled leniently (keywords and formats ajv does not know are ignored). */
  lenientSchemas?: boolean;
  /** The generated cases, positive and negative: none without this. */
  generated?: GeneratedOptions;
  /** The unsupported-method probes, one per path. */
  unsupportedMethods?: boolean;
  /** Only these checks' failures count (names as the checks register them); all when absent. */
  checks?: string[];
  /** These checks' failures do not count. */
  excludeChecks?: string[];
  /** Stop after this many failed steps: every later one is skipped, "--max-failures reached". */
  maxFailures?: number;
  /** List every step, run none, send nothing. */
  dryRun?: boolean;
  /** An exchange slower than this many milliseconds fails `max_response_time`. */
  maxResponseTimeMs?: number;
  /** The path the operations are under on the target, in place of the one the spec's servers give ('' or '/' for none). */
  basePath?: string;
}

/** What a dry run hands the journeys for time: a clock, so a journey that needs one lists its steps; no step runs to use it. */
export const plannedTime = (): TimeControl => ({
  controllable: true,
  advance: async () => undefined,
  now: async () => undefined,
  until: async () => false,
});

/** The part of a run's environment these options decide. */
export function envExtras(options: ExtraRunOptions & { target: string }, doc: JsonObject): Pick<RunEnv, 'checks' | 'selected' | 'maxFailures' | 'failedSteps' | 'dryRun' | 'pathPrefix'> {
  const known = new Set(KNOWN_CHECKS.map((c) => c.name));
  const only = options.checks && new Set(options.checks);
  const excluded = new Set(options.excludeChecks ?? []);
  const selected = (name: string) => !known.has(name) || ((!only || only.has(name)) && !excluded.has(name));
  const checks = [...CHECKS, ...(options.maxResponseTimeMs !== undefined ? [maxResponseTime(options.maxResponseTimeMs)] : [])].filter((c) => selected(c.name));
  // A --target with a path of its own is the base the paths go under (Cadence's `/version-test`); without one, the spec's servers say.
  const targetPath = new URL(options.target).pathname.replace(/\/+$/, '');
  const basePath = options.basePath?.replace(/\/+$/, '');
  const pathPrefix = (op: Pick<OperationRef, 'path' | 'operation'>) => basePath ?? (targetPath ? '' : serverBasePath(doc, op.path, op.operation));
  return {
    checks,
    selected,
    ...(options.maxFailures !== undefined && { maxFailures: options.maxFailures }),
    failedSteps: 0,
    ...(options.dryRun && { dryRun: true }),
    pathPrefix,
  };
}

/** The groups these options add after the negative cases, in order; each runs when called. */
export function extraGroups(env: RunEnv, resources: Resources, options: ExtraRunOptions): Array<() => Promise<GroupResult>> {
  const groups: Array<() => Promise<GroupResult>> = [];
  const generated = options.generated;
  if (generated) {
    const how = `fast-check, seed ${generated.seed}, ${generated.maxExamples} per operation`;
    groups.push(
      () => runGroup(env, 'probe', 'generated-cases', `Requests generated from the schemas (${how}) get no server error and only documented answers`, (ctx) => generatedCases(env, ctx, resources, generated, false)),
      () => runGroup(env, 'negative', 'generated-negative-cases', `Generated requests breaking one rule of the schemas (${how}) get a documented 4xx`, (ctx) => generatedCases(env, ctx, resources, generated, true)),
    );
  }
  if (options.unsupportedMethods && env.selected(unsupportedMethod.name)) {
    groups.push(() => runGroup(env, 'negative', 'unsupported-methods', 'A method the spec does not document for a path is answered 405 Method Not Allowed, with an Allow header listing the documented ones', (ctx) => unsupportedMethods(env, ctx, resources)));
  }
  return groups;
}
