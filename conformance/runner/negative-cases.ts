// The negative cases (negative/generate.ts): each request breaks one rule the spec states and
// must be refused with a documented 4xx; a credential case with the security failure the
// operation documents (401/403), and without changing the resource it aimed at (ignored_auth).
//
// A case aims at a real resource, so only the broken rule can refuse it: the set-up's (shared,
// finished), or, for a DELETE, a fresh one of its own when the run can make one. The parameter
// a case breaks keeps its broken value. When the set-up failed, the cases that need it are
// skipped with its reason; the others still run.
import type { ExampleRequest } from '../../openapi/example-requests.ts';
import type { OperationRef } from '../../openapi/specs.ts';
import { ignoredAuth, securityFailures } from '../checks/ignored-auth.ts';
import { negativeDataRejection } from '../checks/negative-data-rejection.ts';
import { textOf } from '../client.ts';
import { applyCredentials, missingCredentialFlag } from '../credentials.ts';
import { generateNegativeCases, type NegativeCase } from '../negative/generate.ts';
import { SkipStep, type AdaptExample, type Call } from '../scenario.ts';
import { exampleRequest, sendRequest } from './case-requests.ts';
import type { GroupContext, RunEnv } from './group.ts';
import { pathParamNames, replacePathParams } from './paths.ts';
import type { Resources } from './resources.ts';

export const NEGATIVE_CHECK = negativeDataRejection.name;

interface Aim {
  values: Record<string, string>;
  /** A resource of the case's own, made for it. */
  fresh: boolean;
}

function pickExisting(target: Record<string, unknown>, values: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(values).filter(([key]) => key in target));
}

const brief = (call: Call) => (call.exchange.response ? `${call.status} ${textOf(call.exchange).slice(0, 300)}` : (call.exchange.error ?? 'no response'));

export async function negativeCases(env: RunEnv, ctx: GroupContext, resources: Resources, options: { adaptExample?: AdaptExample }): Promise<void> {
  /** The real resources a case aims at: all its path parameters but the one it breaks. */
  const aimAt = async (op: OperationRef, negative: NegativeCase): Promise<Aim> => {
    const params = pathParamNames(op.path).filter((param) => param !== negative.pathParam);
    if (params.length === 0) return { values: {}, fresh: false };
    // A DELETE gets a resource of its own, so a target that wrongly obeys it leaves the shared one
    // to the other cases (which would pass on its 404 or 410 otherwise). Other unsafe cases aim at
    // the shared one, which a credential case re-reads.
    const made = op.method === 'delete' ? await resources.fresh(ctx, op) : undefined;
    if (made && 'problem' in made) throw new SkipStep(made.problem.startsWith('set-up') ? made.problem : `needs a resource of its own: ${made.problem}`, { goOn: true });
    const values = { ...resources.sharedValues(op), ...made?.values };
    if (!made && resources.setupFailure && params.some((param) => values[param] === undefined && resources.namesResource(op, param))) throw new SkipStep(resources.setupFailure, { goOn: true });
    return { values: Object.fromEntries(params.flatMap((param) => (values[param] === undefined ? [] : [[param, values[param]!]]))), fresh: made !== undefined };
  };

  /** The case's request aimed at `aim`; any but a credential case carries the caller's credentials in place of the example's. */
  const requestFor = (op: OperationRef, negative: NegativeCase, aim: Aim): ExampleRequest => {
    const request = { ...negative.request, path: replacePathParams(op.path, negative.request.path, aim.values) };
    if (negative.kind === 'credentials') return request;
    const auth = applyCredentials(env.doc, op.operation, env.credentials);
    return { ...request, headers: { ...request.headers, ...pickExisting(request.headers, auth.headers) }, query: { ...request.query, ...pickExisting(request.query, auth.query) } };
  };

  /** Reads what a case aimed at, with the right credentials: the GET of the same path, else of the resource the path names. */
  const readerOf = (op: OperationRef): OperationRef | undefined => {
    if (missingCredentialFlag(env.doc, op.operation, env.credentials)) return undefined;
    const same = env.operations.find((o) => o.method === 'get' && o.path === op.path);
    const reader = same ?? resources.kindOf(op)?.read;
    return reader && !missingCredentialFlag(env.doc, reader.operation, env.credentials) ? reader : undefined;
  };

  const credentialCase = async (op: OperationRef, negative: NegativeCase, first: Aim): Promise<void> => {
    const reader = Object.keys(first.values).length ? readerOf(op) : undefined;
    let aim = first;
    for (let attempt = 1; ; attempt++) {
      // A read the API says no request of this run can make (Cadence's user records) re-checks nothing.
      const readRequest = reader && await exampleRequest(env, ctx, reader, aim.values, options.adaptExample).catch((error: unknown) => {
        if (error instanceof SkipStep) return undefined;
        throw error;
      });
      const read = reader && readRequest && (() => sendRequest(ctx, reader, readRequest));
      const before = read && await read();
      const sent = await sendRequest(ctx, op, requestFor(op, negative, aim));
      const after = read && await read();
      const accepted = ignoredAuth.accepted(sent.exchange, op.operation, negative.rule, negative.pointer);
      const changed = before && after ? ignoredAuth.changed(before.exchange, after.exchange, negative.rule, negative.pointer) : undefined;
      // A resource of its own may have moved on by itself (a job finishing) between the reads:
      // a refused case that seems to have changed it is tried once more, on another.
      if (changed && !accepted && aim.fresh && attempt === 1) {
        aim = await aimAt(op, negative);
        continue;
      }
      if (accepted) ctx.fail({ ...accepted, check: ignoredAuth.name, exchangeId: sent.exchange.id });
      if (changed) ctx.fail({ ...changed, check: ignoredAuth.name, exchangeId: after!.exchange.id });
      const expected = securityFailures(op.operation);
      if (!accepted && !expected.includes(sent.status)) {
        ctx.fail({ check: NEGATIVE_CHECK, message: `A request breaking "${negative.rule}" was not refused with the security failure the operation documents`, expected: expected.join(' or '), received: brief(sent), pointer: negative.pointer, exchangeId: sent.exchange.id });
      }
      return;
    }
  };

  for (const op of env.operations) {
    for (const negative of generateNegativeCases(env.doc, op)) {
      await ctx.step(`${String(op.operation.operationId)}: ${negative.name}`, async () => {
        // Without the caller's credentials, a case meant to break another rule would be refused for that.
        const flag = negative.kind === 'credentials' ? undefined : missingCredentialFlag(env.doc, op.operation, env.credentials);
        if (flag) throw new SkipStep(`needs the credentials its security scheme takes (${flag})`, { goOn: true });
        const aim = await aimAt(op, negative);
        if (negative.kind === 'credentials') return credentialCase(op, negative, aim);
        const sent = await sendRequest(ctx, op, requestFor(op, negative, aim));
        const documented = Object.keys((op.operation.responses ?? {}) as object);
        if (sent.status >= 400 && sent.status < 500 && documented.includes(String(sent.status))) return;
        ctx.fail({ check: NEGATIVE_CHECK, message: `A request breaking "${negative.rule}" was not refused with a documented 4xx`, expected: `a documented 4xx (${documented.filter((c) => c.startsWith('4')).join(', ')})`, received: brief(sent), pointer: negative.pointer, exchangeId: sent.exchange.id });
      });
    }
  }
}
