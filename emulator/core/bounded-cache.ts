// A small least-recently-used cache: what is cheap to recompute but read in bursts (a
// transcript polled by a client) is kept for a while instead of in every resource.

export interface BoundedCache<V> {
  /** The cached value, or `make()`'s, kept as the most recent. */
  get(key: string, make: () => V): V;
  /** A plain function, not a method: it may be handed on alone (as a job's expiry does). */
  readonly forget: (key: string) => void;
  readonly size: number;
}

export function createBoundedCache<V>(capacity: number): BoundedCache<V> {
  const entries = new Map<string, V>();
  return {
    get(key, make) {
      if (entries.has(key)) {
        const value = entries.get(key)!;
        entries.delete(key);
        entries.set(key, value);
        return value;
      }
      const value = make();
      entries.set(key, value);
      if (entries.size > capacity) entries.delete(entries.keys().next().value!);
      return value;
    },
    forget: (key) => void entries.delete(key),
    get size() {
      return entries.size;
    },
  };
}
