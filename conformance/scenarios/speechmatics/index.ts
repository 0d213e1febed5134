// Speechmatics batch journeys, in the order a user meets them.
import type { ApiJourneys } from '../../scenario.ts';
import { alignment } from './alignment.ts';
import { deletion } from './deletion.ts';
import { expiry } from './expiry.ts';
import { existingJobs } from './journey.ts';
import { listing } from './listing.ts';
import { notifications } from './notifications.ts';
import { tenants } from './tenants.ts';
import { transcription } from './transcription.ts';
import { usage } from './usage.ts';

export const speechmatics: ApiJourneys = {
  scenarios: [transcription, deletion, listing, alignment, notifications, tenants, usage, expiry],
  existingResources: existingJobs,
  // A deleted job stays readable, with status `deleted` (its transcript, media and text do not).
  readableAfterDelete: { getJob: '#/components/schemas/JobDetails/properties/status' },
};
