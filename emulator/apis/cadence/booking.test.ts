// Cadence's call booking as a client meets it: a real port, the Bubble envelopes, the Bearer key
// repeated as `api_token`, start times read in the call's zone, and the manual clock (advanced
// through the control API, never slept on) deciding what is in the future and what is over.
// Strict mode is on: any answer outside specs/cadence.yaml is a 500, and `send` throws on it.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../compose.ts';
import { bearerRequests, type Reply, type SendOptions } from '../../testing/bearer-requests.ts';
import { controlClient } from '../../testing/control-client.ts';

const SAMPLE_KEY = 'meowmeowmeow';
const SECOND_KEY = 'second-key';
const TEST_KEY = 'test-key';
const BUBBLE_ID = /^\d{13}x\d{18}$/;

let server: RunningServer;

beforeAll(async () => {
  server = await startServer({ host: '127.0.0.1', port: 0, apis: ['cadence'], clock: { mode: 'manual' }, strict: true, apiKeys: [SECOND_KEY] });
});
afterAll(async () => {
  await server?.close();
});
beforeEach(async () => {
  await controlClient(server.url).reset();
});

/** Any answer from 500 up is a contract violation or a crash: it throws, and the test fails. */
const send = bearerRequests(() => server.url, SAMPLE_KEY);

/** The documentation's sample booking, with `api_token` set to `key`; `undefined` in `changes` drops a field. */
const booking = (key = SAMPLE_KEY, changes: Record<string, unknown> = {}) => ({
  api_token: key,
  start_time: '2030-02-14T13:15:03Z',
  timezone: 'Asia/Bangkok',
  languages: [1, 20],
  notes: 'Quarterly review with the Kuala Lumpur office',
  ...changes,
});

const createJob = (body: unknown, key: string | null = SAMPLE_KEY, options: { prefix?: string; headers?: Record<string, string>; base?: string } = {}) =>
  send('POST', `${options.prefix ?? ''}/api/1.1/wf/create_job`, {
    key,
    headers: { 'content-type': 'application/json', ...options.headers },
    body: JSON.stringify(body),
    ...(options.base && { base: options.base }),
  });

/** Books and returns the answer's `response`, failing unless the booking was accepted. */
async function book(changes: Record<string, unknown> = {}, key = SAMPLE_KEY, base?: string) {
  const res = await createJob(booking(key, changes), key, base ? { base } : {});
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.response;
}

const getJob = (id: string, key: string | null = SAMPLE_KEY, prefix = '') => send('GET', `${prefix}/api/1.1/obj/job/${id}`, { key });
const listJobs = (key: string | null = SAMPLE_KEY, query = '', prefix = '') => send('GET', `${prefix}/api/1.1/obj/job${query}`, { key });

/** The ids of every booking `key` has, oldest first. */
async function jobIds(key = SAMPLE_KEY): Promise<string[]> {
  const res = await listJobs(key, '?limit=100');
  expect(res.status).toBe(200);
  return res.body.response.results.map((job: { _id: string }) => job._id);
}

const bubbleError = (status: number, keyword: string, message: unknown) => ({ statusCode: status, body: { status: keyword, message } });
const UNAUTHORIZED = bubbleError(401, 'UNAUTHORIZED', 'The API key provided is not valid.');
const NOT_ACCEPTABLE = bubbleError(406, 'NOT_ACCEPTABLE', 'Responses are only available as application/json.');
const FORBIDDEN = bubbleError(403, 'FORBIDDEN', 'This resource is only available to administrators.');
const missing = (name: string) => bubbleError(400, 'MISSING_DATA', `Missing parameter for workflow create_job: parameter ${name}`);
const invalid = (message: unknown) => bubbleError(400, 'INVALID_DATA', message);
const noJob = (id: string) => bubbleError(404, 'NOT_FOUND', `Missing object of type job: object with id ${id} does not exist`);

/** The emulator's clock, epoch ms. */
async function clockNow(base = server.url): Promise<number> {
  const res = await fetch(`${base}/__emulator/clock`);
  return Date.parse(((await res.json()) as { now: string }).now);
}

/** Moves the manual clock forward to exactly `ms`. */
async function advanceTo(ms: number, base = server.url): Promise<void> {
  const seconds = (ms - (await clockNow(base))) / 1000;
  expect(seconds).toBeGreaterThanOrEqual(0);
  const { now } = await controlClient(base).advance(seconds);
  expect(Date.parse(now)).toBe(ms);
}

/** `start_time` in the documented form, `YYYY-MM-DDTHH:mm:ssZ`, for an instant in UTC. */
const startTimeOf = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

