// Runs a conformance check of one API against one target: the journeys it is handed, the
// positive cases (every operation's documented request, expecting a documented success), and
// the negative cases generated from its spec; then, when asked (run-extras.ts), the generated
// cases and the unsupported methods. Every exchange goes through every check the run applies;
// every resource the run creates is deleted at the end when the spec can delete it, even when a
// step fails or the run is interrupted.
import { createSchemaCompiler } from '../../openapi/schemas.ts';
import { listOperations, loadSpec, type ApiName } from '../../openapi/specs.ts';
import { createRecordingClient, type ClientOptions } from '../client.ts';
import type { Credentials } from '../credentials.ts';
import { SkipStep, type AdaptExample, type ExistingResources, type Scenario } from '../scenario.ts';
import type { GroupResult, RunReport } from '../types.ts';
import { coverageOf } from './coverage.ts';
import { runGroup, type RunEnv } from './group.ts';
import { negativeCases } from './negative-cases.ts';
import { positiveCases } from './positive-cases.ts';
import { startReceiver, type Receiver } from './receiver.ts';
import { Resources } from './resources.ts';
import { envExtras, extraGroups, plannedTime, type ExtraRunOptions } from './run-extras.ts';
import { stoppable } from './stop.ts';
import { detectTime } from './time.ts';

export interface RunOptions extends ExtraRunOptions {
  /** One of the project's APIs; with `spec`, any name for the document. */
  api: ApiName | (string & {});
  target: string;
  credentials: Credentials;
  /** `Authorization: Bearer` for the target's control API only (a speechdouble started with --control-token). */
  controlToken?: string;
  /** A second tenant's credentials, for the isolation scenario. */
  secondCredentials?: Credentials;
  /** Seconds the runner may wait for real time on a target without a controllable clock. */
  timeoutSeconds: number;
  /** Only groups/steps whose name contains this. */
  only?: string;
  /** Stop between steps when this says so (SIGINT); cleanup still runs. */
  interrupted?: () => boolean;
  /** Per-request timeout, extra headers, rate, and the stop signal that aborts requests in flight (client.ts). */
  client?: Partial<ClientOptions>;
  /** The API's journeys, run in this order before the positive and negative cases. */
  scenarios: Scenario[];
  /** Real resources for the positive and negative cases to aim at, when the API has path parameters. */
  existingResources?: ExistingResources;
  /** The API's changes to its spec's example requests, for the positive cases. */
  adaptExample?: AdaptExample;
  /** Reads the API documents as still serving a deleted resource (operationId → where it says so). */
  readableAfterDelete?: Record<string, string>;
}

/** What goes with each request to the target's control API: -H, and the control token. */
function controlHeaders(options: RunOptions): Record<string, string> {
  const headers = options.client?.headers ?? {};
  return options.controlToken ? { ...headers, authorization: `Bearer ${options.controlToken}` } : headers;
}

/** Every credential the run sends: the tenants whose clocks it may move. */
function runTenants(options: RunOptions): string[] {
  const { credentials: first, secondCredentials: second } = options;
  return [first.token, first.basic, second?.token, second?.basic].filter((credential): credential is string => typeof credential === 'string' && credential !== '');
}

export async function runConformance(options: RunOptions): Promise<RunReport> {
  const startedAt = new Date();
  const started = process.hrtime.bigint();
  const spec = options.spec ?? await loadSpec(options.api as ApiName);
  const doc = spec.dereferenced;
  const operations = listOperations(doc);
  const client = createRecordingClient(options.target, { timeoutMs: 30_000, ...options.client });
  const targetUrl = new URL(options.target);
  const cleanups: Array<() => Promise<void>> = [];
  let receiver: Receiver | undefined;
  const env: RunEnv = {
    api: options.api,
    doc,
    operations,
    byId: new Map(operations.map((op) => [String(op.operation.operationId), op])),
    client,
    time: options.dryRun ? plannedTime() : stoppable(await detectTime(options.target, options.timeoutSeconds, options.client?.timeoutMs ?? 30_000, controlHeaders(options), runTenants(options)), options.client?.signal),
    compile: createSchemaCompiler({ lenient: options.lenientSchemas === true }),
    credentials: options.credentials,
    ...(options.secondCredentials && { secondCredentials: options.secondCredentials }),
    targetIsLocal: ['127.0.0.1', 'localhost', '[::1]', '::1'].includes(targetUrl.hostname),
    only: (name) => !options.only || name.includes(options.only),
    ...(options.interrupted && { interrupted: options.interrupted }),
    receiver: async () => (receiver ??= await startReceiver()),
    onCleanup: (fn) => void cleanups.push(fn),
    negativeExchanges: new Set(),
    ...envExtras(options, doc),
  };
  const groups: GroupResult[] = [];
  const add = (group: GroupResult) => void (group.steps.length && groups.push(group));

  try {
    for (const scenario of options.scenarios) {
      add(await runGroup(env, 'scenario', scenario.name, scenario.title, async (ctx) => {
        const reason = env.interrupted?.() ? 'interrupted' : scenario.unavailable?.(ctx);
        // One skipped step stands for the whole journey, with the reason, in every report.
        if (reason) await ctx.step(scenario.title, () => Promise.reject(new SkipStep(reason)));
        else await scenario.run(ctx);
      }));
    }

    const resources = new Resources(env, options);
    add(await runGroup(env, 'probe', 'documented-requests', 'Every operation, sent its documented example request, answers a documented success', (ctx) => positiveCases(env, ctx, resources, options)));
    add(await runGroup(env, 'negative', 'negative-cases', 'Requests the spec forbids get a documented 4xx, and change nothing', (ctx) => negativeCases(env, ctx, resources, options)));
    for (const group of extraGroups(env, resources, options)) add(await group());
  } finally {
    // Resources first (newest first), then the receiver: cleanup runs whatever happened.
    client.cleanUp();
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
    await receiver?.close();
  }

  return {
    api: options.api,
    target: options.target,
    startedAt: startedAt.toISOString(),
    durationMs: Number(process.hrtime.bigint() - started) / 1e6,
    ...(!options.dryRun && { clock: env.time.controllable ? (env.time.scope ?? 'global') : 'none' }),
    ...(env.time.refused && { clockRefused: env.time.refused }),
    groups,
    coverage: coverageOf(operations, client.exchanges, env.negativeExchanges),
    exchanges: client.exchanges,
  };
}
