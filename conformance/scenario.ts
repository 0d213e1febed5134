// What a scenario is, and everything it may use: the contract between an API's journeys
// (scenarios/) and the runner that drives them (runner/). Both depend on this file and
// neither on the other, so a new API's journeys never reach into the runner.
import type { IncomingHttpHeaders } from 'node:http';
import type { SendInput } from './client.ts';
import type { Exchange } from './types.ts';

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
  /** Moves the target's clock; throws SkipStep on a target without one. */
  advance(seconds: number): Promise<void>;
  /** The target's current time, when it says. */
  now(): Promise<Date | undefined>;
  /** Waits (or advances) until `condition` holds, at most `maxSeconds` of target time. */
  until(condition: () => Promise<boolean>, maxSeconds: number): Promise<boolean>;
}

/** Thrown from a step that cannot be checked against this target; the message is the reason. */
export class SkipStep extends Error {
  override readonly name = 'SkipStep';
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
  /** A step; `setup` steps run even when --only selects something else, as later steps need them. */
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
 * Real path parameters for negative cases, by name: a case on /v2/jobs/{jobid} proves nothing
 * with an id that does not exist, since the honest answer is 404 whatever else is wrong.
 */
export type ExistingResources = (ctx: ScenarioContext) => Promise<Record<string, string>>;

/** An API's journeys, in the order they run, and how to make resources for its negative cases. */
export interface ApiJourneys {
  scenarios: Scenario[];
  existingResources?: ExistingResources;
}
