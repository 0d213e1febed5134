// Any OpenAPI document as the runner reads it (`conform --spec FILE|URL`): OpenAPI 3.1 as it is,
// OpenAPI 3.0 with its schemas in the JSON Schema 2020-12 the checks compile (`nullable`, boolean
// `exclusiveMinimum`/`exclusiveMaximum`), and Swagger 2.0 converted to OpenAPI 3 first (`basePath`
// and `host` become `servers`, `body` and `formData` parameters a `requestBody`, `definitions`
// schemas, `produces` each response's `content`, `securityDefinitions` security schemes).
//
// The runner's own cases need what the project's specs always have: an `operationId` per
// operation, and an example for every path and required parameter and every request body. A
// document without them gets them here (`METHOD /path`, and a value made from the schema), so a
// vendor's published document runs as ours do. Everything is done on the dereferenced copy; the
// document as written is kept as it was read.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { dereference, HTTP_METHODS, listOperations, specPath, API_NAMES, type ApiName, type Json, type JsonObject, type LoadedSpec } from '../openapi/specs.ts';
import { createSchemaCompiler } from '../openapi/schemas.ts';
import { sampleValue } from './generated/sample.ts';

export interface SpecSource {
  spec: LoadedSpec;
  /** `2.0` (Swagger), `3.0.x`, `3.1.x`, as the document says. */
  version: string;
  /** The project's API whose own spec this is (same file, or the same `info.title` and `info.version`). */
  ownApi?: ApiName;
  /** What was added or converted, one line each, for the report's reader. */
  notes: string[];
}

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The text of a file or of a URL (http or https). */
async function readSource(source: string): Promise<string> {
  if (/^https?:\/\//i.test(source)) {
    const res = await fetch(source, { signal: AbortSignal.timeout(30_000) });
    if (!res.ok) throw new Error(`${source} answered ${res.status}`);
    return res.text();
  }
  return readFile(source, 'utf8');
}

async function parseDocument(text: string, source: string): Promise<JsonObject> {
  let parsed: unknown;
  if (/^\s*\{/.test(text)) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
  }
  if (parsed === undefined) {
    const { parse } = await import('yaml');
    parsed = parse(text);
  }
  if (!isObject(parsed)) throw new Error(`${source} is not an OpenAPI document (no object at its top)`);
  if (typeof parsed.swagger !== 'string' && typeof parsed.openapi !== 'string') throw new Error(`${source} is neither OpenAPI 3 (\`openapi:\`) nor Swagger 2.0 (\`swagger:\`)`);
  return parsed;
}

/** `info.title` and `info.version` of one of the project's specs, read from its `info:` block alone (parsing the whole YAML takes a good part of a second). */
async function ownInfo(api: ApiName): Promise<{ title?: string; version?: string }> {
  const text = await readFile(specPath(api), 'utf8').catch(() => '');
  const block = /^info:\n(?:[ \t]+.*\n|\n)*/m.exec(text)?.[0];
  if (!block) return {};
  const { parse } = await import('yaml');
  const info = (parse(block) as { info?: { title?: unknown; version?: unknown } } | null)?.info;
  return { ...(typeof info?.title === 'string' && { title: info.title }), ...(info?.version !== undefined && { version: String(info.version) }) };
}

/**
 * The project's API this document is the spec of: the same file as `specs/<api>.yaml`, or a
 * document with the same `info.title` and `info.version` (a copy, the build's JSON twin, the
 * same spec served at a URL).
 */
