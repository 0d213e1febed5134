// The clock every lifecycle step is scheduled on. Real time by default; scaled (N times
// faster) for demos and SDK tests that poll; manual for tests, where time moves only when
// advanced. Steps that fall due run in time order, and a step scheduled by a step runs in the
// same advance if it falls due before the advance ends, so a test reads settled state.
//
// One emulator is often shared (a team's stand-in, a CI service container), and a test that
// moves time by a week would move it under everyone's jobs. So each tenant (a credential) has
// its own view of the clock: the global time plus whatever that tenant alone was advanced.
// Advancing a tenant's clock runs that tenant's steps only; advancing the global clock moves
// every tenant with it. A tenant nobody advanced alone simply reads the global time.

export type ClockMode = 'real' | 'scaled' | 'manual';

export interface ClockOptions {
  mode: ClockMode;
  /** Emulated seconds per real second; 1 unless `scaled`. */
  timeScale?: number;
  /** Where emulated time starts. Manual clocks start at a fixed instant, so runs repeat. */
  start?: Date;
  /** Real time in ms; injectable so the clock itself can be tested without waiting. */
  wallClock?: () => number;
  /** The real time `start` stood for (default: now); a clock revived from `--data-dir` keeps its first run's. */
  wallStart?: number;
  /**
   * Runs each due step (default: `run()`). `--data-dir` runs steps one at a time with requests'
   * handlers and records each (persistence.ts).
   */
  execute?: (step: StepRun, run: () => void | Promise<void>) => Promise<void>;
  /** Called once an advance (of any tenant's clock, by any caller) has moved time: `--data-dir` records where it stands. */
  moved?: () => Promise<void>;
}

/** A step about to run: which, and on whose clock. */
export interface StepRun {
  id: number;
  label: string;
  tenant: string;
}

/**
 * What `--data-dir` needs beyond the Clock: to hold time still while one execution runs (so a
 * replay sees the same instants), to run a recorded step by its id, and to put time and ids
 * back where a previous run left them.
 */
export interface ClockControls {
  /** The global time, never held: what the clock itself moves by. */
  rawNowMs(): number;
  /** Holds every view's `now` at this global time until `unpin`. */
  pin(globalMs: number): void;
  unpin(): void;
  /** While suspended no timer runs steps (a replay runs them itself). */
  suspend(suspended: boolean): void;
  /** The id the next scheduled step gets; set before replaying what scheduled steps. */
  nextId(): number;
  setNextId(id: number): void;
  offset(): number;
  setOffset(ms: number): void;
  /** Every tenant ahead of the global clock, and by how much. */
  leads(): [string, number][];
  setAhead(tenant: string, ms: number): void;
  /** Runs a pending step now, wherever it is due (a replayed one); false if no step has this id. */
  runById(id: number): Promise<boolean>;
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
   * Runs `step` when this clock's time reaches `at` (ms). A time in the past runs at the next
   * chance. An `owner` (any object) lets `cancelOwned` find the step again without the owner
   * keeping it.
   */
  schedule(at: number, label: string, step: () => void | Promise<void>, owner?: object): ScheduledStep;
  /** Runs `step` after `ms` of this clock's time. */
  after(ms: number, label: string, step: () => void | Promise<void>, owner?: object): ScheduledStep;
  /** Cancels a step, on whichever tenant's clock it is. */
  cancel(step: ScheduledStep): void;
  /** Cancels every pending step scheduled with this owner, on every tenant's clock. */
  cancelOwned(owner: object): void;
  /**
   * Moves this clock forward and runs every step that falls due on it; resolves with how many
   * ran. The global clock moves every tenant; a tenant's clock moves that tenant only.
   */
  advance(seconds: number): Promise<number>;
  /** Steps waiting: on every clock for the global one, on its own for a tenant's. */
  pending(): number;
  /** How far this clock is ahead of the global one, in ms: 0 for the global clock itself. */
  aheadMs(): number;
  /** The clock as `tenant` sees it; '' is the global clock. */
  forTenant(tenant: string): Clock;
  /** Stops real timers; pending steps are dropped, on every clock. */
  stop(): void;
}

interface Entry extends ScheduledStep {
  run: () => void | Promise<void>;
  owner: object | undefined;
}

/** One tenant's steps, in due order, and how far that tenant's time is ahead of the global time. */
interface Lane {
  ahead: number;
  queue: Entry[];
}

