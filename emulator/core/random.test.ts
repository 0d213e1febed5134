import { describe, expect, it } from 'vitest';
import { createRandom } from './random.ts';

describe('the seeded random source', () => {
  it('repeats for a seed and differs between seeds', () => {
    const ids = (seed: number) => { const r = createRandom(seed); return [r.alnum(10), r.uuid(), r.hex(8)]; };
    expect(ids(7)).toEqual(ids(7));
    expect(ids(7)).not.toEqual(ids(8));
  });

  it('makes ids of the documented shapes', () => {
    const r = createRandom(1);
    for (let i = 0; i < 200; i++) {
      expect(r.alnum(10)).toMatch(/^[a-z0-9]{10}$/);
      expect(r.uuid()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    }
  });
});
