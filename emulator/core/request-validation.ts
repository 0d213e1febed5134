// Every request to a stateful API is checked against its operation in the spec before a
// handler sees it: path, query and header parameters (coerced from text to their types, with
// defaults filled in; unknown query parameters ignored, as SDKs add their own) and bodies of
// every media type the spec describes (JSON, multipart and url-encoded forms). A failure is
// data the API renders in the vendor's own way.
import type { EmulatorRequest } from './http-types.ts';
import { readFile } from 'node:fs/promises';
import type { RequestBody } from './request-body.ts';
import type { ParameterLocation, ValidationFailure } from './validation-failure.ts';
import { createAjv, describeErrors, type ErrorObject, type ValidateFunction } from '../../openapi/schemas.ts';
import type { JsonObject, OperationRef } from '../../openapi/specs.ts';

/**
 * The schema compilers an API's validators share: an ajv instance is costly to make, and
 * compiling many schemas into one is what it is built for. One set per mounted API (not per
 * process), so an emulator that goes takes its compiled schemas with it.
 */
export interface Compilers {
  /** For parameters and form fields, which arrive as text. */
  coercing: ReturnType<typeof createAjv>;
  /** For JSON bodies: the spec's defaults fill in what the client left out. */
  filling: ReturnType<typeof createAjv>;
  plain: ReturnType<typeof createAjv>;
}

/** Each ajv is made when first used (see openapi/schemas.ts): most mounted APIs validate nothing before their first request. */
export function createCompilers(): Compilers {
  let coercing: Compilers['coercing'] | undefined;
  let filling: Compilers['filling'] | undefined;
  let plain: Compilers['plain'] | undefined;
  return {
    get coercing() {
      return (coercing ??= createAjv({ coerce: true }));
    },
    get filling() {
      return (filling ??= createAjv({ defaults: true }));
    },
    get plain() {
      return (plain ??= createAjv());
    },
  };
}

export interface ValidatedParams {
  path: Record<string, unknown>;
  query: Record<string, unknown>;
  header: Record<string, unknown>;
}

export type Validation = { ok: true; params: ValidatedParams } | { ok: false; failure: ValidationFailure };

interface ParameterSet {
  validate: ValidateFunction;
  schemas: Record<string, JsonObject>;
}

function parameterSet(params: JsonObject[], location: 'path' | 'query' | 'header', compile: (s: JsonObject) => ValidateFunction): ParameterSet {
  const mine = params.filter((p) => p.in === location && !(location === 'header' && String(p.name).toLowerCase() === 'authorization'));
  const key = (p: JsonObject) => (location === 'header' ? String(p.name).toLowerCase() : String(p.name));
  const schemas = Object.fromEntries(mine.map((p) => [key(p), (p.schema ?? {}) as JsonObject]));
  return {
    schemas,
    validate: compile({ type: 'object', properties: schemas, required: mine.filter((p) => p.required === true).map(key) }),
  };
}

function failureFrom(error: ErrorObject, location: ParameterLocation, schemas: Record<string, JsonObject>): ValidationFailure {
  const name = error.keyword === 'required' ? String(error.params.missingProperty) : error.instancePath.split('/')[1];
  const schema = name ? schemas[name] : undefined;
  const expected = error.keyword === 'type' ? String(schema?.format ?? error.params.type)
    : error.keyword === 'format' ? String(error.params.format)
      : error.keyword === 'enum' ? (error.params.allowedValues as unknown[]).join(' ')
        : error.message;
  return { in: location, ...(name !== undefined && { name }), rule: error.keyword, ...(expected && { expected }), ...(schema && { schema }) };
}

