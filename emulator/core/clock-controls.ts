// The emulator's clock as test code holds it (startEmulator's `clock`, the msw host's `clock`):
// read it, move it forward by seconds or to an instant. Both go through the core clock's own
// advance, as `POST /__emulator/clock/advance` does, so what fell due has run when they resolve.
import type { Clock, ClockMode } from './clock.ts';

export interface ClockAdvanced {
  /** The clock after the move. */
  now: Date;
  /** How many scheduled steps fell due and ran. */
  ran: number;
}

export interface ClockControls {
  /** How this clock runs. */
  readonly mode: ClockMode;
  /** The emulator's current time: every timestamp it writes comes from here. */
  now(): Date;
  /**
   * Moves time forward by `seconds` (>= 0) and resolves once every step that fell due (job
   * transitions, callbacks and their retries, expiry) has run, in time order: the next request
   * sees the settled state.
   */
  advance(seconds: number): Promise<ClockAdvanced>;
  /**
   * Moves time forward to `instant`, as `advance` by the difference. Time never moves back: an
   * instant before `now()` is refused with a RangeError. On a real or scaled clock time lands on
   * `instant` and keeps running from there.
   */
  set(instant: Date | string | number): Promise<ClockAdvanced>;
  /**
   * The clock one tenant sees, by its credential (the API key or Bearer token, `user:password`
   * for HTTP basic): moving it runs that tenant's steps only and moves no one else's time, as
   * `X-Speechdouble-Tenant` does on the control API. This clock moves every tenant.
   */
  forTenant(credential: string): ClockControls;
}

/** `open(what)` throws when the emulator behind the clock is closed. */
export function clockControls(clock: Clock, open: (what: string) => void): ClockControls {
  const advanced = (ran: number): ClockAdvanced => ({ now: clock.now(), ran });
  return {
    mode: clock.mode,
    now: () => clock.now(),
    async advance(seconds) {
      open('clock.advance');
      if (!(typeof seconds === 'number' && Number.isFinite(seconds) && seconds >= 0)) throw new RangeError(`clock.advance takes a number of seconds >= 0, not ${String(seconds)}`);
      return advanced(await clock.advance(seconds));
    },
    async set(instant) {
      open('clock.set');
      const target = instant instanceof Date ? instant.getTime() : new Date(instant).getTime();
      if (Number.isNaN(target)) throw new RangeError(`clock.set takes a date, not ${String(instant)}`);
      const now = clock.nowMs();
      if (target < now) {
        throw new RangeError(`clock.set cannot move time back to ${new Date(target).toISOString()}: the emulator's time is already ${new Date(now).toISOString()} and only moves forward (reset() does not rewind it either)`);
      }
      // Read and advance in the same tick, so time lands on the instant.
      return advanced(await clock.advance((target - now) / 1000));
    },
    forTenant(credential) {
      if (typeof credential !== 'string' || credential === '') throw new RangeError('clock.forTenant takes a tenant\'s credential: a non-empty string');
      return clockControls(clock.forTenant(credential), open);
    },
  };
}
