// Runs a conformance check of one API against one target: the journeys it is handed, a plain
// call of every safe operation, and the negative cases generated from its spec. Every
// exchange goes through every check; every resource a scenario creates is deleted at the
// end, even when a step fails or the run is interrupted.
import { encodeMultipart, type FormField } from '../../openapi/multipart-encoding.ts';
import { createSchemaCompiler } from '../../openapi/schemas.ts';
import { listOperations, loadSpec, type ApiName, type JsonObject, type LoadedSpec, type OperationRef } from '../../openapi/specs.ts';
import { buildExampleRequest } from '../../openapi/example-requests.ts';
import { CHECKS } from '../checks/index.ts';
import type { CheckContext } from '../checks/check.ts';
import { createRecordingClient, jsonOf, textOf, type RecordingClient, type SendInput } from '../client.ts';
import { applyCredentials, type Credentials } from '../credentials.ts';
import { generateNegativeCases } from '../negative/generate.ts';
import { SkipStep, type Call, type CallInput, type ExistingResources, type Scenario, type ScenarioContext } from '../scenario.ts';
import type { CheckFailure, Exchange, GroupResult, OperationCoverage, RunReport, StepResult } from '../types.ts';
import { startReceiver, type Receiver } from './receiver.ts';
import { detectTime } from './time.ts';

export interface RunOptions {
  api: ApiName;
  target: string;
  credentials: Credentials;
  /** A second tenant's credentials, for the isolation scenario. */
  secondCredentials?: Credentials;
  /** Seconds the runner may wait for real time on a target without a controllable clock. */
  timeoutSeconds: number;
  /** Only groups/steps whose name contains this. */
  only?: string;
  /** Stop between steps when this says so (SIGINT); cleanup still runs. */
  interrupted?: () => boolean;
  /** The API's journeys, run in this order before the probes and negative cases. */
  scenarios: Scenario[];
  /** Real resources for negative cases to aim at, when the API has path parameters. */
  existingResources?: ExistingResources;
}

/** A failed expectation ends its step and the rest of its scenario. */
class StepFailed extends Error {}

function multipart(form: NonNullable<CallInput['form']>): { body: Buffer; type: string } {
  const boundary = 'speechdouble-conformance-boundary';
  const fields: FormField[] = Object.entries(form).map(([name, value]) => (typeof value === 'string'
    ? { name, value }
    : { name, value: value.data, filename: value.filename, contentType: value.contentType ?? 'application/octet-stream' }));
  return { body: encodeMultipart(fields, boundary), type: `multipart/form-data; boundary=${boundary}` };
}

