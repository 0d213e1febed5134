// The conformance runner's vocabulary. Every request it makes is an Exchange; checks look at
// exchanges and return failures; scenarios and negative cases group exchanges into steps;
// reporters turn a RunReport into console text, JUnit XML or JSON. Plain data throughout.

export interface RecordedRequest {
  method: string;
  /** Absolute URL, query included. */
  url: string;
  headers: Record<string, string>;
  /** The bytes sent, when there were any. */
  body?: Buffer;
}

export interface RecordedResponse {
  status: number;
  /** Lower-cased names. */
  headers: Record<string, string>;
  body: Buffer;
}

/** The operation the runner meant to call, as the spec names it. */
export interface OperationTarget {
  api: string;
  operationId: string;
  method: string;
  /** The path template, e.g. /v2/jobs/{jobid}. */
  path: string;
  /** JSON pointer to the operation in its spec, e.g. #/paths/~1v2~1jobs/post. */
  pointer: string;
}

export interface Exchange {
  id: number;
  operation: OperationTarget;
  request: RecordedRequest;
  /** Undefined when no response came (refused, reset, timed out). */
  response?: RecordedResponse;
  /** Why no response came. */
  error?: string;
  durationMs: number;
  /** The scenario step or negative case that made it. */
  step: string;
}

export interface CheckFailure {
  /** The check's registered name, e.g. `status_code_documented`. */
  check: string;
  message: string;
  expected: string;
  received: string;
  /** Where in the spec the expectation comes from. */
  pointer?: string;
  exchangeId: number;
}

export type Outcome = 'passed' | 'failed' | 'skipped';

export interface StepResult {
  name: string;
  outcome: Outcome;
  failures: CheckFailure[];
  /** Why a step was skipped (e.g. it needs seven days of real time). */
  skippedReason?: string;
  exchangeIds: number[];
  durationMs: number;
}

export interface GroupResult {
  /** `scenario` for stateful journeys, `negative` for generated negative cases, `probe` for the positive cases (each operation's documented request). */
  kind: 'scenario' | 'negative' | 'probe';
  name: string;
  title: string;
  steps: StepResult[];
  durationMs: number;
}

export interface OperationCoverage {
  operationId: string;
  method: string;
  path: string;
  /** Status codes the spec documents for the operation. */
  documented: string[];
  /** Status codes the target answered with during the run. */
  seen: number[];
  /**
   * A valid request (a journey's, or a positive case's: never a negative case's) was answered
   * with a success the operation documents: the operation was exercised.
   */
  succeeded: boolean;
}

export interface RunReport {
  api: string;
  target: string;
  startedAt: string;
  durationMs: number;
  /**
   * Whose clock the run moved: its own tenants' (a target with a clock per tenant), the
   * target's one clock, or none (the target has no controllable clock: the run waited).
   */
  clock?: 'tenant' | 'global' | 'none';
  /** The status (401, 403) with which the target's control API refused to show its clock, if it did. */
  clockRefused?: number;
  groups: GroupResult[];
  coverage: OperationCoverage[];
  exchanges: Exchange[];
}

/** `curl` that reproduces an exchange's request (bodies over a few KiB are elided). */
export function curlFor(request: RecordedRequest): string {
  const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const parts = ['curl', '-sS', '-X', request.method, quote(request.url)];
  for (const [name, value] of Object.entries(request.headers)) parts.push('-H', quote(`${name}: ${value}`));
  if (request.body && request.body.length) {
    const text = request.body.toString('utf8');
    const printable = request.body.length <= 4096 && !/[\u0000-\u0008\u000e-\u001f]/.test(text);
    parts.push('--data-binary', printable ? quote(text) : quote(`@body-of-exchange.bin (${request.body.length} bytes)`));
  }
  return parts.join(' ');
}
