import type { Check } from './check.ts';

export const notAServerError: Check = {
  name: 'not_a_server_error',
  description: 'The target answers, and not with a 5xx.',
  run(exchange, { pointer }) {
    if (!exchange.response) {
      return { message: 'No response', expected: 'an HTTP response', received: exchange.error ?? 'nothing', pointer };
    }
    const { status } = exchange.response;
    if (status >= 500) return { message: `Server error ${status}`, expected: 'a status below 500', received: String(status), pointer: `${pointer}/responses` };
    return undefined;
  },
};
