// Targets that a runner passing too easily would let through (issue 14, "It passes what it must
// fail"), each the emulator behind a proxy with one flaw: the runner must now catch every one,
// and must still pass the emulator when the flaw is only a matter of form (a media type in
// capitals) or of speed (jobs that finish at once).
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../emulator/compose.ts';
import { controlClient } from '../emulator/testing/control-client.ts';
import { API_NAMES, type ApiName } from '../openapi/specs.ts';
import { coverageRows, coverageTotals, summarise } from './reporters/common.ts';
import { renderConsole } from './reporters/console.ts';
import { renderJUnit } from './reporters/junit.ts';
import { runConformance, type RunOptions } from './runner/run.ts';
import { JOURNEYS } from './scenarios/index.ts';
import { advanceClock, json, startBrokenProxy, type Defect, type ProxiedRequest } from './testing/broken-proxy.ts';
import type { RunReport, StepResult } from './types.ts';

let emulator: RunningServer;
beforeAll(async () => {
  emulator = await startServer({ host: '127.0.0.1', port: 0, clock: { mode: 'manual' }, strict: true, apiKeys: ['second-key', 'second:pass'] });
});
afterAll(() => emulator?.close());
beforeEach(() => controlClient(emulator.url).reset());

const CREDENTIALS: Record<ApiName, Pick<RunOptions, 'credentials' | 'secondCredentials'>> = {
  speechmatics: { credentials: { token: 'test-key' }, secondCredentials: { token: 'second-key' } },
  gladia: { credentials: { token: 'test-key' }, secondCredentials: { token: 'second-key' } },
  assemblyai: { credentials: { token: 'test-key' }, secondCredentials: { token: 'second-key' } },
  stenomatic: { credentials: { token: 'test-key' }, secondCredentials: { token: 'second-key' } },
  cadence: { credentials: { token: 'test-key', basic: 'cadence:friend' }, secondCredentials: { token: 'second-key', basic: 'second:pass' } },
};

/** A run as `conform` makes it: the API's journeys and what its cases need, unless `extra` says otherwise. */
const run = (api: ApiName, target: string, extra: Partial<RunOptions> = {}) =>
  runConformance({ api, target, timeoutSeconds: 30, scenarios: [], ...JOURNEYS[api], ...CREDENTIALS[api], ...extra });

async function through<T>(defect: Defect, fn: (target: string) => Promise<T>): Promise<T> {
  const proxy = await startBrokenProxy(emulator.url, defect);
  try {
    return await fn(proxy.url);
  } finally {
    await proxy.close();
  }
}

const steps = (report: RunReport): StepResult[] => report.groups.flatMap((g) => g.steps);
const report = (run: RunReport, kind: string) => run.groups.filter((g) => g.kind === kind).flatMap((g) => g.steps);
const step = (report: RunReport, name: string) => steps(report).find((s) => s.name === name)!;
const failed = (report: RunReport) => steps(report).filter((s) => s.outcome === 'failed');
const describeFailures = (report: RunReport) => failed(report).map((s) => `${s.name}: ${s.failures.map((f) => `${f.check} ${f.message} (${f.received.slice(0, 160)})`).join('; ')}`);
/** Every step of every group, by name: what a run plans. */
const plan = (report: RunReport) => report.groups.map((g) => `${g.name}: ${g.steps.map((s) => s.name).join(' | ')}`);
const statusesOf = (report: RunReport, stepName: string) => report.exchanges.filter((e) => e.step === stepName).map((e) => `${e.request.method} ${e.response?.status}`);
/** Sent without the caller's credentials: none, or the invalid ones a credential case presents. */
const badCredentials = (req: ProxiedRequest) => !/^Bearer test-key$/.test(String(req.headers.authorization ?? ''));

