// A request the spec refuses, as data: where (a parameter, or the body), which rule it broke
// and what the spec wanted. The core finds it; each API renders it in its vendor's words and
// status (errors.ts), so one finding can be Speechmatics' 422 and Gladia's 400.
import type { JsonObject } from '../../openapi/specs.ts';

export type ParameterLocation = 'path' | 'query' | 'header' | 'body';

export interface ValidationFailure {
  in: ParameterLocation;
  /** The parameter (or body property path) that failed; undefined for the body as a whole. */
  name?: string;
  /**
   * The rule broken: a JSON Schema keyword (`type`, `format`, `enum`, `minimum`, `required`…),
   * or one of the core's own: `json` (not JSON), `contentSchema` (a JSON document inside a
   * form part), `media-type`, `encoding` (Content-Encoding, or percent-encoding in a path),
   * `malformed` (a body that cannot be read), `size`, `acceptable` (the `Accept` header admits
   * none of the operation's media types; checked only where the operation documents a 406).
   */
  rule: string;
  /** The spec's words for it: the type or format, allowed values, bounds, or what went wrong. */
  expected?: string;
  /** The schema the value failed, for renderers that quote its bounds or format. */
  schema?: JsonObject;
  /** Every failure the same check found, this one first, for renderers that list them all. */
  all?: ValidationFailure[];
}
