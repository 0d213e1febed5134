// Batch speech APIs make a client poll a resource until it finishes (Speechmatics
// running→done, Gladia queued→processing→done, AssemblyAI queued→processing→completed).
// Each vendor documents its own statuses and order; what a journey checks while polling is
// the same for all of them, so it lives here and each vendor passes its table.
import type { Call, ScenarioContext } from '../scenario.ts';

/** A vendor's status lifecycle, in its own words. */
export interface Lifecycle {
  /** What the polled resource is called in failures: "job", "transcript". */
  what: string;
  /** Every status the spec documents. */
  statuses: string[];
  /** Where a resource may go from each status. Staying put between two reads is always allowed. */
  next: Record<string, string[]>;
  /** The status a new resource is in before the first read. */
  initial: string;
  /** Whether polling can stop at this status. */
  isFinished(status: string): boolean;
  /** The finished statuses as the failure states them when polling never stops: "done or rejected". */
  finishedAs: string;
  /** JSON pointer to where the spec documents the statuses. */
  statusPointer: string;
  /** Seconds of the target's time a real service may take to finish. */
  budgetSeconds: number;
}

export interface StatusRead {
  status: string;
  call: Call;
}

/**
 * Reads the resource through `ctx.time.until` (so a controllable clock is advanced, not waited
 * for) until it finishes; every status seen must be documented and reachable from the one
 * before. Returns the last status seen; a failure ends the step.
 */
export async function followLifecycle(ctx: ScenarioContext, lifecycle: Lifecycle, read: () => Promise<StatusRead>): Promise<string> {
  const { what, statuses, next, statusPointer, budgetSeconds } = lifecycle;
  let last = lifecycle.initial;
  const finished = await ctx.time.until(async () => {
    const seen = await read();
    ctx.expect(statuses.includes(seen.status), { message: `Undocumented ${what} status ${seen.status}`, expected: statuses.join(' | '), received: seen.status, call: seen.call, pointer: statusPointer });
    const reachable = [...new Set([last, ...(next[last] ?? [])])];
    ctx.expect(reachable.includes(seen.status), { message: `${/^[aeiou]/i.test(what) ? 'An' : 'A'} ${what} went from ${last} to ${seen.status}`, expected: `after ${last}: ${reachable.join(' | ')}`, received: seen.status, call: seen.call });
    last = seen.status;
    return lifecycle.isFinished(seen.status);
  }, budgetSeconds);
  ctx.expect(finished, { message: `The ${what} never finished`, expected: `${lifecycle.finishedAs} within ${budgetSeconds} s`, received: last });
  return last;
}

/**
 * Reads the resource until it shows `wanted` (to act on it while it is there, e.g. a DELETE
 * that must be refused); undefined once it has gone past `wanted`, or the budget is spent.
 * Small steps: a real service may be in a status for only a moment.
 */
export async function catchStatus(ctx: ScenarioContext, lifecycle: Lifecycle, readStatus: () => Promise<string>, wanted: string): Promise<string | undefined> {
  const order = lifecycle.statuses;
  for (let spent = 0; spent <= lifecycle.budgetSeconds; spent += 0.25) {
    const status = await readStatus();
    if (status === wanted) return status;
    if (!order.includes(status) || order.indexOf(status) > order.indexOf(wanted)) return undefined;
    if (ctx.time.controllable) await ctx.time.advance(0.25);
    else await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return undefined;
}
