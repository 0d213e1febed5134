// Every check that runs on every exchange, in report order. Adding one is a new file and a
// line here.
import type { Check } from './check.ts';
import { contentTypeDocumented } from './content-type-documented.ts';
import { errorBodyDocumented } from './error-body-documented.ts';
import { notAServerError } from './not-a-server-error.ts';
import { requiredHeadersPresent } from './required-headers-present.ts';
import { responseSchemaConformance } from './response-schema-conformance.ts';
import { statusCodeDocumented } from './status-code-documented.ts';

export const CHECKS: Check[] = [
  notAServerError,
  statusCodeDocumented,
  contentTypeDocumented,
  responseSchemaConformance,
  requiredHeadersPresent,
  errorBodyDocumented,
];
