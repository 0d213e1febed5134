// The files and folder a run writes (--json, --junit, --report-dir), checked before its first
// request: a run against a vendor may take minutes and cost money, and must not end in a stack
// trace because a folder was missing. Each check answers the problem as a sentence, or nothing.
import { constants } from 'node:fs';
import { access, mkdir, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

const code = (error: unknown) => (error as NodeJS.ErrnoException).code ?? (error as Error).message;

/** A file the run will write: it may exist (a file it may write over), else its folder must exist and take new files. */
export async function checkOutputFile(flag: string, path: string): Promise<string | undefined> {
  const full = resolve(path);
  const existing = await stat(full).catch(() => undefined);
  if (existing?.isDirectory()) return `${flag} ${path} is a folder; give a file name`;
  if (existing) {
    return access(full, constants.W_OK).then(() => undefined, (error: unknown) => `${flag} ${path} cannot be written (${code(error)})`);
  }
  const folder = dirname(full);
  const parent = await stat(folder).catch(() => undefined);
  if (!parent) return `${flag} ${path}: the folder ${folder} does not exist`;
  if (!parent.isDirectory()) return `${flag} ${path}: ${folder} is not a folder`;
  return access(folder, constants.W_OK).then(() => undefined, (error: unknown) => `${flag} ${path}: the folder ${folder} cannot be written (${code(error)})`);
}

/** A folder the run will write into: made now (with its parents) when it does not exist. */
export async function prepareOutputDir(flag: string, path: string): Promise<string | undefined> {
  const full = resolve(path);
  const existing = await stat(full).catch(() => undefined);
  if (existing && !existing.isDirectory()) return `${flag} ${path} is a file, not a folder`;
  if (!existing) {
    const made = await mkdir(full, { recursive: true }).then(() => undefined, (error: unknown) => `${flag} ${path} cannot be made (${code(error)})`);
    if (made) return made;
  }
  return access(full, constants.W_OK).then(() => undefined, (error: unknown) => `${flag} ${path} cannot be written (${code(error)})`);
}