describe('booking a call (create_job)', () => {
  it('books the documentation\'s sample call and restates it in the call\'s zone, with Bubble ids minted at the clock\'s time', async () => {
    const now = await clockNow();
    const res = await createJob(booking());
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.body).toEqual({
      status: 'success',
      response: {
        job_id: expect.stringMatching(BUBBLE_ID),
        job_start_time: 'Thursday, February 14, 2030 1:15 pm',
        job_timezone: 'Asia/Bangkok',
        job_duration: '10 to 60 minutes',
        job_languages: 'English, Malaysian',
        job_active: true,
        user_id: expect.stringMatching(BUBBLE_ID),
      },
    });
    expect(res.body.response.job_id.startsWith(`${now}x`)).toBe(true);
    expect(res.body.response.user_id.startsWith(`${now}x`)).toBe(true);
    expect(res.body.response.job_id).not.toBe(res.body.response.user_id);
  });

  it('keeps one user per key: the same key\'s bookings share user_id, another key is another user', async () => {
    const first = await book();
    const second = await book({ languages: [2] });
    const testKeys = await book({}, TEST_KEY);
    const secondKeys = await book({}, SECOND_KEY);
    const secondKeysAgain = await book({ notes: undefined }, SECOND_KEY);
    expect(second.user_id).toBe(first.user_id);
    expect(second.job_id).not.toBe(first.job_id);
    expect(secondKeysAgain.user_id).toBe(secondKeys.user_id);
    expect(new Set([first.user_id, testKeys.user_id, secondKeys.user_id]).size).toBe(3);
    expect(new Set([first, second, testKeys, secondKeys, secondKeysAgain].map((job) => job.job_id)).size).toBe(5);
  });

  it('mints the same ids again after a reset, for the same seed and the same requests', async () => {
    const run = async () => [await book(), await book({}, SECOND_KEY), await book({ languages: [6] })].map((job) => [job.job_id, job.user_id]);
    const before = await run();
    await controlClient(server.url).reset();
    expect(await jobIds()).toEqual([]);
    const after = await run();
    expect(after).toEqual(before);
  });

  it('is served under the real base path /version-test too, and either path reads either booking back', async () => {
    const prefixed = await createJob(booking(), SAMPLE_KEY, { prefix: '/version-test' });
    expect(prefixed.status).toBe(200);
    expect(prefixed.body.response).toMatchObject({ job_start_time: 'Thursday, February 14, 2030 1:15 pm', job_languages: 'English, Malaysian' });
    const rooted = await book({ languages: [1] });
    for (const job of [prefixed.body.response, rooted]) {
      for (const prefix of ['', '/version-test']) {
        const read = await getJob(job.job_id, SAMPLE_KEY, prefix);
        expect([read.status, read.body.response._id, read.body.response.job_languages], prefix).toEqual([200, job.job_id, job.job_languages]);
      }
    }
    for (const prefix of ['', '/version-test']) {
      const list = await listJobs(SAMPLE_KEY, '', prefix);
      expect(list.body.response.results.map((job: { _id: string }) => job._id)).toEqual([prefixed.body.response.job_id, rooted.job_id]);
    }
  });
});

describe('start times and time zones', () => {
  it('Adelaide (+9:30 / +10:30): either side of the October 2030 change, and 02:30 in its gap becomes 03:30', async () => {
    // Clocks go from 02:00 (+9:30) to 03:00 (+10:30) on Sunday 6 October 2030.
    const cases: Array<[string, string]> = [
      ['2030-10-05T10:00:00Z', 'Saturday, October 5, 2030 10:00 am'],
      ['2030-10-07T10:00:00Z', 'Monday, October 7, 2030 10:00 am'],
      ['2030-10-06T01:59:00Z', 'Sunday, October 6, 2030 1:59 am'],
      ['2030-10-06T02:30:00Z', 'Sunday, October 6, 2030 3:30 am'],
      ['2030-10-06T03:00:00Z', 'Sunday, October 6, 2030 3:00 am'],
      // And back from 03:00 (+10:30) to 02:00 (+9:30) on Sunday 7 April 2030.
      ['2030-04-06T21:45:00Z', 'Saturday, April 6, 2030 9:45 pm'],
      ['2030-04-08T00:00:00Z', 'Monday, April 8, 2030 12:00 am'],
    ];
    for (const [start, text] of cases) {
      const job = await book({ start_time: start, timezone: 'Australia/Adelaide' });
      expect([start, job.job_start_time, job.job_timezone]).toEqual([start, text, 'Australia/Adelaide']);
    }
  });

  it('Adelaide\'s repeated 02:30 (7 April 2030) is the earlier instant: the call is over at 17:00Z, not 18:00Z', async () => {
    // Its own emulator: this test moves the clock to 2030, and the clock never goes back.
    const own = await startServer({ host: '127.0.0.1', port: 0, apis: ['cadence'], clock: { mode: 'manual' }, strict: true });
    try {
      const job = await book({ start_time: '2030-04-07T02:30:00Z', timezone: 'Australia/Adelaide' }, SAMPLE_KEY, own.url);
      expect(job.job_start_time).toBe('Sunday, April 7, 2030 2:30 am');
      // 02:30 at +10:30 is 16:00Z; the later 02:30, at +9:30, would be 17:00Z.
      await advanceTo(Date.parse('2030-04-06T16:59:59Z'), own.url);
      expect((await send('GET', `/api/1.1/obj/job/${job.job_id}`, { base: own.url })).body.response.job_active).toBe(true);
      await advanceTo(Date.parse('2030-04-06T17:00:00Z'), own.url);
      expect((await send('GET', `/api/1.1/obj/job/${job.job_id}`, { base: own.url })).body.response.job_active).toBe(false);
    } finally {
      await own.close();
    }
  });

  it('echoes a zone alias as given (US/Pacific, Etc/GMT+5) and ignores the Z or offset of start_time', async () => {
    const pacific = await book({ start_time: '2030-07-09T14:30:00Z', timezone: 'US/Pacific' });
    expect([pacific.job_timezone, pacific.job_start_time]).toEqual(['US/Pacific', 'Tuesday, July 9, 2030 2:30 pm']);
    const winter = await book({ start_time: '2030-12-09T00:00:00-03:00', timezone: 'US/Pacific' });
    expect([winter.job_timezone, winter.job_start_time]).toEqual(['US/Pacific', 'Monday, December 9, 2030 12:00 am']);
    const etc = await book({ start_time: '2030-07-09T12:00:00+05:30', timezone: 'Etc/GMT+5' });
    expect([etc.job_timezone, etc.job_start_time]).toEqual(['Etc/GMT+5', 'Tuesday, July 9, 2030 12:00 pm']);
    const bangkok = await book({ start_time: '2030-02-14T13:15:03+01:00' });
    expect(bangkok.job_start_time).toBe('Thursday, February 14, 2030 1:15 pm');
  });

  it('names the languages in the order requested', async () => {
    expect((await book({ languages: [6, 1, 2] })).job_languages).toBe('French, English, Mandarin');
    expect((await book({ languages: [20, 6] })).job_languages).toBe('Malaysian, French');
  });

  it('accepts a start one second ahead of the clock', async () => {
    const now = await clockNow();
    const job = await book({ start_time: startTimeOf(now + 1000), timezone: 'UTC' });
    expect(job.job_active).toBe(true);
  });
});

