// Where uploads and fetched media live while their job does: files in one temporary
// directory per emulator, removed when the job goes, on reset, and at shutdown.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface FileStore {
  /** A fresh path inside the store (the file is not created). */
  newPath(hint?: string): string;
  remove(path: string | undefined): Promise<void>;
  /** Removes every file; the store stays usable. */
  clear(): void;
  /** Removes the directory itself. */
  close(): void;
  /** The files held now (for tests and the curious). */
  list(): string[];
}

export function createFileStore(): FileStore {
  let dir: string | undefined;
  const ensure = () => (dir ??= mkdtempSync(join(tmpdir(), 'speechdouble-')));
  return {
    newPath: (hint = 'file') => join(ensure(), `${randomUUID()}-${hint.replace(/[^\w.-]/g, '_').slice(0, 40)}`),
    async remove(path) {
      if (path && dir && path.startsWith(dir)) await rm(path, { force: true });
    },
    clear() {
      if (dir) rmSync(dir, { recursive: true, force: true });
      dir = undefined;
    },
    close() {
      if (dir) rmSync(dir, { recursive: true, force: true });
      dir = undefined;
    },
    list: () => (dir ? readdirSync(dir).map((name) => join(dir!, name)) : []),
  };
}