describe('a target that answers 500 to every valid POST', () => {
  const fails500: Defect = { response: (req, res) => (req.method === 'POST' && res.status >= 200 && res.status < 300 ? json.write(res, { error: 'Internal Server Error' }, 500) : res) };

  it('without journeys, the positive cases alone exercise every operation of the emulator, and it conforms', async () => {
    const report = await run('assemblyai', emulator.url, { scenarios: [] });
    expect(describeFailures(report)).toEqual([]);
    expect(coverageTotals(coverageRows(report.coverage)).operations).toEqual({ exercised: 10, total: 10 });
  }, 60_000);

  it('does not conform: every POST fails its positive case, and the operations never answered with a success are not exercised', async () => {
    const report = await through(fails500, (target) => run('assemblyai', target, { scenarios: [] }));
    expect(summarise(report).conforms).toBe(false);
    for (const name of ['POST /v2/stream', 'POST /v2/upload']) {
      expect(step(report, name).failures.map((f) => f.check)).toEqual(['not_a_server_error', 'positive_data_acceptance']);
    }
    // Its example is sent with the recording uploaded first: the upload it needs fails it already.
    expect(step(report, 'POST /v2/transcript').failures.map((f) => f.check)).toEqual(['not_a_server_error', 'scenario_expectation']);
    const totals = coverageTotals(coverageRows(report.coverage));
    expect(totals.operations.exercised).toBeLessThan(totals.operations.total);
    expect(report.coverage.filter((op) => op.method === 'POST').map((op) => op.succeeded)).toEqual([false, false, false]);
    // Every report says so.
    expect(renderConsole(report)).toMatch(new RegExp(`operations exercised: ${totals.operations.exercised}/10 \\(\\d+%\\)`));
    expect(renderConsole(report)).toMatch(/DOES NOT CONFORM/);
    expect(renderJUnit(report)).toContain(`name="operations exercised" value="${totals.operations.exercised}/10`);
  }, 60_000);
});

describe('a target that accepts a DELETE without valid credentials', () => {
  // What the issue saw: such a DELETE deleted the shared job, and the later credential cases passed on 404/410.
  const acceptsAnyDelete: Defect = { request: (req) => (req.method === 'DELETE' && badCredentials(req) ? { ...req, headers: { ...req.headers, authorization: 'Bearer test-key' } } : req) };

  it('fails ignored_auth for each, and the re-read of the job it aimed at shows it deleted; the shared job is untouched', async () => {
    const report = await through(acceptsAnyDelete, (target) => run('speechmatics', target, { scenarios: [] }));
    expect(failed(report).map((s) => s.name).sort()).toEqual(['deleteJob: no credentials', 'deleteJob: wrong credentials']);
    for (const name of ['deleteJob: no credentials', 'deleteJob: wrong credentials']) {
      const failures = step(report, name).failures;
      expect(failures.map((f) => [f.check, f.message])).toEqual([
        ['ignored_auth', expect.stringMatching(/was accepted: its credentials were not checked/)],
        ['ignored_auth', expect.stringMatching(/changed the resource it aimed at/)],
      ]);
      expect(failures[1]!.received).toMatch(/"status":"deleted"/);
      // A done job of the case's own (made as the set-up makes them), read with the right key before and after.
      expect(statusesOf(report, name).slice(-3)).toEqual(['GET 200', 'DELETE 200', 'GET 200']);
    }
    // The cases on the shared job still meet it, and are refused for their credentials.
    for (const name of ['getJob: wrong credentials', 'getJobTranscript: no credentials']) {
      expect(step(report, name).outcome).toBe('passed');
      expect(statusesOf(report, name)).toEqual(['GET 200', 'GET 401', 'GET 200']);
    }
  }, 60_000);

  it('a credential case answered 404 or 410 (as for a job that is gone) fails: only the documented 401 will do', async () => {
    const gone: Defect = {
      response: (req, res) => {
        if (req.method !== 'GET' || !badCredentials(req) || !req.path.startsWith('/v2/jobs/')) return res;
        return req.path.endsWith('/transcript') ? json.write(res, { code: 410, error: 'Job Expired' }, 410) : json.write(res, { code: 404, error: 'Job not found' }, 404);
      },
    };
    const report = await through(gone, (target) => run('speechmatics', target, { scenarios: [], only: 'negative' }));
    const wrong = failed(report).map((s) => s.name);
    expect(wrong).toEqual(expect.arrayContaining(['getJob: no credentials', 'getJob: wrong credentials', 'getJobTranscript: no credentials', 'getJobTranscript: wrong credentials']));
    expect(step(report, 'getJob: wrong credentials').failures.map((f) => [f.check, f.expected, f.received.slice(0, 3)])).toEqual([['negative_data_rejection', '401', '404']]);
    expect(step(report, 'getJobTranscript: wrong credentials').failures.map((f) => [f.check, f.received.slice(0, 3)])).toEqual([['negative_data_rejection', '410']]);
  }, 60_000);

  it('a PATCH without valid credentials that changes the shared room fails ignored_auth twice: accepted, and the room changed', async () => {
    const acceptsAnyPatch: Defect = { request: (req) => (req.method === 'PATCH' && badCredentials(req) ? { ...req, headers: { ...req.headers, authorization: 'Bearer test-key' } } : req) };
    const report = await through(acceptsAnyPatch, (target) => run('stenomatic', target, { scenarios: [], only: 'negative' }));
    expect(failed(report).map((s) => s.name).sort()).toEqual(['updateRoom: no credentials', 'updateRoom: wrong credentials']);
    // The first renames the shared room; the second, the same PATCH again, finds it renamed already.
    expect(step(report, 'updateRoom: no credentials').failures.map((f) => [f.check, f.message])).toEqual([
      ['ignored_auth', expect.stringMatching(/was accepted/)],
      ['ignored_auth', expect.stringMatching(/changed the resource/)],
    ]);
    expect(step(report, 'updateRoom: wrong credentials').failures.map((f) => [f.check, f.message])).toEqual([['ignored_auth', expect.stringMatching(/was accepted/)]]);
  }, 60_000);
});