const GLOBAL = '';

export function createClock(options: ClockOptions): Clock {
  return createClockWithControls(options).clock;
}

export function createClockWithControls(options: ClockOptions): { clock: Clock; controls: ClockControls } {
  const mode = options.mode;
  const timeScale = mode === 'scaled' ? (options.timeScale ?? 1) : 1;
  if (!(timeScale > 0)) throw new RangeError('time scale must be greater than 0');
  const wall = options.wallClock ?? (() => Date.now());
  const wallStart = options.wallStart ?? wall();
  let pinned: number | undefined;
  let suspended = false;
  const start = (options.start ?? (mode === 'manual' ? MANUAL_CLOCK_START : new Date(wallStart))).getTime();
  let offset = 0;
  let nextId = 1;
  // The global lane is always there; a tenant's exists while it has steps or is ahead, so a
  // fuzzer sending thousands of keys leaves nothing behind.
  let lanes = new Map<string, Lane>([[GLOBAL, { ahead: 0, queue: [] }]]);
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<number> = Promise.resolve(0);

  const globalNow = () => (mode === 'manual' ? start + offset : start + (wall() - wallStart) * timeScale + offset);
  /** What the views read: the global time, or the instant an execution holds it at. */
  const visibleNow = () => pinned ?? globalNow();
  const laneOf = (tenant: string): Lane => {
    let lane = lanes.get(tenant);
    if (!lane) lanes.set(tenant, (lane = { ahead: 0, queue: [] }));
    return lane;
  };
  const forget = (tenant: string, lane: Lane) => {
    if (tenant !== GLOBAL && lane.ahead === 0 && lane.queue.length === 0 && lanes.get(tenant) === lane) lanes.delete(tenant);
  };

  const insert = (queue: Entry[], entry: Entry) => {
    // Ordered by due time, then by scheduling order (ids grow), so equal times run first-come first-served.
    const index = queue.findIndex((e) => e.at > entry.at || (e.at === entry.at && e.id > entry.id));
    if (index === -1) queue.push(entry);
    else queue.splice(index, 0, entry);
  };

  /** The tenant whose next step falls due first in global time (ties: the step scheduled first). */
  const firstDue = (): { tenant: string; lane: Lane; at: number } | undefined => {
    let first: { tenant: string; lane: Lane; at: number } | undefined;
    for (const [tenant, lane] of lanes) {
      const head = lane.queue[0];
      if (!head) continue;
      const at = head.at - lane.ahead;
      if (!first || at < first.at || (at === first.at && head.id < first.lane.queue[0]!.id)) first = { tenant, lane, at };
    }
    return first;
  };

  const runStep = async (entry: Entry, tenant: string) => {
    try {
      await (options.execute ? options.execute({ id: entry.id, label: entry.label, tenant }, entry.run) : entry.run());
    } catch (error) {
      // A step that throws is a bug in that step; the clock, and every other API's steps, go on.
      process.emitWarning(`scheduled step "${entry.label}" failed: ${(error as Error).message}`, 'SpeechdoubleWarning');
    }
  };

  /**
   * Runs due steps one at a time (a step may await), after any run already under way. Without
   * `only`, every tenant's steps due by global time `until()`; with it, that tenant's steps due
   * by its own time `until()`. With `moveClock`, time jumps to each step's due time before it
   * runs (an advance); without, real time has already brought it there (a timer firing).
   */
  const runDue = (until: () => number, moveClock: boolean, only?: string): Promise<number> => {
    running = running.then(async () => {
      let ran = 0;
      for (;;) {
        let tenant: string;
        let lane: Lane | undefined;
        if (only === undefined) {
          const first = firstDue();
          if (!first || first.at > until()) break;
          ({ tenant, lane } = first);
          if (moveClock && first.at > globalNow()) offset += first.at - globalNow();
        } else {
          tenant = only;
          lane = lanes.get(tenant);
          const head = lane?.queue[0];
          if (!lane || !head || head.at > until()) break;
          const now = globalNow() + lane.ahead;
          if (moveClock && head.at > now) lane.ahead += head.at - now;
        }
        const entry = lane.queue.shift()!;
        forget(tenant, lane);
        await runStep(entry, tenant);
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
    if (mode === 'manual' || suspended) return;
    const first = firstDue();
    if (!first) return;
    const delay = Math.max(0, (first.at - globalNow()) / timeScale);
    // Node's timers take at most 2^31-1 ms; a longer wait re-arms when it ends.
    timer = setTimeout(() => void runDue(globalNow, false), Math.min(delay, 2 ** 31 - 1));
    timer.unref();
  };

  const cancelWhere = (cancelled: (entry: Entry) => boolean) => {
    // Read, and cut only what is cancelled: a reset releases every job, each over the whole queue.
    let any = false;
    for (const [tenant, lane] of lanes) {
      const { queue } = lane;
      for (let i = queue.length - 1; i >= 0; i--) {
        if (!cancelled(queue[i]!)) continue;
        queue.splice(i, 1);
        any = true;
      }
      forget(tenant, lane);
    }
    if (any) arm();
  };

  const view = (tenant: string): Clock => {
    const nowMs = () => visibleNow() + (lanes.get(tenant)?.ahead ?? 0);
    const rawNow = () => globalNow() + (lanes.get(tenant)?.ahead ?? 0);
    const schedule = (at: number, label: string, run: () => void | Promise<void>, owner?: object): ScheduledStep => {
      const entry: Entry = { id: nextId++, at, label, run, owner };
      insert(laneOf(tenant).queue, entry);
      arm();
      // The entry itself is the handle (read-only to callers): one object per step, not two,
      // since a finished job keeps its expiry step for days.
      return entry;
    };
    const global = tenant === GLOBAL;
    return {
      mode,
      timeScale,
      nowMs,
      now: () => new Date(nowMs()),
      schedule,
      // Emulated time has whole milliseconds: 2.474 s of work is 2474 ms, not 2473.9999.
      after: (ms, label, run, owner) => schedule(nowMs() + Math.round(ms), label, run, owner),
      cancel: (step) => cancelWhere((entry) => entry.id === step.id),
      cancelOwned: (owner) => cancelWhere((entry) => entry.owner === owner),
      async advance(seconds) {
        if (!(seconds >= 0)) throw new RangeError('seconds must be a number >= 0');
        const target = rawNow() + seconds * 1000;
        const ran = await runDue(() => target, true, global ? undefined : tenant);
        const now = rawNow();
        if (target > now) {
          if (global) offset += target - now;
          else laneOf(tenant).ahead += target - now;
        }
        arm();
        await options.moved?.();
        return ran;
      },
      pending() {
        if (!global) return lanes.get(tenant)?.queue.length ?? 0;
        let count = 0;
        for (const lane of lanes.values()) count += lane.queue.length;
        return count;
      },
      aheadMs: () => lanes.get(tenant)?.ahead ?? 0,
      forTenant: (other) => (other === GLOBAL ? globalClock : view(other)),
      stop() {
        if (timer) clearTimeout(timer);
        timer = undefined;
        lanes = new Map([[GLOBAL, { ahead: 0, queue: [] }]]);
      },
    };
  };

  const globalClock = view(GLOBAL);
  const controls: ClockControls = {
    rawNowMs: globalNow,
    pin: (ms) => void (pinned = ms),
    unpin: () => void (pinned = undefined),
    suspend(value) {
      suspended = value;
      arm();
    },
    nextId: () => nextId,
    setNextId: (id) => void (nextId = id),
    offset: () => offset,
    setOffset: (ms) => void (offset = ms),
    leads: () => [...lanes].filter(([tenant, lane]) => tenant !== GLOBAL && lane.ahead !== 0).map(([tenant, lane]) => [tenant, lane.ahead]),
    setAhead(tenant, ms) {
      if (tenant === GLOBAL) return;
      const lane = laneOf(tenant);
      lane.ahead = ms;
      forget(tenant, lane);
    },
    async runById(id) {
      for (const [tenant, lane] of lanes) {
        const index = lane.queue.findIndex((entry) => entry.id === id);
        if (index === -1) continue;
        const [entry] = lane.queue.splice(index, 1);
        forget(tenant, lane);
        // Straight to the step: the replay is the execution (it holds the time and the io).
        try {
          await entry!.run();
        } catch (error) {
          process.emitWarning(`scheduled step "${entry!.label}" failed: ${(error as Error).message}`, 'SpeechdoubleWarning');
        }
        return true;
      }
      return false;
    },
  };
  return { clock: globalClock, controls };
}