export async function runConformance(options: RunOptions): Promise<RunReport> {
  const startedAt = new Date();
  const started = process.hrtime.bigint();
  const spec: LoadedSpec = await loadSpec(options.api);
  const doc = spec.dereferenced;
  const operations = listOperations(doc);
  const byId = new Map(operations.map((op) => [String(op.operation.operationId), op]));
  const client: RecordingClient = createRecordingClient(options.target, { timeoutMs: 30_000 });
  const time = await detectTime(options.target, options.timeoutSeconds);
  const compile = createSchemaCompiler();
  const targetUrl = new URL(options.target);
  const targetIsLocal = ['127.0.0.1', 'localhost', '[::1]', '::1'].includes(targetUrl.hostname);
  const cleanups: Array<() => Promise<void>> = [];
  let receiver: Receiver | undefined;
  const groups: GroupResult[] = [];
  const only = (name: string) => !options.only || name.includes(options.only);

  const checkExchange = (exchange: Exchange, op: OperationRef): CheckFailure[] => {
    const context: CheckContext = { operation: op.operation, pointer: op.pointer, compile };
    return CHECKS.flatMap((check) => {
      const failure = check.run(exchange, context);
      return failure ? [{ ...failure, check: check.name, exchangeId: exchange.id }] : [];
    });
  };

  /** Runs one group's steps; failures of checks and expectations land in the step that made them. */
  async function runGroup(kind: GroupResult['kind'], name: string, title: string, body: (ctx: ScenarioContext) => Promise<void>): Promise<void> {
    // A journey's steps build on each other, so a failure ends it; probes and negative
    // cases stand alone, so every one of them runs.
    const independent = kind !== 'scenario';
    const group: GroupResult = { kind, name, title, steps: [], durationMs: 0 };
    const groupStart = process.hrtime.bigint();
    let current: StepResult | undefined;
    let aborted = false;

    const record = async (op: OperationRef, input: SendInput): Promise<Call> => {
      const operationId = String(op.operation.operationId);
      const exchange = await client.send({ api: options.api, operationId, method: op.method.toUpperCase(), path: op.path, pointer: op.pointer }, input, current?.name ?? name);
      current?.exchangeIds.push(exchange.id);
      current?.failures.push(...checkExchange(exchange, op));
      const mediaType = (exchange.response?.headers['content-type'] ?? '').split(';')[0]!.trim();
      return { exchange, status: exchange.response?.status ?? 0, json: () => jsonOf(exchange) as never, text: () => textOf(exchange), mediaType };
    };
    const operation = (operationId: string) => {
      const op = byId.get(operationId);
      if (!op) throw new Error(`${options.api} has no operation ${operationId}`);
      return op;
    };

    const ctx: ScenarioContext = {
      async call(operationId, input = {}) {
        const op = operation(operationId);
        const who = input.as ?? 'primary';
        const creds = who === 'primary' ? options.credentials : who === 'secondary' ? (options.secondCredentials ?? {}) : {};
        const auth = applyCredentials(doc, op.operation, creds);
        const headers: Record<string, string> = { ...auth.headers, ...input.headers };
        let body = input.body;
        if (input.json !== undefined) {
          body = Buffer.from(JSON.stringify(input.json));
          headers['content-type'] ??= 'application/json';
        } else if (input.form) {
          const encoded = multipart(input.form);
          body = encoded.body;
          headers['content-type'] = encoded.type;
        }
        const path = op.path.replace(/\{([^}]+)\}/g, (_, p: string) => encodeURIComponent(input.pathParams?.[p] ?? ''));
        return record(op, { method: op.method.toUpperCase(), path, query: { ...auth.query, ...input.query }, headers, ...(body && { body }) });
      },
      send: (operationId, input) => record(operation(operationId), input),
      expect(condition, detail) {
        if (condition) return true;
        current?.failures.push({
          check: 'scenario_expectation',
          message: detail.message,
          expected: detail.expected,
          received: detail.received,
          ...(detail.pointer && { pointer: detail.pointer }),
          exchangeId: detail.call?.exchange.id ?? current.exchangeIds.at(-1) ?? 0,
        });
        throw new StepFailed(detail.message);
      },
      async step(stepName, fn, stepOptions = {}) {
        const step: StepResult = { name: stepName, outcome: 'passed', failures: [], exchangeIds: [], durationMs: 0 };
        group.steps.push(step);
        if (aborted || options.interrupted?.() || !(stepOptions.setup || only(`${name} ${stepName}`))) {
          step.outcome = 'skipped';
          step.skippedReason = aborted ? 'an earlier step of this scenario failed' : options.interrupted?.() ? 'interrupted' : `not selected by --only`;
          throw new SkipStep(step.skippedReason);
        }
        const previous = current;
        current = step;
        const stepStart = process.hrtime.bigint();
        try {
          return await fn();
        } catch (error) {
          if (error instanceof SkipStep) {
            step.outcome = 'skipped';
            step.skippedReason = error.message;
          } else if (!(error instanceof StepFailed)) {
            step.failures.push({ check: 'scenario_error', message: (error as Error).message, expected: 'the step to run', received: String((error as Error).stack ?? error).split('\n').slice(0, 3).join('\n'), exchangeId: step.exchangeIds.at(-1) ?? 0 });
          }
          throw error;
        } finally {
          step.durationMs = Number(process.hrtime.bigint() - stepStart) / 1e6;
          if (step.failures.length) {
            step.outcome = 'failed';
            if (!independent || stepOptions.setup) aborted = true;
          }
          current = previous;
        }
      },
      time,
      async receiver() {
        return (receiver ??= await startReceiver());
      },
      targetIsLocal,
      hasSecondCredentials: Boolean(options.secondCredentials?.token || options.secondCredentials?.basic),
      onCleanup: (fn) => void cleanups.push(fn),
      pointerOf: (operationId) => byId.get(operationId)?.pointer ?? '',
    };

    try {
      await body(ctx);
    } catch (error) {
      // A failed or skipped step stops its scenario; anything else is the runner's own fault.
      if (!(error instanceof StepFailed) && !(error instanceof SkipStep) && !group.steps.some((s) => s.failures.length)) throw error;
    }
    group.durationMs = Number(process.hrtime.bigint() - groupStart) / 1e6;
    if (group.steps.length) groups.push(group);
  }

  try {
    for (const scenario of options.scenarios) {
      if (options.interrupted?.()) break;
      await runGroup('scenario', scenario.name, scenario.title, async (ctx) => {
        const reason = scenario.unavailable?.(ctx);
        // One skipped step stands for the whole journey, with the reason, in every report.
        if (reason) await ctx.step(scenario.title, () => Promise.reject(new SkipStep(reason)));
        else await scenario.run(ctx);
      });
    }

    // Every safe operation once, as the spec's own example asks for it.
    await runGroup('probe', 'documented-requests', 'Safe operations called with their documented example requests', async (ctx) => {
      for (const op of operations.filter((o) => o.method === 'get')) {
        const example = buildExampleRequest(doc, op);
        const params = Object.fromEntries([...op.path.matchAll(/\{([^}]+)\}/g)].map((m) => {
          const filled = example.path.split('/')[op.path.split('/').indexOf(m[0])];
          return [m[1]!, decodeURIComponent(filled ?? '')];
        }));
        await ctx.step(`${op.method.toUpperCase()} ${op.path}`, () => ctx.call(String(op.operation.operationId), { pathParams: params, query: example.query as Record<string, string> }).then(() => undefined)).catch(() => undefined);
      }
    });

    // Each generated negative case must get a documented 4xx.
    await runGroup('negative', 'negative-cases', 'Requests the spec forbids get a documented 4xx', async (ctx) => {
      const existing = options.existingResources;
      const resources = existing ? await ctx.step('create a resource for the cases to aim at', () => existing(ctx), { setup: true }).catch(() => ({} as Record<string, string>)) : {};
      for (const op of operations) {
        // Aim at the real resource, so a refusal is for the broken rule, not a missing id.
        const realPath = op.path.replace(/\{([^}]+)\}/g, (whole, p: string) => (resources[p] ? encodeURIComponent(resources[p]!) : whole));
        for (const generated of generateNegativeCases(doc, op)) {
          const negative = realPath.includes('{') ? generated : { ...generated, request: { ...generated.request, path: realPath } };
          await ctx.step(`${String(op.operation.operationId)}: ${negative.name}`, async () => {
            const auth = applyCredentials(doc, op.operation, options.credentials);
            const credentialCase = negative.kind === 'credentials';
            // The generator's placeholder credentials become the caller's real ones.
            const headers = credentialCase ? negative.request.headers : { ...negative.request.headers, ...pickExisting(negative.request.headers, auth.headers) };
            const query = credentialCase ? negative.request.query : { ...negative.request.query, ...pickExisting(negative.request.query, auth.query) };
            const sent = await ctx.send(String(op.operation.operationId), { method: negative.request.method, path: negative.request.path, query, headers, ...(negative.request.body.length && { body: negative.request.body }) });
            const { exchange } = sent;
            const status = exchange.response?.status ?? 0;
            const documented = Object.keys((op.operation.responses ?? {}) as object);
            ctx.expect(status >= 400 && status < 500 && documented.includes(String(status)), {
              message: `A request breaking "${negative.rule}" was not refused with a documented 4xx`,
              expected: `a documented 4xx (${documented.filter((c) => c.startsWith('4')).join(', ')})`,
              received: exchange.response ? `${status} ${textOf(exchange).slice(0, 300)}` : (exchange.error ?? 'no response'),
              pointer: negative.pointer,
              call: sent,
            });
          }).catch(() => undefined);
        }
      }
    });
  } finally {
    // Resources first (newest first), then the receiver: cleanup runs whatever happened.
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
    await receiver?.close();
  }

  const coverage: OperationCoverage[] = operations.map((op) => ({
    operationId: String(op.operation.operationId),
    method: op.method.toUpperCase(),
    path: op.path,
    documented: Object.keys((op.operation.responses ?? {}) as object),
    seen: [...new Set(client.exchanges.filter((e) => e.operation.operationId === op.operation.operationId && e.response).map((e) => e.response!.status))].sort((a, b) => a - b),
  }));
  return {
    api: options.api,
    target: options.target,
    startedAt: startedAt.toISOString(),
    durationMs: Number(process.hrtime.bigint() - started) / 1e6,
    groups,
    coverage,
    exchanges: client.exchanges,
  };

}

function pickExisting(target: Record<string, unknown>, values: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(values).filter(([key]) => key in target));
}
