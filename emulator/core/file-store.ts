// Where uploads and fetched media live while their job does: files in one temporary
// directory per emulator, removed when the job goes, on reset, and at shutdown.
import { mkdirSync, mkdtempSync, readdirSync, rmSync, type WriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';

export interface FileStore {
  /**
   * A fresh path inside the store (the file is not created). `hint` is the emulator's own word
   * for what it holds (`upload`, `fetched`), never anything a request said.
   */
  newPath(hint?: string): string;
  remove(path: string | undefined): Promise<void>;
  /** Removes every file; the store stays usable. */
  clear(): void;
  /** Removes the directory itself. */
  close(): void;
  /** The files held now (for tests and the curious). */
  list(): string[];
  /** Marks a file as kept by a resource: the request that wrote it must not remove it. */
  claim(path: string): void;
  isClaimed(path: string): boolean;
}

/**
 * Resolves once a writer's file is closed. A writer destroyed before its file was opened (the body
 * failed at once) still opens it afterwards: a file removed before then comes back, empty, and
 * stays. Remove a failed write's file after this, not after its pipeline failed.
 */
export const whenClosed = (writer: WriteStream): Promise<void> => new Promise((resolve) => (writer.closed ? resolve() : writer.once('close', () => resolve())));

/**
 * `home`: a directory of its own that outlives the process (`--data-dir`): emptied when the
 * store is cleared, left as it is when it closes, so a restart finds the files its jobs keep.
 * Without it, a fresh temporary directory, removed on close.
 */
export function createFileStore(home?: string): FileStore {
  let dir: string | undefined;
  let claimed = new Set<string>();
  // A path is kept by its job for as long as the job lives, so it is made small: the directory
  // is this store's own (mkdtemp), so a counter names files uniquely where a UUID would add 36
  // characters; and it is one flat string (Array#join makes one), where path.join or a template
  // leaves a concatenation that V8 flattens later into a second string behind the first.
  let count = 0;
  const ensure = () => (dir ??= home ? (mkdirSync(home, { recursive: true }), home) : mkdtempSync(join(tmpdir(), 'speechdouble-')));
  return {
    newPath: (hint = 'file') => [ensure(), `${++count}-${hint.replace(/[^\w.-]/g, '_').slice(0, 40)}`].join(sep),
    async remove(path) {
      if (!path) return;
      claimed.delete(path);
      if (dir && path.startsWith(dir)) await rm(path, { force: true });
    },
    clear() {
      if (dir) rmSync(dir, { recursive: true, force: true });
      dir = undefined;
      claimed = new Set();
    },
    close() {
      if (dir && !home) rmSync(dir, { recursive: true, force: true });
      dir = undefined;
      claimed = new Set();
    },
    claim: (path) => void claimed.add(path),
    isClaimed: (path) => claimed.has(path),
    list: () => (dir ? readdirSync(dir).map((name) => join(dir!, name)) : []),
  };
}
