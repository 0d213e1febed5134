// The generated cases (Schemathesis' property-based phase, with fast-check): for each operation,
// `maxExamples` requests made from its schemas, as fast-check's property. Positive: valid by the
// schemas, each must pass every check the run applies (not a 5xx, a documented status, a
// documented body, …) — not necessarily a success: a schema cannot say that a URL must download
// or that an id must exist, so a documented 4xx is a fair answer (Schemathesis'
// `not_a_server_error` semantics; `positive_data_acceptance`, a documented 2xx, stays with the
// documented example requests, which the spec vouches for). Negative: one place broken, each must
// be refused with a documented 4xx (`negative_data_rejection`) and pass the checks too.
//
// A request that fails is shrunk: fast-check tries smaller inputs while one still fails the same
// check, and the smallest is what the step reports, its exchange (and curl) the one the failure
// names, with the seed that makes the same requests again (`--seed`). Path parameters aim at
// real resources as the documented requests' do (the set-up's, else one the run's POSTs made; a
// DELETE's, and any without one, are generated, so it never deletes them); a resource a
// generated POST made is deleted at the end when the spec has a DELETE for it.
import fc from 'fast-check';
import type { OperationRef } from '../../openapi/specs.ts';
import { negativeDataRejection } from '../checks/negative-data-rejection.ts';
import { textOf } from '../client.ts';
import { missingCredentialFlag } from '../credentials.ts';
import { Referee } from '../negative/generate.ts';
import { describeBreakage, encodeInput, generates, invalidity, negativeArbitrary, operationModel, validArbitrary, type GeneratedInput, type NegativeInput } from '../generated/requests.ts';
import { SkipStep, type Call } from '../scenario.ts';
import type { CheckFailure } from '../types.ts';
import { withCredentials } from './case-requests.ts';
import { checkExchange, type GroupContext, type RunEnv } from './group.ts';
import { pathParamNames } from './paths.ts';
import type { Resources } from './resources.ts';

export interface GeneratedOptions {
  /** Requests per operation, before shrinking. */
  maxExamples: number;
  /** fast-check's seed for the whole run; each operation's is derived from it and its operationId. */
  seed: number;
}

/** Property runs a failure may take to shrink: enough to reach the smallest input on a local target, few enough to stay fast on a remote one. */
export const SHRINK_BUDGET = 300;

/** A 32-bit seed for one operation and kind of case, the same for the same run seed. */
export function operationSeed(seed: number, operationId: string, negative: boolean): number {
  let hash = (seed ^ (negative ? 0x9e3779b9 : 0)) >>> 0;
  for (const char of `${operationId}`) hash = Math.imul(hash ^ char.charCodeAt(0), 0x01000193) >>> 0;
  return hash | 0;
}

export const generatedStepName = (op: OperationRef, negative: boolean): string =>
  `${op.method.toUpperCase()} ${op.path}: ${negative ? 'generated requests breaking one rule' : 'generated valid requests'}`;

const brief = (call: Call) => (call.exchange.response ? `${call.status} ${textOf(call.exchange).slice(0, 300)}` : (call.exchange.error ?? 'no response'));

