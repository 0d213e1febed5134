// The Speechmatics journeys, run as `conform` runs them: against a conforming implementation
// (the emulator) they find nothing and leave nothing behind; against implementations broken
// in one way each, they fail exactly the step that checks that behaviour.
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../emulator/compose.ts';
import { controlClient } from '../emulator/testing/control-client.ts';
import { runConformance, type RunOptions } from './runner/run.ts';
import { speechmatics } from './scenarios/speechmatics/index.ts';
import { json, startBrokenProxy, type Defect } from './testing/broken-proxy.ts';
import type { RunReport, StepResult } from './types.ts';

let emulator: RunningServer;
beforeAll(async () => {
  emulator = await startServer({ host: '127.0.0.1', port: 0, apis: ['speechmatics'], clock: { mode: 'manual' }, strict: true, apiKeys: ['other-team', 'bystander'] });
});
afterAll(() => emulator?.close());
beforeEach(() => controlClient(emulator.url).reset());

const runSpeechmatics = (options: Omit<RunOptions, 'api' | 'scenarios' | 'existingResources'>) => runConformance({ api: 'speechmatics', ...speechmatics, ...options });
const run = (target: string, only?: string) => runSpeechmatics({
  target, credentials: { token: 'test-key' }, secondCredentials: { token: 'other-team' }, timeoutSeconds: 30, ...(only && { only }),
});
const steps = (report: RunReport): StepResult[] => report.groups.flatMap((g) => g.steps);
const failed = (report: RunReport) => steps(report).filter((s) => s.outcome === 'failed');

describe('against the emulator', () => {
  it('every scenario, probe and negative case passes, and every operation is exercised', async () => {
    const report = await run(emulator.url);
    expect(failed(report).map((s) => `${s.name}: ${s.failures.map((f) => `${f.check} ${f.message} (${f.received.slice(0, 120)})`).join('; ')}`)).toEqual([]);
    expect(steps(report).filter((s) => s.outcome === 'skipped').map((s) => s.name)).toEqual([]);
    expect(report.groups.map((g) => g.name)).toEqual(['transcription', 'deletion', 'listing', 'alignment', 'notifications', 'tenants', 'usage', 'expiry', 'documented-requests', 'negative-cases']);
    // Negative cases on /v2/jobs/{jobid} aim at a real job, so only the broken rule can refuse them.
    const aimed = report.exchanges.filter((e) => e.step.endsWith('wrong credentials') && e.operation.path.includes('{jobid}'));
    expect(aimed.length).toBeGreaterThan(0);
    expect(aimed.every((e) => !e.request.url.includes('a1b2c3d4e5'))).toBe(true);
    expect(report.coverage.every((op) => op.seen.length > 0)).toBe(true);
  }, 60_000);

  it('moves only its own tenants\' clocks: a bystander\'s job and the global time stay where they were', async () => {
    // Another team shares the emulator: its job is mid-run when the conformance run starts.
    const form = new FormData();
    form.append('config', JSON.stringify({ type: 'transcription', transcription_config: { language: 'en' } }));
    form.append('data_file', new Blob([new Uint8Array(await readFile(new URL('../fixtures/audio/en-greeting.16k.wav', import.meta.url)))]), 'greeting.wav');
    const bystander = await (await fetch(`${emulator.url}/v2/jobs`, { method: 'POST', headers: { authorization: 'Bearer bystander' }, body: form })).json();
    const clockOf = async (tenant?: string) => (await fetch(`${emulator.url}/__emulator/clock`, { headers: tenant ? { 'x-speechdouble-tenant': tenant } : {} })).json();
    const before = await clockOf();

    const report = await run(emulator.url);
    expect(failed(report)).toEqual([]);
    expect(report.clock).toBe('tenant');
    // The run moved its keys' clocks through a week of retention; no one else's.
    const own = await clockOf('test-key');
    expect(own.ahead_seconds).toBeGreaterThan(7 * 24 * 3600);
    expect((await clockOf('other-team')).ahead_seconds).toBe(own.ahead_seconds);
    expect((await clockOf()).now).toBe(before.now);
    const job = await (await fetch(`${emulator.url}/v2/jobs/${bystander.id}`, { headers: { authorization: 'Bearer bystander' } })).json();
    expect(job.job.status).toBe('running');
  }, 60_000);

  it('leaves nothing behind: every job it created is deleted, even when a step fails', async () => {
    await run(emulator.url, 'transcription');
    const proxy = await startBrokenProxy(emulator.url, { response: (req, res) => (req.path.endsWith('/transcript') && req.query.get('format') === 'txt' ? { ...res, body: Buffer.from('') } : res) });
    try {
      const report = await run(proxy.url, 'transcription');
      expect(failed(report).map((s) => s.name)).toEqual(['txt transcript']);
    } finally {
      await proxy.close();
    }
    for (const key of ['test-key', 'other-team']) {
      const list = await (await fetch(`${emulator.url}/v2/jobs?include_deleted=true`, { headers: { authorization: `Bearer ${key}` } })).json();
      expect(list.jobs.filter((j: { status: string }) => j.status !== 'deleted')).toEqual([]);
    }
  }, 60_000);
});

