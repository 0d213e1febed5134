// Speechmatics batch v2 as a stateful API: jobs per API key, on the emulator's clock.
import { ApiError } from '../../core/api-error.ts';
import { createAjv } from '../../../openapi/schemas.ts';
import type { ApiModule } from '../../core/stateful.ts';
import type { JsonObject, LoadedSpec } from '../../../openapi/specs.ts';
import { renderSpeechmaticsError, renderSpeechmaticsValidationError } from './errors.ts';
import { speechmaticsHandlers } from './handlers.ts';
import type { JobsState } from './jobs.ts';

export function speechmatics(spec: LoadedSpec): ApiModule<JobsState> {
  const schemas = (spec.dereferenced.components as JsonObject).schemas as JsonObject;
  const validateConfig = createAjv().compile(schemas.JobConfig as JsonObject);
  return {
    name: 'speechmatics',
    // The vendor's docs print only placeholders (YOUR_API_KEY), so no sample key is added.
    sampleKeys: [],
    createState: () => ({ byTenant: new Map() }),
    async disposeState(state, runtime) {
      for (const jobs of state.byTenant.values()) {
        for (const job of jobs.values()) {
          for (const step of job.steps) runtime.clock.cancel(step);
          await runtime.files.remove(job.dataPath);
        }
      }
    },
    authenticate(request, keys) {
      const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '');
      if (!match || !keys.accepts(match[1]!)) return new ApiError('permissionDenied');
      return match[1]!;
    },
    handlers: speechmaticsHandlers(validateConfig),
    renderError: renderSpeechmaticsError,
    renderValidationError: renderSpeechmaticsValidationError,
  };
}
