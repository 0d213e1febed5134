import { describe, expect, it } from 'vitest';
import { createDocumentedResponder, prismOperations } from './documented-responses.ts';
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

describe('a documented response asked for', () => {
  // Found by emulator/guarantees/fuzz.test.ts (`?__code=200&__example=%ZZ`): Prism answered 500.
  it('with a code the operation documents and an example it does not have is Prism\'s 404, as without the code', async () => {
    const responder = createDocumentedResponder([await loadSpec('speechmatics')]);
    const request = { method: 'GET', path: '/v2/jobs', query: {}, headers: { authorization: 'Bearer test-key' }, body: Buffer.alloc(0) };
    const withCode = await responder.respond('speechmatics', request, { code: 200, example: 'no-such-example' });
    expect([withCode.status, withCode.body]).toEqual([404, expect.objectContaining({ type: 'https://stoplight.io/prism/errors#NOT_FOUND', status: 404 })]);
    expect((await responder.respond('speechmatics', request, { example: 'no-such-example' })).status).toBe(404);
    expect((await responder.respond('speechmatics', request, { code: 200 })).status).toBe(200);
  });
});