/** Checks path, query and header parameters: coerced to their spec types, defaults filled in. */
export function createParameterValidator(op: OperationRef, pathItem: JsonObject, compilers: Compilers = createCompilers()): (request: EmulatorRequest, pathParams: Record<string, string>) => Validation {
  const compile = (schema: JsonObject) => compilers.coercing.compile(schema);
  const params = [...((pathItem.parameters ?? []) as JsonObject[]), ...((op.operation.parameters ?? []) as JsonObject[])];
  const sets = { path: parameterSet(params, 'path', compile), query: parameterSet(params, 'query', compile), header: parameterSet(params, 'header', compile) };

  const locations = (['path', 'query', 'header'] as const).map((location) => ({ location, ...sets[location], declared: Object.keys(sets[location].schemas) }));
  const headerNames = locations[2]!.declared;

  return (request, pathParams) => {
    const header: Record<string, unknown> = {};
    for (const name of headerNames) if (request.headers[name] !== undefined) header[name] = request.headers[name];
    const values = {
      path: { ...pathParams } as Record<string, unknown>,
      query: { ...request.query } as Record<string, unknown>,
      header,
    };
    for (const { location, validate, schemas, declared } of locations) {
      const given = values[location];
      // With nothing declared there, the schema ({ type: object }, no properties) passes any object and changes nothing.
      if (declared.length > 0 && !validate(given)) return { ok: false, failure: everyFailure(validate.errors!.map((error) => failureFrom(error, location, schemas))) };
      // ajv coerces "1e309" to Infinity and lets it through every bound: no parameter is infinite.
      for (const name in given) {
        if (!Object.prototype.hasOwnProperty.call(given, name)) continue;
        const value = given[name];
        if (typeof value === 'number' ? !Number.isFinite(value) : Array.isArray(value) && value.some((v) => typeof v === 'number' && !Number.isFinite(v))) {
          const schema = schemas[name];
          return { ok: false, failure: { in: location, name, rule: 'type', expected: String(schema?.type ?? 'number'), ...(schema && { schema }) } };
        }
      }
    }
    return { ok: true, params: values };
  };
}