describe('refused bookings', () => {
  /** Sends `attempt` once a booking exists, and checks it added nothing for any key. */
  async function refusedLeavingNothing(attempt: () => Promise<Reply>): Promise<Reply> {
    if ((await jobIds(SAMPLE_KEY)).length === 0) await book();
    const before = await Promise.all([jobIds(SAMPLE_KEY), jobIds(SECOND_KEY), jobIds(TEST_KEY)]);
    const res = await attempt();
    expect(await Promise.all([jobIds(SAMPLE_KEY), jobIds(SECOND_KEY), jobIds(TEST_KEY)])).toEqual(before);
    return res;
  }

  it('a start that is not in the future (a second ago, exactly now, now as read in a zone ahead of UTC)', async () => {
    const now = await clockNow();
    const starts: Array<[string, string]> = [
      [startTimeOf(now - 1000), 'UTC'],
      [startTimeOf(now), 'UTC'],
      [startTimeOf(now), 'Asia/Bangkok'],
      ['2025-12-31T23:59:59Z', 'Asia/Bangkok'],
    ];
    const answers = [];
    for (const [start, zone] of starts) {
      const res = await refusedLeavingNothing(() => createJob(booking(SAMPLE_KEY, { start_time: start, timezone: zone })));
      answers.push([start, zone, res.status, res.body]);
    }
    // The spec fixes this message: `INVALID_DATA` with the message `start_time must be in the future`.
    expect(answers).toEqual(starts.map(([start, zone]) => [start, zone, 400, invalid('start_time must be in the future')]));
  });

  it.each([
    ['an unknown zone', { timezone: 'Mars/Olympus' }, 'timezone', /Mars\/Olympus/],
    ['an offset as zone', { timezone: '+05:30' }, 'timezone', /./],
    ['fractional seconds', { start_time: '2030-02-14T13:15:03.000Z' }, 'start_time', /./],
    ['no T between date and time', { start_time: '2030-02-14 13:15:03Z' }, 'start_time', /./],
    ['no Z or offset', { start_time: '2030-02-14T13:15:03' }, 'start_time', /./],
    ['30 February', { start_time: '2030-02-30T13:15:03Z' }, 'start_time', /2030-02-30T13:15:03Z/],
    ['month 13', { start_time: '2030-13-01T10:00:00Z' }, 'start_time', /2030-13-01T10:00:00Z/],
    ['25 o\'clock', { start_time: '2030-02-14T25:00:00Z' }, 'start_time', /2030-02-14T25:00:00Z/],
    ['languages as a string', { languages: '1,20' }, 'languages', /./],
    ['language id 0', { languages: [0] }, 'languages', /./],
    ['notes as a number', { notes: 5 }, 'notes', /./],
  ])('%s: 400 INVALID_DATA naming the parameter', async (_case, changes, parameter, detail) => {
    const res = await refusedLeavingNothing(() => createJob(booking(SAMPLE_KEY, changes)));
    expect(res.status).toBe(400);
    // The parameter, or an item of it (`languages.0`).
    expect(res.body).toEqual(invalid(expect.stringMatching(new RegExp(`^Invalid data for parameter ${parameter}(\\.\\d+)?: `))));
    expect(res.body.body.message).toMatch(detail);
  });

  it('an unknown language id: 400 INVALID_DATA naming it', async () => {
    const res = await refusedLeavingNothing(() => createJob(booking(SAMPLE_KEY, { languages: [1, 57] })));
    expect([res.status, res.body]).toEqual([400, invalid('Invalid data for parameter languages: 57 is not a known language id')]);
  });

  it('an empty languages list: 400 MISSING_DATA', async () => {
    const res = await refusedLeavingNothing(() => createJob(booking(SAMPLE_KEY, { languages: [] })));
    expect([res.status, res.body]).toEqual([400, missing('languages')]);
  });

  it.each(['api_token', 'start_time', 'timezone', 'languages'])('a booking without %s: 400 MISSING_DATA naming it', async (field) => {
    const res = await refusedLeavingNothing(() => createJob(booking(SAMPLE_KEY, { [field]: undefined })));
    expect([res.status, res.body]).toEqual([400, missing(field)]);
  });

  it('a body that is not JSON: 400 INVALID_DATA "Request body is not valid JSON"', async () => {
    for (const text of ['{"api_token": "meowmeowmeow", "languages": [1,', 'not json', '{"a":1}}']) {
      const res = await refusedLeavingNothing(() => send('POST', '/api/1.1/wf/create_job', { headers: { 'content-type': 'application/json' }, body: text }));
      expect([text, res.status, res.body]).toEqual([text, 400, invalid('Request body is not valid JSON')]);
    }
  });

  it('a JSON body that is not an object (an array of the booking, null, a string): 400 INVALID_DATA', async () => {
    for (const body of [[booking()], null, 'meowmeowmeow']) {
      const res = await refusedLeavingNothing(() => createJob(body));
      expect([JSON.stringify(body), res.status, res.body]).toEqual([JSON.stringify(body), 400, invalid(expect.any(String))]);
    }
  });

  it('a body that is not application/json (text/plain, a form, none at all): 400', async () => {
    const json = JSON.stringify(booking());
    const attempts: Array<[string, SendOptions]> = [
      ['text/plain', { headers: { 'content-type': 'text/plain' }, body: json }],
      ['url-encoded form', { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ api_token: SAMPLE_KEY, start_time: '2030-02-14T13:15:03Z', timezone: 'Asia/Bangkok', languages: '1' }).toString() }],
    ];
    for (const [label, options] of attempts) {
      const res = await refusedLeavingNothing(() => send('POST', '/api/1.1/wf/create_job', options));
      expect([label, res.status, res.body]).toEqual([label, 400, invalid(expect.any(String))]);
    }
    const none = await refusedLeavingNothing(() => send('POST', '/api/1.1/wf/create_job'));
    expect(none.status).toBe(400);
    expect(none.body).toEqual(bubbleError(400, expect.stringMatching(/^(MISSING_DATA|INVALID_DATA)$/), expect.any(String)));
  });

  it.each([
    ['no Authorization header', null, SAMPLE_KEY, UNAUTHORIZED],
    ['a Bearer key that is not accepted', 'not-a-key', 'not-a-key', UNAUTHORIZED],
    ['api_token naming another accepted key', SAMPLE_KEY, SECOND_KEY, bubbleError(401, 'UNAUTHORIZED', expect.any(String))],
    ['api_token naming another accepted key, the other way round', SECOND_KEY, SAMPLE_KEY, bubbleError(401, 'UNAUTHORIZED', expect.any(String))],
    ['api_token that is not an accepted key', SAMPLE_KEY, 'not-a-key', bubbleError(401, 'UNAUTHORIZED', expect.any(String))],
  ])('401 for %s', async (_case, bearer, token, expected) => {
    const res = await refusedLeavingNothing(() => createJob(booking(token), bearer));
    expect([res.status, res.body]).toEqual([401, expected]);
  });

  it('401 for Basic credentials instead of a Bearer key', async () => {
    const res = await refusedLeavingNothing(() => send('POST', '/api/1.1/wf/create_job', {
      key: null,
      headers: { 'content-type': 'application/json', authorization: `Basic ${Buffer.from(`${SAMPLE_KEY}:`).toString('base64')}` },
      body: JSON.stringify(booking()),
    }));
    expect([res.status, res.body]).toEqual([401, UNAUTHORIZED]);
  });

  it('406 when Accept does not admit JSON; */*, application/* and a positive q are fine', async () => {
    for (const accept of ['text/html', 'application/json;q=0', 'application/json;q=0, text/html']) {
      const res = await refusedLeavingNothing(() => createJob(booking(), SAMPLE_KEY, { headers: { accept } }));
      expect([accept, res.status, res.body]).toEqual([accept, 406, NOT_ACCEPTABLE]);
    }
    for (const accept of ['*/*', 'application/*', 'application/json', 'application/json;q=0.5', 'text/html, application/json;q=0.1']) {
      const res = await createJob(booking(), SAMPLE_KEY, { headers: { accept } });
      expect([accept, res.status]).toEqual([accept, 200]);
    }
  });

  it('406 comes after the credentials and before the body: a bad key with text/html is 401, a bad body with text/html is 406', async () => {
    const badKey = await refusedLeavingNothing(() => createJob(booking('not-a-key'), 'not-a-key', { headers: { accept: 'text/html' } }));
    expect([badKey.status, badKey.body]).toEqual([401, UNAUTHORIZED]);
    const noKey = await refusedLeavingNothing(() => createJob(booking(), null, { headers: { accept: 'text/html' } }));
    expect([noKey.status, noKey.body]).toEqual([401, UNAUTHORIZED]);
    const badBody = await refusedLeavingNothing(() => send('POST', '/api/1.1/wf/create_job', { headers: { 'content-type': 'application/json', accept: 'text/html' }, body: '{not json' }));
    expect([badBody.status, badBody.body]).toEqual([406, NOT_ACCEPTABLE]);
  });

  it('405 with Allow: POST for GET, PUT and DELETE on create_job, at the root and under /version-test', async () => {
    for (const prefix of ['', '/version-test']) {
      for (const method of ['GET', 'PUT', 'DELETE']) {
        const res = await refusedLeavingNothing(() => send(method, `${prefix}/api/1.1/wf/create_job`, method === 'GET' ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(booking()) }));
        expect([prefix, method, res.status, res.headers.get('allow')]).toEqual([prefix, method, 405, 'POST']);
        expect(res.body).toEqual(bubbleError(405, 'METHOD_NOT_ALLOWED', expect.stringMatching(new RegExp(`^Method ${method} is not allowed on (/version-test)?/api/1\\.1/wf/create_job$`))));
      }
    }
  });

  it('404 for an unknown workflow or data type, in Bubble\'s words', async () => {
    for (const prefix of ['', '/version-test']) {
      const workflow = await refusedLeavingNothing(() => send('POST', `${prefix}/api/1.1/wf/create_jobs`, { headers: { 'content-type': 'application/json' }, body: JSON.stringify(booking()) }));
      expect([prefix, workflow.status, workflow.body]).toEqual([prefix, 404, bubbleError(404, 'NOT_FOUND', 'Workflow not found: create_jobs')]);
      const type = await send('GET', `${prefix}/api/1.1/obj/nothing`);
      expect([prefix, type.status, type.body]).toEqual([prefix, 404, bubbleError(404, 'NOT_FOUND', 'Data type not found: nothing')]);
    }
  });
});

