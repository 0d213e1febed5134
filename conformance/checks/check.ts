// One check, one concern, one signature (as Schemathesis does it): given an exchange and the
// operation the spec documents for it, return a failure that says what was expected, what
// was received and where the expectation lives, or nothing.
import type { ValidateFunction } from '../../openapi/schemas.ts';
import type { JsonObject } from '../../openapi/specs.ts';
import { mediaTypeOf as mediaTypeOfValue } from '../media-type.ts';
import type { CheckFailure, Exchange } from '../types.ts';

export { contentEntry, isJsonMediaType } from '../media-type.ts';

export interface CheckContext {
  /** The operation, dereferenced. */
  operation: JsonObject;
  /** JSON pointer to the operation, e.g. #/paths/~1v2~1jobs/get */
  pointer: string;
  /** Compiles (and caches) a schema with the project's ajv setup. */
  compile(schema: JsonObject): ValidateFunction;
}

export type Failure = Omit<CheckFailure, 'check' | 'exchangeId'>;

export interface Check {
  name: string;
  /** One line, for reports and docs. */
  description: string;
  run(exchange: Exchange, context: CheckContext): Failure | undefined;
}

/** The documented response for a status: exact code first, then 4XX/5XX, then default. */
export function documentedResponse(operation: JsonObject, status: number): { key: string; response: JsonObject } | undefined {
  const responses = (operation.responses ?? {}) as Record<string, JsonObject>;
  for (const key of [String(status), `${String(status)[0]}XX`, `${String(status)[0]}xx`, 'default']) {
    if (responses[key]) return { key, response: responses[key]! };
  }
  return undefined;
}

/** The response's media type, lower-cased, without parameters (`../media-type.ts`). */
export const mediaTypeOf = (headers: Record<string, string>): string => mediaTypeOfValue(headers['content-type']);
