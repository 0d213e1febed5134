// Gladia pre-recorded v2 journeys, in the order a user meets them.
import type { ApiJourneys } from '../../scenario.ts';
import { callbacks } from './callbacks.ts';
import { deletion } from './deletion.ts';
import { download } from './download.ts';
import { errors } from './errors.ts';
import { existingJob } from './journey.ts';
import { listing } from './listing.ts';
import { remoteAudio } from './remote-audio.ts';
import { retention } from './retention.ts';
import { tenants } from './tenants.ts';
import { transcription } from './transcription.ts';

export const gladia: ApiJourneys = {
  scenarios: [transcription, remoteAudio, download, deletion, listing, callbacks, tenants, errors, retention],
  existingResources: async (ctx) => ({ id: await existingJob(ctx) }),
};
