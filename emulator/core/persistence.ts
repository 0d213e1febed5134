// `--data-dir DIR`: state that survives a restart and a `kill -9`. The emulator is
// deterministic (same seed, same inputs, same instants: same state), so what is stored is not
// each vendor's resources but what happened to them: every execution (a handler, a clock
// step, a control operation that changes state), in the order it ran, with the instant it ran
// at and whatever it learned from outside (a fetched file, a receiver's answer). A restart
// replays the log and arrives at the same jobs, uploads, bookings, rooms, usage, scheduled
// steps, callback attempts and ids; then the clock resumes, and a step that fell due while the
// emulator was down runs first.
//
// To make the order recorded the order that ran, executions run one at a time (a mutex) with
// the clock held still at the instant each began. A record is durable (durable-log.ts: fsync,
// group commit) before the request it belongs to is answered, so an acknowledged request is
// never lost; one the process died in may or may not have happened, as with any server.
// Files a request uploaded or a step fetched are kept by hard link in DIR/inputs, so a replay
// has them even after their job deleted its own copy. A full reset empties the log.
import { linkSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ClockControls, StepRun } from './clock.ts';
import { openDurableLog, type DurableLog } from './durable-log.ts';
import { runExecution, type Execution, type IoResult } from './recorded-io.ts';

const VERSION = 1;

/** What decides how the same inputs play out: a data dir is replayed only under the same. */
export type Fingerprint = Record<string, unknown>;

export interface StartRecord {
  k: 'start';
  v: number;
  fingerprint: Fingerprint;
  /** The clock's start and the real time it stood for, so emulated time runs on across restarts. */
  start: number;
  wallStart: number;
}

/** Common to every execution: when it ran (global ms), the next step id then, its tenant's lead, and what it learned outside. */
interface Stamp {
  t: number;
  n: number;
  /** The seeded random source's state: a refusal rendered outside any execution (Gladia's request ids) draws from it too. */
  r: number;
  tenant?: string;
  a?: number;
  io?: IoResult[];
}

/** A stateful API's handler ran (what it was given, with its files kept in inputs/). */
export interface OperationRecord extends Stamp {
  k: 'op';
  api: string;
  template: string;
  method: string;
  request: unknown;
  /** Paths in `request` and the names their bytes are kept under in inputs/. */
  files: [string, string][];
}

export interface StepRecord extends Stamp {
  k: 'step';
  id: number;
}

/** A control operation that changes state (a fixture, a reset, an API's own control operation). */
export interface ControlRecord extends Stamp {
  k: 'control';
  method: string;
  path: string;
  query: Record<string, string | string[]>;
  headers: Record<string, string>;
  body: string;
}

/** Where the clock stood after an advance (or a reset that emptied the log). */
export interface ClockRecord {
  k: 'clock';
  t: number;
  offset: number;
  n: number;
  leads: [string, number][];
}

export type Recorded = StartRecord | OperationRecord | StepRecord | ControlRecord | ClockRecord;
type Execute = Omit<OperationRecord, keyof Stamp> | Omit<ControlRecord, keyof Stamp> | Omit<StepRecord, keyof Stamp>;

export class DataDirMismatch extends Error {
  override readonly name = 'DataDirMismatch';
}

/** Another running emulator holds the data dir: two appending to one log would interleave their records. */
export class DataDirInUse extends Error {
  override readonly name = 'DataDirInUse';
}

/** Whether a process is running: a zombie (killed, not yet reaped, as under a container's PID 1 that reaps nothing) is not. */
const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    // Linux: the state follows the command name in parentheses.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^[ZX]/.test(stat.slice(stat.lastIndexOf(')') + 2));
  } catch {
    return true;
  }
};

/**
 * Takes DIR/lock for this process, or throws DataDirInUse naming the process that holds it. A
 * lock whose process is gone (a `kill -9`) is taken over. Returns its release.
 */
