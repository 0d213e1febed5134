// One group of steps (a journey, the positive cases, the negative cases) and the context its
// code is handed: calls that are recorded and checked, expectations, steps, time, cleanup.
//
// Every step a group plans is reported, whatever the target does: `ctx.step` never throws. In a
// journey a failed step, or one skipped without `goOn`, stops the journey; its later steps are
// still called, each reported as skipped with the reason, and handed a stand-in for the value
// the stopped step would have made. So a journey reports the same steps however fast or
// broken the target is. Positive and negative cases stand alone: a failure stops nothing.
import type { createSchemaCompiler } from '../../openapi/schemas.ts';
import type { ApiName, JsonObject, OperationRef } from '../../openapi/specs.ts';
import type { Check, CheckContext } from '../checks/check.ts';
import { jsonOf, textOf, type RecordingClient, type SendInput } from '../client.ts';
import { applyCredentials, type Credentials } from '../credentials.ts';
import { encodeMultipart, type FormField } from '../../openapi/multipart-encoding.ts';
import { mediaTypeOf } from '../media-type.ts';
import { SkipStep, type Call, type CallInput, type ScenarioContext, type TimeControl } from '../scenario.ts';
import type { CheckFailure, Exchange, GroupResult, OperationTarget, StepResult } from '../types.ts';
import type { Receiver } from './receiver.ts';
import { standIn } from './stand-in.ts';

/** What every group of one run shares. */
export interface RunEnv {
  /** The API's name: one of the project's, or the title of the document `--spec` gave. */
  api: ApiName | (string & {});
  doc: JsonObject;
  operations: OperationRef[];
  byId: Map<string, OperationRef>;
  client: RecordingClient;
  time: TimeControl;
  compile: ReturnType<typeof createSchemaCompiler>;
  credentials: Credentials;
  secondCredentials?: Credentials;
  targetIsLocal: boolean;
  /** Whether --only selects a group's step (`group step`). */
  only(name: string): boolean;
  interrupted?: () => boolean;
  receiver(): Promise<Receiver>;
  onCleanup(fn: () => Promise<void>): void;
  /** Exchanges negative cases made: a 2xx among them is no documented success. */
  negativeExchanges: Set<number>;
  /** The checks run on every exchange (CHECKS, as --checks, --exclude-checks and --max-response-time make them). */
  checks: Check[];
  /** Whether failures of the named check count (--checks, --exclude-checks); a journey's own expectations always do. */
  selected(check: string): boolean;
  /** --max-failures: once this many steps failed, every later step is skipped. */
  maxFailures?: number;
  /** Steps failed so far, in every group. */
  failedSteps: number;
  /** --dry-run: every step is listed, none runs, nothing is sent. */
  dryRun?: boolean;
  /** The path the spec's servers put an operation under on the target ('' for the project's specs: see spec-source.ts). */
  pathPrefix(op: Pick<OperationRef, 'path' | 'operation'>): string;
}

/** Why a step is skipped once --max-failures is reached. */
export const MAX_FAILURES_REACHED = '--max-failures reached';
/** Why every step of a --dry-run is skipped. */
export const DRY_RUN = 'dry run: nothing sent';

/** What the runner's own groups may do besides what a journey may. */
export interface GroupContext extends ScenarioContext {
  /** Records a failure of a named check in the current step, and goes on. */
  fail(failure: Omit<CheckFailure, 'exchangeId'> & { exchangeId?: number }): void;
  /**
   * Sends a request as given and keeps the exchange in the current step, without judging it: the
   * caller does (generated cases, `checkExchange`; unsupported methods). `negative` counts it
   * among the negative cases' exchanges; `target` names what it is sent to when that is no
   * documented operation.
   */
  sendUnjudged(operationId: string, input: SendInput, options?: { negative?: boolean; target?: Omit<OperationTarget, 'api'> }): Promise<Call>;
}

/** A failed expectation ends its step. */
class StepFailed extends Error {}

