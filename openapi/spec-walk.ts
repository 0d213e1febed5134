// Finds every place in an OpenAPI document where a value claims to fit a schema: examples and
// defaults on schemas, and examples on media types, parameters and headers. The quality test
// validates each one, so a spec cannot show users an example its own schema rejects.
import { escapePointer, type Json, type JsonObject } from './specs.ts';

export interface ClaimedValue {
  /** JSON pointer to the value, for the failure message. */
  where: string;
  schema: JsonObject;
  value: Json;
}

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

const SUBSCHEMA_MAPS = ['properties', 'patternProperties', 'dependentSchemas', '$defs'];
const SUBSCHEMA_SINGLE = [
  'additionalProperties', 'items', 'not', 'if', 'then', 'else', 'contains', 'propertyNames',
  'unevaluatedProperties', 'unevaluatedItems', 'contentSchema',
];
const SUBSCHEMA_LISTS = ['allOf', 'anyOf', 'oneOf', 'prefixItems'];

/** Walks a dereferenced document; shared (`$ref`ed) objects are walked once. */
export function collectClaimedValues(doc: JsonObject): ClaimedValue[] {
  const out: ClaimedValue[] = [];
  const seenSchemas = new Set<object>();

  const walkSchema = (schema: Json, where: string): void => {
    if (!isObject(schema) || seenSchemas.has(schema)) return;
    seenSchemas.add(schema);
    if ('default' in schema) out.push({ where: `${where}/default`, schema, value: schema.default! });
    if ('example' in schema) out.push({ where: `${where}/example`, schema, value: schema.example! });
    if (Array.isArray(schema.examples)) {
      schema.examples.forEach((value, i) => out.push({ where: `${where}/examples/${i}`, schema, value }));
    }
    for (const key of SUBSCHEMA_MAPS) {
      const map = schema[key];
      if (isObject(map)) for (const [name, sub] of Object.entries(map)) walkSchema(sub, `${where}/${key}/${name}`);
    }
    for (const key of SUBSCHEMA_SINGLE) walkSchema(schema[key] as Json, `${where}/${key}`);
    for (const key of SUBSCHEMA_LISTS) {
      const list = schema[key];
      if (Array.isArray(list)) list.forEach((sub, i) => walkSchema(sub, `${where}/${key}/${i}`));
    }
  };

  // Media types, parameters and headers share one shape: a `schema` beside `example`/`examples`.
  const walkSchemaHolder = (holder: JsonObject, where: string): void => {
    const schema = holder.schema;
    if (!isObject(schema)) return;
    walkSchema(schema, `${where}/schema`);
    if ('example' in holder) out.push({ where: `${where}/example`, schema, value: holder.example! });
    if (isObject(holder.examples)) {
      for (const [name, example] of Object.entries(holder.examples)) {
        if (isObject(example) && 'value' in example) {
          out.push({ where: `${where}/examples/${name}`, schema, value: example.value! });
        }
      }
    }
  };

  const seenNodes = new Set<object>();
  const walkNode = (node: Json, where: string): void => {
    if (!isObject(node) && !Array.isArray(node)) return;
    if (seenNodes.has(node)) return;
    seenNodes.add(node);
    if (Array.isArray(node)) {
      node.forEach((item, i) => walkNode(item, `${where}/${i}`));
      return;
    }
    if ('schema' in node && isObject(node.schema)) {
      walkSchemaHolder(node, where);
    }
    for (const [key, child] of Object.entries(node)) {
      if (key === 'schema' || key === 'examples' || key === 'example') continue;
      // components.schemas holds schemas themselves, not holders of one.
      if (key === 'schemas' && isObject(child)) {
        for (const [name, schema] of Object.entries(child)) walkSchema(schema, `${where}/schemas/${name}`);
        continue;
      }
      walkNode(child, `${where}/${escapePointer(key)}`);
    }
  };

  walkNode(doc, '#');
  return out;
}
