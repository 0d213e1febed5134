// A resource used after it was deleted (Schemathesis' `use_after_free`): once a DELETE of it
// succeeded, a read of it must not succeed, except the reads the API documents as serving a
// deleted resource (Speechmatics keeps a deleted job readable, with status `deleted`).
import type { Exchange } from '../types.ts';
import type { Failure } from './check.ts';

export const useAfterFree = {
  name: 'use_after_free',
  description: 'After a successful DELETE of a resource, reading it does not succeed.',
  run(deleted: Exchange, read: Exchange, pointer: string): Failure | undefined {
    const status = read.response?.status ?? 0;
    if (status < 200 || status > 299) return undefined;
    return {
      message: `A deleted resource is still served: ${read.request.method} ${new URL(read.request.url).pathname} answered ${status} after ${deleted.request.method} ${new URL(deleted.request.url).pathname} answered ${deleted.response?.status}`,
      expected: 'not a success (404, 410 or another documented refusal)',
      received: `${status} ${read.response!.body.toString('utf8').slice(0, 300)}`,
      pointer,
    };
  },
};
