// A valid request (the spec's own example, or one made from its schemas) gets a documented
// success. Run on the positive cases only, not on every exchange: a journey's refused request
// is meant to be refused.
import type { JsonObject } from '../../openapi/specs.ts';
import type { Exchange } from '../types.ts';
import type { CheckContext, Failure } from './check.ts';

/** The 2xx codes an operation documents, exact (`201`) or as a range (`2XX`). */
export function documentedSuccesses(operation: JsonObject): string[] {
  return Object.keys((operation.responses ?? {}) as object).filter((code) => /^2(\d\d|XX)$/i.test(code));
}

/** Whether `status` is a success the operation documents. */
export function isDocumentedSuccess(operation: JsonObject, status: number): boolean {
  if (status < 200 || status > 299) return false;
  return documentedSuccesses(operation).some((code) => code === String(status) || code.toUpperCase() === '2XX');
}

export const positiveDataAcceptance = {
  name: 'positive_data_acceptance',
  description: 'A request the spec documents as valid is answered with a success the operation documents.',
  run(exchange: Exchange, { operation, pointer }: Pick<CheckContext, 'operation' | 'pointer'>, what = 'A valid request'): Failure | undefined {
    const status = exchange.response?.status;
    if (status !== undefined && isDocumentedSuccess(operation, status)) return undefined;
    const successes = documentedSuccesses(operation);
    return {
      message: `${what} was not answered with a documented success`,
      expected: successes.length ? `a documented success (${successes.join(', ')})` : 'a success (the operation documents none)',
      received: exchange.response ? `${status} ${exchange.response.body.toString('utf8').slice(0, 300)}` : (exchange.error ?? 'no response'),
      pointer: `${pointer}/responses`,
    };
  },
};