export async function generatedCases(env: RunEnv, ctx: GroupContext, resources: Resources, options: GeneratedOptions, negative: boolean): Promise<void> {
  const referee = new Referee();
  for (const op of env.operations) {
    await ctx.step(generatedStepName(op, negative), async () => {
      const flag = missingCredentialFlag(env.doc, op.operation, env.credentials);
      if (flag) throw new SkipStep(`needs the credentials its security scheme takes (${flag})`, { goOn: true });
      const model = operationModel(env.doc, op);
      if (!generates(model)) throw new SkipStep('nothing to generate: the operation takes no parameters and no body made from a schema', { goOn: true });
      // Real resources, as the documented requests have them; a DELETE's are generated, so it deletes none of them.
      const fixed = op.method === 'delete' ? {} : resources.realValues(op);
      const needsReal = op.method !== 'delete' && pathParamNames(op.path).some((param) => fixed[param] === undefined && resources.namesResource(op, param));
      if (needsReal && resources.setupFailure) throw new SkipStep(resources.setupFailure, { goOn: true });
      const negatives = negative ? negativeArbitrary(model, fixed, referee) : undefined;
      if (negative && !negatives) throw new SkipStep('no rule to break: each parameter and body property takes any value it can be sent as (plain strings), or there are none', { goOn: true });
      const operationId = String(op.operation.operationId);
      const seed = operationSeed(options.seed, operationId, negative);
      const documented = Object.keys((op.operation.responses ?? {}) as object);

      /** The failures a request's answer shows: the run's checks, and a negative case's own. */
      const judge = (call: Call, value: GeneratedInput | NegativeInput): CheckFailure[] => {
        const failures = checkExchange(env, call.exchange, op).filter((f) => env.selected(f.check));
        if (negative && env.selected(negativeDataRejection.name) && !(call.status >= 400 && call.status < 500 && documented.includes(String(call.status)))) {
          failures.push({
            check: negativeDataRejection.name,
            message: `A request breaking "${describeBreakage(model, value as NegativeInput, env.compile)}" was not refused with a documented 4xx`,
            expected: `a documented 4xx (${documented.filter((c) => c.startsWith('4')).join(', ')})`,
            received: brief(call),
            pointer: (value as NegativeInput).broken.pointer,
            exchangeId: call.exchange.id,
          });
        }
        return failures;
      };

      let target: string | undefined;
      let smallest: { call: Call; failures: CheckFailure[] } | undefined;
      let runs = 0;
      let afterFailure = 0;
      let sent = 0;
      const property = async (value: GeneratedInput | NegativeInput): Promise<boolean> => {
        runs++;
        if (env.interrupted?.()) return true;
        if (smallest && ++afterFailure > SHRINK_BUDGET) return true;
        const input = negative ? (value as NegativeInput).input : (value as GeneratedInput);
        fc.pre(negative ? negatives!.refused(value as NegativeInput) : invalidity(model, input, env.compile) === undefined);
        const request = withCredentials(env.doc, op, encodeInput(model, input), env.credentials);
        const call = await ctx.sendUnjudged(operationId, { method: request.method, path: request.path, query: request.query, headers: request.headers, ...(request.body.length && { body: request.body }) }, { negative });
        sent++;
        if (!negative) resources.adopt(ctx, op, call);
        const failures = judge(call, value);
        const relevant = target ? failures.filter((f) => f.check === target) : failures;
        if (relevant.length === 0) return true;
        target ??= failures[0]!.check;
        smallest = { call, failures };
        return false;
      };
      const arbitrary: fc.Arbitrary<GeneratedInput | NegativeInput> = negatives ? negatives.arbitrary : validArbitrary(model, fixed);
      const result = await fc.check(fc.asyncProperty(arbitrary, property), { numRuns: options.maxExamples, seed, maxSkipsPerRun: 100 });

      if (result.failed && smallest) {
        const shrinks = result.numShrinks;
        for (const failure of smallest.failures) {
          const shrunk = `shrunk ${shrinks} time${shrinks === 1 ? '' : 's'} to the smallest failing request${afterFailure > SHRINK_BUDGET ? ` fast-check found in ${SHRINK_BUDGET} tries` : ''}`;
          ctx.fail({ ...failure, message: `${failure.message} (generated, ${shrunk}; --seed ${options.seed} makes the same requests)` });
        }
        return;
      }
      if (result.failed && result.errorInstance) throw result.errorInstance;
      if (sent === 0) throw new SkipStep(`fast-check made no request the schemas accept in ${runs} tries (seed ${options.seed})`, { goOn: true });
      if (result.failed) throw new SkipStep(`only ${sent} of ${options.maxExamples} requests: fast-check's values too seldom fit the schemas (seed ${options.seed})`, { goOn: true });
    });
  }
}
