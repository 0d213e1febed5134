// Values a schema forbids, one per constraint it states: a wrong type, a number past a bound, a
// string of the wrong length, a value outside an enum, a broken format or pattern. Only
// constraints that hold unconditionally are read: the schema's own keywords and those of its
// `allOf` members. `oneOf`, `anyOf`, `not` and `if` branches are never looked into, so a value
// from here is forbidden whatever branch a validator would pick.
import type { Json, JsonObject } from '../../openapi/specs.ts';

export type ViolationKind = 'type' | 'range' | 'enum' | 'format' | 'pattern';

export interface Violation {
  /** How the value is wrong, e.g. `not a number`, `above maximum`. */
  label: string;
  kind: ViolationKind;
  /** The constraint in the spec's words, e.g. `maximum 100`. */
  constraint: string;
  /** JSON pointer to the keyword the value breaks. */
  pointer: string;
  value: Json;
}

/**
 * `text`: the value travels as text (query, path, header, multipart field), so only types a
 * text can fail are tried (`not-a-number`, `maybe`) and an empty string is never produced (an
 * empty parameter reads as an absent one on many servers). `json`: the value is JSON.
 */
export type ValueMode = 'text' | 'json';

export interface ViolationOptions {
  mode: ValueMode;
  /** Also break the items of an array schema (a one-item array). */
  arrays?: boolean;
}

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

interface Source {
  schema: JsonObject;
  pointer: string;
}

/** The schema and its `allOf` members, each with its pointer: every one of them must hold. */
export function constraintSources(schema: JsonObject, pointer: string): Source[] {
  const out: Source[] = [{ schema, pointer }];
  if (Array.isArray(schema.allOf)) {
    schema.allOf.forEach((member, i) => {
      if (isObject(member)) out.push(...constraintSources(member, `${pointer}/allOf/${i}`));
    });
  }
  return out;
}

const typesOf = (schema: JsonObject): string[] | undefined =>
  typeof schema.type === 'string' ? [schema.type] : Array.isArray(schema.type) ? schema.type.map(String) : undefined;

function matchesType(value: Json, type: string): boolean {
  switch (type) {
    case 'string': return typeof value === 'string';
    case 'integer': return typeof value === 'number' && Number.isInteger(value);
    case 'number': return typeof value === 'number';
    case 'boolean': return typeof value === 'boolean';
    case 'array': return Array.isArray(value);
    case 'object': return isObject(value);
    case 'null': return value === null;
    default: return true;
  }
}

// `uri` and `uuid` start with a vowel letter but not a vowel sound.
const article = (word: string) => (/^(?:[aeio]|u(?!ri|uid))/i.test(word) ? `an ${word}` : `a ${word}`);

/** A value of another JSON type, per declared type. */
const WRONG_JSON_TYPE: Record<string, Json> = {
  string: 12345,
  integer: 'twelve',
  number: 'twelve',
  boolean: 'yes',
  array: 'not-an-array',
  object: 'not-an-object',
};

/** A string no validator takes for the format. */
export const FORMAT_VIOLATIONS: Record<string, string> = {
  'date-time': 'yesterday',
  date: 'not-a-date',
  time: 'not-a-time',
  uuid: 'not-a-uuid',
  email: 'not-an-email',
  uri: 'not a uri',
};

/** Strings tried, in order, until one does not match a pattern. */
const PATTERN_CANDIDATES = ['!!', '~~', '0', 'a', 'A', '-', '_', 'speechdouble not matching', '/', ''];

const NOT_IN_ENUM = 'speechdouble-not-in-enum';
const MAX_LENGTH_PROBED = 10_000;
const ENUM_SHOWN = 8;

