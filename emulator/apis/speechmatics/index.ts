// Speechmatics batch v2 as a stateful API: jobs per API key, on the emulator's clock.
import { createBoundedCache } from '../../core/bounded-cache.ts';
import { defineApi } from '../../core/stateful.ts';
import { specPath } from '../../../openapi/specs.ts';
import { credentialError, renderSpeechmaticsError, renderSpeechmaticsRouteMiss, renderSpeechmaticsValidationError } from './errors.ts';
import { HANDLERS } from './handlers.ts';
import type { Job, JobsState } from './model.ts';
import { createRenderedOutputs } from './outputs.ts';
import { SETTINGS } from './settings.ts';

/** How many distinct configs (and file names) jobs made alike may share. */
const RECENT_SHAPES = 64;

export const speechmatics = defineApi<JobsState, typeof SETTINGS>({
  name: 'speechmatics',
  spec: specPath('speechmatics'),
  // The vendor's docs print only placeholders (YOUR_API_KEY), so no sample key is added.
  sampleKeys: [],
  settings: SETTINGS,
  createState: (scope) => ({ jobs: scope.store<Job>(), outputs: createRenderedOutputs(), configs: createBoundedCache(RECENT_SHAPES), names: createBoundedCache(RECENT_SHAPES) }),
  handlers: HANDLERS,
  errors: { render: renderSpeechmaticsError, validation: renderSpeechmaticsValidationError, credentials: credentialError, route: renderSpeechmaticsRouteMiss },
});
