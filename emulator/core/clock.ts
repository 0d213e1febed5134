// The one clock every lifecycle step is scheduled on. Real time by default; scaled (N times
// faster) for demos and SDK tests that poll; manual for tests, where time moves only when
// advanced. Steps that fall due run in time order, and a step scheduled by a step runs in the
// same advance if it falls due before the advance ends, so a test reads settled state.

export type ClockMode = 'real' | 'scaled' | 'manual';

export interface ClockOptions {
  mode: ClockMode;
  /** Emulated seconds per real second; 1 unless `scaled`. */
  timeScale?: number;
  /** Where emulated time starts. Manual clocks start at a fixed instant, so runs repeat. */
  start?: Date;
  /** Real time in ms; injectable so the clock itself can be tested without waiting. */
  wallClock?: () => number;
}

export const MANUAL_CLOCK_START = new Date('2026-01-05T09:00:00.000Z');

export interface ScheduledStep {
  readonly id: number;
  readonly at: number;
  readonly label: string;
}

export interface Clock {
  readonly mode: ClockMode;
  readonly timeScale: number;
  /** Emulated time, ms since the epoch. */
  nowMs(): number;
  now(): Date;
  /**
   * Runs `step` when emulated time reaches `at` (ms). A time in the past runs at the next chance.
   * An `owner` (any object) lets `cancelOwned` find the step again without the owner keeping it.
   */
  schedule(at: number, label: string, step: () => void | Promise<void>, owner?: object): ScheduledStep;
  /** Runs `step` after `ms` of emulated time. */
  after(ms: number, label: string, step: () => void | Promise<void>, owner?: object): ScheduledStep;
  cancel(step: ScheduledStep): void;
  /** Cancels every pending step scheduled with this owner. */
  cancelOwned(owner: object): void;
  /** Moves emulated time forward and runs every step that falls due; resolves with how many ran. */
  advance(seconds: number): Promise<number>;
  pending(): number;
  /** Stops real timers; pending steps are dropped. */
  stop(): void;
}

interface Entry extends ScheduledStep {
  run: () => void | Promise<void>;
  owner: object | undefined;
}

export function createClock(options: ClockOptions): Clock {
  const mode = options.mode;
  const timeScale = mode === 'scaled' ? (options.timeScale ?? 1) : 1;
  if (!(timeScale > 0)) throw new RangeError('time scale must be greater than 0');
  const wall = options.wallClock ?? (() => Date.now());
  const wallStart = wall();
  const start = (options.start ?? (mode === 'manual' ? MANUAL_CLOCK_START : new Date(wallStart))).getTime();
  let offset = 0;
  let nextId = 1;
  let queue: Entry[] = [];
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<number> = Promise.resolve(0);

  const nowMs = () => (mode === 'manual' ? start + offset : start + (wall() - wallStart) * timeScale + offset);

  const insert = (entry: Entry) => {
    // Ordered by due time, then by scheduling order (ids grow), so equal times run first-come first-served.
    const index = queue.findIndex((e) => e.at > entry.at || (e.at === entry.at && e.id > entry.id));
    if (index === -1) queue.push(entry);
    else queue.splice(index, 0, entry);
  };

  /**
   * Runs due steps one at a time (a step may await), after any run already under way. With
   * `moveClock`, emulated time jumps to each step's due time before it runs (an advance);
   * without, real time has already brought it there (a timer firing).
   */
  const runDue = (until: number | (() => number), moveClock: boolean): Promise<number> => {
    const limit = typeof until === 'number' ? () => until : until;
    running = running.then(async () => {
      let ran = 0;
      while (queue.length && queue[0]!.at <= limit()) {
        const entry = queue.shift()!;
        if (moveClock && entry.at > nowMs()) offset += entry.at - nowMs();
        try {
          await entry.run();
        } catch (error) {
          // A step that throws is a bug in that step; the clock, and every other API's steps, go on.
          process.emitWarning(`scheduled step "${entry.label}" failed: ${(error as Error).message}`, 'SpeechdoubleWarning');
        }
        ran++;
      }
      arm();
      return ran;
    });
    return running;
  };

  const arm = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (mode === 'manual' || queue.length === 0) return;
    const delay = Math.max(0, (queue[0]!.at - nowMs()) / timeScale);
    // Node's timers take at most 2^31-1 ms; a longer wait re-arms when it ends.
    timer = setTimeout(() => void runDue(nowMs, false), Math.min(delay, 2 ** 31 - 1));
    timer.unref();
  };

  const schedule = (at: number, label: string, run: () => void | Promise<void>, owner?: object): ScheduledStep => {
    const entry: Entry = { id: nextId++, at, label, run, owner };
    insert(entry);
    arm();
    // The entry itself is the handle (read-only to callers): one object per step, not two,
    // since a finished job keeps its expiry step for days.
    return entry;
  };

  return {
    mode,
    timeScale,
    nowMs,
    now: () => new Date(nowMs()),
    schedule,
    // Emulated time has whole milliseconds: 2.474 s of work is 2474 ms, not 2473.9999.
    after: (ms, label, run, owner) => schedule(nowMs() + Math.round(ms), label, run, owner),
    cancel(step) {
      queue = queue.filter((e) => e.id !== step.id);
      arm();
    },
    cancelOwned(owner) {
      // Read, and cut only what is cancelled: a reset releases every job, each over the whole queue.
      let cancelled = false;
      for (let i = queue.length - 1; i >= 0; i--) {
        if (queue[i]!.owner !== owner) continue;
        queue.splice(i, 1);
        cancelled = true;
      }
      if (cancelled) arm();
    },
    async advance(seconds) {
      if (!(seconds >= 0)) throw new RangeError('seconds must be a number >= 0');
      const target = nowMs() + seconds * 1000;
      const ran = await runDue(target, true);
      if (target > nowMs()) offset += target - nowMs();
      return ran;
    },
    pending: () => queue.length,
    stop() {
      if (timer) clearTimeout(timer);
      timer = undefined;
      queue = [];
    },
  };
}
