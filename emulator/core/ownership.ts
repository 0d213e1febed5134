// What a resource (a job, an upload, a booking) holds beyond its own fields: the steps
// scheduled for it on the clock and the files it keeps on disk. Releasing them cancels the
// one and removes the other, so a deleted or reset resource never acts again later.
// Holdings are plain data on the resource (a finished job should weigh little); the
// functions that act on them are made once per emulator. The steps are not listed here: the
// clock knows them by their owner (the Holdings object), so a resource keeps no array of
// steps and no wrapper per step to take a step off that array when it runs.
import type { Clock } from './clock.ts';
import type { FileStore } from './file-store.ts';

type Step = () => void | Promise<void>;

export interface Holdings {
  /** Made exactly as long as needed (`[path]`): an array grown by push reserves 17 slots. */
  files?: string[];
  /** A step that waits for reads instead of time ("after N reads"). */
  onReads?: { remaining: number; step: Step };
}

/** Anything the core keeps for a tenant: it has an id and holds steps and files. */
export interface Resource {
  readonly id: string;
  held: Holdings;
}

export interface Ownership {
  /**
   * Runs `step` after `ms` of emulated time, unless the holder is released first. Give a
   * constant label ("speechmatics: a job expires"), not one built per resource: a finished
   * job keeps its expiry step for days, and every string it holds is memory.
   */
  after(held: Holdings, ms: number, label: string, step: Step): void;
  /** Runs `step` once the holder has been read `reads` times, unless released first. */
  afterReads(held: Holdings, reads: number, step: Step): void;
  /** One read of the resource: runs a step waiting on reads when its count is reached. */
  read(held: Holdings): Promise<void>;
  /** Takes a file into the holder's keeping: it goes when the holder is released. */
  keep(held: Holdings, path: string): string;
  /** Removes the holder's files now (an expired job loses its media but stays listed). */
  dropFiles(held: Holdings): Promise<void>;
  /** Cancels every step and removes every file. */
  release(held: Holdings): Promise<void>;
}

export function createOwnership(clock: Clock, files: FileStore): Ownership {
  const dropFiles = async (held: Holdings) => {
    for (const path of held.files ?? []) await files.remove(path);
    delete held.files;
  };
  return {
    after(held, ms, label, step) {
      clock.after(ms, label, step, held);
    },
    afterReads(held, reads, step) {
      held.onReads = { remaining: Math.max(1, reads), step };
    },
    async read(held) {
      if (!held.onReads || --held.onReads.remaining > 0) return;
      const { step } = held.onReads;
      delete held.onReads;
      await step();
    },
    keep(held, path) {
      files.claim(path);
      held.files = held.files ? [...held.files, path] : [path];
      return path;
    },
    dropFiles,
    async release(held) {
      clock.cancelOwned(held);
      delete held.onReads;
      await dropFiles(held);
    },
  };
}
