// Each tenant's view of the clock: moved alone, it runs its own steps and no one else's; the
// global clock moves every tenant with it.
import { describe, expect, it } from 'vitest';
import { createClock, MANUAL_CLOCK_START } from './clock.ts';

const T0 = MANUAL_CLOCK_START.getTime();
const DAY = 24 * 3600;

describe('a tenant clock', () => {
  it('reads the global time until the tenant is advanced alone', async () => {
    const clock = createClock({ mode: 'manual' });
    const a = clock.forTenant('key-a');
    expect([a.nowMs(), a.aheadMs(), clock.aheadMs()]).toEqual([T0, 0, 0]);
    await clock.advance(5);
    expect(a.nowMs()).toBe(T0 + 5000);
    expect(clock.forTenant('')).toBe(clock);
  });

  it('moves alone: its steps run, another tenant\'s and the global ones wait, and global time stays', async () => {
    const clock = createClock({ mode: 'manual' });
    const [a, b] = [clock.forTenant('key-a'), clock.forTenant('key-b')];
    const seen: string[] = [];
    a.after(1000, 'a1', () => void seen.push(`a1@${a.nowMs() - T0}`));
    a.after(7 * DAY * 1000, 'a-expires', () => void seen.push(`a-expires@${(a.nowMs() - T0) / 1000 / DAY}d`));
    b.after(1000, 'b1', () => void seen.push('b1'));
    clock.after(1000, 'global', () => void seen.push('global'));
    expect(await a.advance(8 * DAY)).toBe(2);
    expect(seen).toEqual(['a1@1000', 'a-expires@7d']);
    expect([a.nowMs() - T0, a.aheadMs(), b.nowMs() - T0, clock.nowMs() - T0]).toEqual([8 * DAY * 1000, 8 * DAY * 1000, 0, 0]);
    expect([a.pending(), b.pending(), clock.pending()]).toEqual([0, 1, 2]);
  });

  it('is moved by the global clock, staying as far ahead, and its steps run in global time order', async () => {
    const clock = createClock({ mode: 'manual' });
    const [a, b] = [clock.forTenant('key-a'), clock.forTenant('key-b')];
    await a.advance(10);
    const seen: string[] = [];
    // a is 10 s ahead: its step at its own +15 s is due at global +5 s, before b's at +8 s.
    a.after(5000, 'a', () => void seen.push(`a@${clock.nowMs() - T0}/${a.nowMs() - T0}`));
    b.after(8000, 'b', () => void seen.push(`b@${clock.nowMs() - T0}/${b.nowMs() - T0}`));
    clock.after(3000, 'g', () => void seen.push(`g@${clock.nowMs() - T0}`));
    expect(await clock.advance(10)).toBe(3);
    expect(seen).toEqual(['g@3000', 'a@5000/15000', 'b@8000/8000']);
    expect([clock.nowMs() - T0, a.nowMs() - T0, b.nowMs() - T0]).toEqual([10_000, 20_000, 10_000]);
  });

  it('keeps a step a step schedules on the same tenant\'s clock', async () => {
    const clock = createClock({ mode: 'manual' });
    const a = clock.forTenant('key-a');
    const seen: string[] = [];
    a.after(1000, 'running', () => void a.after(2000, 'done', () => void seen.push(`done@${a.nowMs() - T0}`)));
    expect(await a.advance(3)).toBe(2);
    expect(seen).toEqual(['done@3000']);
    expect(clock.nowMs()).toBe(T0);
  });

  it('cancels by owner and by handle on whichever tenant\'s clock the step is', async () => {
    const clock = createClock({ mode: 'manual' });
    const [a, b] = [clock.forTenant('key-a'), clock.forTenant('key-b')];
    const job = {};
    const seen: string[] = [];
    a.after(1000, 'a', () => void seen.push('a'), job);
    b.after(1000, 'b', () => void seen.push('b'), job);
    const other = b.after(1000, 'b2', () => void seen.push('b2'));
    clock.cancelOwned(job);
    a.cancel(other);
    expect(clock.pending()).toBe(0);
    await clock.advance(2);
    expect(seen).toEqual([]);
  });

  it('leaves nothing behind for a tenant with no steps that was never moved alone', async () => {
    const clock = createClock({ mode: 'manual' });
    // Thousands of keys (an any-key fuzzer) each scheduling and finishing a step.
    for (let i = 0; i < 2000; i++) clock.forTenant(`key-${i}`).after(1, 'x', () => undefined);
    expect(clock.pending()).toBe(2000);
    await clock.advance(1);
    expect(clock.pending()).toBe(0);
    // Their clocks read the global time again, and a new step on one runs with the global clock.
    expect(clock.forTenant('key-7').nowMs()).toBe(clock.nowMs());
    let ran = false;
    clock.forTenant('key-7').after(1000, 'again', () => void (ran = true));
    await clock.advance(1);
    expect(ran).toBe(true);
  });

  it('refuses to go backwards', async () => {
    await expect(createClock({ mode: 'manual' }).forTenant('key-a').advance(-1)).rejects.toThrow(RangeError);
  });

  it('fires a tenant\'s step on a running clock when its own time reaches it', async () => {
    const clock = createClock({ mode: 'scaled', timeScale: 1000 });
    const a = clock.forTenant('key-a');
    await a.advance(60);
    // Read before scheduling: at 1000× every real millisecond is an emulated second, so a read
    // after could already be past the step's due time.
    const due = a.nowMs() + 2000;
    const fired = new Promise<number>((resolve) => a.after(2000, 'soon', () => resolve(a.nowMs())));
    // Two emulated seconds at 1000× are 2 ms of real time; the global clock is a minute behind a.
    expect(await fired).toBeGreaterThanOrEqual(due);
    // The minute a's advance added, less what real time (at 1000×) moved both clocks meanwhile.
    expect(a.aheadMs()).toBeLessThanOrEqual(60_000);
    expect(a.aheadMs()).toBeGreaterThan(30_000);
    clock.stop();
  });
});