function typeViolation(types: string[], pointer: string, mode: ValueMode): Violation | undefined {
  const constraint = `type ${types.join(' | ')}`;
  const real = types.filter((t) => t !== 'null');
  if (real.length === 0) return undefined;
  if (mode === 'text') {
    // Text already is a string: only numbers and booleans have text that is not one of them.
    if (real.every((t) => t === 'integer' || t === 'number')) return { label: 'not a number', kind: 'type', constraint, pointer, value: 'not-a-number' };
    if (real.every((t) => t === 'boolean')) return { label: 'not a boolean', kind: 'type', constraint, pointer, value: 'maybe' };
    return undefined;
  }
  const first = real[0]!;
  const value = WRONG_JSON_TYPE[first];
  if (value === undefined || types.some((t) => matchesType(value, t))) return undefined;
  return { label: `not ${article(first)}`, kind: 'type', constraint, pointer, value };
}

function rangeViolations(schema: JsonObject, pointer: string, integer: boolean): Violation[] {
  const out: Violation[] = [];
  const num = (key: string) => (typeof schema[key] === 'number' ? (schema[key] as number) : undefined);
  const minimum = num('minimum');
  const maximum = num('maximum');
  // OpenAPI 3.1 (JSON Schema 2020-12) writes exclusive bounds as numbers; 3.0 as booleans.
  const legacyExclusiveMin = schema.exclusiveMinimum === true;
  const legacyExclusiveMax = schema.exclusiveMaximum === true;
  if (minimum !== undefined) {
    const value = legacyExclusiveMin ? (integer ? Math.floor(minimum) : minimum) : integer ? Math.ceil(minimum) - 1 : minimum - 1;
    out.push({ label: 'below minimum', kind: 'range', constraint: `minimum ${minimum}${legacyExclusiveMin ? ' (exclusive)' : ''}`, pointer: `${pointer}/minimum`, value });
  }
  const exclusiveMinimum = num('exclusiveMinimum');
  if (exclusiveMinimum !== undefined) {
    out.push({ label: 'not above exclusiveMinimum', kind: 'range', constraint: `exclusiveMinimum ${exclusiveMinimum}`, pointer: `${pointer}/exclusiveMinimum`, value: integer ? Math.floor(exclusiveMinimum) : exclusiveMinimum });
  }
  if (maximum !== undefined) {
    const value = legacyExclusiveMax ? (integer ? Math.ceil(maximum) : maximum) : integer ? Math.floor(maximum) + 1 : maximum + 1;
    out.push({ label: 'above maximum', kind: 'range', constraint: `maximum ${maximum}${legacyExclusiveMax ? ' (exclusive)' : ''}`, pointer: `${pointer}/maximum`, value });
  }
  const exclusiveMaximum = num('exclusiveMaximum');
  if (exclusiveMaximum !== undefined) {
    out.push({ label: 'not below exclusiveMaximum', kind: 'range', constraint: `exclusiveMaximum ${exclusiveMaximum}`, pointer: `${pointer}/exclusiveMaximum`, value: integer ? Math.ceil(exclusiveMaximum) : exclusiveMaximum });
  }
  return out;
}

function lengthViolations(schema: JsonObject, pointer: string, mode: ValueMode): Violation[] {
  const out: Violation[] = [];
  const { minLength, maxLength } = schema;
  if (typeof minLength === 'number' && minLength >= 1 && (mode === 'json' || minLength >= 2)) {
    out.push({ label: 'shorter than minLength', kind: 'range', constraint: `minLength ${minLength}`, pointer: `${pointer}/minLength`, value: 'a'.repeat(Math.ceil(minLength) - 1) });
  }
  if (typeof maxLength === 'number' && maxLength <= MAX_LENGTH_PROBED) {
    out.push({ label: 'longer than maxLength', kind: 'range', constraint: `maxLength ${maxLength}`, pointer: `${pointer}/maxLength`, value: 'a'.repeat(Math.floor(maxLength) + 1) });
  }
  return out;
}

