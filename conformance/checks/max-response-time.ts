// An exchange slower than the run allows (`--max-response-time <ms>`, Schemathesis'
// `max_response_time`): the time from sending the request to having the whole answer.
import type { Check } from './check.ts';

export const MAX_RESPONSE_TIME = 'max_response_time';

export function maxResponseTime(limitMs: number): Check {
  return {
    name: MAX_RESPONSE_TIME,
    description: 'The whole answer arrives within --max-response-time milliseconds.',
    run(exchange, { pointer }) {
      if (!exchange.response || exchange.durationMs <= limitMs) return undefined;
      return {
        message: `Answered in ${Math.round(exchange.durationMs)} ms, over the ${limitMs} ms --max-response-time allows`,
        expected: `at most ${limitMs} ms`,
        received: `${Math.round(exchange.durationMs)} ms`,
        pointer,
      };
    },
  };
}
