// What an execution (a handler, a step) learned from outside the emulator: a fetched file, a
// receiver's answer to a callback. With `--data-dir` each such result is written into the
// execution's record, so a replay after a restart gets the same answer without asking again
// (the receiver may be gone, the media changed). Without `--data-dir` nothing is recorded and
// these functions just call through.
import { AsyncLocalStorage } from 'node:async_hooks';

/** One outside result, as it is stored: JSON, with any file kept under `file` (persistence.ts). */
export interface IoResult {
  kind: string;
  ok?: unknown;
  error?: { reason: string; status?: number };
}

export interface Execution {
  /** Live: results are pushed here. */
  recorded?: IoResult[];
  /** Replay: results are taken from here, in order. */
  replayed?: IoResult[];
  /** Keeps a file the execution fetched (a hard link in the data dir); its name there. */
  keepFile(path: string): string;
  /** Puts a kept file back at `path`. */
  restoreFile(name: string, path: string): void;
}

const current = new AsyncLocalStorage<Execution>();

export const runExecution = <T>(execution: Execution, work: () => Promise<T>): Promise<T> => current.run(execution, work);

export class ReplayDivergence extends Error {
  override readonly name = 'ReplayDivergence';
}

/**
 * Runs `live` (an outside call), recorded; in a replay, returns the recorded result instead.
 * `save` turns a success into JSON, `load` back; a thrown error is stored by `failure` and thrown
 * again by `raise`.
 */
export async function recordedIo<T>(kind: string, live: () => Promise<T>, codec: {
  save: (value: T, execution: Execution) => unknown;
  load: (saved: unknown, execution: Execution) => T;
  failure?: (error: unknown) => { reason: string; status?: number } | undefined;
  raise?: (failure: { reason: string; status?: number }) => Error;
}): Promise<T> {
  const execution = current.getStore();
  if (!execution) return live();
  if (execution.replayed) {
    const result = execution.replayed.shift();
    if (!result || result.kind !== kind) throw new ReplayDivergence(`the record has ${result ? result.kind : 'nothing'} where the replay asks for ${kind}`);
    if (result.error) throw (codec.raise ?? ((f) => new Error(f.reason)))(result.error);
    return codec.load(result.ok, execution);
  }
  try {
    const value = await live();
    execution.recorded?.push({ kind, ok: codec.save(value, execution) });
    return value;
  } catch (error) {
    const failure = codec.failure?.(error);
    // An error that is not an outside answer (a bug) is not recorded: the replay will meet it again.
    if (failure) execution.recorded?.push({ kind, error: failure });
    throw error;
  }
}
