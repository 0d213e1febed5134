// The one seedable source of randomness (ids, names). Outside emulator/core nothing calls
// Math.random() or crypto.randomUUID(): a seed and the same requests give the same ids.

export interface Random {
  /** A float in [0, 1). */
  next(): number;
  int(maxExclusive: number): number;
  /** Lowercase letters and digits, as Speechmatics job ids. */
  alnum(length: number): string;
  hex(length: number): string;
  /** An RFC 4122 version 4 UUID built from this source. */
  uuid(): string;
  /** Where the sequence stands (one 32-bit number): `--data-dir` records it, to replay from the same place. */
  state(): number;
  setState(state: number): void;
}

const ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** mulberry32: small, fast, and plenty for ids that only need to be distinct and repeatable. */
export function createRandom(seed: number): Random {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (max: number) => Math.floor(next() * max);
  const hex = (length: number) => Array.from({ length }, () => int(16).toString(16)).join('');
  return {
    next,
    int,
    alnum: (length) => Array.from({ length }, () => ALNUM[int(ALNUM.length)]).join(''),
    hex,
    state: () => state,
    setState: (value) => void (state = value >>> 0),
    uuid() {
      const h = hex(32).split('');
      h[12] = '4';
      h[16] = '89ab'[int(4)]!;
      const s = h.join('');
      return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
    },
  };
}
