// The Cadence journeys, run as `conform` runs them: against a conforming implementation (the
// emulator) they find nothing; against implementations broken in one way each, they fail
// exactly the step that checks that behaviour. The add-on's callbacks go from the target to the
// runner's receiver without passing the proxy, so their defects are made on the way in.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../emulator/compose.ts';
import { controlClient } from '../emulator/testing/control-client.ts';
import { loadSpec, listOperations } from '../openapi/specs.ts';
import { applyCredentials } from './credentials.ts';
import { runConformance, type RunOptions } from './runner/run.ts';
import { cadence } from './scenarios/cadence/index.ts';
import { json, startBrokenProxy, type Defect, type ProxiedRequest, type ProxiedResponse } from './testing/broken-proxy.ts';
import { defectRowTests } from './testing/defect-rows.ts';
import type { RunReport, StepResult } from './types.ts';

const PRIMARY = { token: 'test-key', basic: 'cadence:friend' };
const SECOND = { token: 'second-key', basic: 'second:pass' };

let emulator: RunningServer;
beforeAll(async () => {
  emulator = await startServer({ host: '127.0.0.1', port: 0, apis: ['cadence'], clock: { mode: 'manual' }, strict: true, apiKeys: ['second-key', 'second:pass'] });
});
afterAll(() => emulator?.close());
beforeEach(() => controlClient(emulator.url).reset());

type Options = Omit<RunOptions, 'api' | 'scenarios' | 'existingResources'> & Partial<Pick<RunOptions, 'scenarios'>>;
const runCadence = (options: Options) => runConformance({ api: 'cadence', ...cadence, ...options });
const run = (target: string, only?: string, extra: Partial<Options> = {}) => runCadence({
  target, credentials: PRIMARY, secondCredentials: SECOND, timeoutSeconds: 30, ...(only && { only }), ...extra,
});
const steps = (report: RunReport): StepResult[] => report.groups.flatMap((g) => g.steps);
const failed = (report: RunReport) => steps(report).filter((s) => s.outcome === 'failed');
const describeFailures = (report: RunReport) => failed(report).map((s) => `${s.name}: ${s.failures.map((f) => `${f.check} ${f.message} (${f.received.slice(0, 160)})`).join('; ')}`);
const skippedIn = (report: RunReport, kinds: string[]) => report.groups.filter((g) => kinds.includes(g.kind)).flatMap((g) => g.steps).filter((s) => s.outcome === 'skipped').map((s) => [s.name, s.skippedReason]);
/** Journey steps skipped, with their reasons. */
const skipped = (report: RunReport) => skippedIn(report, ['scenario']);
/** The positive and negative cases skipped, with their reasons. */
const casesSkipped = (report: RunReport) => skippedIn(report, ['probe', 'negative']);
/** The one positive case no run can pass unless --token is an administrator's. */
const USER_RECORDS: [string, unknown] = ['GET /api/1.1/obj/user/{user_id}', expect.stringMatching(/administrator/)];
/** The add-on steps after `index`, skipped because it was. */
const addonAfter = (index: number, reason: RegExp) => PLANNED.slice(index + 1).filter(([scenario]) => scenario === 'twilio-addon').map(([, step]) => [step, expect.stringMatching(reason)]);
const journeySteps = (report: RunReport) => report.groups.filter((g) => g.kind === 'scenario').flatMap((g) => g.steps.map((st) => `${g.name} / ${st.name}`));

