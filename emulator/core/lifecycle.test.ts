// Lifecycles as data, on their own: the table guards every move, the progression policy
// decides when the next step runs, retention expires what is left finished, and a released
// resource never moves again.
import { existsSync, writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { createClock } from './clock.ts';
import { createFileStore } from './file-store.ts';
import { defineLifecycle, delaySeconds, formatProgression, parseProgression, progress } from './lifecycle.ts';
import { createOwnership, type Holdings } from './ownership.ts';
import { createTenantStore } from './tenant-store.ts';

type Status = 'queued' | 'done' | 'expired' | 'deleted';
const JOBS = defineLifecycle<Status>({ queued: ['done', 'deleted'], done: ['expired', 'deleted'], expired: ['deleted'], deleted: [] }, { expires: { from: 'done', to: 'expired' } });

const files = createFileStore();
afterEach(() => files.clear());

function setup() {
  const clock = createClock({ mode: 'manual' });
  return { clock, own: createOwnership(clock, files) };
}
const job = (id = 'j1'): { id: string; status: Status; held: Holdings } => ({ id, status: 'queued', held: {} });

describe('a lifecycle table', () => {
  it('allows the moves it lists and refuses the rest as a bug', () => {
    const j = job();
    JOBS.move(j, 'done');
    expect(j.status).toBe('done');
    expect(() => JOBS.move(j, 'queued')).toThrow('j1: done → queued is not a transition');
    expect(JOBS.isFinal('deleted')).toBe(true);
    expect(JOBS.statuses).toEqual(['queued', 'done', 'expired', 'deleted']);
  });
});

describe('progression policies', () => {
  it.each([
    ['immediate', 0, 0],
    ['seconds:7', 100, 7],
    ['share:0.5', 100, 50],
    ['share:0.5', 1, 2],
    ['share:0.5,min:0', 1, 0.5],
    ['reads:3', 100, undefined],
  ])('%s on %d s of audio waits %s s', (text, duration, seconds) => {
    expect(delaySeconds(parseProgression(text, 2), duration)).toBe(seconds);
  });

  it.each(['', 'soon', 'seconds:-1', 'reads:0', 'reads:1.5', 'share:0', 'share:1,max:3', 'immediate:1'])('refuses %j', (text) => {
    expect(() => parseProgression(text)).toThrow(RangeError);
  });

  it('reads back as it was written', () => {
    for (const text of ['immediate', 'seconds:3', 'reads:2', 'share:0.5,min:2']) expect(formatProgression(parseProgression(text))).toBe(text);
  });

  it('time-driven steps run when the clock reaches them; read-driven ones on the Nth read', async () => {
    const { clock, own } = setup();
    const timed = job('timed');
    const read = job('read');
    progress(own, timed.held, parseProgression('seconds:5'), 0, 'finish', () => JOBS.move(timed, 'done'));
    progress(own, read.held, parseProgression('reads:2'), 0, 'finish', () => JOBS.move(read, 'done'));
    await clock.advance(4.999);
    expect([timed.status, read.status]).toEqual(['queued', 'queued']);
    await clock.advance(0.001);
    await own.read(read.held);
    expect([timed.status, read.status]).toEqual(['done', 'queued']);
    await own.read(read.held);
    expect(read.status).toBe('done');
    expect(timed.held).toEqual({});
  });
});

describe('ownership and retention', () => {
  it('a finished resource expires after its retention: status moves, files go, it stays', async () => {
    const { clock, own } = setup();
    const j = job();
    const path = own.keep(j.held, files.newPath('media'));
    writeFileSync(path, 'audio');
    JOBS.move(j, 'done');
    JOBS.retain(own, j, 60, 'expires');
    await clock.advance(59);
    expect([j.status, existsSync(path)]).toEqual(['done', true]);
    await clock.advance(1);
    expect([j.status, existsSync(path)]).toEqual(['expired', false]);
  });

  it('a resource deleted before its retention ends does not expire', async () => {
    const { clock, own } = setup();
    const j = job();
    JOBS.move(j, 'done');
    JOBS.retain(own, j, 60, 'expires');
    JOBS.move(j, 'deleted');
    await clock.advance(61);
    expect(j.status).toBe('deleted');
  });

  it('releasing cancels every step and removes every file; a store releases all it holds', async () => {
    const { clock, own } = setup();
    const store = createTenantStore<{ id: string; status: Status; held: Holdings }>(own);
    const a = store.add('key-a', job('a'));
    const b = store.add('key-b', job('b'));
    for (const j of [a, b]) {
      writeFileSync(own.keep(j.held, files.newPath(j.id)), 'x');
      progress(own, j.held, parseProgression('seconds:1'), 0, 'finish', () => JOBS.move(j, 'done'));
    }
    expect([store.list('key-a'), store.get('key-b', 'a'), store.tenantOf('b')]).toEqual([[a], undefined, 'key-b']);
    await store.remove('key-a', 'a');
    expect([clock.pending(), files.list().length, store.list('key-a')]).toEqual([1, 1, []]);
    await store.dispose();
    await clock.advance(10);
    expect([clock.pending(), files.list().length, a.status, b.status, store.all()]).toEqual([0, 0, 'queued', 'queued', []]);
  });
});
