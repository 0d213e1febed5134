// The runner and the journeys meet only in scenario.ts and conform-command.ts: an import
// across would bring back the cycle, and a new API's journeys would start depending on the
// runner's insides.
import { readdir, readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';

async function importsIn(folder: string): Promise<string[]> {
  const root = new URL(`./${folder}/`, import.meta.url);
  const files = (await readdir(root, { recursive: true })).filter((f) => f.endsWith('.ts'));
  const found = await Promise.all(files.map(async (file) => {
    const source = await readFile(new URL(file, root), 'utf8');
    return [...source.matchAll(/^\s*(?:import|export)\b[^'"]*?from\s+'([^']+)'/gm)].map((m) => `${folder}/${file}: ${m[1]}`);
  }));
  return found.flat();
}

describe('conformance/ boundaries', () => {
  it('runner/ imports nothing from scenarios/', async () => {
    expect((await importsIn('runner')).filter((line) => /\/scenarios\//.test(line))).toEqual([]);
  });

  it('scenarios/ imports nothing from runner/', async () => {
    expect((await importsIn('scenarios')).filter((line) => /\/runner\//.test(line))).toEqual([]);
  });
});
