import { describe, expect, it } from 'vitest';
import { createClock, MANUAL_CLOCK_START } from './clock.ts';

describe('a manual clock', () => {
  it('starts at a fixed instant and moves only when advanced', async () => {
    const clock = createClock({ mode: 'manual' });
    expect(clock.now()).toEqual(MANUAL_CLOCK_START);
    expect(await clock.advance(1.5)).toBe(0);
    expect(clock.nowMs()).toBe(MANUAL_CLOCK_START.getTime() + 1500);
  });

  it('runs due steps in time order, each with the clock at its own time', async () => {
    const clock = createClock({ mode: 'manual' });
    const seen: string[] = [];
    const t0 = clock.nowMs();
    clock.after(3000, 'c', () => void seen.push(`c@${clock.nowMs() - t0}`));
    clock.after(1000, 'a', () => void seen.push(`a@${clock.nowMs() - t0}`));
    clock.after(1000, 'b', () => void seen.push(`b@${clock.nowMs() - t0}`));
    clock.after(9000, 'later', () => void seen.push('later'));
    expect(await clock.advance(5)).toBe(3);
    expect(seen).toEqual(['a@1000', 'b@1000', 'c@3000']);
    expect(clock.nowMs() - t0).toBe(5000);
    expect(clock.pending()).toBe(1);
  });

  it('runs a step scheduled by a step in the same advance when it falls due', async () => {
    const clock = createClock({ mode: 'manual' });
    const seen: string[] = [];
    clock.after(1000, 'running', () => {
      seen.push('running');
      clock.after(2000, 'done', () => void seen.push('done'));
    });
    expect(await clock.advance(3)).toBe(2);
    expect(seen).toEqual(['running', 'done']);
  });

  it('waits for a step that awaits before running the next', async () => {
    const clock = createClock({ mode: 'manual' });
    const seen: string[] = [];
    clock.after(10, 'slow', async () => {
      await Promise.resolve();
      seen.push('slow');
    });
    clock.after(20, 'fast', () => void seen.push('fast'));
    await clock.advance(1);
    expect(seen).toEqual(['slow', 'fast']);
  });

  it('forgets cancelled steps', async () => {
    const clock = createClock({ mode: 'manual' });
    const step = clock.after(1000, 'x', () => {
      throw new Error('cancelled steps never run');
    });
    clock.cancel(step);
    expect(await clock.advance(2)).toBe(0);
  });

  it('cancels every pending step of an owner, and only those', async () => {
    const clock = createClock({ mode: 'manual' });
    const [mine, theirs] = [{}, {}];
    const seen: string[] = [];
    clock.after(1000, 'a', () => void seen.push('a'), mine);
    clock.after(2000, 'b', () => void seen.push('b'), theirs);
    clock.after(3000, 'c', () => void seen.push('c'), mine);
    clock.after(4000, 'd', () => void seen.push('d'));
    clock.cancelOwned(mine);
    expect(clock.pending()).toBe(2);
    expect(await clock.advance(5)).toBe(2);
    expect(seen).toEqual(['b', 'd']);
  });

  it('refuses to go backwards', async () => {
    await expect(createClock({ mode: 'manual' }).advance(-1)).rejects.toThrow(RangeError);
  });
});

describe('a scaled clock', () => {
  it('runs N emulated seconds per real second, and can still be advanced', async () => {
    let wall = 1_000_000;
    const clock = createClock({ mode: 'scaled', timeScale: 60, start: new Date(0), wallClock: () => wall });
    wall += 1000;
    expect(clock.nowMs()).toBe(60_000);
    await clock.advance(10);
    expect(clock.nowMs()).toBe(70_000);
    clock.stop();
  });

  it('refuses a scale of zero', () => {
    expect(() => createClock({ mode: 'scaled', timeScale: 0 })).toThrow(RangeError);
  });
});

describe('a scheduled step that throws', () => {
  it('does not stop the clock: later steps run and later advances work', async () => {
    const clock = createClock({ mode: 'manual' });
    const ran: string[] = [];
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.message);
    process.on('warning', onWarning);
    try {
      clock.after(1000, 'broken', () => {
        throw new Error('lines is not iterable');
      });
      clock.after(2000, 'fine', () => void ran.push('fine'));
      await clock.advance(1.5);
      await clock.advance(1);
      clock.after(500, 'later', () => void ran.push('later'));
      await clock.advance(0.5);
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off('warning', onWarning);
    }
    expect(ran).toEqual(['fine', 'later']);
    expect(warnings).toEqual(['scheduled step "broken" failed: lines is not iterable']);
  });
});
