// Stenomatic v1 as a stateful API: clients and rooms per key (a customer), stream URLs, and
// usage that accrues on the clock while the control API makes a room stream.
import { defineApi } from '../../core/stateful.ts';
import { specPath } from '../../../openapi/specs.ts';
import { credentialError, renderStenomaticError, renderStenomaticRouteMiss, renderStenomaticValidationError } from './errors.ts';
import { HANDLERS } from './handlers.ts';
import type { Client, Room, StenomaticState } from './model.ts';
import { SETTINGS } from './settings.ts';
import { STREAMING } from './streaming.ts';

export const stenomatic = defineApi<StenomaticState, typeof SETTINGS>({
  name: 'stenomatic',
  spec: specPath('stenomatic'),
  // The documentation prints only a placeholder (YOUR_DEVELOPER_API_KEY_HERE).
  sampleKeys: [],
  settings: SETTINGS,
  createState: (scope) => ({ customers: new Map(), clients: scope.store<Client>(), rooms: scope.store<Room>() }),
  handlers: HANDLERS,
  control: STREAMING,
  errors: { render: renderStenomaticError, validation: renderStenomaticValidationError, credentials: credentialError, route: renderStenomaticRouteMiss },
});