describe('against a target without a controllable clock or a second key', () => {
  it('skips the journeys that need them, each with its reason, and passes the rest in real time', async () => {
    // 50x: jobs finish in a fraction of a second, yet stay running long enough to be caught.
    const fast = await startServer({ host: '127.0.0.1', port: 0, apis: ['speechmatics'], clock: { mode: 'scaled', timeScale: 50 }, strict: true });
    const proxy = await startBrokenProxy(fast.url, { hideControlApi: true });
    try {
      const report = await runSpeechmatics({ target: proxy.url, credentials: { token: 'test-key' }, timeoutSeconds: 30 });
      const skipped = steps(report).filter((s) => s.outcome === 'skipped').map((s) => [s.name, s.skippedReason]);
      expect(skipped).toEqual(expect.arrayContaining([
        ['Two keys never see each other\'s jobs', 'needs a second key (--token2)'],
        ['Usage counts a processed job once its UTC day is over', expect.stringMatching(/no controllable clock/)],
        ['A done job expires after the seven-day retention', expect.stringMatching(/no controllable clock/)],
      ]));
      expect(failed(report).map((s) => s.name)).toEqual([]);
    } finally {
      await proxy.close();
      await fast.close();
    }
  }, 60_000);
});

describe('a job that finishes just as it is deleted', () => {
  it('is given a second chance: one 200 where 423 was due, then a 423, passes', async () => {
    let first = true;
    const proxy = await startBrokenProxy(emulator.url, {
      // The first plain DELETE behaves as if the job had just finished: it is deleted.
      request: (req) => {
        if (req.method !== 'DELETE' || req.query.has('force') || !first) return req;
        first = false;
        return { ...req, query: new URLSearchParams({ force: 'true' }) };
      },
    });
    try {
      const report = await run(proxy.url, 'deletion');
      expect(failed(report).map((s) => s.name)).toEqual([]);
    } finally {
      await proxy.close();
    }
  }, 60_000);
});

