// Generated requests for one operation: what it takes (its parameters, but those that carry
// credentials or that OpenAPI ignores, and its body in the first media type it documents), an
// arbitrary of inputs valid by those schemas, an arbitrary of inputs with exactly one place
// broken (one parameter's value, one body property's, a required one left out), and the request
// an input makes: JSON, multipart/form-data (files as a short WAV), form-urlencoded or bytes.
import fc from 'fast-check';
import { sineWav } from '../../openapi/example-audio.ts';
import type { ExampleRequest, QueryValue } from '../../openapi/example-requests.ts';
import { encodeMultipart, type FormField } from '../../openapi/multipart-encoding.ts';
import { escapePointer, type Json, type JsonObject, type OperationRef } from '../../openapi/specs.ts';
import { describeErrors, type ValidateFunction } from '../../openapi/schemas.ts';
import { variableParameters, type Referee } from '../negative/generate.ts';
import { schemaViolations } from '../negative/violations.ts';
import { BINARY, mergeAllOf, schemaArbitrary } from './arbitrary.ts';

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

export interface ParameterModel {
  name: string;
  in: 'path' | 'query' | 'header';
  schema: JsonObject;
  required: boolean;
  /** Query arrays as repeated parameters (OpenAPI's default) or one comma-separated value. */
  explode: boolean;
  pointer: string;
}

export interface BodyModel {
  mediaType: string;
  kind: 'json' | 'multipart' | 'form' | 'bytes' | 'text';
  schema?: JsonObject;
  pointer: string;
}

export interface OperationModel {
  op: OperationRef;
  params: ParameterModel[];
  body?: BodyModel;
}

/** A generated request before it is encoded: each value as its schema types it. */
export interface GeneratedInput {
  path: Record<string, Json>;
  query: Record<string, Json>;
  headers: Record<string, Json>;
  body?: Json;
}

/** Where a negative input is broken, and the rule it breaks. */
export interface Breakage {
  /** e.g. `query limit`, `body property language`, `part config`. */
  subject: string;
  /** The place was left out, rather than given a value its schema refuses. */
  missing: boolean;
  pointer: string;
  /** Which of the operation's places (negativeArbitrary's order). */
  site: number;
}

export interface NegativeInput {
  input: GeneratedInput;
  broken: Breakage;
}

/** Text for a value sent as a parameter or form field. */
export const asText = (value: Json): string => (typeof value === 'string' ? value : JSON.stringify(value));

