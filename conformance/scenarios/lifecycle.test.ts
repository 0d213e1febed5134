// The shared lifecycle check, with a made-up vendor (queued → processing → done | error) and
// a context whose clock always moves, so each test reads a fixed sequence of statuses.
import { describe, expect, it } from 'vitest';
import type { Call, ExpectationDetail, ScenarioContext } from '../scenario.ts';
import { followLifecycle, type Lifecycle } from './lifecycle.ts';

const LIFECYCLE: Lifecycle = {
  what: 'upload',
  statuses: ['queued', 'processing', 'done', 'error'],
  next: { queued: ['processing', 'error'], processing: ['done', 'error'] },
  initial: 'queued',
  isFinished: (status) => status === 'done' || status === 'error',
  finishedAs: 'done or error',
  statusPointer: '#/components/schemas/Upload/properties/status',
  budgetSeconds: 5,
};

/** Follows `seen` (the last status repeats once they run out); returns the outcome and the first failure. */
async function follow(seen: string[]): Promise<{ last?: string; failure?: ExpectationDetail; reads: number }> {
  let reads = 0;
  const ctx = {
    expect(condition: boolean, detail: ExpectationDetail) {
      if (!condition) throw detail;
      return true;
    },
    time: {
      controllable: true,
      async until(condition: () => Promise<boolean>, maxSeconds: number) {
        for (let spent = 0; spent <= maxSeconds; spent++) if (await condition()) return true;
        return false;
      },
    },
  } as unknown as ScenarioContext;
  const read = async () => ({ status: seen[Math.min(reads++, seen.length - 1)]!, call: {} as Call });
  try {
    return { last: await followLifecycle(ctx, LIFECYCLE, read), reads };
  } catch (failure) {
    return { failure: failure as ExpectationDetail, reads };
  }
}

describe('followLifecycle', () => {
  it('follows documented statuses in order, staying put between reads, until a finished one', async () => {
    expect(await follow(['queued', 'queued', 'processing', 'processing', 'done'])).toEqual({ last: 'done', reads: 5 });
    expect(await follow(['error'])).toEqual({ last: 'error', reads: 1 });
  });

  it('fails on an undocumented status, pointing at where the statuses are documented', async () => {
    const { failure } = await follow(['queued', 'transcribing']);
    expect(failure).toMatchObject({ message: 'Undocumented upload status transcribing', expected: 'queued | processing | done | error', received: 'transcribing', pointer: LIFECYCLE.statusPointer });
  });

  it('fails on a status not reachable from the one before', async () => {
    const { failure } = await follow(['processing', 'queued']);
    expect(failure).toMatchObject({ message: 'An upload went from processing to queued', expected: 'after processing: processing | done | error', received: 'queued' });
  });

  it('checks the first read against the initial status', async () => {
    expect((await follow(['done'])).failure?.message).toBe('An upload went from queued to done');
  });

  it('fails when the resource never finishes within the budget', async () => {
    const { failure } = await follow(['processing']);
    expect(failure).toMatchObject({ message: 'The upload never finished', expected: 'done or error within 5 s', received: 'processing' });
  });
});