function lockDataDir(dir: string): () => void {
  const path = join(dir, 'lock');
  const mine = String(process.pid);
  try {
    writeFileSync(path, mine, { flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const holder = Number(readFileSync(path, 'utf8').trim());
    if (Number.isInteger(holder) && holder > 0 && isAlive(holder)) {
      throw new DataDirInUse(`${dir} is in use by another emulator (process ${holder}${holder === process.pid ? ', this one' : ''}); stop it first, or give each emulator its own --data-dir (if no such process is an emulator, remove ${path})`);
    }
    writeFileSync(path, mine);
  }
  let released = false;
  return () => {
    if (released) return;
    released = true;
    try {
      if (readFileSync(path, 'utf8').trim() === mine) rmSync(path, { force: true });
    } catch {
      // Gone already: nothing to release.
    }
  };
}

export interface OpenedDataDir {
  dir: string;
  /** Where the clock starts (the first run's), to build it with. */
  start: number;
  wallStart: number;
  /** The file store's home. */
  filesDir: string;
}

/** Replays one recorded execution; the emulator knows how (which API, which control operation). */
export interface Replayers {
  operation(record: OperationRecord, files: Map<string, string>): Promise<void>;
  control(record: ControlRecord): Promise<void>;
}

export interface Persistence {
  /** Runs `work` as one recorded execution; resolves (or rejects) once its record is on disk. */
  execute<T>(describe: () => Execute, work: () => Promise<T>, tenant?: string): Promise<T>;
  /** The clock hook: each step an execution of its own. */
  step(step: StepRun, run: () => void | Promise<void>): Promise<void>;
  /** An advance moved the clock: where it stands now. */
  clockMoved(): Promise<void>;
  /** After a full reset: the log holds only where the clock stands. */
  emptied(): Promise<void>;
  /** Keeps a request's files in inputs/ (hard links): [path, name] pairs for its record. */
  keepInputs(paths: string[]): [string, string][];
  /** Replays the log; the clock is suspended meanwhile and resumed after. */
  replay(replayers: Replayers, newPath: () => string): Promise<{ executions: number; skipped: number; discardedBytes: number }>;
  close(): Promise<void>;
}

const sameFingerprint = (a: Fingerprint, b: Fingerprint) => JSON.stringify(a) === JSON.stringify(b);

function describeDifference(stored: Fingerprint, given: Fingerprint): string {
  const names = [...new Set([...Object.keys(stored), ...Object.keys(given)])].filter((name) => JSON.stringify(stored[name]) !== JSON.stringify(given[name]));
  return names.map((name) => `${name}: ${JSON.stringify(stored[name] ?? null)} there, ${JSON.stringify(given[name] ?? null)} now`).join('; ');
}

/**
 * Opens (or makes) a data dir. Throws DataDirMismatch when it was made under other settings:
 * replaying one run's requests under another seed or clock would make different state.
 */
export function openDataDir(dir: string, fingerprint: Fingerprint, clockStart: { start: number; wallStart: number }): { opened: OpenedDataDir; log: DurableLog<Recorded>; records: Recorded[]; discardedBytes: number; unlock: () => void } {
  mkdirSync(dir, { recursive: true });
  // Before the log is opened: opening cuts a torn last record, a write another emulator's log would not survive.
  const unlock = lockDataDir(dir);
  let opened: ReturnType<typeof openDurableLog<Recorded>>;
  try {
    opened = openDurableLog<Recorded>(dir, 'executions');
  } catch (error) {
    unlock();
    throw error;
  }
  const { records, discardedBytes, log } = opened;
  let first = records[0];
  const refuse = (message: string) => {
    void log.close();
    unlock();
    return new DataDirMismatch(message);
  };
  if (first && (first.k !== 'start' || first.v !== VERSION)) throw refuse(`${dir} was written by another version of speechdouble; start with an empty --data-dir`);
  if (first && !sameFingerprint(first.fingerprint, fingerprint)) {
    throw refuse(`${dir} was made with other settings (${describeDifference(first.fingerprint, fingerprint)}); start with those, or with an empty --data-dir`);
  }
  if (!first) {
    first = { k: 'start', v: VERSION, fingerprint, ...clockStart };
    records.push(first);
    void log.append(first);
  }
  const filesDir = join(dir, 'files');
  // The files are made again by the replay (from inputs/): what is there now is what the last run left.
  rmSync(filesDir, { recursive: true, force: true });
  mkdirSync(join(dir, 'inputs'), { recursive: true });
  return { opened: { dir, start: first.start, wallStart: first.wallStart, filesDir }, log, records, discardedBytes, unlock };
}

/** The runtime's random source as it is now (a full reset replaces it). */
export interface RandomState {
  get(): number;
  set(state: number): void;
}

export function createPersistence(opened: ReturnType<typeof openDataDir>, clock: ClockControls, random: RandomState): Persistence {
  const { log } = opened;
  const inputs = join(opened.opened.dir, 'inputs');
  const start = opened.records[0] as StartRecord;
  let replaying = false;
  let inputCount = 0;
  let lock: Promise<void> = Promise.resolve();

  /** One execution at a time; resolves with the function that lets the next one go. */
  const acquire = (): Promise<() => void> => {
    let release!: () => void;
    const mine = new Promise<void>((resolve) => (release = resolve));
    const previous = lock;
    lock = previous.then(() => mine);
    return previous.then(() => release);
  };

  const keepFile = (path: string): string => {
    const name = `${process.pid}-${Date.now().toString(36)}-${++inputCount}`;
    linkSync(path, join(inputs, name));
    return name;
  };
  const restoreFile = (name: string, path: string) => linkSync(join(inputs, name), path);

  const stamp = (tenant: string | undefined): Omit<Stamp, 'io'> => {
    const t = clock.rawNowMs();
    const lead = tenant ? clock.leads().find(([name]) => name === tenant)?.[1] : undefined;
    return { t, n: clock.nextId(), r: random.get(), ...(tenant && { tenant }), ...(lead && { a: lead }) };
  };

  async function execute<T>(describe: () => Execute, work: () => Promise<T>, tenant?: string): Promise<T> {
    if (replaying) return work();
    const release = await acquire();
    let durable: Promise<void>;
    let outcome: { ok: true; value: T } | { ok: false; error: unknown };
    try {
      const when = stamp(tenant);
      clock.pin(when.t);
      const described = describe();
      const execution: Execution = { recorded: [], keepFile, restoreFile };
      try {
        outcome = { ok: true, value: await runExecution(execution, work) };
      } catch (error) {
        outcome = { ok: false, error };
      } finally {
        clock.unpin();
      }
      // Recorded either way: a handler that refused may still have changed something first.
      durable = append({ ...described, ...when, ...(execution.recorded!.length > 0 && { io: execution.recorded }) } as Recorded);
    } finally {
      release();
    }
    // Outside the lock: the next execution runs while this one's record reaches the disk
    // (their records share an fsync), and this answer waits for its own.
    await durable;
    if (!outcome.ok) throw outcome.error;
    return outcome.value;
  }

  // A record that could not be written is a failure of the data dir, said once per burst; the
  // request is still answered (its state is in memory) but will not survive a restart.
  let warned = false;
  const append = (record: Recorded): Promise<void> =>
    log.append(record).catch((error: Error) => {
      if (!warned) process.emitWarning(`--data-dir: a record could not be written (${error.message}); state from now on may not survive a restart`, 'SpeechdoubleWarning');
      warned = true;
    });

  const clockRecord = (): ClockRecord => ({ k: 'clock', t: clock.rawNowMs(), offset: clock.offset(), n: clock.nextId(), leads: clock.leads() });

  return {
    execute,
    step(step, run) {
      return execute(() => ({ k: 'step', id: step.id }), async () => void (await run()), step.tenant || undefined);
    },
    async clockMoved() {
      if (!replaying) await append(clockRecord());
    },
    async emptied() {
      if (replaying) return;
      await log.compact([start, clockRecord()]);
      for (const name of readdirSync(inputs)) rmSync(join(inputs, name), { force: true });
    },
    keepInputs: (paths) => (replaying ? [] : paths.map((path) => [path, keepFile(path)])),
    async replay(replayers, newPath) {
      replaying = true;
      clock.suspend(true);
      let executions = 0;
      let skipped = 0;
      let latest = start.start;
      let offset = 0;
      const leads = new Map<string, number>();
      try {
        for (const record of opened.records) {
          if (record.k === 'start') continue;
          latest = Math.max(latest, record.t);
          if (record.k === 'clock') {
            offset = record.offset;
            clock.setOffset(offset);
            clock.setNextId(Math.max(clock.nextId(), record.n));
            for (const tenant of leads.keys()) if (!record.leads.some(([name]) => name === tenant)) clock.setAhead(tenant, 0);
            leads.clear();
            for (const [tenant, ahead] of record.leads) {
              leads.set(tenant, ahead);
              clock.setAhead(tenant, ahead);
            }
            continue;
          }
          clock.setNextId(record.n);
          random.set(record.r);
          if (record.tenant) {
            leads.set(record.tenant, record.a ?? 0);
            clock.setAhead(record.tenant, record.a ?? 0);
          }
          clock.pin(record.t);
          const execution: Execution = { replayed: [...(record.io ?? [])], keepFile, restoreFile };
          try {
            await runExecution(execution, async () => {
              if (record.k === 'step') {
                if (!(await clock.runById(record.id))) skipped++;
              } else if (record.k === 'op') {
                const files = new Map<string, string>();
                for (const [path, name] of record.files) {
                  const fresh = newPath();
                  restoreFile(name, fresh);
                  files.set(path, fresh);
                }
                await replayers.operation(record, files);
              } else {
                await replayers.control(record);
              }
            });
          } catch (error) {
            // An execution that failed live (a handler's refusal) fails the same way again.
            if ((error as Error).name === 'ReplayDivergence') process.emitWarning(`--data-dir: ${(error as Error).message}`, 'SpeechdoubleWarning');
          } finally {
            clock.unpin();
          }
          executions++;
        }
        // Time never runs back: not before the last instant anything ran at, nor before the last advance.
        const base = clock.rawNowMs() - clock.offset();
        clock.setOffset(Math.max(offset, latest - base));
      } finally {
        replaying = false;
        clock.suspend(false);
      }
      return { executions, skipped, discardedBytes: opened.discardedBytes };
    },
    async close() {
      try {
        await log.close();
      } finally {
        opened.unlock();
      }
    },
  };
}
