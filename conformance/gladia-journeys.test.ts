// The Gladia journeys, run as `conform` runs them: against a conforming implementation (the
// emulator) they find nothing and leave nothing behind; against implementations broken in one
// way each, they fail exactly the step that checks that behaviour.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../emulator/compose.ts';
import { controlClient } from '../emulator/testing/control-client.ts';
import { runConformance, type RunOptions } from './runner/run.ts';
import { gladia } from './scenarios/gladia/index.ts';
import { json, startBrokenProxy, type Defect, type ProxiedRequest, type ProxiedResponse } from './testing/broken-proxy.ts';
import { defectRowTests } from './testing/defect-rows.ts';
import type { RunReport, StepResult } from './types.ts';

let emulator: RunningServer;
beforeAll(async () => {
  emulator = await startServer({ host: '127.0.0.1', port: 0, apis: ['gladia'], clock: { mode: 'manual' }, strict: true, apiKeys: ['second-key'] });
});
afterAll(() => emulator?.close());
beforeEach(() => controlClient(emulator.url).reset());

type Options = Omit<RunOptions, 'api' | 'scenarios' | 'existingResources'> & Partial<Pick<RunOptions, 'scenarios'>>;
const runGladia = (options: Options) => runConformance({ api: 'gladia', ...gladia, ...options });
const run = (target: string, only?: string, extra: Partial<Options> = {}) => runGladia({
  target, credentials: { token: 'test-key' }, secondCredentials: { token: 'second-key' }, timeoutSeconds: 30, ...(only && { only }), ...extra,
});
const steps = (report: RunReport): StepResult[] => report.groups.flatMap((g) => g.steps);
const failed = (report: RunReport) => steps(report).filter((s) => s.outcome === 'failed');
const describeFailures = (report: RunReport) => failed(report).map((s) => `${s.name}: ${s.failures.map((f) => `${f.check} ${f.message} (${f.received.slice(0, 160)})`).join('; ')}`);
const journeySteps = (report: RunReport) => report.groups.filter((g) => g.kind === 'scenario').flatMap((g) => g.steps.map((st) => `${g.name} / ${st.name}`));

const jobsOf = async (key: string) => (await (await fetch(`${emulator.url}/v2/pre-recorded?limit=100`, { headers: { 'x-gladia-key': key } })).json()).items as Array<{ id: string }>;

// Every step the journeys plan, in order: the report of a full run must list exactly these,
// and each has a defect below that makes it fail.
const PLANNED: Array<[string, string]> = [
  ['transcription', 'upload the recording: 200 with its real size, duration and channels'],
  ['transcription', 'create a job: 201 with its id and a result_url naming it'],
  ['transcription', 'a new job is queued, with no result and no completed_at yet'],
  ['transcription', 'it moves queued → processing → done, completed_at and result set only at the end'],
  ['transcription', 'the result is the recording\'s words and duration'],
  ['transcription', 'request_params echoes the options with the defaults, and custom_metadata is kept'],
  ['transcription', 'file describes the uploaded audio'],
  ['remote-audio', 'upload by audio_url: the remote file is fetched and described'],
  ['remote-audio', 'uploading an audio_url that cannot be downloaded answers 422'],
  ['remote-audio', 'a job on a remote audio_url is transcribed, its file naming the source'],
  ['remote-audio', '/file returns the downloaded bytes'],
  ['remote-audio', 'a job on an audio_url that cannot be downloaded is created, then ends in error 400 with no result'],
  ['audio-download', 'upload a recording and transcribe it'],
  ['audio-download', '/file returns the uploaded bytes, typed as audio'],
  ['deletion', 'upload a recording and create a job'],
  ['deletion', 'deleting it while queued answers 403'],
  ['deletion', 'deleting it while processing answers 403'],
  ['deletion', 'once done, DELETE answers 202 with no body'],
  ['deletion', 'then the job is 404 on get, delete and /file'],
  ['deletion', 'a job that ended in error is deleted the same way'],
  ['listing', 'create three jobs a moment apart, each with its own custom_metadata (and one that will fail, on a local target)'],
  ['listing', 'they finish: done, and error for the one whose audio cannot be downloaded'],
  ['listing', 'filtered by this run\'s custom_metadata, the list holds exactly its jobs, newest first'],
  ['listing', 'limit pages it, and next leads to the following page until it is null'],
  ['listing', 'offset skips jobs'],
  ['listing', 'custom_metadata selects by every key and value given'],
  ['listing', 'status selects by state, repeated for several'],
  ['listing', 'before_date and after_date select by creation time'],
  ['listing', 'date selects the day the jobs were created on'],
  ['callbacks', 'create jobs asking for a callback: callback_config with POST, with PUT, and the deprecated callback_url'],
  ['callbacks', 'they finish as done'],
  ['callbacks', 'callback_config with POST: one POST of transcription.success carrying the result'],
  ['callbacks', 'callback_config with PUT: one PUT of the same'],
  ['callbacks', 'the deprecated callback_url: one POST of the same'],
  ['callbacks', 'a job that fails calls back transcription.error with its error_code'],
  ['tenants', 'the first key uploads a recording and creates a job'],
  ['tenants', 'the second key cannot read it, nor its audio'],
  ['tenants', 'nor delete it'],
  ['tenants', 'nor find it in its list'],
  ['tenants', 'nor create a job on the first key\'s upload'],
  ['errors', 'a job in an unsupported language is refused: 400 with validation_errors'],
  ['errors', 'an upload without an audio part is refused with 400'],
  ['errors', 'an unknown job id is 404 on get, delete and /file'],
  ['retention', 'process a job'],
  ['retention', 'twelve months later it is gone from every path'],
];

