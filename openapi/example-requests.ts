// Builds, for any operation, a request the spec itself says is valid: parameters and bodies
// from the spec's own examples, credentials from its security schemes. Tests use it to reach
// every documented response of every operation without hand-writing a request for each.
import type { Json, JsonObject, OperationRef } from './specs.ts';
import { sineWav } from './example-audio.ts';
import { encodeMultipart, type FormField } from './multipart-encoding.ts';

export type QueryValue = string | string[];

/** A request as plain data: what example requests are built as, and what the emulator's core reads. */
export interface ExampleRequest {
  method: string;
  path: string;
  query: Record<string, QueryValue>;
  headers: Record<string, string>;
  body: Buffer;
}

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Credentials the emulator accepts by default (README, "The APIs"): `test-key`, and basic `cadence:friend`. */
export const TEST_KEY = 'test-key';
export const TEST_BASIC = 'cadence:friend';

function firstExample(holder: JsonObject): Json | undefined {
  if ('example' in holder) return holder.example;
  if (isObject(holder.examples)) {
    const first = Object.values(holder.examples)[0];
    if (isObject(first) && 'value' in first) return first.value;
  }
  return undefined;
}

function exampleFromSchema(schema: JsonObject): Json | undefined {
  if (Array.isArray(schema.examples) && schema.examples.length) return schema.examples[0];
  if ('example' in schema) return schema.example;
  if ('const' in schema) return schema.const;
  if ('default' in schema) return schema.default;
  if (Array.isArray(schema.enum) && schema.enum.length) return schema.enum[0];
  return undefined;
}

function parameterValue(param: JsonObject): Json | undefined {
  const schema = isObject(param.schema) ? param.schema : {};
  const value = firstExample(param) ?? exampleFromSchema(schema);
  if (value !== undefined) return value;
  const items = isObject(schema.items) ? schema.items : undefined;
  if (schema.type === 'array' && items) {
    const item = exampleFromSchema(items);
    return item === undefined ? undefined : [item];
  }
  return undefined;
}

function scalar(value: Json): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function credentials(doc: JsonObject, operation: JsonObject, request: ExampleRequest): void {
  const requirements = (operation.security ?? doc.security) as JsonObject[] | undefined;
  const schemes = ((doc.components as JsonObject | undefined)?.securitySchemes ?? {}) as Record<string, JsonObject>;
  const requirement = requirements?.[0];
  if (!requirement) return;
  for (const name of Object.keys(requirement)) {
    const scheme = schemes[name];
    if (!scheme) continue;
    if (scheme.type === 'http' && String(scheme.scheme).toLowerCase() === 'bearer') {
      request.headers.authorization = `Bearer ${TEST_KEY}`;
    } else if (scheme.type === 'http' && String(scheme.scheme).toLowerCase() === 'basic') {
      request.headers.authorization = `Basic ${Buffer.from(TEST_BASIC).toString('base64')}`;
    } else if (scheme.type === 'apiKey' && scheme.in === 'header') {
      request.headers[String(scheme.name).toLowerCase()] = TEST_KEY;
    } else if (scheme.type === 'apiKey' && scheme.in === 'query') {
      request.query[String(scheme.name)] = TEST_KEY;
    }
  }
}

// Binary parts carry real audio (0.1 s of silence), not text.
const tinyWav = () => sineWav({ seconds: 0.1, frequency: 440, amplitude: 0 });

function multipartBody(value: JsonObject, schema: JsonObject): { body: Buffer; contentType: string } {
  const boundary = '----speechdouble-example';
  const properties = isObject(schema.properties) ? schema.properties : {};
  const fields: FormField[] = Object.entries(value).flatMap(([name, fieldValue]): FormField[] => {
    const prop = isObject(properties[name]) ? (properties[name] as JsonObject) : {};
    const isBinary = prop.format === 'binary' || (isObject(prop.items) && prop.items.format === 'binary');
    if (isBinary) return [{ name, value: tinyWav(), filename: `${name}.wav`, contentType: 'audio/wav' }];
    return (Array.isArray(fieldValue) ? fieldValue : [fieldValue]).map((item) => ({ name, value: scalar(item) }));
  });
  return { body: encodeMultipart(fields, boundary), contentType: `multipart/form-data; boundary=${boundary}` };
}

/** A valid request for `op`, built from the dereferenced document `doc`. */
export function buildExampleRequest(doc: JsonObject, op: OperationRef): ExampleRequest {
  const request: ExampleRequest = { method: op.method.toUpperCase(), path: op.path, query: {}, headers: {}, body: Buffer.alloc(0) };
  const pathItem = ((doc.paths as JsonObject)[op.path] ?? {}) as JsonObject;
  const params = [...((pathItem.parameters ?? []) as JsonObject[]), ...((op.operation.parameters ?? []) as JsonObject[])];
  for (const param of params) {
    if (param.in !== 'path' && param.required !== true) continue;
    const value = parameterValue(param);
    if (value === undefined) throw new Error(`${op.pointer}: parameter ${param.name} has no example`);
    const name = String(param.name);
    if (param.in === 'path') request.path = request.path.replace(`{${name}}`, encodeURIComponent(scalar(value)));
    else if (param.in === 'query') request.query[name] = (Array.isArray(value) ? value.map(scalar) : scalar(value)) as QueryValue;
    else if (param.in === 'header' && name.toLowerCase() !== 'authorization') request.headers[name.toLowerCase()] = scalar(value);
  }
  credentials(doc, op.operation, request);

  const content = isObject(op.operation.requestBody) ? op.operation.requestBody.content : undefined;
  if (isObject(content)) {
    const [mediaType, media] = Object.entries(content)[0] as [string, JsonObject];
    const schema = isObject(media.schema) ? media.schema : {};
    const value = firstExample(media) ?? exampleFromSchema(schema);
    if (mediaType.startsWith('multipart/form-data')) {
      if (!isObject(value)) throw new Error(`${op.pointer}: multipart request has no example object`);
      const { body, contentType } = multipartBody(value, schema);
      request.body = body;
      request.headers['content-type'] = contentType;
    } else if (/^application\/x-www-form-urlencoded/i.test(mediaType) && isObject(value)) {
      // Each property a field, an array's items repeated (OpenAPI's default: form style, exploded).
      const form = new URLSearchParams();
      for (const [name, fieldValue] of Object.entries(value)) {
        for (const item of Array.isArray(fieldValue) ? fieldValue : [fieldValue]) form.append(name, scalar(item));
      }
      request.body = Buffer.from(form.toString());
      request.headers['content-type'] = mediaType;
    } else if (schema.format === 'binary' || value === undefined) {
      request.body = tinyWav();
      request.headers['content-type'] = mediaType;
    } else {
      request.body = Buffer.from(/json/.test(mediaType) ? JSON.stringify(value) : scalar(value));
      request.headers['content-type'] = mediaType;
    }
  }
  return request;
}
