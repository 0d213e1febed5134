// Negative cases generated from a spec: requests the spec forbids, each a valid example request
// (openapi/example-requests.ts) with exactly one thing broken: no or wrong credentials, a
// parameter of the wrong type, out of range, outside its enum, format or pattern, a missing
// required parameter, property or part, malformed JSON or multipart, a property the schema
// closes out. A conforming server answers each with a documented 4xx.
//
// False positives are worse than gaps, so a case is made only from a constraint that holds
// whatever else the request says: the schema's own keywords and its `allOf` members, never a
// `oneOf`/`anyOf` branch; and every value a schema is meant to reject is checked against that
// schema (ajv, as the emulator reads the spec) and dropped if it is accepted after all.
import type { Ajv2020 } from 'ajv/dist/2020.js';
import { createAjv, type ValidateFunction } from '../../openapi/schemas.ts';
import { escapePointer, type Json, type JsonObject, type OperationRef } from '../../openapi/specs.ts';
import { buildExampleRequest, type ExampleRequest } from '../../openapi/example-requests.ts';
import { credentialSlot, credentialSlots } from '../credentials.ts';
import { boundaryOf, buildMultipart, parseMultipart, partName, textPart, truncateMultipart, type FormPart } from './multipart.ts';
import { constraintSources, schemaViolations } from './violations.ts';

/**
 * What kind of rule a case breaks: `credentials` (security), `required` (a parameter, property
 * or part left out), `type`, `range` (minimum/maximum, their exclusive forms, minLength/maxLength),
 * `enum` (enum or const), `format`, `pattern`, `json` (malformed JSON body or JSON part),
 * `multipart` (malformed multipart), `additional-property` (additionalProperties: false).
 */
export type NegativeCaseKind =
  | 'credentials' | 'required' | 'type' | 'range' | 'enum' | 'format' | 'pattern'
  | 'json' | 'multipart' | 'additional-property';

export interface NegativeCase {
  /** Short, unique per operation, e.g. "query limit above maximum". */
  name: string;
  /** The rule the case breaks, with its spec pointer, e.g. "query limit: maximum 100 (#/paths/~1v2~1jobs/get/parameters/1/schema/maximum)". */
  rule: string;
  kind: NegativeCaseKind;
  /** The pointer in `rule` alone: where in the (dereferenced) spec the rule is written. */
  pointer: string;
  request: ExampleRequest;
  /** The path parameter the case breaks, if that is its point: a runner aiming the case at a real resource keeps this one as it is. */
  pathParam?: string;
}

/** The key every "wrong credentials" case presents, in the scheme's own form. */
export const INVALID_KEY = 'speechdouble-conformance-invalid-key';
export const INVALID_BASIC = 'invalid:invalid';

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);
const isJsonMedia = (mediaType: string) => /^application\/(?:[\w.+-]+\+)?json(?:\s*;|$)/i.test(mediaType);

function copy(request: ExampleRequest): ExampleRequest {
  return { method: request.method, path: request.path, query: structuredClone(request.query), headers: { ...request.headers }, body: Buffer.from(request.body) };
}

/**
 * Checks a value against a schema the way the emulator reads the spec; `undefined` when ajv cannot
 * compile it. A schema strict ajv refuses (a vendor's document, with keywords and formats of its
 * own) is compiled again leniently, those keywords ignored; the project's specs all compile strictly.
 */
export class Referee {
  private readonly strict = createAjv();
  private readonly coercing = createAjv({ coerce: true });
  private lenient?: { strict: Ajv2020; coercing: Ajv2020 };
  private readonly compiled = new Map<object, ValidateFunction | null>();
  private readonly wrapped = new Map<object, JsonObject>();

  private compile(schema: JsonObject, coerce: boolean): ValidateFunction | null {
    const key = coerce ? this.wrap(schema) : schema;
    if (!this.compiled.has(key)) {
      try {
        this.compiled.set(key, (coerce ? this.coercing : this.strict).compile(key));
      } catch {
        try {
          this.lenient ??= { strict: createAjv({ lenient: true }), coercing: createAjv({ coerce: true, lenient: true }) };
          this.compiled.set(key, (coerce ? this.lenient.coercing : this.lenient.strict).compile(key));
        } catch {
          this.compiled.set(key, null);
        }
      }
    }
    return this.compiled.get(key)!;
  }

