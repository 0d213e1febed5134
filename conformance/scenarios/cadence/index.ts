// Cadence journeys: booking a call and being refused, the language catalogue a booking refers
// to, two keys apart, then the Twilio add-on.
//
// No `existingResources`: the negative cases on /obj/job/{job_id} and /obj/user/{user_id} are a
// wrong or missing key (refused before any look-up) and an id that breaks the id pattern, which a
// real id would replace; and a booking, which cannot be deleted, would be made for nothing.
import type { ApiJourneys } from '../../scenario.ts';
import { addon } from './addon.ts';
import { booking } from './booking.ts';
import { languages } from './languages.ts';
import { refusals } from './refusals.ts';
import { tenants } from './tenants.ts';

export const cadence: ApiJourneys = {
  scenarios: [booking, refusals, languages, tenants, addon],
};
