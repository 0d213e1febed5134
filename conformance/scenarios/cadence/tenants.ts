import { randomInt } from 'node:crypto';
import type { Scenario } from '../../scenario.ts';
import { book, bookingBody, bookingKey, expectBubbleError, futureStart, listAllJobs, readJob, runNotes, targetNow } from './journey.ts';

/** An id of the same shape and age as `id`, with other random digits: a booking that never existed. */
const neverBooked = (id: string) => `${id.slice(0, 14)}${String(randomInt(1, 10))}${Array.from({ length: 17 }, () => randomInt(10)).join('')}`;

export const tenants: Scenario = {
  name: 'tenants',
  title: 'Two keys never see each other\'s bookings',
  unavailable: (ctx) => (ctx.hasSecondCredentials ? undefined : 'needs a second key (--token2)'),
  async run(ctx) {
    const id = await ctx.step('the first key books a call', async () => {
      // A second basic credential alone (--basic2) is no second booking key.
      await bookingKey(ctx, 'secondary');
      const { key, call } = await bookingKey(ctx);
      const { job } = await book(ctx, bookingBody(key, futureStart(await targetNow(ctx, call)).wall, [1, 6], runNotes('tenants')));
      return job.job_id;
    });
    await ctx.step('the second key reading it gets the 404 of an id that never existed, body for body', async () => {
      const theirs = await readJob(ctx, id, 'secondary');
      expectBubbleError(ctx, theirs.call, 404, 'Another key reading the booking');
      const unknown = neverBooked(id);
      const never = await readJob(ctx, unknown, 'secondary');
      expectBubbleError(ctx, never.call, 404, 'Reading a booking that never existed');
      const as = (text: string, which: string) => text.split(which).join('{job_id}');
      ctx.expect(as(theirs.call.text(), id) === as(never.call.text(), unknown), {
        message: 'Another key\'s booking is answered differently from one that never existed',
        expected: as(never.call.text(), unknown).slice(0, 300),
        received: as(theirs.call.text(), id).slice(0, 300),
        call: theirs.call,
        pointer: `${ctx.pointerOf('getJob')}/description`,
      });
    });
    await ctx.step('nor finds it in its list', async () => {
      const { records, call } = await listAllJobs(ctx, 'secondary');
      ctx.expect(!records.some((r) => r._id === id || r.job_id === id), { message: 'Another key lists the booking', expected: `no ${id}`, received: records.map((r) => r._id).join(', '), call, pointer: `${ctx.pointerOf('listJobs')}/description` });
    });
  },
};
