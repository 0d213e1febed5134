import { loadSpec } from '../../../openapi/specs.ts';
import { SkipStep, type Scenario } from '../../scenario.ts';
import { basePathOf, book, canonical, bookingBody, bookingKey, BUBBLE_ID, englishStart, futureStart, JOB_FIELDS, listAllJobs, namesOf, readCatalogue, readJob, runNotes, targetNow, ZONE, type Job, type JobRecord } from './journey.ts';

/** Malaysian, English, French: not in id order, so the names must follow the request. */
const LANGUAGES = [20, 1, 6];

/** The path parts of the spec's server URLs (`/version-test` of Cadence's Bubble host). */
async function serverPaths(): Promise<string[]> {
  const servers = ((await loadSpec('cadence')).dereferenced.servers ?? []) as Array<{ url: string }>;
  return [...new Set(servers.map((server) => new URL(server.url).pathname.replace(/\/+$/, '')).filter((path) => path !== ''))];
}

const sameFields = (a: Job, b: Job) => JOB_FIELDS.every((field) => a[field] === b[field]);
const fieldsOf = (job: Partial<Job> | undefined) => JSON.stringify(Object.fromEntries(JOB_FIELDS.map((field) => [field, job?.[field]])));

export const booking: Scenario = {
  name: 'booking',
  title: 'Booking: a call in a half-hour zone with daylight saving, answered in Bubble\'s envelope, read back by id and in the list',
  async run(ctx) {
    const notes = runNotes('booking');
    const made = await ctx.step('book a call in Australia/Adelaide (+10:30 in summer): 200 with Bubble\'s success envelope and ids in Bubble\'s form', async () => {
      const { key } = await bookingKey(ctx);
      const { languages: catalogue, call: read } = await readCatalogue(ctx);
      const start = futureStart(await targetNow(ctx, read));
      const { call, job } = await book(ctx, bookingBody(key, start.wall, LANGUAGES, notes));
      ctx.expect(BUBBLE_ID.test(String(job.job_id)) && BUBBLE_ID.test(String(job.user_id)), { message: 'The booking\'s ids are not Bubble ids', expected: 'job_id and user_id matching ^\\d{13}x\\d{1,18}$', received: JSON.stringify({ job_id: job.job_id, user_id: job.user_id }), call, pointer: '#/components/schemas/BubbleId' });
      return { job, call, start, catalogue };
    });
    await ctx.step('job_start_time is the start as English text in Adelaide, job_languages the names in the order asked, and the job is active', async () => {
      const { job, call, start, catalogue } = made;
      const expected = { job_start_time: englishStart(start.ms, ZONE), job_timezone: ZONE, job_languages: namesOf(catalogue, LANGUAGES), job_active: true };
      const received = { job_start_time: job.job_start_time, job_timezone: job.job_timezone, job_languages: job.job_languages, job_active: job.job_active };
      ctx.expect(JSON.stringify(received) === JSON.stringify(expected), { message: 'The booking does not restate the call as asked', expected: JSON.stringify(expected), received: JSON.stringify(received), call, pointer: '#/components/schemas/Job' });
    });
    const record = await ctx.step('reading it back by id gives the same fields, _id equal to job_id, the notes, and a Created Date that is the id\'s time', async () => {
      const { call, record: read } = await readJob(ctx, made.job.job_id);
      ctx.expect(read !== undefined, { message: 'The booking cannot be read back', expected: `200 {response: {_id: "${made.job.job_id}", …}}`, received: `${call.status} ${call.text().slice(0, 300)}`, call, pointer: `${ctx.pointerOf('getJob')}/responses/200` });
      ctx.expect(sameFields(read!, made.job), { message: 'The record read back differs from the booking\'s answer', expected: fieldsOf(made.job), received: fieldsOf(read), call, pointer: '#/components/schemas/JobRecord' });
      const created = Date.parse(read!['Created Date']);
      ctx.expect(read!._id === made.job.job_id && read!.notes === notes && created === Number(made.job.job_id.slice(0, 13)), {
        message: 'The record\'s own fields are not as documented',
        expected: JSON.stringify({ _id: made.job.job_id, notes, 'Created Date': new Date(Number(made.job.job_id.slice(0, 13))).toISOString() }),
        received: JSON.stringify({ _id: read!._id, notes: read!.notes, 'Created Date': read!['Created Date'] }),
        call,
        pointer: '#/components/schemas/JobRecord',
      });
      return { record: read!, call };
    });
    await ctx.step('the key\'s list holds it last (oldest first), as read back', async () => {
      const { records, call } = await listAllJobs(ctx);
      const index = records.findIndex((r) => r._id === made.job.job_id);
      ctx.expect(index !== -1, { message: 'The booking is not in the key\'s list', expected: `a record with _id ${made.job.job_id}`, received: `${records.length} records: ${records.map((r) => r._id).slice(-10).join(', ')}`, call, pointer: `${ctx.pointerOf('listJobs')}/description` });
      ctx.expect(index === records.length - 1, { message: 'The newest booking is not last in a list kept oldest first', expected: `${made.job.job_id} at position ${records.length - 1}`, received: `position ${index}`, call, pointer: `${ctx.pointerOf('listJobs')}/description` });
      ctx.expect(canonical(records[index]) === canonical(record.record), { message: 'The listed record differs from the one read by id', expected: JSON.stringify(record.record), received: JSON.stringify(records[index]), call, pointer: '#/components/schemas/JobRecord' });
    });
    await ctx.step('under the spec\'s server path /version-test it reads back the same (speechdouble serves both)', async () => {
      // The spec's first server is Cadence's Bubble host, whose base URL ends in /version-test:
      // a vendor target is given with that path already. Only speechdouble (the target with the
      // control API) promises the booking operations at its root and under the prefix too.
      if (!ctx.time.controllable) throw new SkipStep('the /version-test alias is speechdouble\'s promise; a vendor\'s base URL already ends in its server path', { goOn: true });
      const base = basePathOf(record.call, `/api/1.1/obj/job/${encodeURIComponent(made.job.job_id)}`);
      const prefixes = (await serverPaths()).filter((prefix) => !base.endsWith(prefix));
      if (prefixes.length === 0) throw new SkipStep(`the target is already under the server path (${base})`, { goOn: true });
      for (const prefix of prefixes) {
        const call = await ctx.send('getJob', { method: 'GET', path: `${prefix}/api/1.1/obj/job/${encodeURIComponent(made.job.job_id)}`, headers: { authorization: record.call.exchange.request.headers.authorization! } });
        const read = call.status === 200 ? call.json<{ response?: JobRecord } | undefined>()?.response : undefined;
        ctx.expect(canonical(read) === canonical(record.record), { message: `The booking does not read back the same under ${prefix}`, expected: `200 ${JSON.stringify({ response: record.record })}`, received: `${call.status} ${call.text().slice(0, 300)}`, call, pointer: '#/info/description' });
      }
    });
  },
};
