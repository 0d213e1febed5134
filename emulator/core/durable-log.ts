// An append-only log on disk that survives `kill -9`: a record is durable once `append`
// resolves (written and fsynced), and reopening returns every durable record, in order. Built
// for `--data-dir` (state that outlives the process) without a native dependency: one file
// of lines, each `crc32 json`, so a torn last write (the process died mid-line) or a damaged
// tail is found and cut on open instead of being read as data.
//
// Appends made in the same moment share one write and one fsync (group commit): a burst of
// a thousand acknowledged requests costs a handful of fsyncs, not a thousand.
// `compact(records)` replaces the whole log with the given records atomically (a new file,
// fsynced, renamed over the old one, the directory fsynced), so it never holds less than
// either the old log or the new one.
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync, existsSync, ftruncateSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';

export interface DurableLog<R> {
  /** Resolves once the record is on disk (fsynced). */
  append(record: R): Promise<void>;
  /** Replaces the log with these records, atomically; appends wait for it. */
  compact(records: readonly R[]): Promise<void>;
  /** Bytes in the log file now (for deciding when to compact). */
  readonly bytes: number;
  /** Waits for pending appends, then closes the file. */
  close(): Promise<void>;
}

export interface OpenedLog<R> {
  /** Every durable record, oldest first. */
  records: R[];
  /** Bytes cut from a torn or damaged tail on open (0 when the log was whole). */
  discardedBytes: number;
  log: DurableLog<R>;
}

const line = (record: unknown): Buffer => {
  const json = JSON.stringify(record);
  const crc = crc32(json).toString(16).padStart(8, '0');
  return Buffer.from(`${crc} ${json}\n`);
};

/** Reads the good prefix of a log: each line whole, its checksum right, its JSON valid. */
function readRecords<R>(bytes: Buffer): { records: R[]; goodBytes: number } {
  const records: R[] = [];
  let start = 0;
  for (;;) {
    const end = bytes.indexOf(0x0a, start);
    if (end === -1) break; // no newline: a torn last write
    const text = bytes.toString('utf8', start, end);
    const space = text.indexOf(' ');
    const json = text.slice(space + 1);
    if (space !== 8 || crc32(json).toString(16).padStart(8, '0') !== text.slice(0, 8)) break;
    let record: R;
    try {
      record = JSON.parse(json) as R;
    } catch {
      break;
    }
    records.push(record);
    start = end + 1;
  }
  return { records, goodBytes: start };
}

function fsyncDirectory(dir: string): void {
  // A rename is durable once the directory is; some platforms cannot open a directory to sync it.
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // best effort
  }
}

/** Opens (or creates) `<dir>/<name>.log`, cutting any torn or damaged tail. */
export function openDurableLog<R>(dir: string, name: string): OpenedLog<R> {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${name}.log`);
  const existing = existsSync(path) ? readFileSync(path) : Buffer.alloc(0);
  const { records, goodBytes } = readRecords<R>(existing);
  let fd = openSync(path, existsSync(path) ? 'r+' : 'w+');
  if (goodBytes < existing.length) {
    ftruncateSync(fd, goodBytes);
    fsyncSync(fd);
  }
  let size = goodBytes;
  let closed = false;

  type Work = { kind: 'append'; bytes: Buffer } | { kind: 'compact'; records: readonly R[] };
  type Job = Work & { done: () => void; failed: (error: Error) => void };
  let queue: Job[] = [];
  let writing: Promise<void> | undefined;

  const writeAll = (target: number, bytes: Buffer, at: number) => {
    for (let written = 0; written < bytes.length; ) written += writeSync(target, bytes, written, bytes.length - written, at + written);
  };

  // One turn of the writer: every append queued so far in one write and one fsync; a
  // compaction on its own, in order with them.
  const drain = async (): Promise<void> => {
    while (queue.length) {
      // Let the appends of this moment gather before writing them.
      await new Promise<void>((resolve) => setImmediate(resolve));
      const batch = queue;
      queue = [];
      let appends: Extract<Job, { kind: 'append' }>[] = [];
      const flush = () => {
        if (!appends.length) return;
        const bytes = Buffer.concat(appends.map((job) => job.bytes));
        try {
          writeAll(fd, bytes, size);
          fsyncSync(fd);
          size += bytes.length;
          for (const job of appends) job.done();
        } catch (error) {
          for (const job of appends) job.failed(error as Error);
        }
        appends = [];
      };
      for (const job of batch) {
        if (job.kind === 'append') {
          appends.push(job);
          continue;
        }
        flush();
        try {
          const temporary = join(dir, `${name}.compacting`);
          const bytes = Buffer.concat(job.records.map(line));
          const next = openSync(temporary, 'w');
          try {
            writeAll(next, bytes, 0);
            fsyncSync(next);
          } finally {
            closeSync(next);
          }
          renameSync(temporary, path);
          fsyncDirectory(dir);
          closeSync(fd);
          fd = openSync(path, 'r+');
          size = bytes.length;
          job.done();
        } catch (error) {
          job.failed(error as Error);
        }
      }
      flush();
    }
    writing = undefined;
  };

  const enqueue = (job: Work): Promise<void> => {
    if (closed) return Promise.reject(new Error(`the log ${path} is closed`));
    return new Promise<void>((done, failed) => {
      queue.push({ ...job, done, failed });
      writing ??= drain();
    });
  };

  return {
    records,
    discardedBytes: existing.length - goodBytes,
    log: {
      append: (record) => enqueue({ kind: 'append', bytes: line(record) }),
      compact: (next) => enqueue({ kind: 'compact', records: next }),
      get bytes() {
        return size;
      },
      async close() {
        closed = true;
        await writing;
        closeSync(fd);
      },
    },
  };
}