export async function ownApiOf(document: JsonObject, source: string): Promise<ApiName | undefined> {
  const local = /^https?:\/\//i.test(source) ? undefined : resolve(source);
  const info = isObject(document.info) ? document.info : {};
  for (const api of API_NAMES) {
    if (local && local === resolve(specPath(api))) return api;
    const own = await ownInfo(api);
    if (own.title !== undefined && own.title === info.title && own.version === String(info.version)) return api;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Swagger 2.0 → OpenAPI 3.0, on the dereferenced document (no `$ref`s left to rewrite)

const PARAMETER_SCHEMA_KEYS = ['type', 'format', 'items', 'default', 'maximum', 'exclusiveMaximum', 'minimum', 'exclusiveMinimum', 'maxLength', 'minLength', 'pattern', 'maxItems', 'minItems', 'uniqueItems', 'enum', 'multipleOf'];

/** A Swagger 2.0 parameter's (or header's, or items') own schema keywords as a schema. */
function parameterSchema(param: JsonObject): JsonObject {
  const schema: JsonObject = {};
  for (const key of PARAMETER_SCHEMA_KEYS) if (key in param) schema[key] = param[key]!;
  if (isObject(schema.items)) schema.items = parameterSchema(schema.items);
  if (schema.type === 'file') {
    schema.type = 'string';
    schema.format = 'binary';
  }
  if (param['x-nullable'] === true) schema.nullable = true;
  return schema;
}

/** Swagger 2.0 schema keywords that OpenAPI 3.0 writes otherwise, changed in place (shared schemas once). */
function convertSchemas2(root: Json, seen = new Set<object>()): void {
  if (!isObject(root) && !Array.isArray(root)) return;
  if (seen.has(root)) return;
  seen.add(root);
  if (Array.isArray(root)) {
    for (const item of root) convertSchemas2(item, seen);
    return;
  }
  if (root.type === 'file') {
    root.type = 'string';
    root.format = 'binary';
  }
  if (root['x-nullable'] === true) {
    root.nullable = true;
    delete root['x-nullable'];
  }
  if (typeof root.discriminator === 'string') root.discriminator = { propertyName: root.discriminator };
  for (const [key, child] of Object.entries(root)) if (key !== 'example' && key !== 'enum' && key !== 'default') convertSchemas2(child, seen);
}

function collectionStyle(param: JsonObject): JsonObject {
  switch (param.collectionFormat) {
    case 'multi': return { style: 'form', explode: true };
    case 'ssv': return { style: 'spaceDelimited', explode: false };
    case 'pipes': return { style: 'pipeDelimited', explode: false };
    case 'csv': return param.in === 'query' ? { style: 'form', explode: false } : { style: 'simple' };
    default: return param.type === 'array' && param.in === 'query' ? { style: 'form', explode: false } : {};
  }
}

const FORM_TYPES = ['multipart/form-data', 'application/x-www-form-urlencoded'];

/** The security scheme a Swagger 2.0 `Authorization` header parameter becomes. */
const AUTHORIZATION_SCHEME = 'AuthorizationHeader';

function convertOperation2(doc: JsonObject, pathItem: JsonObject, op: JsonObject): JsonObject {
  const byKey = new Map<string, JsonObject>();
  for (const p of [...(Array.isArray(pathItem.parameters) ? pathItem.parameters : []), ...(Array.isArray(op.parameters) ? op.parameters : [])]) {
    if (isObject(p)) byKey.set(`${String(p.in)}:${String(p.name)}`, p);
  }
  const params = [...byKey.values()];
  const consumes = (Array.isArray(op.consumes) ? op.consumes : Array.isArray(doc.consumes) ? doc.consumes : []).map(String);
  const produces = (Array.isArray(op.produces) ? op.produces : Array.isArray(doc.produces) ? doc.produces : ['application/json']).map(String);
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(op)) {
    if (['parameters', 'consumes', 'produces', 'responses', 'schemes'].includes(key)) continue;
    out[key] = value;
  }

  // OpenAPI 3 ignores a header parameter named Authorization; Swagger 2.0 documents credentials so
  // where it has no securityDefinitions for them. It becomes a security scheme, which --token fills.
  const authorization = params.find((p) => p.in === 'header' && String(p.name).toLowerCase() === 'authorization');
  if (authorization && op.security === undefined && doc.security === undefined) {
    out.security = authorization.required === true ? [{ [AUTHORIZATION_SCHEME]: [] }] : [{ [AUTHORIZATION_SCHEME]: [] }, {}];
  }
  const plain = params.filter((p) => p !== authorization && (p.in === 'query' || p.in === 'header' || p.in === 'path' || p.in === 'cookie'));
  if (plain.length) {
    out.parameters = plain.map((p) => ({
      name: p.name!, in: p.in!,
      ...(p.description !== undefined && { description: p.description }),
      ...((p.required === true || p.in === 'path') && { required: true }),
      ...(p.allowEmptyValue !== undefined && { allowEmptyValue: p.allowEmptyValue }),
      ...collectionStyle(p),
      schema: parameterSchema(p),
      ...(p['x-example'] !== undefined && { example: p['x-example'] }),
    }));
  }

  const body = params.find((p) => p.in === 'body');
  const form = params.filter((p) => p.in === 'formData');
  if (body) {
    const types = consumes.filter((t) => !FORM_TYPES.includes(t));
    const schema = isObject(body.schema) ? body.schema : {};
    out.requestBody = {
      ...(body.description !== undefined && { description: body.description }),
      ...(body.required === true && { required: true }),
      content: Object.fromEntries((types.length ? types : ['application/json']).map((t) => [t, { schema, ...(body['x-example'] !== undefined && { example: body['x-example'] }) }])),
    };
  } else if (form.length) {
    const hasFile = form.some((p) => p.type === 'file');
    const declared = consumes.filter((t) => FORM_TYPES.includes(t) && (!hasFile || t === 'multipart/form-data'));
    const types = declared.length ? declared : [hasFile ? 'multipart/form-data' : 'application/x-www-form-urlencoded'];
    const required = form.filter((p) => p.required === true).map((p) => String(p.name));
    const schema: JsonObject = {
      type: 'object',
      properties: Object.fromEntries(form.map((p) => [String(p.name), { ...parameterSchema(p), ...(p.description !== undefined && { description: p.description }) }])),
      ...(required.length && { required }),
    };
    out.requestBody = { ...(required.length && { required: true }), content: Object.fromEntries(types.map((t) => [t, { schema }])) };
  }

  const responses: JsonObject = {};
  for (const [code, response] of Object.entries(isObject(op.responses) ? op.responses : {})) {
    if (!isObject(response)) continue;
    const converted: JsonObject = { description: typeof response.description === 'string' ? response.description : '' };
    if (isObject(response.headers)) {
      converted.headers = Object.fromEntries(Object.entries(response.headers).filter((e): e is [string, JsonObject] => isObject(e[1])).map(([name, header]) => [name, {
        ...(header.description !== undefined && { description: header.description }),
        schema: parameterSchema(header),
      }]));
    }
    if (isObject(response.schema)) {
      const examples = isObject(response.examples) ? response.examples : {};
      converted.content = Object.fromEntries(produces.map((t) => [t, { schema: response.schema!, ...(examples[t] !== undefined && { example: examples[t] }) }]));
    }
    responses[code] = converted;
  }
  out.responses = responses;
  return out;
}

function securitySchemes2(definitions: Json | undefined): JsonObject {
  const flows: Record<string, string> = { implicit: 'implicit', password: 'password', application: 'clientCredentials', accessCode: 'authorizationCode' };
  const out: JsonObject = {};
  for (const [name, def] of Object.entries(isObject(definitions) ? definitions : {})) {
    if (!isObject(def)) continue;
    const description: JsonObject = def.description !== undefined ? { description: def.description } : {};
    if (def.type === 'basic') out[name] = { type: 'http', scheme: 'basic', ...description };
    else if (def.type === 'apiKey') out[name] = { type: 'apiKey', name: def.name!, in: def.in!, ...description };
    else if (def.type === 'oauth2') {
      const flow = flows[String(def.flow)] ?? 'implicit';
      const settings: JsonObject = { scopes: isObject(def.scopes) ? def.scopes : {} };
      if (def.authorizationUrl !== undefined) settings.authorizationUrl = def.authorizationUrl;
      if (def.tokenUrl !== undefined) settings.tokenUrl = def.tokenUrl;
      out[name] = { type: 'oauth2', ...description, flows: { [flow]: settings } };
    }
  }
  return out;
}

/** A dereferenced Swagger 2.0 document as OpenAPI 3.0. */
export function convertSwagger2(doc: JsonObject): JsonObject {
  convertSchemas2(doc.definitions ?? null);
  const basePath = typeof doc.basePath === 'string' ? doc.basePath.replace(/\/+$/, '') : '';
  const schemes = Array.isArray(doc.schemes) && doc.schemes.length ? doc.schemes.map(String) : ['https'];
  const servers = typeof doc.host === 'string' ? schemes.map((scheme) => ({ url: `${scheme}://${String(doc.host)}${basePath}` })) : basePath ? [{ url: basePath }] : [];
  const paths: JsonObject = {};
  for (const [path, item] of Object.entries(isObject(doc.paths) ? doc.paths : {})) {
    if (!isObject(item)) continue;
    const converted: JsonObject = {};
    for (const [key, value] of Object.entries(item)) {
      if ((HTTP_METHODS as readonly string[]).includes(key) && isObject(value)) {
        const op = convertOperation2(doc, item, value);
        convertSchemas2(op);
        converted[key] = op;
      } else if (key !== 'parameters') converted[key] = value;
    }
    paths[path] = converted;
  }
  const extensions = Object.fromEntries(Object.entries(doc).filter(([key]) => key.startsWith('x-')));
  return {
    openapi: '3.0.3',
    info: doc.info ?? { title: 'untitled', version: '0' },
    ...(servers.length && { servers }),
    ...(doc.security !== undefined && { security: doc.security }),
    ...(doc.tags !== undefined && { tags: doc.tags }),
    ...extensions,
    paths,
    components: {
      schemas: isObject(doc.definitions) ? doc.definitions : {},
      securitySchemes: {
        ...securitySchemes2(doc.securityDefinitions),
        ...(Object.values(paths).some((item) => Object.values(item as JsonObject).some((op) => isObject(op) && JSON.stringify(op.security ?? null).includes(AUTHORIZATION_SCHEME))) && {
          [AUTHORIZATION_SCHEME]: { type: 'apiKey', in: 'header', name: 'Authorization', description: 'A Swagger 2.0 Authorization header parameter: --token is sent as its whole value' },
        }),
      },
    },
  };
}

// ---------------------------------------------------------------------------------------------
// OpenAPI 3.0 schemas → JSON Schema 2020-12

const SUBSCHEMA_KEYS = ['properties', 'patternProperties', 'additionalProperties', 'items', 'prefixItems', 'allOf', 'anyOf', 'oneOf', 'not', 'contains', 'if', 'then', 'else', 'contentSchema', 'propertyNames', 'dependentSchemas', 'unevaluatedProperties', 'unevaluatedItems'];
const SCHEMA_MAPS = new Set(['properties', 'patternProperties', 'dependentSchemas']);

/** One 3.0 schema (and every schema in it) in 2020-12 form, in place; shared schemas once. */
export function normaliseSchema30(schema: Json, seen = new Set<object>()): void {
  if (!isObject(schema) || seen.has(schema)) return;
  seen.add(schema);
  for (const [bound, limit] of [['exclusiveMinimum', 'minimum'], ['exclusiveMaximum', 'maximum']] as const) {
    if (schema[bound] === true && typeof schema[limit] === 'number') {
      schema[bound] = schema[limit];
      delete schema[limit];
    } else if (typeof schema[bound] === 'boolean') delete schema[bound];
  }
  for (const key of SUBSCHEMA_KEYS) {
    const sub = schema[key];
    if (SCHEMA_MAPS.has(key) && isObject(sub)) for (const child of Object.values(sub)) normaliseSchema30(child, seen);
    else if (Array.isArray(sub)) for (const child of sub) normaliseSchema30(child, seen);
    else normaliseSchema30(sub ?? null, seen);
  }
  if (schema.nullable === true) {
    delete schema.nullable;
    if (typeof schema.type === 'string') schema.type = [schema.type, 'null'];
    else if (Array.isArray(schema.type) && !schema.type.includes('null')) schema.type = [...schema.type, 'null'];
    if (Array.isArray(schema.enum) && !schema.enum.includes(null)) schema.enum = [...schema.enum, null];
    if (schema.type === undefined && schema.enum === undefined) {
      // No type to widen (an allOf, a oneOf): the schema, or null.
      const inner: JsonObject = {};
      for (const key of Object.keys(schema)) {
        if (key === 'description' || key === 'title' || key === 'example' || key === 'default' || key.startsWith('x-')) continue;
        inner[key] = schema[key]!;
        delete schema[key];
      }
      schema.anyOf = [inner, { type: 'null' }];
    }
  } else if (schema.nullable === false) delete schema.nullable;
}

/** Every schema a 3.0 document holds: components', parameters', bodies', responses' and headers'. */
function normaliseDocument30(doc: JsonObject): void {
  const seen = new Set<object>();
  const visitNode = (node: Json, inSchemas = false): void => {
    if (!isObject(node) && !Array.isArray(node)) return;
    if (Array.isArray(node)) {
      for (const item of node) visitNode(item);
      return;
    }
    if (inSchemas) {
      for (const schema of Object.values(node)) normaliseSchema30(schema, seen);
      return;
    }
    for (const [key, child] of Object.entries(node)) {
      if (key === 'schema') normaliseSchema30(child, seen);
      else if (key === 'schemas') visitNode(child, true);
      else if (key !== 'example' && key !== 'examples' && key !== 'default') visitNode(child);
    }
  };
  visitNode(doc);
}

// ---------------------------------------------------------------------------------------------
// What the runner's cases need: operation ids and examples

function fillOperationIds(doc: JsonObject): number {
  const taken = new Set<string>();
  const missing: JsonObject[] = [];
  for (const op of listOperations(doc)) {
    const id = op.operation.operationId;
    if (typeof id === 'string' && id && !taken.has(id)) taken.add(id);
    else missing.push(Object.assign(op.operation, { operationId: `${op.method.toUpperCase()} ${op.path}` }));
  }
  for (const operation of missing) {
    let id = String(operation.operationId);
    for (let n = 2; taken.has(id); n++) id = `${String(operation.operationId)} (${n})`;
    operation.operationId = id;
    taken.add(id);
  }
  return missing.length;
}

function hasExample(holder: JsonObject): boolean {
  if ('example' in holder) return true;
  if (isObject(holder.examples) && Object.values(holder.examples).some((e) => isObject(e) && 'value' in e)) return true;
  const schema = isObject(holder.schema) ? holder.schema : {};
  const items = isObject(schema.items) ? schema.items : undefined;
  const fromSchema = (s: JsonObject) => (Array.isArray(s.examples) && s.examples.length > 0) || 'example' in s || 'const' in s || 'default' in s || (Array.isArray(s.enum) && s.enum.length > 0);
  return fromSchema(schema) || (schema.type === 'array' && items !== undefined && fromSchema(items));
}

/** Examples made from the schemas where the document gives none the runner needs; how many. */
function fillExamples(doc: JsonObject, lenient: boolean): number {
  const compile = createSchemaCompiler({ lenient });
  let filled = 0;
  for (const op of listOperations(doc)) {
    const pathItem = isObject(doc.paths) && isObject(doc.paths[op.path]) ? doc.paths[op.path] as JsonObject : {};
    for (const param of [...(Array.isArray(pathItem.parameters) ? pathItem.parameters : []), ...(Array.isArray(op.operation.parameters) ? op.operation.parameters : [])]) {
      if (!isObject(param) || (param.in !== 'path' && param.required !== true) || hasExample(param)) continue;
      const schema = isObject(param.schema) ? param.schema : { type: 'string' };
      param.example = sampleValue(schema, compile, { text: true, nonEmpty: param.in === 'path' });
      param['x-speechdouble-synthesised'] = true;
      filled++;
    }
    const body = op.operation.requestBody;
    if (!isObject(body) || !isObject(body.content)) continue;
    const [, media] = Object.entries(body.content)[0] ?? [];
    if (!isObject(media) || hasExample(media)) continue;
    const schema = isObject(media.schema) ? media.schema : undefined;
    if (!schema) continue;
    media.example = sampleValue(schema, compile, {});
    media['x-speechdouble-synthesised'] = true;
    filled++;
  }
  return filled;
}

/** Reads, converts and completes any OpenAPI 3.x or Swagger 2.0 document, from a file or a URL. */
export async function loadSpecSource(source: string): Promise<SpecSource> {
  const document = await parseDocument(await readSource(source), source);
  const swagger = typeof document.swagger === 'string';
  const version = String(swagger ? document.swagger : document.openapi);
  if (swagger && !version.startsWith('2.')) throw new Error(`${source}: Swagger ${version} is not supported (2.0 is)`);
  if (!swagger && !/^3\.[01]\./.test(version)) throw new Error(`${source}: OpenAPI ${version} is not supported (3.0 and 3.1 are)`);
  const ownApi = await ownApiOf(document, source);
  const notes: string[] = [];
  let dereferenced = await dereference(document);
  if (swagger) {
    dereferenced = convertSwagger2(dereferenced);
    notes.push(`converted from Swagger ${version} (basePath and host as servers, formData and body parameters as request bodies)`);
  }
  if (swagger || version.startsWith('3.0')) normaliseDocument30(dereferenced);
  const ids = fillOperationIds(dereferenced);
  if (ids) notes.push(`${ids} operation${ids === 1 ? '' : 's'} without an operationId named METHOD /path`);
  const examples = fillExamples(dereferenced, ownApi === undefined);
  if (examples) notes.push(`${examples} example${examples === 1 ? '' : 's'} made from the schemas where the document gives none`);
  const title = isObject(document.info) && typeof document.info.title === 'string' ? document.info.title : source;
  return { spec: { name: ownApi ?? title, file: source, document, dereferenced }, version, ...(ownApi && { ownApi }), notes };
}

/**
 * The path the spec's operations live under on their server: the path part of the servers an
 * operation names (its own, its path's, the document's; Swagger 2.0's `basePath`), with each
 * variable at its default; nothing when there are no servers or one of them serves the paths at
 * its root (the project's specs list speechdouble's own address, so they never get a prefix).
 */
export function serverBasePath(doc: JsonObject, path: string, operation: JsonObject): string {
  const pathItem = isObject(doc.paths) && isObject(doc.paths[path]) ? (doc.paths[path] as JsonObject) : {};
  const servers = [operation.servers, pathItem.servers, doc.servers].find((s) => Array.isArray(s) && s.length > 0) as JsonObject[] | undefined;
  if (!servers) return '';
  const paths = servers.map((server) => {
    const variables = isObject(server.variables) ? server.variables : {};
    const url = String(server.url ?? '').replace(/\{([^}]+)\}/g, (_, name: string) => {
      const variable = variables[name];
      return isObject(variable) && variable.default !== undefined ? String(variable.default) : name;
    });
    try {
      return new URL(url, 'http://relative.invalid').pathname.replace(/\/+$/, '');
    } catch {
      return '';
    }
  });
  return paths.includes('') ? '' : paths[0]!;
}
