// The durable log keeps every record `append` acknowledged, in order, through a reopen, a torn
// last write, a damaged tail, a compaction, and a real `kill -9` of the process writing it.
import { spawn } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDurableLog } from './durable-log.ts';

const dirs: string[] = [];
const freshDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'speechdouble-log-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('a durable log', () => {
  it('gives back what was appended, in order, after a reopen', async () => {
    const dir = freshDir();
    const first = openDurableLog<{ n: number }>(dir, 'state');
    expect(first.records).toEqual([]);
    await Promise.all([0, 1, 2].map((n) => first.log.append({ n })));
    await first.log.append({ n: 3 });
    await first.log.close();
    const again = openDurableLog<{ n: number }>(dir, 'state');
    expect([again.records, again.discardedBytes]).toEqual([[{ n: 0 }, { n: 1 }, { n: 2 }, { n: 3 }], 0]);
    await again.log.append({ n: 4 });
    await again.log.close();
    expect(openDurableLog<{ n: number }>(dir, 'state').records.map((r) => r.n)).toEqual([0, 1, 2, 3, 4]);
  });

  it('cuts a torn last write and a damaged line, keeping everything before them', async () => {
    const dir = freshDir();
    const { log } = openDurableLog<{ n: number }>(dir, 'state');
    for (const n of [0, 1, 2]) await log.append({ n });
    await log.close();
    const path = join(dir, 'state.log');
    const whole = readFileSync(path);
    appendFileSync(path, '1a2b3c4d {"n": 3');
    const torn = openDurableLog<{ n: number }>(dir, 'state');
    expect([torn.records.length, torn.discardedBytes]).toEqual([3, 16]);
    await torn.log.append({ n: 3 });
    await torn.log.close();
    expect(openDurableLog<{ n: number }>(dir, 'state').records.map((r) => r.n)).toEqual([0, 1, 2, 3]);
    // A flipped byte inside the second line: the first stays, the rest is cut.
    const damaged = Buffer.from(whole);
    damaged[whole.indexOf('"n":1') + 4] = '7'.charCodeAt(0);
    writeFileSync(path, damaged);
    const reopened = openDurableLog<{ n: number }>(dir, 'state');
    expect(reopened.records).toEqual([{ n: 0 }]);
    await reopened.log.close();
  });

  it('compacts atomically, with appends before and after it kept in order', async () => {
    const dir = freshDir();
    const { log } = openDurableLog<{ n: number }>(dir, 'state');
    await Promise.all(Array.from({ length: 100 }, (_, n) => log.append({ n })));
    const before = log.bytes;
    await Promise.all([log.compact([{ n: -1 }]), log.append({ n: 100 })]);
    expect(log.bytes).toBeLessThan(before);
    await log.close();
    expect(openDurableLog<{ n: number }>(dir, 'state').records).toEqual([{ n: -1 }, { n: 100 }]);
  });

  it('refuses appends once closed', async () => {
    const { log } = openDurableLog(freshDir(), 'state');
    await log.close();
    await expect(log.append({})).rejects.toThrow(/closed/);
  });
});

describe('a durable log whose writer is killed with SIGKILL', () => {
  // Random points, from a fixed seed: each run kills the writer after a different number of acknowledgements.
  let seed = 7;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);

  it('keeps every acknowledged record, in order, with no gap, at any point it dies', async () => {
    const dir = freshDir();
    let expected = 0;
    for (let round = 0; round < 4; round++) {
      const killAfter = 20 + Math.floor(random() * 400);
      const child = spawn(process.execPath, ['--import', 'tsx', new URL('./testing/log-writer.ts', import.meta.url).pathname, dir, '16'], { stdio: ['ignore', 'pipe', 'inherit'] });
      let acked = -1;
      let seen = 0;
      let buffered = '';
      await new Promise<void>((resolve) => {
        child.stdout!.on('data', (chunk: Buffer) => {
          buffered += chunk.toString();
          const lines = buffered.split('\n');
          buffered = lines.pop()!;
          for (const text of lines) {
            acked = Math.max(acked, Number(text.slice(4)));
            if (++seen === killAfter) child.kill('SIGKILL');
          }
        });
        child.on('exit', () => resolve());
      });
      const { records, log } = openDurableLog<{ n: number }>(dir, 'state');
      await log.close();
      // Every record acknowledged is there; the log is 0, 1, 2, … with nothing missing or repeated.
      expect(records.length).toBeGreaterThan(acked);
      expect(records.every((record, i) => record.n === i)).toBe(true);
      expect(records.length).toBeGreaterThanOrEqual(expected);
      expected = records.length;
    }
  }, 60_000);
});
