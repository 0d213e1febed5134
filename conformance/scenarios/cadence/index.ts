// Cadence journeys: booking a call and being refused, the language catalogue a booking refers
// to, two keys apart, then the Twilio add-on.
//
// Bookings cannot be deleted through the API, so the booking the runner's positive and negative
// cases aim at (and the one the positive case of create_job makes) stay, their notes naming the
// run, like the journeys' own.
import { SkipStep, type AdaptExample, type ApiJourneys } from '../../scenario.ts';
import { editJsonBody } from '../example-edits.ts';
import { addon } from './addon.ts';
import { booking } from './booking.ts';
import { book, bookingBody, bookingKey, futureStart, runNotes, targetNow } from './journey.ts';
import { languages } from './languages.ts';
import { refusals } from './refusals.ts';
import { tenants } from './tenants.ts';

const adaptExample: AdaptExample = async (operationId, request) => {
  // The body repeats the Bearer key as api_token: the spec's example has a made-up one.
  if (operationId === 'createJob') {
    const key = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
    return editJsonBody(request, (body) => ({ ...body, ...(key && { api_token: key }), notes: runNotes('positive cases') }));
  }
  if (operationId === 'getUser') throw new SkipStep('only a Cadence administrator\'s key may read user records (403 for any other), and the run cannot tell whether --token is one');
  return request;
};

export const cadence: ApiJourneys = {
  scenarios: [booking, refusals, languages, tenants, addon],
  existingResources: async (ctx) => {
    const { key, call } = await bookingKey(ctx);
    const { job } = await book(ctx, bookingBody(key, futureStart(await targetNow(ctx, call)).wall, [1, 2], runNotes('positive and negative cases')));
    return { job_id: job.job_id, user_id: job.user_id };
  },
  adaptExample,
};
