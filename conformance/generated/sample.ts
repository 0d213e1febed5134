// One value a schema accepts, the same every time: the example a document without examples is
// given (spec-source.ts), so the runner's documented-request cases have a request to send. The
// plainest value that fits is tried first (the enum's first, the minimum, `a` repeated to the
// minimum length), then values fast-check makes from a fixed seed, each checked against the
// schema; the first accepted is kept.
import fc from 'fast-check';
import type { ValidateFunction } from '../../openapi/schemas.ts';
import type { Json, JsonObject } from '../../openapi/specs.ts';
import { mergeAllOf, schemaArbitrary } from './arbitrary.ts';

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

const PLAIN_FORMATS: Record<string, string> = {
  'date-time': '2024-01-01T00:00:00Z',
  date: '2024-01-01',
  time: '00:00:00Z',
  uuid: '00000000-0000-4000-8000-000000000000',
  email: 'user@example.invalid',
  uri: 'https://example.invalid/',
  url: 'https://example.invalid/',
  hostname: 'example.invalid',
  ipv4: '192.0.2.1',
  binary: '<binary>',
  byte: 'AAAA',
};

/** The plainest value of a schema, from its own words; not checked. */
function plain(schema: JsonObject, depth = 0): Json {
  if (Array.isArray(schema.examples) && schema.examples.length) return schema.examples[0]!;
  if ('example' in schema) return schema.example!;
  if ('const' in schema) return schema.const!;
  if ('default' in schema) return schema.default!;
  if (Array.isArray(schema.enum) && schema.enum.length) return schema.enum[0]!;
  const merged = mergeAllOf(schema);
  const branch = [merged.oneOf, merged.anyOf].find((list) => Array.isArray(list) && list.length > 0) as Json[] | undefined;
  if (branch && isObject(branch[0])) {
    const { oneOf: _oneOf, anyOf: _anyOf, ...base } = merged;
    return plain(mergeAllOf({ ...base, allOf: [branch[0]] }), depth + 1);
  }
  const type = typeof merged.type === 'string' ? merged.type : Array.isArray(merged.type) ? String(merged.type.find((t) => t !== 'null') ?? 'null') : isObject(merged.properties) ? 'object' : 'string';
  switch (type) {
    case 'integer':
    case 'number': {
      const min = typeof merged.minimum === 'number' ? merged.minimum : typeof merged.exclusiveMinimum === 'number' ? merged.exclusiveMinimum + 1 : undefined;
      const max = typeof merged.maximum === 'number' ? merged.maximum : typeof merged.exclusiveMaximum === 'number' ? merged.exclusiveMaximum - 1 : undefined;
      const value = min ?? (max !== undefined && max < 1 ? max : 1);
      return type === 'integer' ? Math.ceil(value) : value;
    }
    case 'boolean': return true;
    case 'null': return null;
    case 'array': {
      const items = isObject(merged.items) ? merged.items : {};
      const count = Math.max(1, typeof merged.minItems === 'number' ? merged.minItems : 1);
      return depth > 4 ? [] : Array.from({ length: count }, () => plain(items, depth + 1));
    }
    case 'object': {
      const properties = isObject(merged.properties) ? merged.properties : {};
      const required = Array.isArray(merged.required) ? merged.required.map(String) : [];
      // A form's files go in even when optional: an upload without its file proves little.
      const files = depth === 0 ? Object.keys(properties).filter((name) => isObject(properties[name]) && (properties[name] as JsonObject).format === 'binary') : [];
      return Object.fromEntries([...new Set([...required, ...files])].map((name) => [name, plain(isObject(properties[name]) ? properties[name] as JsonObject : {}, depth + 1)]));
    }
    default: {
      const format = typeof merged.format === 'string' ? PLAIN_FORMATS[merged.format] : undefined;
      if (format) return format;
      const length = Math.max(1, typeof merged.minLength === 'number' ? merged.minLength : 1);
      return 'a'.repeat(length);
    }
  }
}

/**
 * A value `schema` accepts: the plainest, else one of fast-check's from a fixed seed; when none
 * is accepted (a schema nothing generated fits), the plainest anyway. `text`: sent as text (a
 * parameter), `nonEmpty`: a path segment.
 */
export function sampleValue(schema: JsonObject, compile: (schema: object) => ValidateFunction, options: { text?: boolean; nonEmpty?: boolean }): Json {
  let validate: ValidateFunction | undefined;
  try {
    validate = compile(schema);
  } catch {
    validate = undefined;
  }
  const fits = (value: Json) => (!options.nonEmpty || String(value) !== '') && (!validate || validate(structuredClone(value)));
  const first = plain(schema);
  if (fits(first)) return first;
  const candidates = fc.sample(schemaArbitrary(schema, { text: options.text === true }), { seed: 1, numRuns: 100 });
  return candidates.find(fits) ?? first;
}