describe('a target that still serves what it answered as deleted', () => {
  it('fails use_after_free after the DELETE\'s positive case', async () => {
    // The DELETE is answered as done, but never reaches the target.
    const pretends: Defect = {
      request: (req) => (req.method === 'DELETE' ? { ...req, method: 'GET', headers: { ...req.headers, 'x-was-delete': '1' } } : req),
      response: (req, res) => (req.headers['x-was-delete'] && res.status === 200 ? json.write(res, { job: { ...json.read(res).job, status: 'deleted' } }) : res),
    };
    const report = await through(pretends, (target) => run('speechmatics', target, { scenarios: [], only: 'documented-requests' }));
    expect(step(report, 'DELETE /v2/jobs/{jobid}').outcome).toBe('passed');
    const after = step(report, 'DELETE /v2/jobs/{jobid}: what it deleted is not served any more');
    expect(after.outcome).toBe('failed');
    expect(after.failures.map((f) => f.check)).toContain('use_after_free');
    expect(after.failures.find((f) => f.check === 'use_after_free')!.message).toMatch(/still served: GET \/v2\/jobs\/\w+\/\w+ answered 200/);
  }, 60_000);
});

describe('the steps a run reports depend on the flags, never on the target\'s speed', () => {
  /** Every move of the clock at least two minutes: a job finishes between any two reads. */
  const bigSteps: Defect = {
    control: (req) => (req.method === 'POST' && req.path === '/__emulator/clock/advance'
      ? { ...req, body: Buffer.from(JSON.stringify({ seconds: Math.max(Number(JSON.parse(req.body.toString('utf8')).seconds), 120) })) }
      : req),
  };
  /** Jobs done by the time their creation is answered. */
  const instantJobs: Defect = {
    response: async (req, res) => {
      if (req.method === 'POST' && res.status >= 200 && res.status < 300) await advanceClock(emulator.url, 120);
      return res;
    },
  };

  it.each(API_NAMES)('%s: the same steps, moving time in small steps, in big ones, or with jobs done at once', async (api) => {
    const small = await run(api, emulator.url);
    expect(describeFailures(small)).toEqual([]);
    const big = await through(bigSteps, (target) => run(api, target));
    const instant = await through(instantJobs, (target) => run(api, target));
    expect(plan(big)).toEqual(plan(small));
    expect(plan(instant)).toEqual(plan(small));
    expect(steps(instant).length).toBe(steps(small).length);
    if (api === 'cadence' || api === 'stenomatic') return; // no jobs that run: nothing to outrun (and Stenomatic's usage needs the minute it asks for)
    // The fast targets outran the steps that must catch a job while it runs: skipped, with the reason, not dropped.
    const outran = report(instant, 'scenario').filter((s) => s.outcome === 'skipped');
    expect(outran.length).toBeGreaterThan(0);
    expect(outran.every((s) => /finished|completed|never seen/.test(s.skippedReason ?? ''))).toBe(true);
    expect(describeFailures(big)).toEqual([]);
    expect(describeFailures(instant)).toEqual([]);
  }, 120_000);
});