  // Text values are validated as a property, as parameters are, so coercion can replace them.
  private wrap(schema: JsonObject): JsonObject {
    if (!this.wrapped.has(schema)) this.wrapped.set(schema, { type: 'object', properties: { value: schema } });
    return this.wrapped.get(schema)!;
  }

  /** True when the schema certainly rejects the JSON value. */
  rejectsJson(schema: JsonObject, value: Json): boolean {
    const validate = this.compile(schema, false);
    return validate ? !validate(structuredClone(value)) : true;
  }

  /** True when the schema certainly rejects the value sent as text (a parameter or form field). */
  rejectsText(schema: JsonObject, value: Json): boolean {
    const validate = this.compile(schema, true);
    return validate ? !validate({ value: structuredClone(value) }) : true;
  }
}

class CaseList {
  readonly cases: NegativeCase[] = [];
  private readonly names = new Set<string>();

  add(name: string, kind: NegativeCaseKind, subject: string, constraint: string, pointer: string, request: ExampleRequest, pathParam?: string): void {
    let unique = name;
    for (let n = 2; this.names.has(unique); n++) unique = `${name} (${n})`;
    this.names.add(unique);
    this.cases.push({ name: unique, rule: `${subject}: ${constraint} (${pointer})`, kind, pointer, request, ...(pathParam !== undefined && { pathParam }) });
  }
}

// ---------------------------------------------------------------------------------------------
// Credentials

interface SchemeUse {
  name: string;
  scheme: JsonObject;
}

function wrongCredential(scheme: JsonObject): string | undefined {
  const http = String(scheme.scheme ?? '').toLowerCase();
  if (scheme.type === 'http' && http === 'bearer') return `Bearer ${INVALID_KEY}`;
  if (scheme.type === 'http' && http === 'basic') return `Basic ${Buffer.from(INVALID_BASIC).toString('base64')}`;
  if (scheme.type === 'apiKey' && (scheme.in === 'header' || scheme.in === 'query')) return INVALID_KEY;
  return undefined;
}

function describeScheme(scheme: JsonObject): string {
  if (scheme.type === 'http') return `http ${String(scheme.scheme).toLowerCase()}`;
  if (scheme.type === 'apiKey') return `apiKey in ${String(scheme.in)} ${String(scheme.name)}`;
  return String(scheme.type);
}

function credentialCases(doc: JsonObject, op: OperationRef, base: ExampleRequest, out: CaseList): void {
  const requirements = op.operation.security ?? doc.security;
  if (!Array.isArray(requirements) || requirements.length === 0) return;
  // `{}` among the requirements makes credentials optional: neither case is forbidden then.
  if (requirements.some((r) => isObject(r) && Object.keys(r).length === 0)) return;
  const pointer = op.operation.security ? `${op.pointer}/security` : '#/security';
  const schemes = ((doc.components as JsonObject | undefined)?.securitySchemes ?? {}) as Record<string, JsonObject>;
  const requirementText = (requirements as JsonObject[]).map((r) => Object.keys(r).join(' + ')).join(' or ');

  const slots = credentialSlots(doc, op.operation);
  const bare = copy(base);
  let removed = false;
  for (const header of slots.headers) {
    if (!(header in bare.headers)) continue;
    delete bare.headers[header];
    removed = true;
  }
  for (const name of slots.query) {
    if (!(name in bare.query)) continue;
    delete bare.query[name];
    removed = true;
  }
  if (removed) out.add('no credentials', 'credentials', 'security', `${requirementText} required`, pointer, bare);

  const first = requirements[0] as JsonObject;
  const uses: SchemeUse[] = Object.keys(first).flatMap((name) => (schemes[name] ? [{ name, scheme: schemes[name] }] : []));
  for (const { name, scheme } of uses) {
    const value = wrongCredential(scheme);
    const slot = credentialSlot(scheme);
    if (value === undefined || !slot) continue;
    const request = copy(base);
    if (slot.in === 'header') request.headers[slot.name] = value;
    else request.query[slot.name] = value;
    const caseName = uses.length > 1 ? `wrong credentials (${name})` : 'wrong credentials';
    out.add(caseName, 'credentials', `security scheme ${name}`, `${describeScheme(scheme)} with credentials the server issued`, `#/components/securitySchemes/${escapePointer(name)}`, request);
  }
}

// ---------------------------------------------------------------------------------------------
// Parameters

export interface ParameterAt {
  param: JsonObject;
  pointer: string;
}