describe('against the emulator', () => {
  it('every scenario, probe and negative case passes, every planned step is reported, and every operation is exercised', async () => {
    const report = await run(emulator.url);
    expect(describeFailures(report)).toEqual([]);
    expect(steps(report).filter((s) => s.outcome === 'skipped').map((s) => s.name)).toEqual([]);
    expect(report.groups.map((g) => g.name)).toEqual(['transcription', 'remote-audio', 'audio-download', 'deletion', 'listing', 'callbacks', 'tenants', 'errors', 'retention', 'documented-requests', 'negative-cases']);
    expect(journeySteps(report)).toEqual(PLANNED.map(([scenario, step]) => `${scenario} / ${step}`));
    // Negative cases on /v2/pre-recorded/{id} aim at a real job, so only the broken rule can refuse them.
    const aimed = report.exchanges.filter((e) => e.step.endsWith('wrong credentials') && e.operation.path.includes('{id}'));
    expect(aimed.length).toBeGreaterThan(0);
    expect(aimed.every((e) => !e.request.url.includes('2b7e9c41-5d3a-4f86-a1c2-7e9d0b4f3a58'))).toBe(true);
    expect(report.coverage.every((op) => op.seen.length > 0)).toBe(true);
    // Every documented status a client can provoke is seen; 413 needs a file over 1000 MB.
    const unseen = report.coverage.flatMap((op) => op.documented.filter((s) => !op.seen.includes(Number(s))).map((s) => `${op.operationId} ${s}`));
    expect(unseen).toEqual(['uploadAudio 413']);
  }, 60_000);

  it('leaves nothing behind: every job it created is deleted, even when a step fails', async () => {
    // Without the retention journey, which moves the clock past every job's retention anyway.
    const scenarios = gladia.scenarios.filter((s) => s.name !== 'retention');
    const clean = await run(emulator.url, undefined, { scenarios });
    expect(describeFailures(clean)).toEqual([]);
    const proxy = await startBrokenProxy(emulator.url, editDoneJob((job) => ({ ...job, result: { ...job.result, transcription: { ...job.result.transcription, full_transcript: 'something else' } } })));
    try {
      const report = await run(proxy.url, 'transcription');
      expect(failed(report).map((s) => s.name)).toEqual(['the result is the recording\'s words and duration']);
    } finally {
      await proxy.close();
    }
    for (const key of ['test-key', 'second-key']) expect(await jobsOf(key)).toEqual([]);
  }, 60_000);
});

