// Every request to a stateful API is checked against its operation in the spec before a
// handler sees it: path, query and header parameters (coerced from text to their types, with
// defaults filled in; unknown query parameters ignored, as SDKs add their own) and JSON
// bodies. A failure is data the API renders in the vendor's own way.
import type { EmulatorRequest } from './http-types.ts';
import { createAjv, type ErrorObject, type ValidateFunction } from '../../openapi/schemas.ts';
import type { JsonObject, OperationRef } from '../../openapi/specs.ts';

export type ParameterLocation = 'path' | 'query' | 'header' | 'body';

export interface ValidationFailure {
  in: ParameterLocation;
  /** The parameter (or body property path) that failed; undefined for the body as a whole. */
  name?: string;
  /** What the spec wanted: `integer`, `boolean`, `date-time`, `enum`, `minimum`, `required`, `json`… */
  rule: string;
  /** The spec's words for it: the type or format, allowed values, bounds. */
  expected?: string;
  /** The schema the value failed, for renderers that quote its bounds or format. */
  schema?: JsonObject;
}

export interface ValidatedParams {
  path: Record<string, unknown>;
  query: Record<string, unknown>;
  header: Record<string, unknown>;
  /** The parsed JSON body, when the operation takes JSON. */
  json?: unknown;
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

export function createRequestValidator(op: OperationRef, pathItem: JsonObject): (request: EmulatorRequest, pathParams: Record<string, string>) => Validation {
  const ajv = createAjv({ coerce: true });
  const compile = (schema: JsonObject) => ajv.compile(schema);
  const params = [...((pathItem.parameters ?? []) as JsonObject[]), ...((op.operation.parameters ?? []) as JsonObject[])];
  const sets = { path: parameterSet(params, 'path', compile), query: parameterSet(params, 'query', compile), header: parameterSet(params, 'header', compile) };
  const content = ((op.operation.requestBody as JsonObject | undefined)?.content ?? {}) as JsonObject;
  const jsonMedia = Object.entries(content).find(([type]) => /json/.test(type))?.[1] as JsonObject | undefined;
  const bodyRequired = (op.operation.requestBody as JsonObject | undefined)?.required === true;
  const validateJson = jsonMedia?.schema ? createAjv().compile(jsonMedia.schema as JsonObject) : undefined;

  return (request, pathParams) => {
    const values = {
      path: { ...pathParams } as Record<string, unknown>,
      query: { ...request.query } as Record<string, unknown>,
      header: Object.fromEntries(Object.keys(sets.header.schemas).flatMap((name) => (request.headers[name] === undefined ? [] : [[name, request.headers[name]]]))),
    };
    for (const location of ['path', 'query', 'header'] as const) {
      const { validate, schemas } = sets[location];
      if (!validate(values[location])) return { ok: false, failure: failureFrom(validate.errors![0]!, location, schemas) };
    }
    const params: ValidatedParams = values;
    const isJson = /^application\/([\w.+-]*\+)?json/i.test(request.headers['content-type'] ?? '');
    if (validateJson && isJson && request.body.length > 0) {
      try {
        params.json = JSON.parse(request.body.toString('utf8'));
      } catch {
        return { ok: false, failure: { in: 'body', rule: 'json', expected: 'a JSON document' } };
      }
      if (!validateJson(params.json)) {
        const error = validateJson.errors![0]!;
        const name = error.keyword === 'required' ? [error.instancePath, error.params.missingProperty].filter(Boolean).join('/') : error.instancePath.slice(1);
        return { ok: false, failure: { in: 'body', ...(name && { name }), rule: error.keyword, ...(error.message && { expected: error.message }) } };
      }
    } else if (validateJson && bodyRequired && !Object.keys(content).some((type) => !/json/.test(type))) {
      return { ok: false, failure: { in: 'body', rule: 'required', expected: 'a JSON body' } };
    }
    return { ok: true, params };
  };
}