// Every step the journeys plan, in order: the report of a full run must list exactly these,
// and each has a defect below that makes it fail.
const PLANNED: Array<[string, string]> = [
  ['booking', 'book a call in Australia/Adelaide (+10:30 in summer): 200 with Bubble\'s success envelope and ids in Bubble\'s form'],
  ['booking', 'job_start_time is the start as English text in Adelaide, job_languages the names in the order asked, and the job is active'],
  ['booking', 'reading it back by id gives the same fields, _id equal to job_id, the notes, and a Created Date that is the id\'s time'],
  ['booking', 'the key\'s list holds it last (oldest first), as read back'],
  ['booking', 'under the spec\'s server path /version-test it reads back the same (speechdouble serves both)'],
  ['refusals', 'read the key\'s bookings, the language catalogue and the target\'s clock before the refused requests'],
  ['refusals', 'a start in the past is refused: 400 INVALID_DATA, "start_time must be in the future"'],
  ['refusals', 'an unknown time zone is refused: 400 INVALID_DATA'],
  ['refusals', 'a language id that is not in the catalogue is refused: 400 INVALID_DATA'],
  ['refusals', 'a booking without its timezone is refused: 400 MISSING_DATA'],
  ['refusals', 'an api_token that is not the Bearer key is refused: 401'],
  ['refusals', 'GET on create_job is refused: 405 with Allow: POST'],
  ['refusals', 'a booking that accepts only text/html is refused: 406'],
  ['refusals', 'none of the refused requests booked a call: the key\'s bookings are as they were'],
  ['languages', 'the catalogue lists 1 English, 2 Mandarin, 6 French and 20 Malaysian, ordered by id'],
  ['languages', 'paging with cursor and limit (5 a page) walks the same catalogue: count is each page\'s size, remaining what follows it'],
  ['languages', 'it is readable without credentials, as a documentation link is'],
  ['tenants', 'the first key books a call'],
  ['tenants', 'the second key reading it gets the 404 of an id that never existed, body for body'],
  ['tenants', 'nor finds it in its list'],
  ['twilio-addon', 'a request without target_language is refused: 400 {status: "error", message}'],
  ['twilio-addon', 'wrong basic credentials are refused: 401 with WWW-Authenticate: Basic'],
  ['twilio-addon', 'a transcription request (a WAV recording, source_language en and de, target en) is accepted: 202 with an empty body'],
  ['twilio-addon', 'its result is called back once: multipart with its request_sid, status ok, an empty message, Cadence\'s User-Agent and basic credentials'],
  ['twilio-addon', 'the transcription part is a PDF (transcription.pdf, application/pdf) that loads with at least one page'],
  ['twilio-addon', 'the PDF holds the recording\'s words, in order'],
  ['twilio-addon', 'a translation request (en into de) calls back a translation part: a 16-bit PCM mono WAV as long as the recording'],
  ['twilio-addon', 'a request into an unsupported language (xx) is accepted, then called back as status error with a message naming it and no files'],
  ['twilio-addon', 'the same request_sid again (a retried delivery) is answered 202 and not called back a second time'],
];

describe('the runner\'s credentials', () => {
  it('gives each operation the credentials its security scheme names, when --token and --basic come together', async () => {
    const doc = (await loadSpec('cadence')).dereferenced;
    const auth = Object.fromEntries(listOperations(doc).map((op) => [String(op.operation.operationId), applyCredentials(doc, op.operation, PRIMARY).headers.authorization]));
    expect(auth).toEqual({
      createJob: 'Bearer test-key',
      listLanguages: 'Bearer test-key',
      listJobs: 'Bearer test-key',
      getJob: 'Bearer test-key',
      getUser: 'Bearer test-key',
      submitTwilioAddonRequest: `Basic ${Buffer.from('cadence:friend').toString('base64')}`,
    });
  });
});

describe('against the emulator', () => {
  it('every scenario, probe and negative case passes, every planned step is reported, and every operation is exercised', async () => {
    const report = await run(emulator.url);
    expect(describeFailures(report)).toEqual([]);
    expect(skipped(report)).toEqual([]);
    expect(casesSkipped(report)).toEqual([USER_RECORDS]);
    expect(report.groups.map((g) => g.name)).toEqual(['booking', 'refusals', 'languages', 'tenants', 'twilio-addon', 'documented-requests', 'negative-cases']);
    expect(journeySteps(report)).toEqual(PLANNED.map(([scenario, step]) => `${scenario} / ${step}`));
    expect(report.coverage.every((op) => op.seen.length > 0)).toBe(true);
    // What no request can provoke: 5xx; 403 (nothing but user records is for administrators,
    // and no key is one by default), 404 on an operation's own path other than getJob's, and
    // user records themselves (200, 403, 404), whose positive case is skipped (no key is known
    // to be an administrator's) and whose negative cases are refused first (401, 400).
    const unseen = report.coverage.flatMap((op) => op.documented.filter((s) => !op.seen.includes(Number(s))).map((s) => `${op.operationId} ${s}`));
    expect(unseen).toEqual([
      'createJob 403', 'createJob 404', 'createJob 500', 'createJob 503',
      'listLanguages 401', 'listLanguages 403', 'listLanguages 404', 'listLanguages 405', 'listLanguages 406', 'listLanguages 500', 'listLanguages 503',
      'listJobs 405', 'listJobs 406', 'listJobs 500', 'listJobs 503',
      'getJob 405', 'getJob 406', 'getJob 500', 'getJob 503',
      'getUser 200', 'getUser 403', 'getUser 404', 'getUser 405', 'getUser 406', 'getUser 500', 'getUser 503',
    ]);
  }, 60_000);
});