function bodyKind(mediaType: string, schema: JsonObject | undefined): BodyModel['kind'] {
  if (/^application\/(?:[\w.+-]+\+)?json\b/i.test(mediaType)) return 'json';
  if (/^multipart\/form-data/i.test(mediaType)) return 'multipart';
  if (/^application\/x-www-form-urlencoded/i.test(mediaType)) return 'form';
  if (/^text\//i.test(mediaType) && schema && schema.format !== 'binary') return 'text';
  return 'bytes';
}

export function operationModel(doc: JsonObject, op: OperationRef): OperationModel {
  const params: ParameterModel[] = [];
  for (const { param, pointer, where, name } of variableParameters(doc, op)) {
    params.push({
      name, in: where,
      schema: isObject(param.schema) ? param.schema : { type: 'string' },
      required: where === 'path' || param.required === true,
      explode: param.explode !== false && (param.style === undefined || param.style === 'form'),
      pointer: `${pointer}/schema`,
    });
  }
  const content = isObject(op.operation.requestBody) && isObject(op.operation.requestBody.content) ? op.operation.requestBody.content : undefined;
  const [mediaType, media] = content ? (Object.entries(content)[0] ?? []) : [];
  const schema = isObject(media) && isObject(media.schema) ? media.schema : undefined;
  const body = mediaType ? { mediaType, kind: bodyKind(mediaType, schema), ...(schema && { schema }), pointer: `${op.pointer}/requestBody/content/${escapePointer(mediaType)}/schema` } : undefined;
  return { op, params, ...(body && { body }) };
}

/** Whether the model has anything to generate: a parameter or a body whose content comes from a schema. */
export const generates = (model: OperationModel): boolean => model.params.length > 0 || (model.body !== undefined && model.body.kind !== 'bytes' && model.body.schema !== undefined);

const paramArbitrary = (param: ParameterModel, fixed: Record<string, string>): fc.Arbitrary<Json> =>
  param.in === 'path' && fixed[param.name] !== undefined ? fc.constant(fixed[param.name]!) : schemaArbitrary(param.schema, { text: true });

function recordOf(params: ParameterModel[], fixed: Record<string, string>): fc.Arbitrary<Record<string, Json>> {
  const model = Object.fromEntries(params.map((p) => [p.name, paramArbitrary(p, fixed)]));
  return fc.record(model, { requiredKeys: params.filter((p) => p.required).map((p) => p.name), noNullPrototype: true }) as fc.Arbitrary<Record<string, Json>>;
}

/**
 * Inputs valid by the operation's schemas (mostly: `isValid` says). `fixed`: path parameters
 * aimed at real resources keep these values.
 */
export function validArbitrary(model: OperationModel, fixed: Record<string, string>): fc.Arbitrary<GeneratedInput> {
  const where = (place: ParameterModel['in']) => recordOf(model.params.filter((p) => p.in === place), fixed);
  const body = model.body?.schema && model.body.kind !== 'bytes' ? schemaArbitrary(model.body.schema, { text: model.body.kind === 'text' }) : fc.constant(undefined);
  return fc.record({ path: where('path'), query: where('query'), headers: where('header'), body }, { noNullPrototype: true })
    .map(({ body: value, ...rest }) => ({ ...rest, ...(value !== undefined && { body: value }) }));
}

/** Why an input is not valid by the operation's schemas, or undefined when it is. */
export function invalidity(model: OperationModel, input: GeneratedInput, compile: (schema: object) => ValidateFunction): string | undefined {
  const check = (schema: JsonObject, value: Json, subject: string) => {
    const validate = compile(schema);
    return validate(structuredClone(value)) ? undefined : `${subject}: ${describeErrors(validate.errors)}`;
  };
  for (const param of model.params) {
    const value = (param.in === 'path' ? input.path : param.in === 'query' ? input.query : input.headers)[param.name];
    if (value === undefined) {
      if (param.required) return `${param.in} ${param.name}: missing`;
      continue;
    }
    if (param.in !== 'query' && asText(value) === '') return `${param.in} ${param.name}: empty`;
    const problem = check(param.schema, value, `${param.in} ${param.name}`);
    if (problem) return problem;
  }
  if (model.body?.schema && input.body !== undefined && model.body.kind !== 'bytes') return check(model.body.schema, input.body, 'body');
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Negative inputs: one place broken

interface Site {
  subject: string;
  pointer: string;
  /** A value the place's schema should refuse, or MISSING to leave the place out. */
  breaker: fc.Arbitrary<Json | typeof MISSING>;
  apply(input: GeneratedInput, value: Json | typeof MISSING): GeneratedInput;
  /** Whether the schema refuses what was put there: the input then breaks this rule. */
  refused(input: GeneratedInput): boolean;
  /** Whether the place's own schema refuses a value (a place any value fits, a plain string parameter, has no rule to break). */
  breaks(value: Json | typeof MISSING): boolean;
}

const MISSING = Symbol('missing');

/** Values of every JSON type but the ones a schema allows, and strings and numbers around its limits. */
function wrongJson(schema: JsonObject): fc.Arbitrary<Json> {
  const merged = mergeAllOf(schema);
  const options: fc.Arbitrary<Json>[] = [
    fc.string({ maxLength: 12 }), fc.integer(), fc.boolean(), fc.constant(null),
    fc.array(fc.integer(), { maxLength: 2 }), fc.dictionary(fc.string({ maxLength: 4 }), fc.integer(), { maxKeys: 2, noNullPrototype: true }),
  ];
  if (typeof merged.maxLength === 'number' && merged.maxLength < 1000) options.push(fc.string({ minLength: merged.maxLength + 1, maxLength: merged.maxLength + 40 }));
  if (typeof merged.minLength === 'number' && merged.minLength > 0) options.push(fc.string({ maxLength: merged.minLength - 1 }));
  if (typeof merged.minimum === 'number') options.push(fc.integer({ min: -1_000_000, max: Math.ceil(merged.minimum) - 1 }));
  if (typeof merged.maximum === 'number') options.push(fc.integer({ min: Math.floor(merged.maximum) + 1, max: Math.floor(merged.maximum) + 1_000_000 }));
  return fc.oneof(...options);
}

/** Texts a parameter or form field of this schema should refuse: the schema's own violations, and random ones. */
function wrongText(schema: JsonObject, pointer: string, arrays: boolean): fc.Arbitrary<Json> {
  const known = schemaViolations(schema, pointer, { mode: 'text', arrays }).map((v) => v.value);
  const random = wrongJson(schema).filter((v) => v !== null && !isObject(v) && !Array.isArray(v)).map((v) => asText(v)).filter((text) => text !== '');
  return known.length ? fc.oneof(fc.constantFrom(...known), random) : random;
}

function without<T extends Record<string, Json>>(record: T, name: string): T {
  const { [name]: _gone, ...rest } = record;
  return rest as T;
}

/**
 * Inputs with exactly one place broken: a parameter's value, a body property's value, a
 * required parameter or property left out; undefined when the operation has nothing to break.
 * The input is a valid one with that change; `refused` in the result tells whether the schema
 * really refuses it (what a random value breaks is checked, not assumed).
 */
export function negativeArbitrary(model: OperationModel, fixed: Record<string, string>, referee: Referee): { arbitrary: fc.Arbitrary<NegativeInput>; refused(value: NegativeInput): boolean } | undefined {
  const sites: Site[] = [];
  const placeOf = (input: GeneratedInput, where: ParameterModel['in']) => (where === 'path' ? 'path' : where === 'query' ? 'query' : 'headers') as 'path' | 'query' | 'headers';
  for (const param of model.params) {
    const place = (input: GeneratedInput) => input[placeOf(input, param.in)];
    const subject = `${param.in} ${param.name}`;
    sites.push({
      subject, pointer: param.pointer,
      breaker: wrongText(param.schema, param.pointer, param.in === 'query'),
      apply: (input, value) => ({ ...input, [placeOf(input, param.in)]: { ...place(input), [param.name]: value as Json } }),
      breaks: (value) => value !== MISSING && referee.rejectsText(param.schema, Array.isArray(value) ? value.map(asText) : asText(value)),
      refused: (input) => {
        const value = place(input)[param.name];
        if (value === undefined) return false;
        if (Array.isArray(value)) return referee.rejectsText(param.schema, value.map(asText));
        return asText(value) !== '' && referee.rejectsText(param.schema, asText(value));
      },
    });
    if (param.required && param.in !== 'path') {
      sites.push({
        subject, pointer: param.pointer.replace(/\/schema$/, '/required'),
        breaker: fc.constant(MISSING),
        apply: (input) => ({ ...input, [placeOf(input, param.in)]: without(place(input), param.name) }),
        breaks: () => true,
        refused: (input) => place(input)[param.name] === undefined,
      });
    }
  }
  const body = model.body;
  const schema = body?.schema ? mergeAllOf(body.schema) : undefined;
  if (body && body.schema && schema && body.kind !== 'bytes' && body.kind !== 'text' && isObject(schema.properties)) {
    const whole = body.schema;
    const textual = body.kind !== 'json';
    const required = new Set(Array.isArray(schema.required) ? schema.required.map(String) : []);
    for (const [name, sub] of Object.entries(schema.properties)) {
      if (!isObject(sub)) continue;
      const subject = `${textual ? 'part' : 'body property'} ${name}`;
      const pointer = `${body.pointer}/properties/${escapePointer(name)}`;
      const bodyOf = (input: GeneratedInput) => (isObject(input.body) ? input.body : {});
      const binary = sub.format === 'binary' || (isObject(sub.items) && sub.items.format === 'binary');
      if (!binary && !(textual && (sub.type === 'array' || sub.type === 'object'))) {
        sites.push({
          subject, pointer,
          breaker: textual ? wrongText(sub, pointer, false) : wrongJson(sub),
          apply: (input, value) => ({ ...input, body: { ...bodyOf(input), [name]: value as Json } }),
          breaks: (value) => value !== MISSING && (textual ? referee.rejectsText(sub, asText(value)) : referee.rejectsJson(sub, value)),
          refused: (input) => {
            const value = bodyOf(input)[name];
            if (value === undefined) return false;
            return textual ? referee.rejectsText(sub, asText(value)) && referee.rejectsText(whole, { ...bodyOf(input), [name]: asText(value) }) : referee.rejectsJson(whole, bodyOf(input));
          },
        });
      }
      if (required.has(name)) {
        sites.push({
          subject, pointer: `${body.pointer}/required`,
          breaker: fc.constant(MISSING),
          apply: (input) => ({ ...input, body: without(bodyOf(input), name) }),
          breaks: () => true,
          refused: (input) => bodyOf(input)[name] === undefined,
        });
      }
    }
  }
  // Only places a value can break: a few of each breaker's values, from a fixed seed, are tried.
  const breakable = sites.filter((site) => fc.sample(site.breaker, { seed: 0, numRuns: 20 }).some((value) => site.breaks(value)));
  sites.splice(0, sites.length, ...breakable);
  if (sites.length === 0) return undefined;
  const valid = validArbitrary(model, fixed);
  const arbitrary = fc.integer({ min: 0, max: sites.length - 1 }).chain((index) => {
    const site = sites[index]!;
    return fc.tuple(valid, site.breaker).map(([input, value]): NegativeInput => ({
      input: site.apply(input, value),
      broken: { subject: site.subject, missing: value === MISSING, pointer: site.pointer, site: index },
    }));
  });
  return { arbitrary, refused: (value) => sites[value.broken.site]?.refused(value.input) ?? false };
}

/** The rule a negative input breaks, in words, with where the spec states it. */
export function describeBreakage(model: OperationModel, value: NegativeInput, compile: (schema: object) => ValidateFunction): string {
  const { broken } = value;
  if (broken.missing) return `${broken.subject}: required (${broken.pointer})`;
  const param = model.params.find((p) => `${p.in} ${p.name}` === broken.subject);
  let schema: JsonObject | undefined = param?.schema;
  let part: Json | undefined;
  if (param) part = (param.in === 'path' ? value.input.path : param.in === 'query' ? value.input.query : value.input.headers)[param.name];
  else if (model.body?.schema) {
    const name = broken.subject.replace(/^(?:body property|part) /, '');
    const properties = mergeAllOf(model.body.schema).properties;
    schema = isObject(properties) && isObject(properties[name]) ? properties[name] as JsonObject : undefined;
    part = isObject(value.input.body) ? value.input.body[name] : undefined;
  }
  if (!schema || part === undefined) return `${broken.subject} (${broken.pointer})`;
  // The first rule the value breaks, in ajv's words, and where the spec states it.
  const validate = compile(schema);
  const error = validate(structuredClone(part)) ? undefined : validate.errors?.[0];
  if (!error) return `${broken.subject}: refused as text (${broken.pointer})`;
  const at = error.instancePath ? ` at ${error.instancePath}` : '';
  return `${broken.subject}${at}: ${error.message ?? error.keyword} (${broken.pointer}${error.schemaPath.replace(/^#/, '')})`;
}

// ---------------------------------------------------------------------------------------------
// Encoding

const tinyWav = () => sineWav({ seconds: 0.1, frequency: 440, amplitude: 0 });
const BOUNDARY = 'speechdouble-generated-boundary';

function formFields(value: JsonObject): FormField[] {
  return Object.entries(value).flatMap(([name, field]): FormField[] => (Array.isArray(field) ? field : [field]).map((item) => (item === BINARY
    ? { name, value: tinyWav(), filename: `${name}.wav`, contentType: 'audio/wav' }
    : { name, value: asText(item) })));
}

/** The request an input makes, before credentials: path parameters encoded, query arrays as the parameter's style has them. */
export function encodeInput(model: OperationModel, input: GeneratedInput): ExampleRequest {
  const { op } = model;
  const path = op.path.replace(/\{([^}]+)\}/g, (_, name: string) => {
    const value = input.path[name];
    return encodeURIComponent(value === undefined ? '' : Array.isArray(value) ? value.map(asText).join(',') : asText(value));
  });
  const query: Record<string, QueryValue> = {};
  const headers: Record<string, string> = {};
  for (const param of model.params) {
    if (param.in === 'query' && input.query[param.name] !== undefined) {
      const value = input.query[param.name]!;
      query[param.name] = Array.isArray(value) ? (param.explode ? value.map(asText) : value.map(asText).join(',')) : asText(value);
    } else if (param.in === 'header' && input.headers[param.name] !== undefined) {
      const value = input.headers[param.name]!;
      headers[param.name.toLowerCase()] = Array.isArray(value) ? value.map(asText).join(',') : asText(value);
    }
  }
  let body: Buffer = Buffer.alloc(0);
  const { body: spec } = model;
  if (spec) {
    const value = input.body;
    if (spec.kind === 'json' && value !== undefined) body = Buffer.from(JSON.stringify(value));
    else if (spec.kind === 'multipart') {
      body = encodeMultipart(formFields(isObject(value) ? value : {}), BOUNDARY);
      headers['content-type'] = `multipart/form-data; boundary=${BOUNDARY}`;
    } else if (spec.kind === 'form') {
      const form = new URLSearchParams();
      for (const field of formFields(isObject(value) ? value : {})) form.append(field.name, String(field.value));
      body = Buffer.from(form.toString());
    } else if (spec.kind === 'text' && value !== undefined) body = Buffer.from(asText(value));
    else if (spec.kind === 'bytes') body = tinyWav();
    headers['content-type'] ??= spec.mediaType;
  }
  return { method: op.method.toUpperCase(), path, query, headers, body };
}
