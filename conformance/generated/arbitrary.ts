// fast-check arbitraries from JSON Schema (2020-12, as the runner reads every spec): values a
// schema describes, for the generated cases. They aim at valid values and shrink towards small
// ones; whoever uses them still checks each value against the schema (ajv, as the checks read
// it), since `allOf`, `oneOf` and a few keywords are only approximated here.
//
// `text` values travel as text (a path, query or header parameter, a form field): their strings
// are printable ASCII and never empty, as a header or a path segment must be. Strings a URL
// format asks for point at `.invalid` hosts (RFC 2606), so a target that fetches them reaches
// nobody.
import fc from 'fast-check';
import type { Json, JsonObject } from '../../openapi/specs.ts';

export interface ArbitraryOptions {
  /** The value is sent as text: a parameter or a form field. */
  text?: boolean;
}

/** Stands for a file's bytes in a generated form (`format: binary`): the request carries a short WAV there. */
export const BINARY = '<binary>';

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Deeper than this, objects get only their required properties and arrays their fewest items. */
const MAX_DEPTH = 4;
/** Long enough to cross the length limits a server may have (and not document); short enough to send by the hundred. */
const MAX_STRING = 100;

const typesOf = (schema: JsonObject): string[] | undefined =>
  typeof schema.type === 'string' ? [schema.type] : Array.isArray(schema.type) ? schema.type.map(String) : undefined;

/** The schema with its `allOf` members merged in, roughly: properties, required and the rest (the schema's own word first). */
export function mergeAllOf(schema: JsonObject, seen = new Set<object>()): JsonObject {
  if (!Array.isArray(schema.allOf) || seen.has(schema)) return schema;
  seen.add(schema);
  const { allOf, ...rest } = schema;
  const merged: JsonObject = { ...rest };
  for (const member of allOf as Json[]) {
    if (!isObject(member)) continue;
    const m = mergeAllOf(member, seen);
    for (const [key, value] of Object.entries(m)) {
      if (key === 'properties' && isObject(value)) merged.properties = { ...value, ...(isObject(merged.properties) ? merged.properties : {}) };
      else if (key === 'required' && Array.isArray(value)) merged.required = [...new Set([...(Array.isArray(merged.required) ? merged.required : []), ...value])];
      else if (!(key in merged)) merged[key] = value;
    }
  }
  return merged;
}

/** What a schema without `type` most likely describes, from its other keywords. */
function inferTypes(schema: JsonObject, text: boolean): string[] {
  if (isObject(schema.properties) || schema.additionalProperties !== undefined || Array.isArray(schema.required)) return ['object'];
  if (schema.items !== undefined || schema.prefixItems !== undefined) return ['array'];
  if (['minLength', 'maxLength', 'pattern', 'format'].some((k) => k in schema)) return ['string'];
  if (['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf'].some((k) => k in schema)) return ['number'];
  return text ? ['string'] : ['string', 'integer', 'boolean'];
}

/**
 * Printable ASCII, `a` first: a string shrinks each character straight to `a` (one try each, not
 * a search through character codes), so a shrunk counterexample reads as `aaaa…`, its length what
 * matters.
 */
const CHARACTERS = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 !"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~');

/**
 * Strings that shrink in few steps, as a request is one property run: first every character to
 * `a` at once, then shorter (a prefix, halving the distance to the shortest allowed, as integers
 * shrink), then one character at a time to `a`. fast-check's own string shrinker removes and
 * changes characters one by one, thousands of runs (requests) for a 41-character counterexample;
 * this one takes a few dozen and ends in the same `aaaa…`.
 */
class TextArbitrary extends fc.Arbitrary<string> {
  constructor(private readonly inner: fc.Arbitrary<string>, private readonly minLength: number) {
    super();
  }

  generate(mrng: fc.Random, biasFactor: number | undefined): fc.Value<string> {
    return new fc.Value(this.inner.generate(mrng, biasFactor).value, undefined);
  }

  canShrinkWithoutContext(value: unknown): value is string {
    return typeof value === 'string' && value.length >= this.minLength;
  }

  shrink(value: string): fc.Stream<fc.Value<string>> {
    const candidates: string[] = [];
    const plain = 'a'.repeat(value.length);
    if (value !== plain) candidates.push(plain);
    for (let gap = value.length - this.minLength; gap > 0; gap = Math.floor(gap / 2)) candidates.push(value.slice(0, value.length - gap));
    for (let i = 0; i < value.length; i++) if (value[i] !== 'a') candidates.push(`${value.slice(0, i)}a${value.slice(i + 1)}`);
    return fc.Stream.of(...[...new Set(candidates)].map((text) => new fc.Value(text, undefined)));
  }
}