describe('against a target without a controllable clock or a second key', () => {
  it('skips the journeys that need them, each with its reason, and passes the rest in real time', async () => {
    // 10x: a job is queued for 0.1 s and processed for 0.25 s, long enough to be caught in each.
    const fast = await startServer({ host: '127.0.0.1', port: 0, apis: ['gladia'], clock: { mode: 'scaled', timeScale: 10 }, strict: true });
    const proxy = await startBrokenProxy(fast.url, { hideControlApi: true });
    try {
      const report = await runGladia({ target: proxy.url, credentials: { token: 'test-key' }, timeoutSeconds: 30 });
      const skipped = steps(report).filter((s) => s.outcome === 'skipped').map((s) => [s.name, s.skippedReason]);
      expect(skipped).toEqual(expect.arrayContaining([
        ['Two keys never see each other\'s jobs or audio', 'needs a second key (--token2)'],
        ['A finished job is gone after the twelve-month retention', expect.stringMatching(/no controllable clock/)],
      ]));
      expect(describeFailures(report)).toEqual([]);
    } finally {
      await proxy.close();
      await fast.close();
    }
  }, 60_000);
});

describe('against a target that is not on this machine\'s loopback', () => {
  it('skips what needs the receiver or the audio host, with the reason, and passes the rest', async (test) => {
    // 127.0.0.2 reaches this machine, but the runner counts only 127.0.0.1/localhost/::1 as local.
    const remote = await startServer({ host: '127.0.0.2', port: 0, apis: ['gladia'], clock: { mode: 'manual' }, strict: true, apiKeys: ['second-key'] }).catch(() => undefined);
    if (!remote) return test.skip('127.0.0.2 is not a loopback address on this machine');
    try {
      const report = await run(remote.url);
      const skipped = steps(report).filter((s) => s.outcome === 'skipped').map((s) => [s.name, s.skippedReason]);
      expect(skipped).toEqual([
        ['Audio by URL: fetched on upload or by the job; a URL that cannot be downloaded fails as documented', expect.stringMatching(/loopback/)],
        ['a job that ended in error is deleted the same way', expect.stringMatching(/loopback/)],
        ['Callbacks: callback_config (POST and PUT) and the deprecated callback_url, on success and on error', expect.stringMatching(/loopback/)],
      ]);
      expect(describeFailures(report)).toEqual([]);
    } finally {
      await remote.close();
    }
  }, 60_000);
});

// ---- defects: which step each must fail ------------------------------------------------

const JOB = /^\/v2\/pre-recorded\/[^/]+$/;
const FILE = /^\/v2\/pre-recorded\/[^/]+\/file$/;
const idOf = (req: ProxiedRequest) => req.path.split('/')[3]!;
const isList = (req: ProxiedRequest) => req.method === 'GET' && req.path === '/v2/pre-recorded';
const isCreate = (req: ProxiedRequest) => req.method === 'POST' && req.path === '/v2/pre-recorded';
const isUpload = (req: ProxiedRequest) => req.method === 'POST' && req.path === '/v2/upload';
const gladiaError = (req: ProxiedRequest, status: number, message: string) =>
  ({ timestamp: '2026-01-05T09:00:00.000Z', path: req.path, request_id: 'G-0badc0de', statusCode: status, message });
const asKey = (key: string) => (req: ProxiedRequest): ProxiedRequest => ({ ...req, headers: { ...req.headers, 'x-gladia-key': key } });

/** Edits every job document read with GET /v2/pre-recorded/{id} while `when` holds of it. */
const editJob = (edit: (job: any) => any, when: (job: any) => boolean = () => true): Defect => ({
  response: (req, res) => (req.method === 'GET' && JOB.test(req.path) && res.status === 200 && when(json.read(res)) ? json.write(res, edit(json.read(res))) : res),
});
const editDoneJob = (edit: (job: any) => any) => editJob(edit, (job) => job.status === 'done');
/** Edits the body of a create request as text. */
const editCreate = (from: string, to: string): Defect => ({
  request: (req) => (isCreate(req) ? { ...req, body: Buffer.from(req.body.toString('utf8').replace(from, to)) } : req),
});
/** Drops query parameters from list requests. */
const dropQuery = (...names: string[]): Defect => ({
  request: (req) => {
    if (!isList(req)) return req;
    const query = new URLSearchParams(req.query);
    for (const name of names) query.delete(name);
    return { ...req, query };
  },
});
/** Remembers the status each job was last read in, for defects that depend on it. */
const statusTracking = (respond: (req: ProxiedRequest, res: ProxiedResponse, lastSeen: string | undefined) => ProxiedResponse): Defect => {
  const seen = new Map<string, string>();
  return {
    response: (req, res) => {
      if (req.method === 'GET' && JOB.test(req.path) && res.status === 200) seen.set(idOf(req), json.read(res).status);
      return respond(req, res, seen.get(idOf(req)));
    },
  };
};
const empty202 = (res: ProxiedResponse): ProxiedResponse => ({ status: 202, headers: Object.fromEntries(Object.entries(res.headers).filter(([k]) => k !== 'content-type')), body: Buffer.alloc(0) });

