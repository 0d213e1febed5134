// Gladia pre-recorded v2 as a stateful API: uploads and jobs per API key, on the emulator's clock.
import { defineApi } from '../../core/stateful.ts';
import { specPath } from '../../../openapi/specs.ts';
import { credentialError, renderGladiaError, renderGladiaRouteMiss, renderGladiaValidationError } from './errors.ts';
import { HANDLERS } from './handlers.ts';
import type { Job, JobsState } from './model.ts';
import { createRenderedResults } from './outputs.ts';
import { SETTINGS } from './settings.ts';

export const gladia = defineApi<JobsState, typeof SETTINGS>({
  name: 'gladia',
  spec: specPath('gladia'),
  // The vendor's docs print only placeholders (YOUR_GLADIA_API_KEY), so no sample key is added.
  sampleKeys: [],
  settings: SETTINGS,
  createState: (scope) => ({ jobs: scope.store<Job>(), results: createRenderedResults() }),
  handlers: HANDLERS,
  errors: { render: renderGladiaError, validation: renderGladiaValidationError, credentials: credentialError, route: renderGladiaRouteMiss },
});
