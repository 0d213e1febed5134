// The positive cases: every operation called with the spec's own example request (POST and
// DELETE too, with their bodies) and, where the schema allows less, with only the properties it
// requires; each must get a success the operation documents. Cases on a path with parameters aim
// at real resources; a DELETE at a fresh one of its own, after which no read of the deleted
// resource may succeed (use_after_free). Which steps there are depends on the spec and the
// flags only, never on what the target answers.
import { buildExampleRequest } from '../../openapi/example-requests.ts';
import type { OperationRef } from '../../openapi/specs.ts';
import { positiveDataAcceptance } from '../checks/positive-data-acceptance.ts';
import { useAfterFree } from '../checks/use-after-free.ts';
import { SkipStep, type AdaptExample, type Call, type ExistingResources } from '../scenario.ts';
import { exampleRequest, requiredOnly, sendRequest } from './case-requests.ts';
import type { GroupContext, RunEnv } from './group.ts';
import { pathParamNames } from './paths.ts';
import type { Resources } from './resources.ts';

export interface PositiveOptions {
  existingResources?: ExistingResources;
  adaptExample?: AdaptExample;
  readableAfterDelete?: Record<string, string>;
}

interface Aim {
  values: Record<string, string>;
  /** Made by this run just now: it may still be busy (a job running), so a refusal is tried again as time passes. */
  fresh: boolean;
}

export async function positiveCases(env: RunEnv, ctx: GroupContext, resources: Resources, options: PositiveOptions): Promise<void> {
  await resources.setUp(ctx);

  /** The real resource a case on `op` aims at; a DELETE gets a new one of its own. */
  const aimAt = async (op: OperationRef): Promise<Aim> => {
    const params = pathParamNames(op.path);
    if (params.length === 0) return { values: {}, fresh: false };
    if (op.method === 'delete') {
      const made = await resources.fresh(ctx, op);
      if (!made) throw new SkipStep('needs a resource of its own to delete, and neither the API nor the spec says how to make one', { goOn: true });
      if ('problem' in made) throw new SkipStep(made.problem.startsWith('set-up') ? made.problem : `needs a resource of its own to delete: ${made.problem}`, { goOn: true });
      return { values: { ...resources.realValues(op), ...made.values }, fresh: !made.settled };
    }
    const values = resources.realValues(op);
    const missing = params.find((param) => values[param] === undefined && resources.namesResource(op, param));
    if (missing) throw new SkipStep(resources.missing(missing), { goOn: true });
    return { values, fresh: Object.keys(values).some((param) => !resources.isShared(op, param)) };
  };

  const send = async (op: OperationRef, aim: Aim, request: Awaited<ReturnType<typeof exampleRequest>>, what: string): Promise<Call> => {
    const call = aim.fresh ? await resources.settled(ctx, op, () => sendRequest(ctx, op, request)) : await sendRequest(ctx, op, request);
    const failure = positiveDataAcceptance.run(call.exchange, op, what);
    if (failure) ctx.fail({ ...failure, check: positiveDataAcceptance.name, exchangeId: call.exchange.id });
    else resources.adopt(ctx, op, call);
    return call;
  };

  const ordered = [...env.operations.filter((op) => op.method !== 'delete'), ...env.operations.filter((op) => op.method === 'delete')];
  for (const op of ordered) {
    const name = `${op.method.toUpperCase()} ${op.path}`;
    let deleted: { call: Call; values: Record<string, string> } | undefined;
    await ctx.step(name, async () => {
      const aim = await aimAt(op);
      const call = await send(op, aim, await exampleRequest(env, ctx, op, aim.values, options.adaptExample), 'The documented example request');
      if (op.method === 'delete' && call.status >= 200 && call.status < 300) {
        deleted = { call, values: aim.values };
        resources.deleted(aim.values);
      }
    });

    // The spec decides whether there is such a case, not the target's answers.
    if (requiredOnly(env, op, buildExampleRequest(env.doc, op))) {
      await ctx.step(`${name} with only its required properties`, async () => {
        const aim = await aimAt(op);
        const variant = requiredOnly(env, op, await exampleRequest(env, ctx, op, aim.values, options.adaptExample));
        if (!variant) throw new SkipStep('the request, as the API adapts it, has nothing optional to leave out', { goOn: true });
        await send(op, aim, variant, 'The example request with only its required properties');
      });
    }

    if (op.method === 'delete') {
      await ctx.step(`${name}: what it deleted is not served any more`, async () => {
        if (!deleted) throw new SkipStep('the DELETE did not succeed', { goOn: true });
        const reads = env.operations.filter((o) => o.method === 'get' && (o.path === op.path || o.path.startsWith(`${op.path}/`)));
        const checked = reads.filter((o) => !options.readableAfterDelete?.[String(o.operation.operationId)]);
        if (checked.length === 0) {
          throw new SkipStep(`every read of it serves a deleted resource too, as documented: ${reads.map((o) => `${String(o.operation.operationId)} (${options.readableAfterDelete?.[String(o.operation.operationId)] ?? 'no read'})`).join(', ') || 'there is no read of it'}`, { goOn: true });
        }
        for (const read of checked) {
          const call = await sendRequest(ctx, read, await exampleRequest(env, ctx, read, deleted.values, options.adaptExample));
          const failure = useAfterFree.run(deleted.call.exchange, call.exchange, `${op.pointer}/responses`);
          if (failure) ctx.fail({ ...failure, check: useAfterFree.name, exchangeId: call.exchange.id });
        }
      });
    }
  }
}