/** A body failure named by where in the document it happened (`a/b`, or the missing property). */
function bodyFailure(error: ErrorObject, prefix = ''): ValidationFailure {
  const extra = error.keyword === 'required' ? error.params.missingProperty : error.keyword === 'additionalProperties' ? error.params.additionalProperty : undefined;
  const path = extra === undefined ? error.instancePath : [error.instancePath, extra].filter(Boolean).join('/');
  const name = [prefix, path.replace(/^\//, '')].filter(Boolean).join('/');
  return { in: 'body', ...(name && { name }), rule: error.keyword, ...(error.message && { expected: error.message }) };
}

/** The first failure, carrying every one found (ajv runs with allErrors) when there are several. */
const everyFailure = (failures: ValidationFailure[]): ValidationFailure => (failures.length > 1 ? { ...failures[0]!, all: failures } : failures[0]!);

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A form property holding a JSON document (`contentMediaType: application/json`, or an encoding that says so). */
function embeddedJson(name: string, schema: JsonObject, encoding: JsonObject): JsonObject | undefined {
  const declared = String(schema.contentMediaType ?? '');
  const encoded = String(((encoding[name] ?? {}) as JsonObject).contentType ?? '');
  if (/json/.test(declared)) return (schema.contentSchema ?? {}) as JsonObject;
  if (schema.type === 'object' || (/json/.test(encoded) && !/text\/plain/.test(encoded))) return schema;
  return undefined;
}

const isBinary = (schema: JsonObject) => schema.format === 'binary' || (isObject(schema.items) && schema.items.format === 'binary') || schema.contentEncoding !== undefined;

/** A part sent as a file where a value was expected (a JSON `config` uploaded as a file) is read, within reason. */
const SMALL_PART_BYTES = 2 ** 20;

/**
 * Checks a body against the operation's schema for its media type. Forms are checked as the
 * object they describe: text fields coerced to their types, file parts present where the spec
 * wants binary, a JSON document inside a part parsed and checked against its own schema. The
 * checked values are left in `body.values` for the handler; a JSON body gets the spec's
 * defaults for what it left out, as parameters do.
 */
/** Whether a value of `schema` may be a list: `type: array`, or an array among its anyOf / oneOf branches. */
function admitsArray(schema: JsonObject | undefined): boolean {
  if (!schema) return false;
  if (schema.type === 'array' || (Array.isArray(schema.type) && schema.type.includes('array'))) return true;
  return (['anyOf', 'oneOf'] as const).some((key) => Array.isArray(schema[key]) && (schema[key] as JsonObject[]).some((branch) => isObject(branch) && admitsArray(branch)));
}

export function createBodyValidator(op: OperationRef, compilers: Compilers = createCompilers()): (body: RequestBody) => Promise<ValidationFailure | undefined> {
  const content = ((op.operation.requestBody as JsonObject | undefined)?.content ?? {}) as JsonObject;
  const compiled = new Map<string, { whole: ValidateFunction; parts: Record<string, ValidateFunction>; schema: JsonObject; binary: Set<string> }>();
  for (const [mediaType, media] of Object.entries(content)) {
    const schema = ((media as JsonObject).schema ?? {}) as JsonObject;
    if (!/^(multipart\/form-data|application\/x-www-form-urlencoded)/i.test(mediaType)) {
      compiled.set(mediaType, { whole: compilers.filling.compile(schema), parts: {}, schema, binary: new Set() });
      continue;
    }
    const encoding = ((media as JsonObject).encoding ?? {}) as JsonObject;
    const properties = (isObject(schema.properties) ? schema.properties : {}) as Record<string, JsonObject>;
    const parts: Record<string, ValidateFunction> = {};
    const binary = new Set<string>();
    const shallow: Record<string, JsonObject> = {};
    for (const [name, property] of Object.entries(properties)) {
      const inner = embeddedJson(name, property, encoding);
      if (inner) parts[name] = compilers.plain.compile(inner);
      if (isBinary(property)) binary.add(name);
      // Embedded documents and files are checked on their own; the rest as coerced text.
      shallow[name] = inner || isBinary(property) ? {} : property;
    }
    const whole = compilers.coercing.compile({ ...schema, properties: shallow });
    compiled.set(mediaType, { whole, parts, schema, binary });
  }

  return async (body) => {
    if (body.kind === 'none' || body.kind === 'file') return undefined;
    const entry = compiled.get(body.mediaType);
    if (!entry) return undefined;
    if (body.kind === 'json') return entry.whole(body.value) ? undefined : everyFailure(entry.whole.errors!.map((error) => bodyFailure(error)));
    const properties = (isObject(entry.schema.properties) ? entry.schema.properties : {}) as Record<string, JsonObject>;
    const values: Record<string, unknown> = {};
    const names = new Set([...Object.keys(body.fields), ...Object.keys(body.files)]);
    for (const name of names) {
      const fields = body.fields[name] ?? [];
      const files = body.files[name] ?? [];
      // A repeated field of a property that may be a list (`type: array`, or an array among its
      // anyOf/oneOf, as Cadence's source_language) keeps every value; one sent once stays single.
      const many = properties[name]?.type === 'array' || (admitsArray(properties[name]) && fields.length + files.length > 1);
      if (entry.binary.has(name)) {
        const given = [...files.map((f) => f.filename), ...fields];
        values[name] = many ? given : given[0];
        continue;
      }
      let texts = [...fields];
      for (const file of files) {
        if (!file.path && !file.data) continue;
        if (file.bytes > SMALL_PART_BYTES) return { in: 'body', name, rule: 'size', expected: `the ${name} part is larger than ${SMALL_PART_BYTES} bytes` };
        texts.push(file.data ? file.data.toString('utf8') : await readFile(file.path!, 'utf8'));
      }
      if (!texts.length) continue;
      const part = entry.parts[name];
      if (part) {
        let parsed: unknown;
        try {
          parsed = JSON.parse(texts[0]!);
        } catch {
          return { in: 'body', name, rule: 'json', expected: 'a JSON document' };
        }
        if (!part(parsed)) return { ...bodyFailure(part.errors![0]!, name), rule: 'contentSchema', expected: describeErrors(part.errors) };
        values[name] = parsed;
        continue;
      }
      values[name] = many ? texts : texts[0];
    }
    if (!entry.whole(values)) return bodyFailure(entry.whole.errors![0]!);
    body.values = values;
    return undefined;
  };
}