function multipart(form: NonNullable<CallInput['form']>): { body: Buffer; type: string } {
  const boundary = 'speechdouble-conformance-boundary';
  const fields: FormField[] = Object.entries(form).map(([name, value]) => (typeof value === 'string'
    ? { name, value }
    : { name, value: value.data, filename: value.filename, contentType: value.contentType ?? 'application/octet-stream' }));
  return { body: encodeMultipart(fields, boundary), type: `multipart/form-data; boundary=${boundary}` };
}

export function checkExchange(env: RunEnv, exchange: Exchange, op: OperationRef): CheckFailure[] {
  const context: CheckContext = { operation: op.operation, pointer: op.pointer, compile: env.compile };
  return env.checks.flatMap((check) => {
    const failure = check.run(exchange, context);
    return failure ? [{ ...failure, check: check.name, exchangeId: exchange.id }] : [];
  });
}

const errorFailure = (error: unknown, exchangeId: number): CheckFailure => ({
  check: 'scenario_error',
  message: (error as Error)?.message ?? String(error),
  expected: 'the step to run',
  received: String((error as Error)?.stack ?? error).split('\n').slice(0, 3).join('\n'),
  exchangeId,
});

/** Runs one group's code; failures of checks and expectations land in the step that made them. */
export async function runGroup(env: RunEnv, kind: GroupResult['kind'], name: string, title: string, body: (ctx: GroupContext) => Promise<void>): Promise<GroupResult> {
  const journey = kind === 'scenario';
  const group: GroupResult = { kind, name, title, steps: [], durationMs: 0 };
  const groupStart = process.hrtime.bigint();
  let current: StepResult | undefined;
  /** Why the journey's remaining steps cannot run, once one of them stopped it. */
  let stopped: string | undefined;

  const callOf = (exchange: Exchange): Call => ({ exchange, status: exchange.response?.status ?? 0, json: () => jsonOf(exchange) as never, text: () => textOf(exchange), mediaType: mediaTypeOf(exchange.response?.headers['content-type']) });
  const transmit = async (target: Omit<OperationTarget, 'api'>, prefix: string, input: SendInput, negative: boolean): Promise<Exchange> => {
    // No step runs in a dry run; journey code that sends between its steps is a bug, shown as one.
    if (env.dryRun) throw new Error(`a dry run sends nothing, and ${target.method} ${target.path} was sent outside a step`);
    const exchange = await env.client.send({ api: env.api, ...target }, prefix ? { ...input, path: prefix + input.path } : input, current?.name ?? name);
    if (negative) env.negativeExchanges.add(exchange.id);
    current?.exchangeIds.push(exchange.id);
    return exchange;
  };
  const targetOf = (op: OperationRef) => ({ operationId: String(op.operation.operationId), method: op.method.toUpperCase(), path: op.path, pointer: op.pointer });
  const record = async (op: OperationRef, input: SendInput): Promise<Call> => {
    const exchange = await transmit(targetOf(op), env.pathPrefix(op), input, kind === 'negative');
    current?.failures.push(...checkExchange(env, exchange, op));
    return callOf(exchange);
  };
  const operation = (operationId: string) => {
    const op = env.byId.get(operationId);
    if (!op) throw new Error(`${env.api} has no operation ${operationId}`);
    return op;
  };
  /** Why a step does not run, if it does not. */
  const notRun = (stepName: string, setup: boolean): string | undefined => {
    const selected = setup || env.only(`${name} ${stepName}`);
    if (env.interrupted?.()) return 'interrupted';
    if (env.maxFailures !== undefined && env.failedSteps >= env.maxFailures) return MAX_FAILURES_REACHED;
    if (env.dryRun && selected) return DRY_RUN;
    if (!selected) return 'not selected by --only';
    return stopped;
  };

  const ctx: GroupContext = {
    async call(operationId, input = {}) {
      const op = operation(operationId);
      const who = input.as ?? 'primary';
      const creds = who === 'primary' ? env.credentials : who === 'secondary' ? (env.secondCredentials ?? {}) : {};
      const auth = applyCredentials(env.doc, op.operation, creds);
      const headers: Record<string, string> = { ...auth.headers, ...input.headers };
      let sent = input.body;
      if (input.json !== undefined) {
        sent = Buffer.from(JSON.stringify(input.json));
        headers['content-type'] ??= 'application/json';
      } else if (input.form) {
        const encoded = multipart(input.form);
        sent = encoded.body;
        headers['content-type'] = encoded.type;
      }
      const path = op.path.replace(/\{([^}]+)\}/g, (_, p: string) => encodeURIComponent(input.pathParams?.[p] ?? ''));
      return record(op, { method: op.method.toUpperCase(), path, query: { ...auth.query, ...input.query }, headers, ...(sent && { body: sent }) });
    },
    send: (operationId, input) => record(operation(operationId), input),
    async sendUnjudged(operationId, input, options = {}) {
      const op = options.target ? env.byId.get(operationId) : operation(operationId);
      const target = options.target ?? targetOf(op!);
      return callOf(await transmit(target, env.pathPrefix(op ?? { path: target.path, operation: {} }), input, options.negative === true));
    },
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
    fail(failure) {
      if (!env.selected(failure.check)) return;
      current?.failures.push({ ...failure, exchangeId: failure.exchangeId ?? current.exchangeIds.at(-1) ?? 0 });
    },
    async step<T>(stepName: string, fn: () => Promise<T>, stepOptions: { setup?: boolean } = {}): Promise<T> {
      const step: StepResult = { name: stepName, outcome: 'passed', failures: [], exchangeIds: [], durationMs: 0 };
      group.steps.push(step);
      const reason = notRun(stepName, stepOptions.setup === true);
      if (reason) {
        step.outcome = 'skipped';
        step.skippedReason = reason;
        // A journey's later steps need what this one would have made.
        if (journey) stopped ??= reason === 'not selected by --only' ? 'an earlier step was not selected by --only' : reason;
        return standIn<T>();
      }
      const previous = current;
      current = step;
      const stepStart = process.hrtime.bigint();
      let value: T;
      try {
        value = await fn();
      } catch (error) {
        value = standIn<T>();
        if (error instanceof SkipStep) {
          step.outcome = 'skipped';
          step.skippedReason = error.message;
          if (error.goOn) value = error.value as T;
          else if (journey) stopped ??= `an earlier step was skipped: ${error.message}`;
        } else if (!(error instanceof StepFailed)) {
          step.failures.push(errorFailure(error, step.exchangeIds.at(-1) ?? 0));
        }
      } finally {
        step.durationMs = Number(process.hrtime.bigint() - stepStart) / 1e6;
        current = previous;
      }
      // A check that failed on one of the step's exchanges fails it too, even if it went on.
      if (step.failures.length) {
        step.outcome = 'failed';
        env.failedSteps++;
        if (journey) stopped ??= 'an earlier step of this scenario failed';
      }
      return value;
    },
    time: env.time,
    receiver: () => env.receiver(),
    targetIsLocal: env.targetIsLocal,
    hasSecondCredentials: Boolean(env.secondCredentials?.token || env.secondCredentials?.basic),
    onCleanup: (fn) => env.onCleanup(fn),
    pointerOf: (operationId) => env.byId.get(operationId)?.pointer ?? '',
  };

  try {
    await body(ctx);
  } catch (error) {
    // Steps never throw, so this is the group's own code going wrong between its steps: a bug,
    // reported as a failure rather than ending the whole run.
    group.steps.push({ name: `(${title}: its code between the steps)`, outcome: 'failed', failures: [errorFailure(error, 0)], exchangeIds: [], durationMs: 0 });
    env.failedSteps++;
  }
  group.durationMs = Number(process.hrtime.bigint() - groupStart) / 1e6;
  return group;
}
