import { describe, expect, it } from 'vitest';
import { prismOperations } from './documented-responses.ts';
import { listOperations, loadSpec } from '../../openapi/specs.ts';

describe('the operations handed to Prism', () => {
  it('keep every operation but none of its callbacks: only the stateful core sends callbacks', async () => {
    const spec = await loadSpec('gladia');
    const documented = listOperations(spec.document);
    expect(documented.some((op) => op.operation.callbacks)).toBe(true);

    const served = await prismOperations(spec);
    expect(served.map((op) => op.iid ?? op.id).length).toBe(documented.length);
    expect(served.filter((op) => (op.callbacks ?? []).length > 0)).toEqual([]);
  });
});
