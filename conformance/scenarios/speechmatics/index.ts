// Speechmatics batch journeys, in the order a user meets them.
import type { Scenario } from '../../runner/run.ts';
import { alignment } from './alignment.ts';
import { deletion } from './deletion.ts';
import { expiry } from './expiry.ts';
import { listing } from './listing.ts';
import { notifications } from './notifications.ts';
import { tenants } from './tenants.ts';
import { transcription } from './transcription.ts';
import { usage } from './usage.ts';

export const speechmaticsScenarios: Scenario[] = [transcription, deletion, listing, alignment, notifications, tenants, usage, expiry];