describe('a target whose set-up POST fails once', () => {
  const failFirst = (path: string): Defect => {
    let first = true;
    return {
      response: (req, res) => {
        if (!(req.method === 'POST' && req.path === path && first)) return res;
        first = false;
        return json.write(res, { error: 'Internal Server Error' }, 500);
      },
    };
  };

  it.each([
    ['speechmatics', '/v2/jobs'],
    ['stenomatic', '/v1/clients'],
  ] as const)('%s: reports the set-up failure once, runs every case that does not need it, skips the rest with its reason', async (api, path) => {
    const report = await through(failFirst(path), (target) => run(api, target, { scenarios: [] }));
    expect(failed(report).map((s) => s.name)).toEqual(['create a resource for the cases to aim at']);
    const negative = report.groups.find((g) => g.name === 'negative-cases')!.steps;
    const skipped = negative.filter((s) => s.outcome === 'skipped');
    expect(skipped.length).toBeGreaterThan(0);
    expect(skipped.every((s) => s.skippedReason!.startsWith('set-up failed: '))).toBe(true);
    // Cases on operations without path parameters, and those breaking a path parameter, ran.
    const operationsWithout = report.coverage.filter((op) => !op.path.includes('{')).map((op) => op.operationId);
    const independent = negative.filter((s) => operationsWithout.some((id) => s.name.startsWith(`${id}: `)) || /: path \S+ /.test(s.name));
    expect(independent.length).toBeGreaterThan(5);
    expect(independent.every((s) => s.outcome === 'passed')).toBe(true);
    expect(negative.filter((s) => s.outcome === 'passed').length).toBeGreaterThan(independent.length - 1);
  }, 60_000);
});

describe('a target that writes its media types in capitals, with a charset', () => {
  const shouting: Defect = {
    response: (_req, res) => {
      const type = res.headers['content-type'];
      if (!type) return res;
      const [media, ...params] = type.split(';').map((p) => p.trim());
      const upper = media!.split('/').map((part) => (part === 'json' ? 'JSON' : part.replace(/(^|[-+.])([a-z])/g, (_m, sep: string, c: string) => sep + c.toUpperCase()))).join('/');
      const charset = /json|text/.test(media!) ? ['charset=UTF-8'] : params;
      return { ...res, headers: { ...res.headers, 'content-type': [upper, ...charset].join('; ') } };
    },
  };

  it.each(API_NAMES)('%s conforms: Application/JSON; charset=UTF-8 is application/json', async (api) => {
    const report = await through(shouting, (target) => run(api, target));
    expect(report.exchanges.some((e) => e.response?.headers['content-type'] === 'Application/JSON; charset=UTF-8')).toBe(true);
    expect(describeFailures(report)).toEqual([]);
  }, 60_000);
});

describe('negative cases aimed at real resources', () => {
  it('keep the value of the path parameter they break, and aim at the real ones for the rest', async () => {
    const report = await run('stenomatic', emulator.url, { scenarios: [], only: 'negative' });
    const room = new URL(report.exchanges.find((e) => e.step === 'getRoom: wrong credentials' && e.request.method === 'GET')!.request.url).pathname.split('/').pop()!;
    expect(room).toMatch(/^sd-cases-/);
    const broken = steps(report).filter((s) => /^(getRoom|updateRoom|getRoomPasswords|getRoomStreamUrl): path room_id /.test(s.name));
    expect(broken.length).toBe(8);
    for (const s of broken) {
      expect(s.outcome).toBe('passed');
      expect(report.exchanges.filter((e) => e.step === s.name).every((e) => !e.request.url.includes(room))).toBe(true);
    }
    expect(report.exchanges.filter((e) => e.step.startsWith('getRoom: ') && !e.step.includes('path room_id')).every((e) => e.request.url.includes(room))).toBe(true);
  }, 60_000);
});