// Which step each defect must fail: [scenario (for --only), the step, the defect].
const refuseSubmissions: Defect = { response: (req, res) => (req.method === 'POST' && req.path === '/v2/jobs' ? json.write(res, { code: 500, error: 'Internal Server Error' }, 500) : res) };
const rejectEveryJob: Defect = {
  response: (req, res) => (req.method === 'GET' && /^\/v2\/jobs\/[^/]+$/.test(req.path) && res.status === 200 && json.read(res).job.status === 'done' ? json.write(res, { job: { ...json.read(res).job, status: 'rejected' } }) : res),
};
let lastDeleted = '';
const usageCalls = { n: 0 };
const DEFECTS: Array<[string, string, Defect]> = [
  ['transcription', 'submit a transcription job', { response: (req, res) => (req.method === 'POST' && req.path === '/v2/jobs' ? json.write(res, { code: 500, error: 'Internal Server Error' }, 500) : res) }],
  ['transcription', 'the transcript is not served before the job is done', { response: (req, res) => (req.path.endsWith('/transcript') && res.status === 404 ? json.write(res, { format: '2.9' }, 200) : res) }],
  ['transcription', 'the job only shows documented states, in order, until done', ((reads = 0): Defect => ({
    // The first read (the step before) sees the truth; from the second on, a legacy status.
    response: (req, res) => (req.method === 'GET' && /^\/v2\/jobs\/[^/]+$/.test(req.path) && res.status === 200 && reads++ > 0 ? json.write(res, { job: { ...json.read(res).job, status: 'transcribing' } }) : res),
  }))()],
  ['transcription', 'json-v2 transcript', { response: (req, res) => (req.path.endsWith('/transcript') && req.query.get('format') === 'json-v2' && res.status === 200 ? { ...res, headers: { ...res.headers, 'content-type': 'text/html' } } : res) }],
  ['transcription', 'txt transcript', { response: (req, res) => (req.query.get('format') === 'txt' ? { ...res, body: Buffer.from('') } : res) }],
  ['transcription', 'srt transcript', { response: (req, res) => (req.query.get('format') === 'srt' ? { ...res, body: Buffer.from('WEBVTT\n') } : res) }],
  ['deletion', 'deleting it while it runs answers 423 Resource Locked', { request: (req) => (req.method === 'DELETE' ? { ...req, query: new URLSearchParams({ force: 'true' }) } : req) }],
  ['deletion', 'force=true deletes it', { response: (req, res) => (req.method === 'DELETE' && req.query.get('force') === 'true' ? json.write(res, { job: { ...json.read(res).job, status: 'done' } }) : res) }],
  ['deletion', 'the list leaves it out, unless include_deleted=true', {
    response: (req, res) => {
      if (req.method === 'DELETE') lastDeleted = req.path.split('/').pop()!;
      if (req.method === 'GET' && req.path === '/v2/jobs' && !req.query.get('include_deleted')) {
        return json.write(res, { jobs: [{ id: lastDeleted, status: 'deleted', created_at: '2026-01-05T09:00:00.000Z', data_name: 'greeting.wav' }, ...json.read(res).jobs] });
      }
      return res;
    },
  }],
  ['listing', 'the list starts with the newest', { response: (req, res) => (req.method === 'GET' && req.path === '/v2/jobs' ? json.write(res, { jobs: json.read(res).jobs.reverse() }) : res) }],
  ['listing', 'limit caps the list', { request: (req) => (req.query.get('limit') === '2' ? { ...req, query: new URLSearchParams() } : req) }],
  ['listing', 'created_before pages back from a job', { request: (req) => (req.query.has('created_before') ? { ...req, query: new URLSearchParams() } : req) }],
  ['alignment', 'word_start_and_end tags every word', { response: (req, res) => (req.query.get('tags') === 'word_start_and_end' ? { ...res, body: Buffer.from('Good morning') } : res) }],
  ['alignment', 'one_per_line stamps every line', { response: (req, res) => (req.query.get('tags') === 'one_per_line' ? { ...res, body: Buffer.from('Good morning\n') } : res) }],
  ['alignment', 'the text and the audio can be read back', { response: (req, res) => (req.path.endsWith('/text') ? { ...res, body: Buffer.from('something else') } : res) }],
  ['notifications', 'the receiver is called once, as documented', { request: (req) => (req.method === 'POST' ? { ...req, body: Buffer.from(req.body.toString('latin1').replace('notification_config', 'notification_cfg'), 'latin1') } : req) }],
  ['tenants', 'the second key cannot read it', { request: (req) => (req.method === 'GET' && /^\/v2\/jobs\/.+/.test(req.path) ? { ...req, headers: { ...req.headers, authorization: 'Bearer test-key' } } : req) }],
  ['tenants', 'nor list it', { request: (req) => (req.path === '/v2/jobs' && req.method === 'GET' ? { ...req, headers: { ...req.headers, authorization: 'Bearer test-key' } } : req) }],
  ['usage', 'the day it ran in is not counted yet', {
    response: (req, res) => (req.path === '/v2/usage' ? json.write(res, { ...json.read(res), summary: [{ mode: 'batch', type: 'transcription', count: usageCalls.n++, duration_hrs: 0 }] }) : res),
  }],
  ['usage', 'after the day boundary it is', { response: (req, res) => (req.path === '/v2/usage' ? json.write(res, { ...json.read(res), summary: [] }) : res) }],
  ['expiry', 'after seven days it is expired, and says so with a documented answer', { response: (req, res) => (req.method === 'GET' && /^\/v2\/jobs\/[^/]+$/.test(req.path) && res.status === 410 ? json.write(res, { job: { id: req.path.split('/').pop(), status: 'done', created_at: '2026-01-05T09:00:00.000Z', data_name: 'a.wav' } }, 200) : res) }],
  ...([
    ['deletion', 'submit a job'],
    ['listing', 'submit three jobs, a moment apart'],
    ['alignment', 'submit an alignment job with its text'],
    ['notifications', 'submit a job that asks to be notified'],
    ['tenants', 'the first key submits a job'],
    ['usage', 'process a job'],
    ['expiry', 'process a job'],
    ['negative-cases', 'create a resource for the cases to aim at'],
  ] as const).map(([scenario, step]): [string, string, Defect] => [scenario, step, refuseSubmissions]),
  ['alignment', 'the job finishes as done', rejectEveryJob],
  ['notifications', 'the job finishes as done', rejectEveryJob],
  ['usage', 'read usage', { response: (req, res) => (req.path === '/v2/usage' ? json.write(res, { code: 500, error: 'Internal Server Error' }, 500) : res) }],
  ['documented-requests', 'GET /v2/usage', { response: (req, res) => (req.path === '/v2/usage' ? json.write(res, { code: 500, error: 'Internal Server Error' }, 500) : res) }],
  ['negative-cases', 'listJobs: query limit above maximum', { response: (req, res) => (res.status === 422 ? json.write(res, { jobs: [] }, 200) : res) }],
  ['negative-cases', 'getUsage: query until not a date', { response: (req, res) => (res.status === 422 ? json.write(res, { jobs: [] }, 200) : res) }],
  ['negative-cases', 'getJob: wrong credentials', { request: (req) => ({ ...req, headers: { ...req.headers, authorization: 'Bearer test-key' } }) }],
];