const label = fc.stringMatching(/^[a-z][a-z0-9]{0,11}$/);
const invalidUrl = fc.tuple(label, fc.array(label, { maxLength: 3 })).map(([host, path]) => `https://${host}.invalid/${path.join('/')}`);
const date = fc.date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true });

const FORMATS: Record<string, fc.Arbitrary<string>> = {
  'date-time': date.map((d) => d.toISOString()),
  date: date.map((d) => d.toISOString().slice(0, 10)),
  time: date.map((d) => `${d.toISOString().slice(11, 19)}Z`),
  uuid: fc.uuid(),
  email: fc.tuple(label, label).map(([user, host]) => `${user}@${host}.invalid`),
  'idn-email': fc.tuple(label, label).map(([user, host]) => `${user}@${host}.invalid`),
  uri: invalidUrl,
  url: invalidUrl,
  iri: invalidUrl,
  'uri-reference': invalidUrl,
  hostname: label.map((l) => `${l}.invalid`),
  ipv4: fc.ipV4(),
  ipv6: fc.ipV6(),
  byte: fc.base64String({ maxLength: 40 }),
  binary: fc.constant(BINARY),
  int32: fc.integer().map(String),
  int64: fc.integer().map(String),
};

function stringArbitrary(schema: JsonObject, options: ArbitraryOptions, depth: number): fc.Arbitrary<string> {
  // JSON text whose own schema is given (a form field holding a JSON document): that document, as text.
  if (isObject(schema.contentSchema) && typeof schema.contentMediaType === 'string' && /json/i.test(schema.contentMediaType)) {
    return schemaArbitrary(schema.contentSchema, {}, depth + 1).map((value) => JSON.stringify(value));
  }
  const format = typeof schema.format === 'string' ? FORMATS[schema.format] : undefined;
  if (format) return format;
  if (typeof schema.pattern === 'string') {
    try {
      return fc.stringMatching(new RegExp(schema.pattern, 'u'), { size: 'small' });
    } catch {
      // A pattern fast-check cannot generate from: strings, left to the schema to sort out.
    }
  }
  const minLength = Math.max(typeof schema.minLength === 'number' ? schema.minLength : 0, options.text ? 1 : 0);
  const maxLength = Math.max(minLength, typeof schema.maxLength === 'number' ? Math.min(schema.maxLength, minLength + MAX_STRING) : minLength + MAX_STRING);
  return new TextArbitrary(fc.string({ unit: CHARACTERS, minLength, maxLength, size: 'medium' }), minLength);
}

function numberArbitrary(schema: JsonObject, integer: boolean): fc.Arbitrary<number> {
  const num = (key: string) => (typeof schema[key] === 'number' ? (schema[key] as number) : undefined);
  const exclusiveMin = num('exclusiveMinimum');
  const exclusiveMax = num('exclusiveMaximum');
  const multipleOf = num('multipleOf');
  let min = num('minimum');
  let max = num('maximum');
  if (exclusiveMin !== undefined && (min === undefined || exclusiveMin >= min)) min = integer ? Math.floor(exclusiveMin) + 1 : exclusiveMin;
  if (exclusiveMax !== undefined && (max === undefined || exclusiveMax <= max)) max = integer ? Math.ceil(exclusiveMax) - 1 : exclusiveMax;
  if (integer || multipleOf !== undefined) {
    const step = multipleOf ?? 1;
    const lo = min === undefined ? -1_000_000 : Math.ceil(min / step);
    const hi = max === undefined ? (min === undefined ? 1_000_000 : lo + 2_000_000) : Math.floor(max / step);
    const from = min === undefined && max !== undefined ? hi - 2_000_000 : lo;
    if (from > hi) return fc.constant(min ?? max ?? 0);
    return fc.integer({ min: Math.max(from, Number.MIN_SAFE_INTEGER), max: Math.min(hi, Number.MAX_SAFE_INTEGER) }).map((n) => (step === 1 ? n : Number((n * step).toPrecision(15))));
  }
  return fc.double({
    noNaN: true,
    noDefaultInfinity: true,
    min: min ?? -1e9,
    max: max ?? 1e9,
    minExcluded: exclusiveMin !== undefined && min === exclusiveMin,
    maxExcluded: exclusiveMax !== undefined && max === exclusiveMax,
  }).map((n) => (Object.is(n, -0) ? 0 : n));
}

