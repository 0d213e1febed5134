// Decides which API a request belongs to. The five vendors' paths are disjoint but for
// POST /v2/upload, which Gladia and AssemblyAI both use; their credentials tell them apart.
import { listOperations, type LoadedSpec } from '../../openapi/specs.ts';

interface Route {
  api: string;
  method: string;
  template: string;
  operationId: string;
  pattern: RegExp;
}

export interface RouteTable {
  routes: Route[];
}

function templateToRegExp(template: string): RegExp {
  const source = template
    .split(/(\{[^}]+\})/)
    .map((part) => (part.startsWith('{') ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}/?$`);
}

export function buildRouteTable(specs: LoadedSpec[]): RouteTable {
  const routes: Route[] = [];
  for (const spec of specs) {
    if (spec.name === 'control') continue;
    for (const { method, path, operation } of listOperations(spec.document)) {
      routes.push({ api: spec.name, method: method.toUpperCase(), template: path, operationId: String(operation.operationId), pattern: templateToRegExp(path) });
    }
  }
  return { routes };
}

export type RouteMatch =
  | { kind: 'matched'; api: string; template: string; operationId: string }
  /** The path exists, but not for this method: the API's own 405. */
  | { kind: 'wrong-method'; api: string; allowed: string[] }
  | { kind: 'unknown-path' }
  /** The request carries two vendors' credentials on a path both serve: neither is guessed. */
  | { kind: 'ambiguous'; apis: string[]; because: string };

export function routeRequest(table: RouteTable, method: string, path: string, headers: Record<string, string>): RouteMatch {
  const onPath = table.routes.filter((r) => r.pattern.test(path));
  if (onPath.length === 0) return { kind: 'unknown-path' };
  const candidates = onPath.filter((r) => r.method === method.toUpperCase());
  if (candidates.length === 0) {
    return { kind: 'wrong-method', api: onPath[0]!.api, allowed: [...new Set(onPath.map((r) => r.method))] };
  }
  const chosen = candidates.length === 1 ? candidates[0]! : disambiguate(candidates, headers);
  if (!chosen) return { kind: 'ambiguous', apis: candidates.map((r) => r.api), because: 'it carries both x-gladia-key (Gladia) and authorization (AssemblyAI)' };
  return { kind: 'matched', api: chosen.api, template: chosen.template, operationId: chosen.operationId };
}

/**
 * Only POST /v2/upload is shared. Gladia authenticates with `x-gladia-key`, AssemblyAI with a
 * raw `authorization` key. Without either, a multipart body means Gladia (its upload takes a
 * multipart `audio` part; AssemblyAI's takes raw bytes), so each caller gets its own vendor's 401.
 */
function disambiguate(candidates: Route[], headers: Record<string, string>): Route | undefined {
  const byApi = (api: string) => candidates.find((r) => r.api === api);
  const gladia = byApi('gladia');
  const assemblyai = byApi('assemblyai');
  if (gladia && assemblyai) {
    if (headers['x-gladia-key'] !== undefined && headers['authorization'] !== undefined) return undefined;
    if (headers['x-gladia-key'] !== undefined) return gladia;
    if (headers['authorization'] !== undefined) return assemblyai;
    return (headers['content-type'] ?? '').startsWith('multipart/') ? gladia : assemblyai;
  }
  return candidates[0]!;
}
