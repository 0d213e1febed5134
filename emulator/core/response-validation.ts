// Strict mode: every response a handler returns is checked against the spec for its status
// and media type before it is sent. On in every test, so the emulator cannot drift from its
// contract without a failure that names the spec pointer.
import type { EmulatorResponse } from './http-types.ts';
import { createSchemaCompiler, describeErrors } from '../../openapi/schemas.ts';
import { escapePointer, type JsonObject, type OperationRef } from '../../openapi/specs.ts';

export class ContractViolation extends Error {
  override readonly name = 'ContractViolation';
}

export interface ResponseValidator {
  check(operation: OperationRef, response: EmulatorResponse): void;
}

export function createResponseValidator(): ResponseValidator {
  const compile = createSchemaCompiler();
  return {
    check(op, response) {
      const responses = (op.operation.responses ?? {}) as JsonObject;
      const pointer = `${op.pointer}/responses/${response.status}`;
      const documented = responses[String(response.status)] as JsonObject | undefined;
      if (!documented) throw new ContractViolation(`${pointer}: status ${response.status} is not documented`);
      const content = documented.content as JsonObject | undefined;
      const mediaType = (response.headers['content-type'] ?? '').split(';')[0]!.trim();
      if (!content) {
        if (response.body !== undefined && response.body !== '') throw new ContractViolation(`${pointer}: documents no body, got one`);
        return;
      }
      // `audio/*` documents every audio type, as OpenAPI's media type ranges do.
      const media = (content[mediaType] ?? content[mediaType.replace(/\/.*$/, '/*')] ?? content['*/*']) as JsonObject | undefined;
      if (!media) throw new ContractViolation(`${pointer}: media type ${mediaType || '(none)'} is not documented (${Object.keys(content).join(', ')})`);
      if (!/json/.test(mediaType)) return;
      const validate = compile(media.schema as JsonObject);
      if (!validate(response.body)) {
        throw new ContractViolation(`${pointer}/content/${escapePointer(mediaType)}/schema: ${describeErrors(validate.errors)}`);
      }
    },
  };
}