/** A run against the emulator as it is: every step the journeys plan, made once. */
let clean: Promise<RunReport> | undefined;
const cleanRun = () => (clean ??= run(emulator.url));

describe('against an implementation broken in one way', () => {
  it('covers every journey step: each has a defect below that makes it fail', async () => {
    const report = await cleanRun();
    const journeySteps = report.groups.filter((g) => g.kind === 'scenario').flatMap((g) => g.steps.map((st) => `${g.name} / ${st.name}`));
    const covered = new Set(DEFECTS.map(([scenario, step]) => `${scenario} / ${step}`));
    expect(journeySteps.filter((name) => !covered.has(name))).toEqual([]);
  }, 60_000);

  it.each(DEFECTS)('%s fails "%s"', async (scenario, step, defect) => {
    const proxy = await startBrokenProxy(emulator.url, defect);
    try {
      const generic = scenario === 'negative-cases' || scenario === 'documented-requests';
      const report = await run(proxy.url, generic ? (step.startsWith('create a resource') ? 'negative' : step) : scenario);
      expect(failed(report).map((s) => s.name)).toContain(step);
      // Steps before the broken one passed: the defect is caught where it is, not earlier.
      const group = report.groups.find((g) => (generic ? g.steps.some((s) => s.name === step) : g.name === scenario))!;
      const index = group.steps.findIndex((s) => s.name === step);
      expect(group.steps.slice(0, index).filter((s) => s.outcome === 'failed').map((s) => s.name)).toEqual([]);
      // Every step the journey plans is listed; those after the failed one skipped, with the reason.
      if (!generic) {
        expect(group.steps.map((s) => s.name)).toEqual((await cleanRun()).groups.find((g) => g.name === scenario)!.steps.map((s) => s.name));
        const after = group.steps.slice(index + 1);
        expect(after.map((s) => [s.outcome, s.skippedReason])).toEqual(after.map(() => ['skipped', 'an earlier step of this scenario failed']));
      }
    } finally {
      await proxy.close();
    }
  }, 60_000);
});
