// Stenomatic account API journeys, in the order a user meets them: clients, rooms under them,
// updating and archiving a room, its passwords and stream URLs, usage (simulated streaming, on
// the emulator only), two keys apart, and refusals.
//
// Nothing here can be deleted through the API, so each run leaves its clients and rooms behind,
// named for the run (`speechdouble conformance <journey> <uuid>`, room ids `sd-<journey>-<hex>`).
//
// No `existingResources`: the runner puts a real resource in place of every path parameter of a
// negative case, including the one a case breaks, so the cases on the `client_id` and `room_id`
// patterns would aim at the real (valid) ids and be answered 200. Aimed at the spec's example ids
// instead, every case is still refused for the rule it breaks: the spec checks the key (401) and
// then the path, body and query (400) before it looks the client or room up (404).
import type { ApiJourneys } from '../../scenario.ts';
import { clients } from './clients.ts';
import { errors } from './errors.ts';
import { passwords } from './passwords.ts';
import { rooms } from './rooms.ts';
import { streamUrls } from './stream-url.ts';
import { tenants } from './tenants.ts';
import { update } from './update.ts';
import { usage } from './usage.ts';

export const stenomatic: ApiJourneys = {
  scenarios: [clients, rooms, update, passwords, streamUrls, usage, tenants, errors],
};
