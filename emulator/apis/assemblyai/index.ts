// AssemblyAI as a stateful API: /v2/stream answered in the request, uploads and transcripts
// per API key on the emulator's clock.
import { defineApi } from '../../core/stateful.ts';
import { specPath } from '../../../openapi/specs.ts';
import { credentialError, renderAssemblyAiError, renderAssemblyAiRouteMiss, renderAssemblyAiValidationError } from './errors.ts';
import { HANDLERS } from './handlers.ts';
import type { TranscriptJob, TranscriptsState } from './model.ts';
import { createRenderedWords } from './outputs.ts';
import { SETTINGS } from './settings.ts';

export const assemblyai = defineApi<TranscriptsState, typeof SETTINGS>({
  name: 'assemblyai',
  spec: specPath('assemblyai'),
  // The vendor's docs print only placeholders (<YOUR_API_KEY>), so no sample key is added.
  sampleKeys: [],
  settings: SETTINGS,
  createState: (scope) => ({ transcripts: scope.store<TranscriptJob>(), rendered: createRenderedWords() }),
  handlers: HANDLERS,
  errors: { render: renderAssemblyAiError, validation: renderAssemblyAiValidationError, credentials: credentialError, route: renderAssemblyAiRouteMiss },
});