describe('reading bookings back (getJob, listJobs)', () => {
  it('getJob answers the booking as a Bubble record: the job fields, _id, notes and its dates', async () => {
    const now = await clockNow();
    const job = await book();
    const res = await getJob(job.job_id);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      response: {
        _id: job.job_id,
        ...job,
        notes: 'Quarterly review with the Kuala Lumpur office',
        'Created Date': new Date(now).toISOString(),
        'Modified Date': new Date(now).toISOString(),
      },
    });
  });

  it('leaves notes out when the booking had none, or an empty one', async () => {
    for (const notes of [undefined, '']) {
      const job = await book({ notes });
      const { response } = (await getJob(job.job_id)).body;
      expect([notes, 'notes' in response, response._id]).toEqual([notes, false, job.job_id]);
    }
  });

  it('another key\'s booking is a 404 exactly like an id that never existed', async () => {
    const theirs = await book({}, SECOND_KEY);
    const never = `${theirs.job_id.slice(0, 14)}${theirs.job_id.slice(14).split('').reverse().join('')}`;
    expect(never).toMatch(BUBBLE_ID);
    const other = await getJob(theirs.job_id, SAMPLE_KEY);
    const absent = await getJob(never, SAMPLE_KEY);
    expect([other.status, other.body]).toEqual([404, noJob(theirs.job_id)]);
    expect([absent.status, absent.body]).toEqual([404, noJob(never)]);
    // The same answer but for the id it repeats.
    expect(JSON.stringify(other.body).replace(theirs.job_id, 'ID')).toBe(JSON.stringify(absent.body).replace(never, 'ID'));
    expect((await getJob(theirs.job_id, SECOND_KEY)).status).toBe(200);
  });

  it('an id not in Bubble\'s format, or one that does not decode, is a 404 too (never a 500)', async () => {
    await book();
    for (const prefix of ['', '/version-test']) {
      for (const id of ['not-an-id', '123x456', '1767603600000x1234567890123456789', '%ZZ', 'abc%E0%A4%A']) {
        const res = await getJob(id, SAMPLE_KEY, prefix);
        expect([prefix, id, res.status, res.body]).toEqual([prefix, id, 404, bubbleError(404, 'NOT_FOUND', expect.any(String))]);
      }
      const plain = await getJob('not-an-id', SAMPLE_KEY, prefix);
      expect(plain.body).toEqual(noJob('not-an-id'));
    }
  });

  it('getJob needs an accepted Bearer key, answers JSON only, and takes GET only', async () => {
    const job = await book();
    expect(await getJob(job.job_id, null)).toMatchObject({ status: 401, body: UNAUTHORIZED });
    expect(await getJob(job.job_id, 'not-a-key')).toMatchObject({ status: 401, body: UNAUTHORIZED });
    const html = await send('GET', `/api/1.1/obj/job/${job.job_id}`, { headers: { accept: 'text/html' } });
    expect([html.status, html.body]).toEqual([406, NOT_ACCEPTABLE]);
    const remove = await send('DELETE', `/api/1.1/obj/job/${job.job_id}`);
    expect([remove.status, remove.headers.get('allow'), remove.body.body.status]).toEqual([405, 'GET', 'METHOD_NOT_ALLOWED']);
    expect((await getJob(job.job_id)).status).toBe(200);
  });

  it('listJobs lists the key\'s bookings oldest first, and pages them with cursor and limit', async () => {
    const first = await book({ languages: [1] });
    await controlClient(server.url).advance(1);
    const second = await book({ languages: [2] });
    await book({}, SECOND_KEY);
    await controlClient(server.url).advance(1);
    const third = await book({ languages: [6] });
    const all = await listJobs();
    expect(all.status).toBe(200);
    expect(all.body.response).toMatchObject({ cursor: 0, count: 3, remaining: 0 });
    expect(all.body.response.results.map((job: { _id: string }) => job._id)).toEqual([first.job_id, second.job_id, third.job_id]);
    expect(all.body.response.results.map((job: { job_languages: string }) => job.job_languages)).toEqual(['English', 'Mandarin', 'French']);
    const created = all.body.response.results.map((job: Record<string, string>) => Date.parse(job['Created Date']!));
    expect(created[1] - created[0]).toBe(1000);
    expect(created[2] - created[1]).toBe(1000);
    expect(all.body.response.results[0]).toEqual((await getJob(first.job_id)).body.response);

    const page = async (query: string) => {
      const res = await listJobs(SAMPLE_KEY, query);
      expect(res.status).toBe(200);
      const { cursor, count, remaining, results } = res.body.response;
      return { cursor, count, remaining, ids: results.map((job: { _id: string }) => job._id) };
    };
    expect(await page('?limit=2')).toEqual({ cursor: 0, count: 2, remaining: 1, ids: [first.job_id, second.job_id] });
    expect(await page('?cursor=2&limit=2')).toEqual({ cursor: 2, count: 1, remaining: 0, ids: [third.job_id] });
    expect(await page('?cursor=1&limit=1')).toEqual({ cursor: 1, count: 1, remaining: 1, ids: [second.job_id] });
    expect(await page('?cursor=1')).toEqual({ cursor: 1, count: 2, remaining: 0, ids: [second.job_id, third.job_id] });
    expect(await page('?cursor=3')).toEqual({ cursor: 3, count: 0, remaining: 0, ids: [] });
    expect(await page('?cursor=50&limit=100')).toEqual({ cursor: 50, count: 0, remaining: 0, ids: [] });
    expect((await listJobs(TEST_KEY)).body).toEqual({ response: { cursor: 0, results: [], count: 0, remaining: 0 } });
    expect((await listJobs(SECOND_KEY)).body.response.count).toBe(1);
  });

  it.each(['?limit=0', '?limit=101', '?cursor=-1', '?limit=abc', '?cursor=1.5', '?limit=-3'])('listJobs%s is 400 INVALID_DATA', async (query) => {
    await book();
    const res = await listJobs(SAMPLE_KEY, query);
    const parameter = query.slice(1).split('=')[0]!;
    expect([res.status, res.body]).toEqual([400, invalid(expect.stringMatching(new RegExp(`^Invalid data for parameter ${parameter}: `)))]);
  });

  it('listJobs needs an accepted Bearer key', async () => {
    expect(await listJobs(null)).toMatchObject({ status: 401, body: UNAUTHORIZED });
    expect(await listJobs('not-a-key')).toMatchObject({ status: 401, body: UNAUTHORIZED });
  });
});

