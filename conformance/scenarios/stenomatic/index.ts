// Stenomatic account API journeys, in the order a user meets them: clients, rooms under them,
// updating and archiving a room, its passwords and stream URLs, usage (simulated streaming, on
// the emulator only), two keys apart, and refusals.
//
// Nothing here can be deleted through the API, so each run leaves its clients and rooms behind,
// named for the run (`speechdouble conformance <journey> <uuid>`, room ids `sd-<journey>-<hex>`):
// the journeys' own, one client with a room for the runner's positive and negative cases to aim
// at, and what the positive cases create (the example room is given an id of its own, since a
// room id is taken for good across customers).
import type { AdaptExample, ApiJourneys } from '../../scenario.ts';
import { editJsonBody } from '../example-edits.ts';
import { clients } from './clients.ts';
import { errors } from './errors.ts';
import { clientWithRoom, runName, uniqueRoomId } from './journey.ts';
import { passwords } from './passwords.ts';
import { rooms } from './rooms.ts';
import { streamUrls } from './stream-url.ts';
import { tenants } from './tenants.ts';
import { update } from './update.ts';
import { usage } from './usage.ts';

const adaptExample: AdaptExample = async (operationId, request) => {
  if (operationId === 'createClient') return editJsonBody(request, (body) => ({ ...body, name: runName('positive-cases') }));
  if (operationId === 'createRoom') return editJsonBody(request, (body) => ('id' in body ? { ...body, id: uniqueRoomId('positive') } : body));
  return request;
};

export const stenomatic: ApiJourneys = {
  scenarios: [clients, rooms, update, passwords, streamUrls, usage, tenants, errors],
  existingResources: async (ctx) => {
    const { client, room } = await clientWithRoom(ctx, 'cases');
    return { client_id: client.id, room_id: room.id };
  },
  adaptExample,
};