/** Path-item parameters, then the operation's, an operation's one replacing a path item's of the same name and place. */
export function parametersOf(doc: JsonObject, op: OperationRef): ParameterAt[] {
  const pathItem = ((doc.paths as JsonObject)[op.path] ?? {}) as JsonObject;
  const key = (p: JsonObject) => `${String(p.in)}:${p.in === 'header' ? String(p.name).toLowerCase() : String(p.name)}`;
  const byKey = new Map<string, ParameterAt>();
  const collect = (list: Json | undefined, at: string) => {
    if (!Array.isArray(list)) return;
    list.forEach((p, i) => {
      if (isObject(p)) byKey.set(key(p), { param: p, pointer: `${at}/parameters/${i}` });
    });
  };
  collect(pathItem.parameters, `#/paths/${escapePointer(op.path)}`);
  collect(op.operation.parameters, op.pointer);
  return [...byKey.values()];
}

/** `filled` (a path made from `template`) with one parameter's value replaced. */
function replacePathParameter(template: string, filled: string, name: string, value: string): string | undefined {
  const segments = template.split(/(\{[^}]+\})/);
  const pattern = segments.map((s) => (/^\{[^}]+\}$/.test(s) ? '([^/]*)' : s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))).join('');
  const match = new RegExp(`^${pattern}$`).exec(filled);
  if (!match) return undefined;
  let group = 0;
  return template.replace(/\{([^}]+)\}/g, (_, param: string) => {
    const current = match[++group] ?? '';
    return param === name ? encodeURIComponent(value) : current;
  });
}

// OpenAPI: header parameters named Accept, Content-Type or Authorization are ignored.
export const IGNORED_HEADERS = new Set(['accept', 'content-type', 'authorization']);

/**
 * The path, query and header parameters a generated case may vary: not the headers OpenAPI
 * ignores, nor where the credentials go (those are the credential cases' own).
 */
export function variableParameters(doc: JsonObject, op: OperationRef): Array<{ param: JsonObject; pointer: string; where: 'path' | 'query' | 'header'; name: string }> {
  const slots = credentialSlots(doc, op.operation);
  const chosen: Array<{ param: JsonObject; pointer: string; where: 'path' | 'query' | 'header'; name: string }> = [];
  for (const { param, pointer } of parametersOf(doc, op)) {
    const where = String(param.in);
    const name = String(param.name);
    if (where !== 'query' && where !== 'header' && where !== 'path') continue;
    if (where === 'header' && (IGNORED_HEADERS.has(name.toLowerCase()) || slots.headers.has(name.toLowerCase()))) continue;
    if (where === 'query' && slots.query.has(name)) continue;
    chosen.push({ param, pointer, where, name });
  }
  return chosen;
}