describe('job_active', () => {
  it('is true when booked, still true at start + 59 minutes, false from start + 60 minutes, in getJob and listJobs', async () => {
    const now = await clockNow();
    const start = now + 2 * 3600_000;
    const job = await book({ start_time: startTimeOf(start), timezone: 'UTC' });
    expect(job.job_active).toBe(true);
    const seen = async () => [(await getJob(job.job_id)).body.response.job_active, (await listJobs()).body.response.results[0].job_active];
    expect(await seen()).toEqual([true, true]);
    await advanceTo(start);
    expect(await seen()).toEqual([true, true]);
    await advanceTo(start + 59 * 60_000);
    expect(await seen()).toEqual([true, true]);
    await advanceTo(start + 60 * 60_000 - 1);
    expect(await seen()).toEqual([true, true]);
    await advanceTo(start + 60 * 60_000);
    expect(await seen()).toEqual([false, false]);
    await advanceTo(start + 61 * 60_000);
    expect(await seen()).toEqual([false, false]);
  });

  it('is worked out from the zone: a call at 10:00 in Bangkok (03:00Z) is over at 04:00Z', async () => {
    const now = await clockNow();
    // Tomorrow, 10:00 in Bangkok.
    const day = new Date(now + 86_400_000).toISOString().slice(0, 10);
    const start = Date.parse(`${day}T03:00:00Z`);
    const job = await book({ start_time: `${day}T10:00:00Z`, timezone: 'Asia/Bangkok' });
    await advanceTo(start + 60 * 60_000 - 1000);
    expect((await getJob(job.job_id)).body.response.job_active).toBe(true);
    await advanceTo(start + 60 * 60_000);
    expect((await getJob(job.job_id)).body.response.job_active).toBe(false);
  });
});

