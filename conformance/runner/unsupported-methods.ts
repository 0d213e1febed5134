// Unsupported methods (Schemathesis' `unsupported_method`): each path of the spec is sent one
// method it does not document, with the caller's credentials, and must answer 405 Method Not
// Allowed with an `Allow` header listing the methods it documents. The method tried is the
// first of PATCH, PUT, POST, DELETE, GET the path lacks; its parameters are the set-up's real
// resources (an unsafe method at generated ones, so a target that obeys it deletes nothing real),
// else the spec's example. The exchange belongs to no operation, so no per-operation check and no
// coverage counts it.
import { buildExampleRequest } from '../../openapi/example-requests.ts';
import { escapePointer, HTTP_METHODS, type OperationRef } from '../../openapi/specs.ts';
import { unsupportedMethod } from '../checks/unsupported-method.ts';
import { applyCredentials } from '../credentials.ts';
import type { GroupContext, RunEnv } from './group.ts';
import { replacePathParams } from './paths.ts';
import type { Resources } from './resources.ts';

const PROBES = ['patch', 'put', 'post', 'delete', 'get'] as const;

export interface UnsupportedProbe {
  path: string;
  method: string;
  documented: string[];
  operations: OperationRef[];
}

/** Each path's probe: the first method of PROBES it does not document; none for a path that documents them all. */
export function unsupportedProbes(env: Pick<RunEnv, 'operations'>): UnsupportedProbe[] {
  const byPath = new Map<string, OperationRef[]>();
  for (const op of env.operations) byPath.set(op.path, [...(byPath.get(op.path) ?? []), op]);
  return [...byPath].flatMap(([path, operations]) => {
    const documented = HTTP_METHODS.filter((m) => operations.some((op) => op.method === m));
    const method = PROBES.find((m) => !documented.includes(m));
    return method ? [{ path, method: method.toUpperCase(), documented: documented.map((m) => m.toUpperCase()), operations }] : [];
  });
}

export async function unsupportedMethods(env: RunEnv, ctx: GroupContext, resources: Resources): Promise<void> {
  for (const probe of unsupportedProbes(env)) {
    await ctx.step(`${probe.method} ${probe.path}: not documented, so 405 with Allow: ${probe.documented.join(', ')}`, async () => {
      const op = probe.operations[0]!;
      let path = probe.path;
      try {
        path = buildExampleRequest(env.doc, op).path;
      } catch {
        path = probe.path.replace(/\{[^}]+\}/g, 'speechdouble-unsupported-method');
      }
      // Only a GET aims at the real resources: a target that wrongly obeys another method changes nothing real.
      if (probe.method === 'GET') path = replacePathParams(probe.path, path, resources.realValues(op));
      const auth = applyCredentials(env.doc, op.operation, env.credentials);
      const pointer = `#/paths/${escapePointer(probe.path)}`;
      const call = await ctx.sendUnjudged(String(op.operation.operationId), { method: probe.method, path, query: auth.query, headers: auth.headers }, {
        target: { operationId: `${probe.method} ${probe.path} (not documented)`, method: probe.method, path: probe.path, pointer },
      });
      const has405 = probe.operations.some((o) => Object.keys((o.operation.responses ?? {}) as object).includes('405'));
      const failure = unsupportedMethod.run(call.exchange, probe.documented, pointer, has405);
      if (failure) ctx.fail({ ...failure, check: unsupportedMethod.name, exchangeId: call.exchange.id });
    });
  }
}