function parameterCases(doc: JsonObject, op: OperationRef, base: ExampleRequest, out: CaseList, referee: Referee): void {
  for (const { param, pointer, where, name } of variableParameters(doc, op)) {
    const subject = `${where} ${name}`;

    if (param.required === true && where !== 'path') {
      const request = copy(base);
      if (where === 'query') delete request.query[name];
      else delete request.headers[name.toLowerCase()];
      out.add(`${subject} missing`, 'required', subject, 'required', `${pointer}/required`, request);
    }

    if (!isObject(param.schema)) continue;
    const schema = param.schema;
    for (const violation of schemaViolations(schema, `${pointer}/schema`, { mode: 'text', arrays: where === 'query' })) {
      const text = Array.isArray(violation.value) ? violation.value.map(String) : String(violation.value);
      if (!referee.rejectsText(schema, text)) continue;
      const request = copy(base);
      if (where === 'query') request.query[name] = text;
      else if (where === 'header') {
        if (Array.isArray(text)) continue;
        request.headers[name.toLowerCase()] = text;
      } else {
        if (Array.isArray(text)) continue;
        const path = replacePathParameter(op.path, base.path, name, text);
        if (!path) continue;
        request.path = path;
      }
      out.add(`${subject} ${violation.label}`, violation.kind, subject, violation.constraint, violation.pointer, request, where === 'path' ? name : undefined);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Bodies

interface ObjectShape {
  /** Each property's schemas (one per source that declares it), in declaration order. */
  properties: Map<string, { schema: JsonObject; pointer: string }[]>;
  required: { name: string; pointer: string }[];
  /** Pointer to an `additionalProperties: false` (or `unevaluatedProperties: false`), if any. */
  closed?: string;
  patterns: string[];
}

function objectShape(schema: JsonObject, pointer: string): ObjectShape {
  const shape: ObjectShape = { properties: new Map(), required: [], patterns: [] };
  for (const { schema: s, pointer: p } of constraintSources(schema, pointer)) {
    if (isObject(s.properties)) {
      for (const [name, sub] of Object.entries(s.properties)) {
        if (!isObject(sub)) continue;
        const list = shape.properties.get(name) ?? [];
        list.push({ schema: sub, pointer: `${p}/properties/${escapePointer(name)}` });
        shape.properties.set(name, list);
      }
    }
    if (Array.isArray(s.required)) {
      s.required.forEach((name, i) => {
        if (typeof name === 'string' && !shape.required.some((r) => r.name === name)) shape.required.push({ name, pointer: `${p}/required/${i}` });
      });
    }
    if (isObject(s.patternProperties)) shape.patterns.push(...Object.keys(s.patternProperties));
    if (shape.closed === undefined && s.additionalProperties === false) shape.closed = `${p}/additionalProperties`;
  }
  if (shape.closed === undefined && schema.unevaluatedProperties === false) shape.closed = `${pointer}/unevaluatedProperties`;
  return shape;
}

const UNEXPECTED_PROPERTY = 'speechdouble_unexpected_property';

function jsonBodyCases(base: ExampleRequest, mediaType: string, schema: JsonObject | undefined, mediaPointer: string, prefix: string, out: CaseList, referee: Referee): void {
  const broken = copy(base);
  broken.body = Buffer.from('{"broken": ');
  out.add(`${prefix} malformed JSON`, 'json', prefix, `well-formed ${mediaType}`, mediaPointer, broken);
  if (!schema) return;

  let example: Json;
  try {
    example = JSON.parse(base.body.toString('utf8')) as Json;
  } catch {
    return;
  }
  if (!isObject(example)) return;
  const schemaPointer = `${mediaPointer}/schema`;
  const shape = objectShape(schema, schemaPointer);
  const withBody = (value: JsonObject) => {
    const request = copy(base);
    request.body = Buffer.from(JSON.stringify(value));
    return request;
  };

  for (const { name, pointer } of shape.required) {
    if (!(name in example)) continue;
    const { [name]: _dropped, ...rest } = example;
    out.add(`${prefix} missing ${name}`, 'required', `${prefix} property ${name}`, 'required', pointer, withBody(rest));
  }
  for (const [name, definitions] of shape.properties) {
    const seen = new Set<string>();
    for (const definition of definitions) {
      for (const violation of schemaViolations(definition.schema, definition.pointer, { mode: 'json', arrays: true })) {
        if (seen.has(violation.label)) continue;
        const value = { ...example, [name]: violation.value };
        if (!referee.rejectsJson(schema, value)) continue;
        seen.add(violation.label);
        out.add(`${prefix} ${name} ${violation.label}`, violation.kind, `${prefix} property ${name}`, violation.constraint, violation.pointer, withBody(value));
      }
    }
  }
  const matchesPattern = shape.patterns.some((p) => {
    try {
      return new RegExp(p, 'u').test(UNEXPECTED_PROPERTY);
    } catch {
      return true;
    }
  });
  if (shape.closed && !shape.properties.has(UNEXPECTED_PROPERTY) && !matchesPattern) {
    const value = { ...example, [UNEXPECTED_PROPERTY]: 'unexpected' };
    if (referee.rejectsJson(schema, value)) {
      out.add(`${prefix} unexpected property`, 'additional-property', prefix, 'additionalProperties false', shape.closed, withBody(value));
    }
  }
}

const isBinaryProperty = (schema: JsonObject) =>
  schema.format === 'binary' || typeof schema.contentEncoding === 'string' || (isObject(schema.items) && schema.items.format === 'binary');

function multipartCases(base: ExampleRequest, schema: JsonObject | undefined, mediaPointer: string, out: CaseList, referee: Referee): void {
  const boundary = boundaryOf(base.headers['content-type']);
  if (!boundary) return;
  const truncated = truncateMultipart(base.body, boundary);
  if (truncated) {
    const request = copy(base);
    request.body = truncated;
    out.add('multipart truncated before the closing boundary', 'multipart', 'body', `multipart/form-data ending in the closing delimiter --${boundary}-- (RFC 2046 §5.1.1)`, mediaPointer, request);
  }
  const parts = parseMultipart(base.body, boundary);
  if (!parts || !schema) return;
  const shape = objectShape(schema, `${mediaPointer}/schema`);
  const present = (name: string) => parts.some((p) => partName(p) === name);
  const withParts = (next: FormPart[]) => {
    const request = copy(base);
    request.body = buildMultipart(next, boundary);
    return request;
  };

  for (const { name, pointer } of shape.required) {
    if (!present(name)) continue;
    out.add(`multipart missing ${name} part`, 'required', `part ${name}`, 'required', pointer, withParts(parts.filter((p) => partName(p) !== name)));
  }
  for (const [name, definitions] of shape.properties) {
    const seen = new Set<string>();
    for (const definition of definitions) {
      const s = definition.schema;
      if (isBinaryProperty(s)) continue;
      if (typeof s.contentMediaType === 'string' && isJsonMedia(s.contentMediaType) && present(name) && !seen.has('json')) {
        seen.add('json');
        const next = parts.map((p) => (partName(p) === name ? { head: p.head, content: Buffer.from('{"broken": ') } : p));
        out.add(`multipart ${name} part malformed JSON`, 'json', `part ${name}`, `contentMediaType ${s.contentMediaType}`, `${definition.pointer}/contentMediaType`, withParts(next));
      }
      // Repeated parts (arrays) are left alone: one broken repetition among valid ones is ambiguous.
      const types = typeof s.type === 'string' ? [s.type] : Array.isArray(s.type) ? s.type : [];
      if (types.includes('array') || types.includes('object')) continue;
      for (const violation of schemaViolations(s, definition.pointer, { mode: 'text' })) {
        const text = String(violation.value);
        if (seen.has(violation.label) || !referee.rejectsText(s, text)) continue;
        seen.add(violation.label);
        const next = present(name)
          ? parts.map((p) => (partName(p) === name ? { head: p.head, content: Buffer.from(text) } : p))
          : [...parts, textPart(name, text)];
        out.add(`multipart ${name} ${violation.label}`, violation.kind, `part ${name}`, violation.constraint, violation.pointer, withParts(next));
      }
    }
  }
}

function bodyCases(op: OperationRef, base: ExampleRequest, out: CaseList, referee: Referee): void {
  const requestBody = op.operation.requestBody;
  if (!isObject(requestBody) || !isObject(requestBody.content)) return;
  const entries = Object.entries(requestBody.content).filter((e): e is [string, JsonObject] => isObject(e[1]));
  entries.forEach(([mediaType, media], index) => {
    const mediaPointer = `${op.pointer}/requestBody/content/${escapePointer(mediaType)}`;
    const schema = isObject(media.schema) ? media.schema : undefined;
    if (index === 0) {
      // The example request carries the first media type, as buildExampleRequest chose it.
      if (isJsonMedia(mediaType)) jsonBodyCases(base, mediaType, schema, mediaPointer, 'body', out, referee);
      else if (/^multipart\/form-data/i.test(mediaType)) multipartCases(base, schema, mediaPointer, out, referee);
      return;
    }
    // Another JSON media type of the same operation: its own example, sent with its own type.
    if (!isJsonMedia(mediaType)) return;
    const example = exampleOf(media);
    if (example === undefined) return;
    const request = copy(base);
    request.headers['content-type'] = mediaType;
    request.body = Buffer.from(JSON.stringify(example));
    jsonBodyCases(request, mediaType, schema, mediaPointer, `body (${mediaType})`, out, referee);
  });
}

function exampleOf(media: JsonObject): Json | undefined {
  if ('example' in media) return media.example;
  if (isObject(media.examples)) {
    const first = Object.values(media.examples)[0];
    if (isObject(first) && 'value' in first) return first.value;
  }
  const schema = isObject(media.schema) ? media.schema : {};
  if (Array.isArray(schema.examples) && schema.examples.length) return schema.examples[0];
  return 'example' in schema ? schema.example : undefined;
}

// ---------------------------------------------------------------------------------------------

/**
 * Every negative case for one operation of a dereferenced document, in a fixed order:
 * credentials, then parameters in spec order, then the body.
 */
export function generateNegativeCases(doc: JsonObject, op: OperationRef): NegativeCase[] {
  const base = buildExampleRequest(doc, op);
  const out = new CaseList();
  const referee = new Referee();
  credentialCases(doc, op, base, out);
  parameterCases(doc, op, base, out, referee);
  bodyCases(op, base, out, referee);
  return out.cases;
}
