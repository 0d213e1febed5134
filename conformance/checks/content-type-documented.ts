import { escapePointer } from '../../openapi/specs.ts';
import type { JsonObject } from '../../openapi/specs.ts';
import { contentEntry, documentedResponse, mediaTypeOf, type Check } from './check.ts';

export const contentTypeDocumented: Check = {
  name: 'content_type_documented',
  description: 'The response media type is one documented for its status (and no body where none is documented).',
  run(exchange, { operation, pointer }) {
    if (!exchange.response) return undefined;
    const documented = documentedResponse(operation, exchange.response.status);
    if (!documented) return undefined;
    const where = `${pointer}/responses/${escapePointer(documented.key)}/content`;
    const content = documented.response.content as JsonObject | undefined;
    const type = mediaTypeOf(exchange.response.headers);
    if (!content) {
      if (exchange.response.body.length === 0) return undefined;
      return { message: 'A body where the spec documents none', expected: 'no body', received: `${exchange.response.body.length} bytes of ${type || 'untyped content'}`, pointer: `${pointer}/responses/${escapePointer(documented.key)}` };
    }
    if (type && contentEntry(content, type)) return undefined;
    return { message: `Undocumented content type ${type || '(none)'}`, expected: Object.keys(content).join(', '), received: type || '(no content-type header)', pointer: where };
  },
};
