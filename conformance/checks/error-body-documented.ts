import { escapePointer, type JsonObject } from '../../openapi/specs.ts';
import { documentedResponse, type Check } from './check.ts';

export const errorBodyDocumented: Check = {
  name: 'error_body_documented',
  description: 'An error status comes with the error body the spec documents for it, not an empty one.',
  run(exchange, { operation, pointer }) {
    if (!exchange.response || exchange.response.status < 400) return undefined;
    const documented = documentedResponse(operation, exchange.response.status);
    const content = documented?.response.content as JsonObject | undefined;
    if (!documented || !content || Object.keys(content).length === 0) return undefined;
    if (exchange.response.body.length > 0) return undefined;
    return { message: `Error ${exchange.response.status} without its documented body`, expected: `a body of ${Object.keys(content).join(' or ')}`, received: 'an empty body', pointer: `${pointer}/responses/${escapePointer(documented.key)}/content` };
  },
};
