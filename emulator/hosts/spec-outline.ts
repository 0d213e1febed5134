// What `serve` prints about the specs it serves (the banner's paths) and how `--log` names an
// operation: the specs' paths, servers and operationIds, and nothing else. The emulator parsed
// the full documents already but does not hand them out. From the package, the build's JSON
// twin of each spec is read again (a millisecond). From the sources there is only the YAML,
// and parsing it again costs a few hundred milliseconds of start-up; so the outline is read
// from the YAML text by its layout (block mappings indented by two, as every spec here is
// written and Spectral keeps them). A document the scan cannot follow is parsed in full
// instead (the YAML parser is loaded only then); spec-outline.test.ts checks the scan against
// the real loader for every spec.
import { readFile } from 'node:fs/promises';
import { buildRouteTable, routeRequest, type RouteTable } from '../core/api-routing.ts';
import { HTTP_METHODS, readShippedDocument, type JsonObject, type LoadedSpec } from '../../openapi/specs.ts';

export interface OperationOutline {
  operationId?: string;
  servers?: { url: string }[];
}

export interface SpecOutline {
  /** The API's name, as the emulator calls it. */
  name: string;
  servers: { url: string }[];
  /** Path template → its servers and operations by lower-case method. */
  paths: Record<string, { servers?: { url: string }[]; operations: Record<string, OperationOutline> }>;
}

const METHODS: readonly string[] = HTTP_METHODS;