function enumViolation(schema: JsonObject, pointer: string, mode: ValueMode): Violation | undefined {
  const isConst = 'const' in schema;
  const allowed = isConst ? [schema.const as Json] : Array.isArray(schema.enum) ? schema.enum : undefined;
  if (!allowed || allowed.length === 0) return undefined;
  let value: Json | undefined;
  if (allowed.every((v) => typeof v === 'string')) value = NOT_IN_ENUM;
  else if (allowed.every((v) => typeof v === 'number')) value = Math.max(...(allowed as number[])) + 1;
  if (value === undefined || allowed.includes(value)) return undefined;
  const listed = allowed.slice(0, ENUM_SHOWN).map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).join(', ');
  const shown = allowed.length > ENUM_SHOWN ? `${listed}, … (${allowed.length} values)` : listed;
  return {
    label: isConst ? 'not the constant' : 'not in enum',
    kind: 'enum',
    constraint: isConst ? `const ${shown}` : `enum [${shown}]`,
    pointer: `${pointer}/${isConst ? 'const' : 'enum'}`,
    value: mode === 'text' ? String(value) : value,
  };
}

function patternViolation(schema: JsonObject, pointer: string, mode: ValueMode): Violation | undefined {
  if (typeof schema.pattern !== 'string') return undefined;
  let re: RegExp;
  try {
    re = new RegExp(schema.pattern, 'u');
  } catch {
    return undefined;
  }
  const fitsLength = (s: string) =>
    (typeof schema.minLength !== 'number' || s.length >= schema.minLength) && (typeof schema.maxLength !== 'number' || s.length <= schema.maxLength);
  const candidates = PATTERN_CANDIDATES.filter((s) => !re.test(s) && (mode === 'json' || s !== ''));
  const value = candidates.find(fitsLength) ?? candidates[0];
  if (value === undefined) return undefined;
  return { label: 'does not match pattern', kind: 'pattern', constraint: `pattern ${schema.pattern}`, pointer: `${pointer}/pattern`, value };
}

/** One forbidden value per constraint of `schema` (at `pointer`), in a fixed order. */
export function schemaViolations(schema: JsonObject, pointer: string, options: ViolationOptions): Violation[] {
  const { mode } = options;
  const sources = constraintSources(schema, pointer);
  const typed = sources.find((s) => typesOf(s.schema));
  const types = typed ? typesOf(typed.schema)! : undefined;
  const numeric = types?.some((t) => t === 'integer' || t === 'number') ?? false;
  const integer = numeric && !types!.includes('number');
  const stringy = !types || types.includes('string');

  const out: Violation[] = [];
  if (typed && types) {
    const violation = typeViolation(types, `${typed.pointer}/type`, mode);
    if (violation) out.push(violation);
  }
  for (const { schema: s, pointer: p } of sources) {
    if (numeric) out.push(...rangeViolations(s, p, integer));
    if (stringy) out.push(...lengthViolations(s, p, mode));
    const notInEnum = enumViolation(s, p, mode);
    if (notInEnum) out.push(notInEnum);
    if (stringy && typeof s.format === 'string' && FORMAT_VIOLATIONS[s.format]) {
      out.push({ label: `not ${article(s.format)}`, kind: 'format', constraint: `format ${s.format}`, pointer: `${p}/format`, value: FORMAT_VIOLATIONS[s.format]! });
    }
    if (stringy) {
      const mismatch = patternViolation(s, p, mode);
      if (mismatch) out.push(mismatch);
    }
  }
  if (options.arrays && types?.length === 1 && types[0] === 'array') {
    for (const { schema: s, pointer: p } of sources) {
      if (!isObject(s.items)) continue;
      for (const item of schemaViolations(s.items, `${p}/items`, { mode })) {
        out.push({ ...item, label: `item ${item.label}`, constraint: `items ${item.constraint}`, value: [item.value] });
      }
    }
  }
  // Two sources stating the same kind of constraint give one case: the first one's value breaks it.
  const seen = new Set<string>();
  return out.filter((v) => !seen.has(v.label) && seen.add(v.label));
}
