// Cadence as a stateful API: call bookings per API key on the Bubble booking API, and the
// Twilio add-on's asynchronous transcription and voice-over, per basic credential.
import { defineApi } from '../../core/stateful.ts';
import { specPath } from '../../../openapi/specs.ts';
import { authorizeCadence } from './authorization.ts';
import { credentialError, renderCadenceError, renderCadenceRouteMiss, renderCadenceValidationError } from './errors.ts';
import { HANDLERS } from './handlers.ts';
import type { AddonRequest, Booking, CadenceState } from './model.ts';
import { SETTINGS } from './settings.ts';

export const cadence = defineApi<CadenceState, typeof SETTINGS>({
  name: 'cadence',
  spec: specPath('cadence'),
  // The documentation's sample booking key and add-on credentials.
  sampleKeys: ['meowmeowmeow', 'cadence:friend'],
  settings: SETTINGS,
  createState: (scope) => ({ bookings: scope.store<Booking>(), users: new Map(), requests: scope.store<AddonRequest>() }),
  handlers: HANDLERS,
  authorize: authorizeCadence,
  errors: { render: renderCadenceError, validation: renderCadenceValidationError, credentials: credentialError, route: renderCadenceRouteMiss },
  namespaces: ['/api/1.1/'],
});