const unquote = (text: string) => {
  const value = text.replace(/\s+#.*$/, '').trim();
  return /^(['"]).*\1$/.test(value) ? value.slice(1, -1) : value;
};

/** The outline by the text's layout, or undefined when the text is not laid out as expected. */
export function scanOutline(name: string, text: string): SpecOutline | undefined {
  const outline: SpecOutline = { name, servers: [], paths: {} };
  let top = '';
  let item: SpecOutline['paths'][string] | undefined;
  let itemKey = '';
  let operation: OperationOutline | undefined;
  let operationKey = '';
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === '' || /^\s*#/.test(line)) continue;
    const topKey = /^([^\s#][^:]*):/.exec(line);
    if (topKey) {
      top = topKey[1]!;
      if (top === 'paths' && line.trim() !== 'paths:') return undefined; // a flow mapping
      continue;
    }
    if (top === 'servers') {
      const url = /^ {2}- url:\s*(.+)$/.exec(line);
      if (url) outline.servers.push({ url: unquote(url[1]!) });
      continue;
    }
    if (top !== 'paths') continue;
    const path = /^ {2}(\S.*?):\s*(.*)$/.exec(line);
    if (path) {
      const key = unquote(path[1]!);
      if (!key.startsWith('/') || path[2] !== '') return undefined;
      item = { operations: {} };
      outline.paths[key] = item;
      operation = undefined;
      continue;
    }
    const field = /^ {4}(\S[^:]*):\s*(.*)$/.exec(line);
    if (field) {
      itemKey = unquote(field[1]!);
      if (itemKey === '$ref') return undefined; // a path item elsewhere: only the full loader follows it
      operation = undefined;
      if (METHODS.includes(itemKey)) {
        if (field[2] !== '') return undefined;
        operation = {};
        item!.operations[itemKey] = operation;
      }
      continue;
    }
    if (itemKey === 'servers') {
      const url = /^ {6}- url:\s*(.+)$/.exec(line);
      if (url) (item!.servers ??= []).push({ url: unquote(url[1]!) });
      continue;
    }
    if (!operation) continue;
    const opField = /^ {6}(\S[^:]*):\s*(.*)$/.exec(line);
    if (opField) {
      operationKey = unquote(opField[1]!);
      if (operationKey === 'operationId') operation.operationId = unquote(opField[2]!);
      continue;
    }
    if (operationKey === 'servers') {
      const url = /^ {8}- url:\s*(.+)$/.exec(line);
      if (url) (operation.servers ??= []).push({ url: unquote(url[1]!) });
    }
  }
  const items = Object.values(outline.paths);
  if (items.length === 0 || items.some((i) => Object.keys(i.operations).length === 0) || items.some((i) => Object.values(i.operations).some((o) => !o.operationId))) return undefined;
  return outline;
}

/** The same outline from a parsed document (the slow, sure way). */
export function outlineOf(name: string, document: JsonObject): SpecOutline {
  const servers = (value: unknown) => (Array.isArray(value) ? value.map((s) => ({ url: String((s as JsonObject).url ?? '') })) : undefined);
  const paths: SpecOutline['paths'] = {};
  for (const [path, raw] of Object.entries((document.paths ?? {}) as JsonObject)) {
    const pathItem = raw as JsonObject;
    const operations: Record<string, OperationOutline> = {};
    for (const method of METHODS) {
      const op = pathItem[method] as JsonObject | undefined;
      if (!op) continue;
      const opServers = servers(op.servers);
      operations[method] = { ...(op.operationId !== undefined && { operationId: String(op.operationId) }), ...(opServers && { servers: opServers }) };
    }
    const itemServers = servers(pathItem.servers);
    paths[path] = { operations, ...(itemServers && { servers: itemServers }) };
  }
  return { name, servers: servers(document.servers) ?? [], paths };
}

export async function readOutline(name: string, file: string): Promise<SpecOutline> {
  const shipped = await readShippedDocument(file);
  if (shipped) return outlineOf(name, shipped);
  const text = await readFile(file, 'utf8');
  const scanned = scanOutline(name, text);
  if (scanned) return scanned;
  const { parse: parseYaml } = await import('yaml');
  return outlineOf(name, parseYaml(text) as JsonObject);
}

/** The outline as the document shape the core's router reads (paths, servers, operationIds). */
function asDocument(outline: SpecOutline): JsonObject {
  const paths: JsonObject = {};
  for (const [path, item] of Object.entries(outline.paths)) {
    const pathItem: JsonObject = item.servers ? { servers: item.servers } : {};
    for (const [method, op] of Object.entries(item.operations)) pathItem[method] = { ...op } as JsonObject;
    paths[path] = pathItem;
  }
  return { servers: outline.servers, paths };
}

export interface OperationNamer {
  /** The API and operationId a request goes to, as the emulator routes it (null when none). */
  name(method: string, path: string, headers: Record<string, string>): { api: string | null; operationId: string | null };
}

/**
 * Names requests as the journal does, with the core's own router over the same paths. `control`
 * names the control API's operations (`/__emulator/...`); `namespaces` are the path prefixes each
 * API owns (an unknown path under one is that API's).
 */
export function operationNamer(outlines: SpecOutline[], namespaces: Record<string, readonly string[]>, control?: SpecOutline): OperationNamer {
  const spec = (outline: SpecOutline, name = outline.name): LoadedSpec => {
    const document = asDocument(outline);
    return { name, file: '', document, dereferenced: document };
  };
  const routes: RouteTable = buildRouteTable(outlines.map((outline) => spec(outline)), namespaces);
  // The router leaves out a spec named `control`; under another name it routes the control paths too.
  const controlRoutes: RouteTable | undefined = control && buildRouteTable([spec(control, 'emulator-control')]);
  return {
    name(method, path, headers) {
      if (path === '/__emulator' || path.startsWith('/__emulator/')) {
        const match = controlRoutes && routeRequest(controlRoutes, method, path, headers);
        return { api: 'control', operationId: match?.kind === 'matched' ? match.operationId : null };
      }
      const match = routeRequest(routes, method, path, headers);
      if (match.kind === 'matched') return { api: match.api, operationId: match.operationId };
      return { api: (match.kind === 'wrong-method' || match.kind === 'unknown-path' ? match.api : undefined) ?? null, operationId: null };
    },
  };
}