describe('against a target with fewer credentials, no controllable clock, or off this machine', () => {
  it('without a controllable clock or a second key: reads the time from Date, skips what needs them, passes the rest in real time', async () => {
    // A target whose time passes on its own (ten times as fast) and whose Date header is its
    // clock: a manual clock the test moves, behind a proxy that hides the control API and dates
    // each answer by that clock. (Not a scaled clock: speechdouble's Date header is the host's
    // wall clock, and on a running clock it stamps a booking's id and Created Date apart.)
    const moving = await startServer({ host: '127.0.0.1', port: 0, apis: ['cadence'], clock: { mode: 'manual' }, strict: true });
    let now = Date.parse(((await (await fetch(`${moving.url}/__emulator/clock`)).json()) as { now: string }).now);
    let ticking = true;
    const ticker = (async () => {
      while (ticking) {
        now = Date.parse((await controlClient(moving.url).advance(0.5)).now);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();
    const proxy = await startBrokenProxy(moving.url, { hideControlApi: true, response: (_req, res) => ({ ...res, headers: { ...res.headers, date: new Date(now).toUTCString() } }) });
    try {
      const report = await runCadence({ target: proxy.url, credentials: PRIMARY, timeoutSeconds: 5 });
      expect(skipped(report)).toEqual([
        ['under the spec\'s server path /version-test it reads back the same (speechdouble serves both)', expect.stringMatching(/speechdouble's promise/)],
        ['Two keys never see each other\'s bookings', 'needs a second key (--token2)'],
        ['the PDF holds the recording\'s words, in order', expect.stringMatching(/speechdouble only/)],
      ]);
      expect(casesSkipped(report)).toEqual([USER_RECORDS]);
      expect(describeFailures(report)).toEqual([]);
    } finally {
      ticking = false;
      await ticker;
      await proxy.close();
      await moving.close();
    }
  }, 60_000);

  it('with only a key, or only basic credentials, skips the journeys of the other scheme with the flag they need', async () => {
    const tokenOnly = await run(emulator.url, undefined, { credentials: { token: 'test-key' }, secondCredentials: { token: 'second-key' } });
    expect(describeFailures(tokenOnly)).toEqual([]);
    // The add-on's later steps need what its first would have made: each is listed, skipped.
    expect(skipped(tokenOnly)).toEqual([[PLANNED[20]![1], 'needs the add-on\'s basic credentials (--basic)'], ...addonAfter(20, /^an earlier step was skipped: needs .*--basic/)]);
    // The add-on's cases need --basic too, but for those sent without credentials.
    expect(new Set(casesSkipped(tokenOnly).map(([name, reason]) => (name === USER_RECORDS[0] ? 'user records' : `${String(name).includes('submitTwilioAddonRequest') || String(name).includes('/cadence/twilio') ? 'add-on' : name}: ${reason}`)))).toEqual(new Set([
      'user records', 'add-on: needs the credentials its security scheme takes (--basic)',
    ]));
    const basicOnly = await run(emulator.url, undefined, { credentials: { basic: 'cadence:friend' }, secondCredentials: { basic: 'second:pass' } });
    const planned = (scenario: string) => PLANNED.filter(([s]) => s === scenario).map(([, step]) => step);
    expect(skipped(basicOnly)).toEqual([
      ...planned('booking').map((step, i) => [step, i === 0 ? 'needs a booking key (--token)' : 'an earlier step was skipped: needs a booking key (--token)']),
      ...planned('refusals').map((step, i) => [step, i === 0 ? 'needs a booking key (--token)' : 'an earlier step was skipped: needs a booking key (--token)']),
      ...planned('tenants').map((step, i) => [step, i === 0 ? 'needs a second booking key (--token2)' : 'an earlier step was skipped: needs a second booking key (--token2)']),
    ]);
    // Every booking case needs the key (or the booking the set-up could not make), but those sent without credentials.
    const reasons = new Set(casesSkipped(basicOnly).map(([, reason]) => reason));
    expect(reasons).toEqual(new Set(['needs a booking key (--token)', 'needs the credentials its security scheme takes (--token)', 'set-up skipped: needs a booking key (--token)']));
    expect(basicOnly.groups.find((g) => g.name === 'negative-cases')!.steps.filter((s) => s.outcome === 'passed').map((s) => s.name)).toEqual(expect.arrayContaining(['createJob: no credentials', 'submitTwilioAddonRequest: wrong credentials']));
    // Skipped, not failed: the run still conforms, and the generic groups meet the documented 401.
    expect(describeFailures(basicOnly)).toEqual([]);
  }, 60_000);

  it('off this machine\'s loopback: skips the add-on\'s callbacks with the reason, and passes the rest', async (test) => {
    // 127.0.0.2 reaches this machine, but the runner counts only 127.0.0.1/localhost/::1 as local.
    const remote = await startServer({ host: '127.0.0.2', port: 0, apis: ['cadence'], clock: { mode: 'manual' }, strict: true, apiKeys: ['second-key', 'second:pass'] }).catch(() => undefined);
    if (!remote) return test.skip('127.0.0.2 is not a loopback address on this machine');
    try {
      const report = await run(remote.url);
      expect(skipped(report)).toEqual([[PLANNED[22]![1], expect.stringMatching(/loopback/)], ...addonAfter(22, /^an earlier step was skipped: .*loopback/)]);
      expect(casesSkipped(report)).toEqual([USER_RECORDS]);
      expect(describeFailures(report)).toEqual([]);
    } finally {
      await remote.close();
    }
  }, 60_000);
});

// ---- defects: which step each must fail ------------------------------------------------

const JOB = /^(\/version-test)?\/api\/1\.1\/obj\/job\/[^/]+$/;
const isCreate = (req: ProxiedRequest) => req.method === 'POST' && req.path === '/api/1.1/wf/create_job';
const isListJobs = (req: ProxiedRequest) => req.method === 'GET' && req.path === '/api/1.1/obj/job';
const isLanguages = (req: ProxiedRequest) => req.method === 'GET' && req.path === '/api/1.1/obj/language';
const isAddon = (req: ProxiedRequest) => req.method === 'POST' && req.path === '/cadence/twilio';
const bubble = (status: number, keyword: string, message: string) => ({ statusCode: status, body: { status: keyword, message } });
const keyOf = (req: ProxiedRequest) => /^Bearer (.+)$/.exec(String(req.headers.authorization ?? ''))?.[1];
const asKey = (key: string) => (req: ProxiedRequest): ProxiedRequest => ({ ...req, headers: { ...req.headers, authorization: `Bearer ${key}` } });

/** Edits a booking request's JSON body. */
const editBooking = (edit: (body: any, req: ProxiedRequest) => any): Defect => ({
  request: (req) => (isCreate(req) ? { ...req, body: Buffer.from(JSON.stringify(edit(JSON.parse(req.body.toString('utf8')), req))) } : req),
});
/** Edits a JSON answer to the requests `which` selects, with status `status`. */
const editAnswer = (which: (req: ProxiedRequest) => boolean, status: number, edit: (body: any) => any): Defect => ({
  response: (req, res) => (which(req) && res.status === status ? json.write(res, edit(json.read(res))) : res),
});
/** A text field of an add-on request (multipart, latin1 keeps the recording's bytes), edited where `when` holds of the request. */
const field = (body: Buffer, name: string) => new RegExp(`name="${name}"\r\n\r\n([^\r]*)`, 'g').exec(body.toString('latin1'))?.[1];
const editAddon = (name: string, edit: (value: string) => string, when: (req: ProxiedRequest) => boolean = () => true): Defect => ({
  request: (req) => (isAddon(req) && when(req)
    ? { ...req, body: Buffer.from(req.body.toString('latin1').replace(new RegExp(`(name="${name}"\r\n\r\n)([^\r]*)`, 'g'), (_, head: string, value: string) => head + edit(value)), 'latin1') }
    : req),
});
const service = (wanted: string) => (req: ProxiedRequest) => field(req.body, 'requested_service') === wanted;
const target = (wanted: string) => (req: ProxiedRequest) => field(req.body, 'target_language') === wanted;
const noBody = (res: ProxiedResponse): ProxiedResponse => ({ status: res.status, headers: Object.fromEntries(Object.entries(res.headers).filter(([k]) => k !== 'content-type')), body: Buffer.alloc(0) });

/** Checks Accept only after booking: the call is booked, then refused with 406. */
const bookThenRefuse: Defect = {
  request: (req) => (isCreate(req) && req.headers.accept === 'text/html' ? { ...req, headers: { ...req.headers, accept: 'application/json', 'x-refuse-after': '1' } } : req),
  response: (req, res) => (isCreate(req) && req.headers['x-refuse-after'] && res.status === 200 ? json.write(res, bubble(406, 'NOT_ACCEPTABLE', 'Responses are only available as application/json.'), 406) : res),
};
/** Processes a request_sid again when it comes again. */
const reprocessRepeats = (): Defect => {
  const seen = new Set<string>();
  return {
    request: (req) => {
      const sid = isAddon(req) ? field(req.body, 'request_sid') : undefined;
      if (!sid || !sid.startsWith('XR')) return req;
      if (!seen.has(sid)) return (seen.add(sid), req);
      return editAddon('request_sid', (value) => `XS${value.slice(2)}`).request!(req);
    },
  };
};

const DEFECTS: Array<[string, string, Defect]> = [
  // booking
  ['booking', PLANNED[0]![1], editAnswer(isCreate, 200, (body) => ({ ...body, response: { ...body.response, job_id: `job-${body.response.job_id}` } }))],
  ['booking', PLANNED[1]![1], editAnswer(isCreate, 200, (body) => ({ ...body, response: { ...body.response, job_languages: 'English, French, Malaysian' } }))],
  ['booking', PLANNED[2]![1], editAnswer((req) => req.method === 'GET' && JOB.test(req.path), 200, (body) => ({ ...body, response: { ...body.response, 'Created Date': new Date(Date.parse(body.response['Created Date']) + 3_600_000).toISOString() } }))],
  ['booking', PLANNED[3]![1], editAnswer(isListJobs, 200, (body) => ({ ...body, response: { ...body.response, results: body.response.results.map((r: object) => ({ ...r, job_active: false })) } }))],
  ['booking', PLANNED[4]![1], { response: (req, res) => (req.path.startsWith('/version-test/') ? json.write(res, bubble(404, 'NOT_FOUND', `Not found: ${req.path}`), 404) : res) }],
  // refusals
  ['refusals', PLANNED[5]![1], { response: (req, res) => (isListJobs(req) ? json.write(res, bubble(500, 'ERROR', 'The server encountered an error. Please try again later.'), 500) : res) }],
  ['refusals', PLANNED[6]![1], editAnswer(isCreate, 400, (body) => ({ ...body, body: { ...body.body, message: body.body.message.replace(/start_time must be in the future.*/, 'start_time is not acceptable') } }))],
  ['refusals', PLANNED[7]![1], editBooking((body) => (body.timezone === 'Australia/Atlantis' ? { ...body, timezone: 'UTC' } : body))],
  ['refusals', PLANNED[8]![1], editBooking((body) => ({ ...body, languages: body.languages.filter((id: number) => id <= 20) }))],
  ['refusals', PLANNED[9]![1], editAnswer(isCreate, 400, (body) => (body.body.status === 'MISSING_DATA' ? { ...body, body: { ...body.body, status: 'INVALID_DATA' } } : body))],
  ['refusals', PLANNED[10]![1], editBooking((body, req) => ({ ...body, api_token: keyOf(req) }))],
  ['refusals', PLANNED[11]![1], { response: (req, res) => (res.status === 405 ? { ...res, headers: Object.fromEntries(Object.entries(res.headers).filter(([k]) => k !== 'allow')) } : res) }],
  ['refusals', PLANNED[12]![1], { request: (req) => (isCreate(req) && req.headers.accept === 'text/html' ? { ...req, headers: { ...req.headers, accept: '*/*' } } : req) }],
  ['refusals', PLANNED[13]![1], bookThenRefuse],
  // languages
  ['languages', PLANNED[14]![1], editAnswer(isLanguages, 200, (body) => ({ ...body, response: { ...body.response, results: body.response.results.map((l: { id: number }) => (l.id === 2 ? { ...l, name: 'Chinese' } : l)) } }))],
  ['languages', PLANNED[15]![1], { request: (req) => (isLanguages(req) && req.query.get('limit') === '5' ? { ...req, query: new URLSearchParams({ limit: '5' }) } : req) }],
  ['languages', PLANNED[16]![1], { response: (req, res) => (isLanguages(req) && !req.headers.authorization ? json.write(res, bubble(401, 'UNAUTHORIZED', 'The API key provided is not valid.'), 401) : res) }],
  // tenants: the second key's requests answered as if they were the first's
  ['tenants', PLANNED[17]![1], { response: (req, res) => (isCreate(req) ? json.write(res, bubble(500, 'ERROR', 'The server encountered an error. Please try again later.'), 500) : res) }],
  ['tenants', PLANNED[18]![1], { request: (req) => (req.method === 'GET' && JOB.test(req.path) && keyOf(req) === 'second-key' ? asKey('test-key')(req) : req) }],
  ['tenants', PLANNED[19]![1], { request: (req) => (isListJobs(req) && keyOf(req) === 'second-key' ? asKey('test-key')(req) : req) }],
  // twilio-addon (the callbacks come straight to the receiver: broken on the way in)
  ['twilio-addon', PLANNED[20]![1], { response: (req, res) => (isAddon(req) && res.status === 400 ? noBody({ ...res, status: 202 }) : res) }],
  ['twilio-addon', PLANNED[21]![1], { response: (req, res) => (isAddon(req) && res.status === 401 ? { ...res, headers: Object.fromEntries(Object.entries(res.headers).filter(([k]) => k !== 'www-authenticate')) } : res) }],
  ['twilio-addon', PLANNED[22]![1], { response: (req, res) => (isAddon(req) && res.status === 202 ? json.write(res, { status: 'accepted' }, 200) : res) }],
  ['twilio-addon', PLANNED[23]![1], editAddon('request_sid', (sid) => `MR${sid.slice(2)}`)],
  ['twilio-addon', PLANNED[24]![1], editAddon('requested_service', () => 'translation', service('transcription'))],
  ['twilio-addon', PLANNED[25]![1], editAddon('target_language', () => 'fr', (req) => service('transcription')(req) && target('en')(req))],
  ['twilio-addon', PLANNED[26]![1], editAddon('requested_service', () => 'transcription', service('translation'))],
  ['twilio-addon', PLANNED[27]![1], editAddon('target_language', () => 'en', target('xx'))],
  ['twilio-addon', PLANNED[28]![1], reprocessRepeats()],
  // the generic groups
  ['negative-cases', 'listJobs: no credentials', { request: (req) => (isListJobs(req) && !req.headers.authorization ? asKey('test-key')(req) : req) }],
  ['documented-requests', 'GET /api/1.1/obj/language', { response: (req, res) => (isLanguages(req) ? json.write(res, bubble(500, 'ERROR', 'The server encountered an error. Please try again later.'), 500) : res) }],
];

defectRowTests({ rows: DEFECTS, planned: PLANNED, target: () => emulator.url, run: (target, only) => run(target, only) });
