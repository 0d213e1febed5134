import { documentedResponse, type Check } from './check.ts';

export const statusCodeDocumented: Check = {
  name: 'status_code_documented',
  description: 'The status code is one the operation documents.',
  run(exchange, { operation, pointer }) {
    if (!exchange.response) return undefined;
    const { status } = exchange.response;
    if (documentedResponse(operation, status)) return undefined;
    return {
      message: `Undocumented status ${status}`,
      expected: `one of ${Object.keys((operation.responses ?? {}) as object).join(', ')}`,
      received: String(status),
      pointer: `${pointer}/responses`,
    };
  },
};
