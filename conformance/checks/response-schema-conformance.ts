import { describeErrors } from '../../openapi/schemas.ts';
import { escapePointer, type JsonObject } from '../../openapi/specs.ts';
import { contentEntry, documentedResponse, isJsonMediaType, mediaTypeOf, type Check } from './check.ts';

export const responseSchemaConformance: Check = {
  name: 'response_schema_conformance',
  description: 'A JSON body is valid against the schema documented for its status and media type.',
  run(exchange, { operation, pointer, compile }) {
    if (!exchange.response) return undefined;
    const documented = documentedResponse(operation, exchange.response.status);
    const type = mediaTypeOf(exchange.response.headers);
    const entry = contentEntry(documented?.response.content as Record<string, JsonObject> | undefined, type);
    const media = entry?.value;
    if (!documented || !entry || !media?.schema || !isJsonMediaType(type)) return undefined;
    const where = `${pointer}/responses/${escapePointer(documented.key)}/content/${escapePointer(entry.key)}/schema`;
    const text = exchange.response.body.toString('utf8');
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return { message: 'The body is not JSON', expected: `JSON valid against ${where}`, received: text.slice(0, 500), pointer: where };
    }
    const validate = compile(media.schema as JsonObject);
    if (validate(body)) return undefined;
    return { message: 'The body does not match its schema', expected: describeErrors(validate.errors), received: text.slice(0, 2000), pointer: where };
  },
};
