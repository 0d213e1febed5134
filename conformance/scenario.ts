// What a scenario is, and everything it may use: the contract between an API's journeys
// (scenarios/) and the runner that drives them (runner/). Both depend on this file and
// neither on the other, so a new API's journeys never reach into the runner.
import type { IncomingHttpHeaders } from 'node:http';
import type { ExampleRequest } from '../openapi/example-requests.ts';
import type { SendInput } from './client.ts';
import type { Exchange } from './types.ts';

export { mediaTypeOf } from './media-type.ts';

export interface CallInput {
  pathParams?: Record<string, string>;
  query?: Record<string, string | string[]>;
  headers?: Record<string, string>;
  /** Sent as application/json. */
  json?: unknown;
  /** Sent as multipart/form-data: text fields, or files. */
  form?: Record<string, string | { data: Buffer; filename: string; contentType?: string }>;
  body?: Buffer;
  /** Whose credentials go with the call. */
  as?: 'primary' | 'secondary' | 'none';
}

export interface Call {
  exchange: Exchange;
  status: number;
  json<T = any>(): T;
  text(): string;
  /** The response's media type, lower-cased and without parameters (`Application/JSON; charset=UTF-8` is `application/json`). */
  mediaType: string;
}

export interface ExpectationDetail {
  message: string;
  expected: string;
  received: string;
  pointer?: string;
  call?: Call;
}

export interface TimeControl {
  /** The target exposes a clock the runner can move. */
  readonly controllable: boolean;
  /** Whose clock moves: the run's own tenants' (an emulator with a clock per tenant) or the target's one clock. */
  readonly scope?: 'global' | 'tenant';
  /** The status with which the target refused `GET /__emulator/clock` (401, 403): a control API behind a token the run was not given. */
  readonly refused?: number;
  /** Moves the target's clock; throws SkipStep on a target without one. */
  advance(seconds: number): Promise<void>;
  /** The target's current time, when it says. */
  now(): Promise<Date | undefined>;
  /** Waits (or advances) until `condition` holds, at most `maxSeconds` of target time. */
  until(condition: () => Promise<boolean>, maxSeconds: number): Promise<boolean>;
}

export interface SkipOptions {
  /**
   * The journey goes on after this step: the steps after it need nothing it would have made
   * (a check a fast target outran, say). Without it, a skipped step stops its journey, and each
   * later step is reported as skipped with the reason.
   */
  goOn?: boolean;
  /** What the step gives the steps after it when the journey goes on (an id it made before it skipped its check). */
  value?: unknown;
}

/** Thrown from a step that cannot be checked against this target; the message is the reason. */
export class SkipStep extends Error {
  override readonly name = 'SkipStep';
  readonly goOn: boolean;
  readonly value: unknown;

  constructor(reason: string, options: SkipOptions = {}) {
    super(reason);
    this.goOn = options.goOn === true;
    this.value = options.value;
  }
}

export interface ReceivedCall {
  method: string;
  url: URL;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** Listens on this machine's loopback and records what the target sends there. */
export interface CallbackReceiver {
  url(path: string): string;
  calls: ReceivedCall[];
}

export interface ScenarioContext {
  call(operationId: string, input?: CallInput): Promise<Call>;
  /** Sends a request exactly as given (no credentials added), recorded and checked like a call. */
  send(operationId: string, input: SendInput): Promise<Call>;
  /** Records a failure in the current step unless `condition` holds; returns `condition`. */
  expect(condition: boolean, detail: ExpectationDetail): boolean;
  /**
   * A step; `setup` steps run even when --only selects something else, as later steps need them.
   * It never throws: a step that fails, or is skipped without `goOn`, stops the journey, and every
   * step after it is still reported (as skipped, with the reason) and gets a stand-in for its
   * value. So the steps of a journey are called one after the other, never conditionally, and
   * the code between them only passes values on.
   */
  step<T>(name: string, fn: () => Promise<T>, options?: { setup?: boolean }): Promise<T>;
  time: TimeControl;
  receiver(): Promise<CallbackReceiver>;
  /** The target can reach this machine's loopback (it runs here). */
  targetIsLocal: boolean;
  hasSecondCredentials: boolean;
  onCleanup(fn: () => Promise<void>): void;
  /** JSON pointer of an operation, for expectations about it. */
  pointerOf(operationId: string): string;
}

export interface Scenario {
  name: string;
  title: string;
  /** Why this journey cannot run against this target (no clock, no second key…), if it cannot. */
  unavailable?(ctx: ScenarioContext): string | undefined;
  run(ctx: ScenarioContext): Promise<void>;
}

/**
 * Real path parameters for the positive and negative cases, by name (`jobid`), or by operation
 * and name (`getJobAlignment.jobid`) where one operation needs a resource of another kind: a
 * case on /v2/jobs/{jobid} proves nothing with an id that does not exist, since the honest
 * answer is 404 whatever else is wrong. The resources are finished (a job done), so every
 * documented read of them succeeds.
 */
export type ExistingResources = (ctx: ScenarioContext) => Promise<Record<string, string>>;

/**
 * The spec's example request for an operation, changed where a conforming target could not
 * accept it as written (Cadence's body repeats the caller's key; a Stenomatic room id must be new
 * each run); the request already carries the caller's credentials and real path parameters.
 * Throws SkipStep when no request the run can make could succeed (an operation only an
 * administrator may call). Returns the request as it is when nothing needs changing.
 */
export type AdaptExample = (operationId: string, request: ExampleRequest, ctx: ScenarioContext) => Promise<ExampleRequest>;

/** An API's journeys, in the order they run, and what the runner's own cases need to know of it. */
export interface ApiJourneys {
  scenarios: Scenario[];
  existingResources?: ExistingResources;
  adaptExample?: AdaptExample;
  /**
   * Reads that still answer 2xx for a deleted resource, as the API documents it (Speechmatics
   * keeps a deleted job readable with status `deleted`), by operationId, each with where it is
   * documented; the use-after-free check leaves them out.
   */
  readableAfterDelete?: Record<string, string>;
}