describe('the language catalogue (listLanguages)', () => {
  it('is open to anonymous requests and to Bearer keys alike, 20 languages with the documented ids', async () => {
    const anonymous = await send('GET', '/api/1.1/obj/language', { key: null });
    expect(anonymous.status).toBe(200);
    const { response } = anonymous.body;
    expect([response.cursor, response.count, response.remaining, response.results.length]).toEqual([0, 20, 0, 20]);
    expect(response.results.map((language: { id: number }) => language.id)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    const byId = new Map(response.results.map((language: { id: number; name: string }) => [language.id, language.name]));
    expect([byId.get(1), byId.get(2), byId.get(6), byId.get(20)]).toEqual(['English', 'Mandarin', 'French', 'Malaysian']);
    for (const language of response.results) expect(language).toEqual({ _id: expect.stringMatching(BUBBLE_ID), id: expect.any(Number), name: expect.any(String) });
    for (const key of [SAMPLE_KEY, SECOND_KEY]) expect((await send('GET', '/api/1.1/obj/language', { key })).body).toEqual(anonymous.body);
    expect((await send('GET', '/version-test/api/1.1/obj/language', { key: null })).body).toEqual(anonymous.body);
  });

  it('refuses a Bearer key that is not accepted with 401', async () => {
    const res = await send('GET', '/api/1.1/obj/language', { key: 'not-a-key' });
    expect([res.status, res.body]).toEqual([401, UNAUTHORIZED]);
  });

  it('pages with cursor and limit: ?cursor=5&limit=5 is ids 6 to 10 with 10 remaining', async () => {
    const res = await send('GET', '/api/1.1/obj/language?cursor=5&limit=5', { key: null });
    expect(res.status).toBe(200);
    expect(res.body.response).toMatchObject({ cursor: 5, count: 5, remaining: 10 });
    expect(res.body.response.results.map((language: { id: number; name: string }) => [language.id, language.name])).toEqual([[6, 'French'], [7, 'German'], [8, 'Spanish'], [9, 'Portuguese'], [10, 'Italian']]);
    for (const query of ['?limit=0', '?limit=101', '?cursor=-1']) {
      const bad = await send('GET', `/api/1.1/obj/language${query}`, { key: null });
      expect([query, bad.status, bad.body.body.status]).toEqual([query, 400, 'INVALID_DATA']);
    }
  });
});

describe('user records (getUser)', () => {
  it('are forbidden to a key that is not an administrator, even the user its own bookings name', async () => {
    const job = await book();
    const never = `${job.user_id.slice(0, 14)}${'1'.repeat(18)}`;
    for (const id of [job.user_id, never]) {
      const res = await send('GET', `/api/1.1/obj/user/${id}`);
      expect([id, res.status, res.body]).toEqual([id, 403, FORBIDDEN]);
    }
    const prefixed = await send('GET', `/version-test/api/1.1/obj/user/${job.user_id}`);
    expect([prefixed.status, prefixed.body]).toEqual([403, FORBIDDEN]);
    const anonymous = await send('GET', `/api/1.1/obj/user/${job.user_id}`, { key: null });
    expect([anonymous.status, anonymous.body]).toEqual([401, UNAUTHORIZED]);
  });

  it('are forbidden to a non-administrator whatever the id, even one not in Bubble\'s format (the 403 comes before the look-up)', async () => {
    const res = await send('GET', '/api/1.1/obj/user/not-a-user');
    expect([res.status, res.body]).toEqual([403, FORBIDDEN]);
  });

  describe('with an administrator key (cadence.admin-keys)', () => {
    let admin: RunningServer;
    beforeAll(async () => {
      admin = await startServer({ host: '127.0.0.1', port: 0, apis: ['cadence'], clock: { mode: 'manual' }, strict: true, apiKeys: ['boss-key'], settings: { cadence: { 'admin-keys': 'boss-key' } } });
    });
    afterAll(async () => {
      await admin?.close();
    });

    it('reads any key\'s user, and gets 404 for an id that names no user', async () => {
      const now = await clockNow(admin.url);
      const sample = await book({}, SAMPLE_KEY, admin.url);
      await controlClient(admin.url).advance(5);
      const other = await book({}, TEST_KEY, admin.url);
      for (const [job, created] of [[sample, now], [other, now + 5000]] as const) {
        for (const prefix of ['', '/version-test']) {
          const res = await send('GET', `${prefix}/api/1.1/obj/user/${job.user_id}`, { key: 'boss-key', base: admin.url });
          expect([prefix, res.status, res.body]).toEqual([prefix, 200, {
            response: { _id: job.user_id, 'Created Date': new Date(created).toISOString(), 'Modified Date': new Date(created).toISOString(), user_signed_up: true },
          }]);
        }
      }
      // An ordinary key on the same emulator is still refused.
      const ordinary = await send('GET', `/api/1.1/obj/user/${sample.user_id}`, { base: admin.url });
      expect([ordinary.status, ordinary.body]).toEqual([403, FORBIDDEN]);
      const never = `${sample.user_id.slice(0, 14)}${'1'.repeat(18)}`;
      const unknown = await send('GET', `/api/1.1/obj/user/${never}`, { key: 'boss-key', base: admin.url });
      expect([unknown.status, unknown.body]).toEqual([404, bubbleError(404, 'NOT_FOUND', `Missing object of type user: object with id ${never} does not exist`)]);
      // A job id is not a user id.
      const jobId = await send('GET', `/api/1.1/obj/user/${sample.job_id}`, { key: 'boss-key', base: admin.url });
      expect([jobId.status, jobId.body.body.status]).toEqual([404, 'NOT_FOUND']);
      const malformed = await send('GET', '/api/1.1/obj/user/not-a-user', { key: 'boss-key', base: admin.url });
      expect([malformed.status, malformed.body.body.status]).toEqual([404, 'NOT_FOUND']);
    });
  });
});

describe('a barrage of refused bookings', () => {
  it('30 malformed or refused requests among 3 good ones: exactly the 3 are kept, nothing answers 5xx', async () => {
    const now = await clockNow();
    const post = (body: string, headers: Record<string, string> = { 'content-type': 'application/json' }, key: string | null = SAMPLE_KEY) => () => send('POST', '/api/1.1/wf/create_job', { key, headers, body });
    const json = (changes: Record<string, unknown>) => post(JSON.stringify(booking(SAMPLE_KEY, changes)));
    const bad: Array<() => Promise<Reply>> = [
      json({ start_time: startTimeOf(now) , timezone: 'UTC' }),
      json({ start_time: '1999-01-01T00:00:00Z' }),
      json({ timezone: 'Mars/Olympus' }),
      json({ timezone: '+05:30' }),
      json({ timezone: '' }),
      json({ timezone: 42 }),
      json({ start_time: '2030-02-14T13:15:03.5Z' }),
      json({ start_time: '2030-02-30T13:15:03Z' }),
      json({ start_time: 'tomorrow' }),
      json({ start_time: null }),
      json({ languages: [57] }),
      json({ languages: [] }),
      json({ languages: [1.5] }),
      json({ languages: ['1'] }),
      json({ languages: null }),
      json({ api_token: undefined }),
      json({ api_token: '' }),
      json({ api_token: SECOND_KEY }),
      json({ api_token: 'not-a-key' }),
      json({ notes: ['a'] }),
      post('{"api_token":'),
      post('[]'),
      post('null'),
      post('"meowmeowmeow"'),
      post(''),
      post(JSON.stringify(booking()), { 'content-type': 'text/plain' }),
      post(JSON.stringify(booking()), { 'content-type': 'application/json', accept: 'text/html' }),
      post(JSON.stringify(booking()), { 'content-type': 'application/json' }, null),
      post(JSON.stringify(booking('not-a-key')), { 'content-type': 'application/json' }, 'not-a-key'),
      () => send('PUT', '/api/1.1/wf/create_job', { headers: { 'content-type': 'application/json' }, body: JSON.stringify(booking()) }),
    ];
    expect(bad).toHaveLength(30);
    const accepted: string[] = [];
    const statuses: number[] = [];
    for (const [i, attempt] of bad.entries()) {
      if (i % 10 === 5) accepted.push((await book({ languages: [1 + accepted.length] })).job_id);
      const res = await attempt();
      statuses.push(res.status);
      expect([i, res.status < 500, res.body.statusCode]).toEqual([i, true, res.status]);
      expect([i, res.status]).not.toEqual([i, 200]);
    }
    expect(statuses.every((status) => [400, 401, 405, 406].includes(status))).toBe(true);
    expect(accepted).toHaveLength(3);
    expect(await jobIds()).toEqual(accepted);
    expect(await jobIds(SECOND_KEY)).toEqual([]);
  });
});
