import { escapePointer, type JsonObject } from '../../openapi/specs.ts';
import { documentedResponse, type Check } from './check.ts';

export const requiredHeadersPresent: Check = {
  name: 'required_headers_present',
  description: 'Every response header the spec marks required is present.',
  run(exchange, { operation, pointer }) {
    if (!exchange.response) return undefined;
    const documented = documentedResponse(operation, exchange.response.status);
    const headers = (documented?.response.headers ?? {}) as Record<string, JsonObject>;
    const missing = Object.entries(headers).filter(([name, h]) => h.required === true && exchange.response!.headers[name.toLowerCase()] === undefined).map(([name]) => name);
    if (missing.length === 0) return undefined;
    return { message: `Missing required header ${missing.join(', ')}`, expected: missing.join(', '), received: Object.keys(exchange.response.headers).join(', ') || '(no headers)', pointer: `${pointer}/responses/${escapePointer(documented!.key)}/headers` };
  },
};
