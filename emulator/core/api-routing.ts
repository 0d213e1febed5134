// Decides which API a request belongs to. The five vendors' paths are disjoint but for
// POST /v2/upload, which Gladia and AssemblyAI both use; their credentials tell them apart.
// An operation is served at its path and under the path part of each of its servers
// (Cadence's Bubble host is `/version-test`), as a client with the vendor's base URL calls it.
import { listOperations, type JsonObject, type LoadedSpec } from '../../openapi/specs.ts';

interface Route {
  api: string;
  method: string;
  template: string;
  operationId: string;
  pattern: RegExp;
  /** Path prefixes the operation is also served under ('' is the root). */
  prefixes: string[];
}

export interface RouteTable {
  routes: Route[];
  /** Path prefixes an API owns: an unknown path under one is that API's 404. */
  namespaces: Array<{ api: string; prefix: string }>;
  /**
   * The routes a path may match, by its first two segments and its number of segments
   * (`pathKey`), in table order; `any` are those that may match a path under any key.
   */
  byKey: Map<string, Route[]>;
  any: Route[];
}

function templateToRegExp(template: string): RegExp {
  const source = template
    .split(/(\{[^}]+\})/)
    .map((part) => (part.startsWith('{') ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}/?$`);
}

/** The path part of a server URL (`https://host/version-test` → `/version-test`); templated hosts allowed. */
export function serverPath(url: string): string {
  const path = /^[a-z][a-z0-9+.-]*:\/\/[^/]*(\/.*)?$/i.exec(url)?.[1] ?? '';
  return path.replace(/\/+$/, '');
}

/** The operation's servers win over its path item's, which win over the document's (OpenAPI 3.1). */
function prefixesOf(doc: JsonObject, pathItem: JsonObject, operation: JsonObject): string[] {
  const servers = (operation.servers ?? pathItem.servers ?? doc.servers ?? []) as JsonObject[];
  return [...new Set(['', ...servers.map((server) => serverPath(String(server.url ?? '')))])];
}

export function buildRouteTable(specs: LoadedSpec[], namespaces: Record<string, readonly string[]> = {}): RouteTable {
  const routes: Route[] = [];
  const owned: RouteTable['namespaces'] = [];
  for (const spec of specs) {
    if (spec.name === 'control') continue;
    const prefixes = new Set<string>();
    for (const { method, path, operation } of listOperations(spec.document)) {
      const pathItem = (spec.document.paths as JsonObject)[path] as JsonObject;
      const mine = prefixesOf(spec.document, pathItem, operation);
      mine.forEach((prefix) => prefixes.add(prefix));
      routes.push({ api: spec.name, method: method.toUpperCase(), template: path, operationId: String(operation.operationId), pattern: templateToRegExp(path), prefixes: mine });
    }
    for (const namespace of namespaces[spec.name] ?? []) for (const prefix of prefixes) owned.push({ api: spec.name, prefix: prefix + namespace });
  }
  return { routes, namespaces: owned, ...indexRoutes(routes) };
}

/**
 * What every path a route matches shares: its first two segments and how many segments it has
 * (`/v2/jobs 3` for `/v2/jobs/x` and `/v2/jobs/x/`: a trailing slash adds none).
 */
function pathKey(path: string): string {
  const first = path.indexOf('/', 1);
  const second = first < 0 ? -1 : path.indexOf('/', first + 1);
  let slashes = 0;
  for (let i = path.indexOf('/'); i >= 0; i = path.indexOf('/', i + 1)) slashes++;
  return `${second < 0 ? path : path.slice(0, second)} ${path.endsWith('/') ? slashes - 1 : slashes}`;
}

/**
 * Each route under the key of every path it matches (`pathKey`), one per prefix it is served
 * under: a parameter matches one whole segment (`[^/]+`), so the prefix and the template give
 * the first two segments, when both are literal, and the count. A route with a parameter there,
 * a template shorter than two segments or ending in `/` may match paths under any key: it is in
 * every list, and in `any`.
 */
function indexRoutes(routes: Route[]): Pick<RouteTable, 'byKey' | 'any'> {
  const keys = routes.map((route) => route.prefixes.map((full) => {
    full += route.template;
    const [, first, second] = full.split('/');
    if (first === undefined || second === undefined || first.includes('{') || second.includes('{') || full.endsWith('/')) return undefined;
    return `/${first}/${second} ${full.split('/').length - 1}`;
  }));
  const any = routes.filter((_, i) => keys[i]!.includes(undefined));
  const byKey = new Map<string, Route[]>();
  for (const key of new Set(keys.flat())) {
    if (key !== undefined) byKey.set(key, routes.filter((_, i) => keys[i]!.includes(key) || keys[i]!.includes(undefined)));
  }
  return { byKey, any };
}

export type RouteMatch =
  /** `path` is the request's path without the server prefix it came under. */
  | { kind: 'matched'; api: string; template: string; operationId: string; path: string }
  /** The path exists, but not for this method: the API's own 405. */
  | { kind: 'wrong-method'; api: string; allowed: string[]; path: string }
  /** No operation has this path; `api` owns the namespace it is under, if one does. */
  | { kind: 'unknown-path'; api?: string }
  /** The request carries two vendors' credentials on a path both serve: neither is guessed. */
  | { kind: 'ambiguous'; apis: string[]; because: string };

/** The request's path as the route sees it (prefix removed), or undefined when it does not match. */
function unprefixed(route: Route, path: string): string | undefined {
  for (const prefix of route.prefixes) {
    if (prefix !== '' && !path.startsWith(prefix + '/')) continue;
    const rest = path.slice(prefix.length);
    if (route.pattern.test(rest)) return rest;
  }
  return undefined;
}

/** A route's method is `GET`, `POST`…: a method with no lower-case ASCII letter compares as it is (non-ASCII matches none either way). */
const LOWER_CASE = /[a-z]/;

export function routeRequest(table: RouteTable, method: string, path: string, headers: Record<string, string>): RouteMatch {
  // A plain loop: this runs on every request, over the routes the path's key leaves (in table
  // order: the same matches as trying every route).
  const onPath: Array<{ route: Route; rest: string }> = [];
  for (const route of table.byKey.get(pathKey(path)) ?? table.any) {
    const rest = unprefixed(route, path);
    if (rest !== undefined) onPath.push({ route, rest });
  }
  if (onPath.length === 0) {
    const owner = table.namespaces.filter((n) => path.startsWith(n.prefix)).sort((a, b) => b.prefix.length - a.prefix.length)[0];
    return owner ? { kind: 'unknown-path', api: owner.api } : { kind: 'unknown-path' };
  }
  // Methods arrive upper-case (Node's parser gives them so); only another spelling is converted.
  const upper = LOWER_CASE.test(method) ? method.toUpperCase() : method;
  const candidates = onPath.length === 1 ? (onPath[0]!.route.method === upper ? onPath : []) : onPath.filter(({ route }) => route.method === upper);
  if (candidates.length === 0) {
    return { kind: 'wrong-method', api: onPath[0]!.route.api, allowed: [...new Set(onPath.map(({ route }) => route.method))], path: onPath[0]!.rest };
  }
  const chosen = candidates.length === 1 ? candidates[0]! : disambiguate(candidates, headers);
  if (!chosen) return { kind: 'ambiguous', apis: candidates.map(({ route }) => route.api), because: 'it carries both x-gladia-key (Gladia) and authorization (AssemblyAI)' };
  return { kind: 'matched', api: chosen.route.api, template: chosen.route.template, operationId: chosen.route.operationId, path: chosen.rest };
}

/**
 * Only POST /v2/upload is shared. Gladia authenticates with `x-gladia-key`, AssemblyAI with a
 * raw `authorization` key. Without either, a multipart body means Gladia (its upload takes a
 * multipart `audio` part; AssemblyAI's takes raw bytes), so each caller gets its own vendor's 401.
 */
function disambiguate<C extends { route: Route }>(candidates: C[], headers: Record<string, string>): C | undefined {
  const byApi = (api: string) => candidates.find((c) => c.route.api === api);
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
