// Control operations an API adds to /__emulator (specs/emulator-control.yaml), under
// `/__emulator/<api>/...`: things a test must be able to make happen that no vendor endpoint
// does (Stenomatic's room streaming). The control spec routes and checks them; the API's
// `control` handlers act on its state; in strict mode the answer is checked like any other.
import type { ApiModule } from './api-definition.ts';
import { jsonResponse, type EmulatorRequest, type EmulatorResponse } from './http-types.ts';
import { ContractViolation, createResponseValidator } from './response-validation.ts';
import { createAjv, describeErrors, type ValidateFunction } from '../../openapi/schemas.ts';
import { listOperations, type JsonObject, type LoadedSpec, type OperationRef } from '../../openapi/specs.ts';

interface ControlRoute {
  api: string;
  op: OperationRef;
  operationId: string;
  method: string;
  pattern: RegExp;
  names: string[];
  validateBody?: ValidateFunction;
  /** Whether a request may come without a body. */
  bodyOptional: boolean;
}

export type ApiControlMatch =
  | { kind: 'matched'; route: ControlRoute; pathParams: Record<string, string> }
  | { kind: 'wrong-method'; allowed: string[] }
  | { kind: 'undecodable' }
  | { kind: 'none' };

/** The control API's own error body, for an API's control handlers. */
export const controlError = (status: number, error: string, message: string): EmulatorResponse => jsonResponse(status, { error, message });

const badRequest = (message: string) => controlError(400, 'bad_request', message);

/** The control spec's operations under `/__emulator/<api>/` for each mounted API; a missing handler fails at start. */
export function buildApiControlRoutes(spec: LoadedSpec, modules: readonly ApiModule[]): ControlRoute[] {
  const ajv = createAjv({ defaults: true });
  const routes: ControlRoute[] = [];
  for (const op of listOperations(spec.dereferenced)) {
    const module = modules.find((m) => op.path.startsWith(`/__emulator/${m.name}/`));
    if (!module) continue;
    const operationId = String(op.operation.operationId);
    if (!module.controlOperations.includes(operationId)) throw new Error(`${module.name}: control operation ${operationId} (${op.method.toUpperCase()} ${op.path}) has no handler`);
    const names = [...op.path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!);
    const source = op.path.split(/\{[^}]+\}/).map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('([^/]+)');
    const body = op.operation.requestBody as JsonObject | undefined;
    const schema = ((body?.content as JsonObject | undefined)?.['application/json'] as JsonObject | undefined)?.schema as JsonObject | undefined;
    routes.push({
      api: module.name, op, operationId, method: op.method.toUpperCase(), pattern: new RegExp(`^${source}/?$`), names,
      ...(schema && { validateBody: ajv.compile(schema) }), bodyOptional: body?.required !== true,
    });
  }
  return routes;
}

export function matchApiControl(routes: readonly ControlRoute[], method: string, path: string): ApiControlMatch {
  const onPath = routes.flatMap((route) => {
    const raw = route.pattern.exec(path);
    return raw ? [{ route, raw: raw.slice(1) }] : [];
  });
  if (onPath.length === 0) return { kind: 'none' };
  const hit = onPath.find(({ route }) => route.method === method.toUpperCase());
  if (!hit) return { kind: 'wrong-method', allowed: [...new Set(onPath.map(({ route }) => route.method))] };
  const pathParams: Record<string, string> = {};
  try {
    hit.route.names.forEach((name, i) => (pathParams[name] = decodeURIComponent(hit.raw[i]!)));
  } catch {
    return { kind: 'undecodable' };
  }
  return { kind: 'matched', route: hit.route, pathParams };
}

/** The body checked against the control spec (defaults filled), or the control API's 400. */
export function readControlBody(route: ControlRoute, request: EmulatorRequest): { ok: true; body: unknown } | { ok: false; response: EmulatorResponse } {
  const text = request.body.toString('utf8').trim();
  let body: unknown = {};
  if (text !== '') {
    try {
      body = JSON.parse(text);
    } catch {
      return { ok: false, response: badRequest('The body must be JSON; see specs/emulator-control.yaml.') };
    }
  } else if (!route.bodyOptional) {
    return { ok: false, response: badRequest('This control operation needs a JSON body; see specs/emulator-control.yaml.') };
  }
  if (route.validateBody && !route.validateBody(body)) return { ok: false, response: badRequest(describeErrors(route.validateBody.errors)) };
  return { ok: true, body };
}

/** In strict mode a control answer outside the control spec is a 500 naming the pointer, as for the APIs. */
export function checkControlAnswer(strict: boolean, route: ControlRoute, response: EmulatorResponse): EmulatorResponse {
  if (!strict) return response;
  try {
    validator.check(route.op, response);
    return response;
  } catch (error) {
    if (!(error instanceof ContractViolation)) throw error;
    return jsonResponse(500, { error: 'contract_violation', message: error.message });
  }
}

const validator = createResponseValidator();
