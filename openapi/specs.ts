// Where the OpenAPI documents live and how they are read. Everything that routes, validates,
// mocks or checks conformance starts here, so there is one list of APIs and one loader.
//
// From the package (dist/), a spec loads from JSON the build wrote beside its YAML: the document
// and its dereferenced form, so neither the YAML parser nor swagger-parser is loaded (together
// most of a start-up's module loading). From the sources (tests, benchmarks) there is only the
// YAML, and both are loaded when first needed.
import { readFile, stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

export const SPECS_DIR = fileURLToPath(new URL('../specs/', import.meta.url));

/** The vendor APIs, in the order the README and `--api` list them. */
export const API_NAMES = ['speechmatics', 'assemblyai', 'gladia', 'cadence', 'stenomatic'] as const;
export type ApiName = (typeof API_NAMES)[number];
export type SpecName = ApiName | 'control';

export const SPEC_FILES: Record<SpecName, string> = {
  speechmatics: 'speechmatics-batch.yaml',
  assemblyai: 'assemblyai.yaml',
  gladia: 'gladia.yaml',
  cadence: 'cadence.yaml',
  stenomatic: 'stenomatic.yaml',
  control: 'emulator-control.yaml',
};

export const specPath = (name: SpecName): string => SPECS_DIR + SPEC_FILES[name];

export function isApiName(value: string): value is ApiName {
  return (API_NAMES as readonly string[]).includes(value);
}

// OpenAPI objects are read as plain JSON values: the specs are checked by swagger-parser and
// Spectral, so code below trusts their shape and keeps its own typing light.
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export interface LoadedSpec {
  /** The API it describes: a SpecName for the project's own, any name for a test's. */
  name: string;
  file: string;
  /** The document as written, `$ref`s intact: what Prism and Spectral read. */
  document: JsonObject;
  /** The same document with every `$ref` replaced by its target: what validators compile. */
  dereferenced: JsonObject;
}

export async function loadSpec(name: SpecName): Promise<LoadedSpec> {
  return loadSpecFile(name, specPath(name));
}

/** The build's files beside a YAML spec: the document, and the same document dereferenced. */
const TWINS = { document: '.json', dereferenced: '.dereferenced.json' } as const;

/**
 * The twin of a YAML spec the build wrote (`cadence.json` next to `cadence.yaml`), when it is
 * there and not older than the YAML: an edited spec is never shadowed by a stale twin.
 */
async function freshTwin(file: string, kind: keyof typeof TWINS): Promise<string | undefined> {
  const twin = file.replace(/\.ya?ml$/, TWINS[kind]);
  if (twin === file) return undefined;
  const [yamlStat, twinStat] = await Promise.all([stat(file).catch(() => undefined), stat(twin).catch(() => undefined)]);
  return twinStat && (!yamlStat || twinStat.mtimeMs >= yamlStat.mtimeMs) ? twin : undefined;
}

/**
 * The YAML is the source; the package ships each spec also as JSON beside it (`cadence.json`
 * next to `cadence.yaml`, written by the build), which parses in milliseconds where the YAML
 * takes a good part of a second. A JSON twin older than its YAML is ignored, so an edited spec
 * is never shadowed by a stale one.
 */
export async function readDocument(file: string): Promise<JsonObject> {
  const shipped = await readShippedDocument(file);
  if (shipped) return shipped;
  const { parse: parseYaml } = await import('yaml');
  return parseYaml(await readFile(file, 'utf8')) as JsonObject;
}

/** The document from the build's JSON twin of the YAML, or undefined when there is no fresh one (the sources). */
export async function readShippedDocument(file: string): Promise<JsonObject | undefined> {
  const twin = await freshTwin(file, 'document');
  return twin ? (JSON.parse(await readFile(twin, 'utf8')) as JsonObject) : undefined;
}

export async function loadSpecFile(name: string, file: string): Promise<LoadedSpec> {
  const [document, shipped] = await Promise.all([readDocument(file), freshTwin(file, 'dereferenced')]);
  if (shipped) return { name, file, document, dereferenced: decodeSharedGraph(JSON.parse(await readFile(shipped, 'utf8')) as SharedGraph) };
  return { name, file, document, dereferenced: await dereference(document) };
}

/** Every `$ref` replaced by its target (swagger-parser: one shared object per target, cycles kept), on a copy. */
export async function dereference(document: JsonObject): Promise<JsonObject> {
  const { default: SwaggerParser } = await import('@apidevtools/swagger-parser');
  return (await SwaggerParser.dereference(structuredClone(document) as never)) as unknown as JsonObject;
}

/**
 * A dereferenced document as JSON, its shape kept whole: each object or array that is reached
 * more than once (a `$ref` target used in many places, or one inside a cycle) is written once,
 * in `shared`, and a `null` stands wherever it occurs; `links` says where those are. Decoded, it
 * is the same graph: the same objects shared, so a schema used by many operations is still
 * compiled once. Decoding touches only the links, so it costs little more than `JSON.parse`.
 */
export interface SharedGraph {
  format: typeof SHARED_GRAPH_FORMAT;
  root: Json;
  shared: Json[];
  /** `[holder, path, target]`: in the root (holder -1) or `shared[holder]`, the value at `path` is `shared[target]`. */
  links: Array<[number, Array<string | number>, number]>;
}

const SHARED_GRAPH_FORMAT = 'speechdouble-shared-graph/2';

const isContainer = (value: unknown): value is JsonObject | Json[] => typeof value === 'object' && value !== null;

export function encodeSharedGraph(root: JsonObject): SharedGraph {
  // How often each object or array is reached; a second visit does not descend again.
  const seen = new Map<object, number>();
  const count = (value: Json) => {
    if (!isContainer(value)) return;
    const times = seen.get(value) ?? 0;
    seen.set(value, times + 1);
    if (times > 0) return;
    for (const child of Array.isArray(value) ? value : Object.values(value)) count(child);
  };
  count(root);
  const index = new Map<object, number>();
  for (const [node, times] of seen) if (times > 1) index.set(node, index.size);
  const shared: Json[] = new Array<Json>(index.size);
  const written = new Set<number>();
  const links: SharedGraph['links'] = [];
  // The value as JSON, a shared node inside it as a link (and written to `shared` once).
  const encode = (value: Json, holder: number, path: Array<string | number>): Json => {
    if (!isContainer(value)) return value;
    const at = index.get(value);
    if (at !== undefined && path.length > 0) {
      links.push([holder, path, at]);
      if (!written.has(at)) {
        written.add(at); // before it is written: a cycle back to it is a link like any other
        shared[at] = encode(value, at, []);
      }
      return null;
    }
    return Array.isArray(value)
      ? value.map((child, i) => encode(child, holder, [...path, i]))
      : Object.fromEntries(Object.entries(value).map(([key, child]) => [key, encode(child, holder, [...path, key])]));
  };
  // The root is shared only when something refers back to it: then it too is a link.
  const top = index.get(root);
  if (top !== undefined) {
    written.add(top);
    shared[top] = encode(root, top, []);
  }
  return { format: SHARED_GRAPH_FORMAT, root: top === undefined ? encode(root, -1, []) : null, shared, links: top === undefined ? links : [...links, [-1, [], top]] };
}

export function decodeSharedGraph(graph: SharedGraph): JsonObject {
  if (graph.format !== SHARED_GRAPH_FORMAT) throw new Error(`a dereferenced spec in format ${String(graph.format)}, not ${SHARED_GRAPH_FORMAT}: rebuild it`);
  // The parsed shared nodes are the shared objects themselves; each link is one assignment.
  let root = graph.root;
  for (const [holder, path, target] of graph.links) {
    if (path.length === 0) {
      root = graph.shared[target]!; // the root refers back to itself (holder -1, path [])
      continue;
    }
    let parent = (holder === -1 ? graph.root : graph.shared[holder]) as Record<string | number, Json>;
    for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, Json>;
    const key = path[path.length - 1]!;
    // JSON.parse makes `__proto__` an own key; an assignment would set the prototype instead.
    if (key === '__proto__') Object.defineProperty(parent, key, { value: graph.shared[target], enumerable: true, writable: true, configurable: true });
    else parent[key] = graph.shared[target]!;
  }
  return root as JsonObject;
}

export const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

export interface OperationRef {
  method: (typeof HTTP_METHODS)[number];
  path: string;
  operation: JsonObject;
  /** JSON pointer of the operation inside its document, for messages. */
  pointer: string;
}

export function escapePointer(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Every operation of a document, in document order. */
export function listOperations(doc: JsonObject): OperationRef[] {
  const out: OperationRef[] = [];
  const paths = (doc.paths ?? {}) as Record<string, JsonObject>;
  for (const [path, item] of Object.entries(paths)) {
    for (const method of HTTP_METHODS) {
      const operation = item[method];
      if (operation && typeof operation === 'object' && !Array.isArray(operation)) {
        out.push({ method, path, operation, pointer: `#/paths/${escapePointer(path)}/${method}` });
      }
    }
  }
  return out;
}
