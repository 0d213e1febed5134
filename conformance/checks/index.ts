// Every check that runs on every exchange, in report order. Adding one is a new file and a
// line here.
import type { Check } from './check.ts';
import { contentTypeDocumented } from './content-type-documented.ts';
import { errorBodyDocumented } from './error-body-documented.ts';
import { ignoredAuth } from './ignored-auth.ts';
import { MAX_RESPONSE_TIME } from './max-response-time.ts';
import { negativeDataRejection } from './negative-data-rejection.ts';
import { notAServerError } from './not-a-server-error.ts';
import { positiveDataAcceptance } from './positive-data-acceptance.ts';
import { requiredHeadersPresent } from './required-headers-present.ts';
import { responseSchemaConformance } from './response-schema-conformance.ts';
import { statusCodeDocumented } from './status-code-documented.ts';
import { unsupportedMethod } from './unsupported-method.ts';
import { useAfterFree } from './use-after-free.ts';

export const CHECKS: Check[] = [
  notAServerError,
  statusCodeDocumented,
  contentTypeDocumented,
  responseSchemaConformance,
  requiredHeadersPresent,
  errorBodyDocumented,
];

/**
 * Every check's name as it registers it, with its description: those above; the checks the
 * runner's own cases apply where a case needs them; `max_response_time`, on every exchange when
 * `--max-response-time` is given. What `--checks` and `--exclude-checks` take.
 */
export const KNOWN_CHECKS: ReadonlyArray<{ name: string; description: string }> = [
  ...CHECKS,
  positiveDataAcceptance,
  negativeDataRejection,
  ignoredAuth,
  useAfterFree,
  unsupportedMethod,
  { name: MAX_RESPONSE_TIME, description: 'The whole answer arrives within --max-response-time milliseconds.' },
].map(({ name, description }) => ({ name, description }));