const refuseCreates: Defect = { response: (req, res) => (isCreate(req) ? json.write(res, gladiaError(req, 500, 'Internal Server Error'), 500) : res) };
const failEveryDoneJob = editDoneJob((job) => ({ ...job, status: 'error', error_code: 500, result: null }));

const DEFECTS: Array<[string, string, Defect]> = [
  // transcription
  ['transcription', PLANNED[0]![1], { response: (req, res) => (isUpload(req) && res.status === 200 ? json.write(res, { ...json.read(res), audio_metadata: { ...json.read(res).audio_metadata, size: json.read(res).audio_metadata.size + 1 } }) : res) }],
  ['transcription', PLANNED[1]![1], { response: (req, res) => (isCreate(req) && res.status === 201 ? json.write(res, { ...json.read(res), result_url: `http://127.0.0.1/v2/jobs/${json.read(res).id}` }) : res) }],
  ['transcription', PLANNED[2]![1], editJob((job) => ({ ...job, completed_at: job.created_at }), (job) => job.status === 'queued')],
  ['transcription', PLANNED[3]![1], editJob((job) => ({ ...job, status: 'transcribing' }), (job) => job.status === 'processing')],
  ['transcription', PLANNED[4]![1], editDoneJob((job) => ({ ...job, result: { ...job.result, transcription: { ...job.result.transcription, full_transcript: 'good morning and welcome to the weather report will it rain today' } } }))],
  ['transcription', PLANNED[5]![1], editJob((job) => ({ ...job, request_params: { ...job.request_params, diarization: undefined } }))],
  ['transcription', PLANNED[6]![1], editJob((job) => ({ ...job, file: { ...job.file, number_of_channels: 2 } }))],
  // remote-audio
  ['remote-audio', PLANNED[7]![1], { response: (req, res) => (isUpload(req) && res.status === 200 ? json.write(res, { ...json.read(res), audio_metadata: { ...json.read(res).audio_metadata, source: undefined } }) : res) }],
  ['remote-audio', PLANNED[8]![1], { response: (req, res) => (isUpload(req) && res.status === 422 ? json.write(res, { ...json.read(res), statusCode: 400 }, 400) : res) }],
  ['remote-audio', PLANNED[9]![1], editDoneJob((job) => ({ ...job, file: { ...job.file, source: null } }))],
  ['remote-audio', PLANNED[10]![1], { response: (req, res) => (FILE.test(req.path) && res.status === 200 ? { ...res, body: Buffer.concat([res.body.subarray(0, 44), Buffer.alloc(res.body.length - 44)]) } : res) }],
  ['remote-audio', PLANNED[11]![1], editJob((job) => ({ ...job, error_code: 422 }), (job) => job.status === 'error')],
  // audio-download
  ['audio-download', PLANNED[12]![1], refuseCreates],
  ['audio-download', PLANNED[13]![1], { response: (req, res) => (FILE.test(req.path) && res.status === 200 ? { ...res, body: res.body.subarray(0, 1024) } : res) }],
  // deletion
  ['deletion', PLANNED[14]![1], refuseCreates],
  ['deletion', PLANNED[15]![1], { response: (req, res) => (req.method === 'DELETE' && res.status === 403 ? empty202(res) : res) }],
  ['deletion', PLANNED[16]![1], statusTracking((req, res, last) => (req.method === 'DELETE' && res.status === 403 && last === 'processing' ? empty202(res) : res))],
  ['deletion', PLANNED[17]![1], { response: (req, res) => (req.method === 'DELETE' && res.status === 202 ? json.write(res, { id: idOf(req), status: 'deleted' }) : res) }],
  ['deletion', PLANNED[18]![1], { response: (req, res) => (FILE.test(req.path) && res.status === 404 ? { status: 200, headers: { 'content-type': 'audio/wav' }, body: Buffer.from('RIFF') } : res) }],
  ['deletion', PLANNED[19]![1], statusTracking((req, res, last) => (req.method === 'DELETE' && res.status === 202 && last === 'error' ? json.write(res, gladiaError(req, 403, 'not in a deletable state'), 403) : res))],
  // listing
  ['listing', PLANNED[20]![1], refuseCreates],
  ['listing', PLANNED[21]![1], failEveryDoneJob],
  ['listing', PLANNED[22]![1], { response: (req, res) => (isList(req) && res.status === 200 ? json.write(res, { ...json.read(res), items: json.read(res).items.reverse() }) : res) }],
  ['listing', PLANNED[23]![1], { response: (req, res) => (isList(req) && res.status === 200 && json.read(res).next ? json.write(res, { ...json.read(res), next: json.read(res).current }) : res) }],
  ['listing', PLANNED[24]![1], { request: (req) => (isList(req) && req.query.get('offset') === '1' ? dropQuery('offset').request!(req) : req) }],
  ['listing', PLANNED[25]![1], dropQuery('custom_metadata[name]')],
  ['listing', PLANNED[26]![1], dropQuery('status')],
  ['listing', PLANNED[27]![1], dropQuery('before_date', 'after_date')],
  ['listing', PLANNED[28]![1], dropQuery('date')],
  // callbacks (they go from the target straight to the receiver: broken on the way in)
  ['callbacks', PLANNED[29]![1], refuseCreates],
  ['callbacks', PLANNED[30]![1], failEveryDoneJob],
  ['callbacks', PLANNED[31]![1], editCreate('"method":"POST"', '"method":"PUT"')],
  ['callbacks', PLANNED[32]![1], editCreate('"method":"PUT"', '"method":"POST"')],
  ['callbacks', PLANNED[33]![1], editCreate('"callback_url"', '"callback_uri"')],
  ['callbacks', PLANNED[34]![1], editCreate('/gladia/callback/error', '/gladia/callback/elsewhere')],
  // tenants: the second key's requests answered as if it were the first's
  ['tenants', PLANNED[35]![1], refuseCreates],
  ['tenants', PLANNED[36]![1], { request: (req) => (req.method === 'GET' && (JOB.test(req.path) || FILE.test(req.path)) && req.headers['x-gladia-key'] === 'second-key' ? asKey('test-key')(req) : req) }],
  ['tenants', PLANNED[37]![1], { request: (req) => (req.method === 'DELETE' && req.headers['x-gladia-key'] === 'second-key' ? asKey('test-key')(req) : req) }],
  ['tenants', PLANNED[38]![1], { request: (req) => (isList(req) && req.headers['x-gladia-key'] === 'second-key' ? asKey('test-key')(req) : req) }],
  ['tenants', PLANNED[39]![1], { request: (req) => (isCreate(req) && req.headers['x-gladia-key'] === 'second-key' ? asKey('test-key')(req) : req) }],
  // errors
  ['errors', PLANNED[40]![1], { response: (req, res) => (isCreate(req) && res.status === 400 ? json.write(res, { ...json.read(res), validation_errors: undefined }) : res) }],
  ['errors', PLANNED[41]![1], { response: (req, res) => (isUpload(req) && res.status === 400 ? json.write(res, json.read(res), 422) : res) }],
  ['errors', PLANNED[42]![1], { response: (req, res) => (FILE.test(req.path) && res.status === 404 ? json.write(res, { error: 'Not Found' }) : res) }],
  // retention
  ['retention', PLANNED[43]![1], refuseCreates],
  ['retention', PLANNED[44]![1], {
    response: (req, res) => (req.method === 'GET' && JOB.test(req.path) && res.status === 404
      ? json.write(res, { id: idOf(req), request_id: `G-${idOf(req).replace(/-/g, '').slice(0, 8)}`, version: 2, status: 'done', created_at: '2026-01-05T09:00:00.000Z', kind: 'pre-recorded' }, 200)
      : res),
  }],
  // the generic groups
  ['negative-cases', 'create a resource for the cases to aim at', refuseCreates],
  ['negative-cases', 'getPreRecordedJob: wrong credentials', { request: asKey('test-key') }],
  ['documented-requests', 'GET /v2/pre-recorded', { response: (req, res) => (isList(req) ? json.write(res, gladiaError(req, 500, 'Internal Server Error'), 500) : res) }],
];

defectRowTests({ rows: DEFECTS, planned: PLANNED, target: () => emulator.url, run: (target, only) => run(target, only) });