function arrayArbitrary(schema: JsonObject, options: ArbitraryOptions, depth: number): fc.Arbitrary<Json[]> {
  const minItems = typeof schema.minItems === 'number' ? schema.minItems : 0;
  const maxItems = Math.max(minItems, Math.min(typeof schema.maxItems === 'number' ? schema.maxItems : minItems + 3, minItems + 3));
  const prefix = Array.isArray(schema.prefixItems) ? schema.prefixItems.map((s) => schemaArbitrary(isObject(s) ? s : {}, options, depth + 1)) : [];
  const items = isObject(schema.items) ? schemaArbitrary(schema.items, options, depth + 1) : schema.items === false ? undefined : fc.constant<Json>('item');
  const rest = items
    ? schema.uniqueItems === true
      ? fc.uniqueArray(items, { minLength: Math.max(0, minItems - prefix.length), maxLength: depth >= MAX_DEPTH ? Math.max(0, minItems - prefix.length) : Math.max(0, maxItems - prefix.length), selector: (v) => JSON.stringify(v) })
      : fc.array(items, { minLength: Math.max(0, minItems - prefix.length), maxLength: depth >= MAX_DEPTH ? Math.max(0, minItems - prefix.length) : Math.max(0, maxItems - prefix.length) })
    : fc.constant<Json[]>([]);
  return fc.tuple(fc.tuple(...prefix), rest).map(([head, tail]) => [...head, ...tail]);
}

function objectArbitrary(schema: JsonObject, options: ArbitraryOptions, depth: number): fc.Arbitrary<JsonObject> {
  const properties = isObject(schema.properties) ? schema.properties : {};
  const required = new Set(Array.isArray(schema.required) ? schema.required.map(String) : []);
  const model: Record<string, fc.Arbitrary<Json>> = {};
  for (const [name, sub] of Object.entries(properties)) {
    if (depth >= MAX_DEPTH && !required.has(name)) continue;
    // Properties only the server writes are left to it.
    if (isObject(sub) && sub.readOnly === true && !required.has(name)) continue;
    model[name] = schemaArbitrary(isObject(sub) ? sub : {}, { ...options, text: false }, depth + 1);
  }
  // A required property the schema does not describe still needs a value.
  for (const name of required) model[name] ??= fc.constant<Json>('value');
  if (Object.keys(properties).length === 0 && isObject(schema.additionalProperties) && depth < MAX_DEPTH) {
    const values = schemaArbitrary(schema.additionalProperties, { ...options, text: false }, depth + 1);
    return fc.tuple(fc.record(model, { requiredKeys: [...required], noNullPrototype: true }), fc.dictionary(label, values, { maxKeys: 3, noNullPrototype: true }))
      .map(([fixed, extra]) => ({ ...extra, ...fixed }) as JsonObject);
  }
  return fc.record(model, { requiredKeys: [...required].filter((name) => name in model), noNullPrototype: true }) as fc.Arbitrary<JsonObject>;
}

function typedArbitrary(type: string, schema: JsonObject, options: ArbitraryOptions, depth: number): fc.Arbitrary<Json> {
  switch (type) {
    case 'string': return stringArbitrary(schema, options, depth);
    case 'integer': return numberArbitrary(schema, true);
    case 'number': return numberArbitrary(schema, false);
    case 'boolean': return fc.boolean();
    case 'null': return fc.constant(null);
    case 'array': return arrayArbitrary(schema, options, depth);
    case 'object': return objectArbitrary(schema, options, depth);
    default: return fc.constant<Json>('value');
  }
}

/** Values `schema` describes (mostly: check them against it). */
export function schemaArbitrary(schema: JsonObject, options: ArbitraryOptions = {}, depth = 0): fc.Arbitrary<Json> {
  // An enum may come from an `allOf` member (a `$ref` to an enum schema, with a description beside it).
  const merged = mergeAllOf(schema);
  if ('const' in merged) return fc.constant(merged.const!);
  const choices = Array.isArray(merged.enum) ? merged.enum.filter((v) => !options.text || v !== null) : [];
  if (choices.length > 0) return fc.constantFrom(...choices);
  const branches = [merged.oneOf, merged.anyOf].find((list) => Array.isArray(list) && list.length > 0) as Json[] | undefined;
  if (branches) {
    const { oneOf: _oneOf, anyOf: _anyOf, ...base } = merged;
    // Each branch with what the schema says around it; a branch that is only `type: null` last, so shrinking leaves it.
    const arbitraries = branches.filter(isObject).map((branch) => schemaArbitrary(mergeAllOf({ ...base, allOf: [branch] }), options, depth + 1));
    if (arbitraries.length) return fc.oneof({ depthSize: 'small' }, ...arbitraries);
  }
  const types = (typesOf(merged) ?? inferTypes(merged, options.text === true)).filter((t) => !(options.text && t === 'null'));
  const arbitraries = (types.length ? types : ['string']).map((type) => typedArbitrary(type, merged, options, depth));
  return arbitraries.length === 1 ? arbitraries[0]! : fc.oneof(...arbitraries);
}
