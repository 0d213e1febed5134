// Lifecycles as data: a table of which status may follow which, and a progression policy
// that says when the next step happens (moto's managed state offers the same choices):
// immediately, after N seconds, after a share of the audio's duration, or after N reads.
// The policy is a per-API setting, so a test can make jobs finish on the second poll.
import type { Holdings, Ownership, Resource } from './ownership.ts';

export type Transitions<S extends string> = Record<S, readonly S[]>;

export interface Lifecycle<S extends string> {
  readonly transitions: Transitions<S>;
  readonly statuses: readonly S[];
  /** Moves a resource on; a move the table does not allow is a bug, not a client error. */
  move(resource: { id: string; status: S }, to: S): void;
  /** Statuses that can still change (a resource in them may be locked, still running). */
  isFinal(status: S): boolean;
  /**
   * Retention: a resource still in the expiring status after `seconds` moves to the expired
   * one and loses its files, but stays listed (the vendor answers "expired", not "unknown").
   * `then` is called with its id once it has expired: pass a function made once (per API
   * state), not one per resource, since a finished resource keeps its expiry for days.
   */
  retain(ownership: Ownership, resource: Resource & { status: S }, seconds: number, label: string, then?: (id: string) => void): void;
}

export interface LifecycleOptions<S extends string> {
  /** Which status expires into which after the retention period, if the vendor has one. */
  expires?: { from: S; to: S };
}

export function defineLifecycle<S extends string>(transitions: Transitions<S>, options: LifecycleOptions<S> = {}): Lifecycle<S> {
  const statuses = Object.keys(transitions) as S[];
  const move = (resource: { id: string; status: S }, to: S) => {
    if (!transitions[resource.status].includes(to)) throw new Error(`${resource.id}: ${resource.status} → ${to} is not a transition`);
    resource.status = to;
  };
  return {
    transitions,
    statuses,
    move,
    isFinal: (status) => transitions[status].length === 0,
    retain(ownership, resource, seconds, label, then) {
      const { expires } = options;
      if (!expires) throw new Error(`${resource.id}: this lifecycle has no expiry`);
      ownership.after(resource.held, seconds * 1000, label, async () => {
        if (resource.status !== expires.from) return;
        move(resource, expires.to);
        then?.(resource.id);
        await ownership.dropFiles(resource.held);
      });
    },
  };
}

export type Progression =
  | { kind: 'immediate' }
  | { kind: 'seconds'; seconds: number }
  /** A share of the audio's duration, never less than `minSeconds`. */
  | { kind: 'share'; share: number; minSeconds: number }
  | { kind: 'reads'; reads: number };

/** The setting's text form: `immediate`, `seconds:N`, `share:F` (or `share:F,min:N`), `reads:N`. */
export function parseProgression(text: string, minSeconds = 0): Progression {
  const [kind, value, ...rest] = text.trim().split(/[:,]/);
  const number = Number(value);
  if (kind === 'immediate' && value === undefined) return { kind: 'immediate' };
  if (kind === 'seconds' && number >= 0 && !rest.length) return { kind: 'seconds', seconds: number };
  if (kind === 'reads' && Number.isInteger(number) && number >= 1 && !rest.length) return { kind: 'reads', reads: number };
  if (kind === 'share' && number > 0) {
    if (!rest.length) return { kind: 'share', share: number, minSeconds };
    if (rest[0] === 'min' && Number(rest[1]) >= 0 && rest.length === 2) return { kind: 'share', share: number, minSeconds: Number(rest[1]) };
  }
  throw new RangeError(`"${text}" is not a progression: immediate, seconds:N, share:F[,min:N] or reads:N`);
}

export function formatProgression(p: Progression): string {
  switch (p.kind) {
    case 'immediate': return 'immediate';
    case 'seconds': return `seconds:${p.seconds}`;
    case 'reads': return `reads:${p.reads}`;
    case 'share': return `share:${p.share},min:${p.minSeconds}`;
  }
}

/** Emulated seconds until the next step, or undefined when reads drive it. */
export function delaySeconds(p: Progression, durationSeconds = 0): number | undefined {
  switch (p.kind) {
    case 'immediate': return 0;
    case 'seconds': return p.seconds;
    case 'share': return Math.max(p.minSeconds, durationSeconds * p.share);
    case 'reads': return undefined;
  }
}

/** Schedules a resource's next step by the policy: on the clock, or on its Nth read. */
export function progress(ownership: Ownership, held: Holdings, policy: Progression, durationSeconds: number, label: string, step: () => void | Promise<void>): void {
  const seconds = delaySeconds(policy, durationSeconds);
  if (seconds === undefined) ownership.afterReads(held, (policy as { reads: number }).reads, step);
  else ownership.after(held, seconds * 1000, label, step);
}
