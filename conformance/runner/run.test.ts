// What the runner does with whatever journeys it is handed: order, failures, skips, cleanup,
// interruption, and negative cases aimed at real resources. The journeys here are small and
// made up, so these hold for every API; the real ones are tested where they are composed
// (../speechmatics-journeys.test.ts).
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../emulator/compose.ts';
import { controlClient } from '../../emulator/testing/control-client.ts';
import type { Scenario, ScenarioContext } from '../scenario.ts';
import { json, startBrokenProxy } from '../testing/broken-proxy.ts';
import type { RunReport } from '../types.ts';
import { runConformance, type RunOptions } from './run.ts';

const SPEECH = await readFile(new URL('../../fixtures/audio/en-greeting.16k.wav', import.meta.url));

let emulator: RunningServer;
beforeAll(async () => {
  emulator = await startServer({ host: '127.0.0.1', port: 0, apis: ['speechmatics'], clock: { mode: 'manual' }, strict: true });
});
afterAll(() => emulator?.close());
beforeEach(() => controlClient(emulator.url).reset());

const run = (options: Partial<RunOptions> & Pick<RunOptions, 'scenarios'>) =>
  runConformance({ api: 'speechmatics', target: emulator.url, credentials: { token: 'test-key' }, timeoutSeconds: 30, ...options });
const journey = (name: string, run: Scenario['run'], unavailable?: Scenario['unavailable']): Scenario => ({ name, title: `the ${name} journey`, run, ...(unavailable && { unavailable }) });
const outcomes = (report: RunReport, group: string) => report.groups.find((g) => g.name === group)?.steps.map((s) => [s.name, s.outcome, s.skippedReason]);

async function submitJob(ctx: ScenarioContext): Promise<string> {
  const created = await ctx.call('createJob', { form: { config: JSON.stringify({ type: 'transcription', transcription_config: { language: 'en' } }), data_file: { data: SPEECH, filename: 'speech.wav', contentType: 'audio/wav' } } });
  const id = created.json<{ id: string }>().id;
  ctx.onCleanup(async () => void (await ctx.call('deleteJob', { pathParams: { jobid: id }, query: { force: 'true' } })));
  return id;
}
async function jobsLeft(): Promise<Array<{ status: string }>> {
  const list = await (await fetch(`${emulator.url}/v2/jobs?include_deleted=true`, { headers: { authorization: 'Bearer test-key' } })).json();
  return list.jobs;
}

describe('the journeys it is handed', () => {
  it('run in the order given, before the probes and the negative cases', async () => {
    const pass = (ctx: ScenarioContext) => ctx.step('one step', async () => undefined);
    const report = await run({ scenarios: [journey('second', pass), journey('first', pass)] });
    expect(report.groups.map((g) => g.name)).toEqual(['second', 'first', 'documented-requests', 'negative-cases']);
    expect((await run({ scenarios: [] })).groups.map((g) => g.name)).toEqual(['documented-requests', 'negative-cases']);
  }, 60_000);

  it('end at a failed step, even one they catch, and what they created is deleted anyway', async () => {
    const report = await run({
      only: 'broken',
      scenarios: [journey('broken', async (ctx) => {
        await ctx.step('create', () => submitJob(ctx));
        await ctx.step('fail', async () => void ctx.expect(false, { message: 'made to fail', expected: 'x', received: 'y' })).catch(() => undefined);
        await ctx.step('never', async () => undefined);
      })],
    });
    expect(outcomes(report, 'broken')).toEqual([['create', 'passed', undefined], ['fail', 'failed', undefined], ['never', 'skipped', 'an earlier step of this scenario failed']]);
    expect(report.groups[0]!.steps[1]!.failures.map((f) => [f.check, f.message])).toEqual([['scenario_expectation', 'made to fail']]);
    const left = await jobsLeft();
    expect(left.length).toBe(1);
    expect(left.filter((j) => j.status !== 'deleted')).toEqual([]);
  }, 60_000);

  it('report an error thrown in a step as that step\'s failure', async () => {
    const report = await run({ only: 'throws', scenarios: [journey('throws', (ctx) => ctx.step('a bug', () => Promise.reject(new Error('a bug in the journey'))))] });
    expect(report.groups[0]!.steps[0]!.failures.map((f) => [f.check, f.message])).toEqual([['scenario_error', 'a bug in the journey']]);
  }, 60_000);

  it('that cannot run against the target are one skipped step each, with the reason', async () => {
    const report = await run({
      only: 'unavailable',
      scenarios: [journey('unavailable', () => Promise.reject(new Error('must not run')), (ctx) => (ctx.hasSecondCredentials ? undefined : 'needs a second key'))],
    });
    expect(outcomes(report, 'unavailable')).toEqual([['the unavailable journey', 'skipped', 'needs a second key']]);
  }, 60_000);
});

describe('negative cases', () => {
  const existingResources = async (ctx: ScenarioContext) => ({ jobid: await submitJob(ctx) });

  it('aim at the resources the provider makes, so only the broken rule can refuse them', async () => {
    let id = '';
    const report = await run({ only: 'negative', scenarios: [], existingResources: async (ctx) => ({ jobid: (id = await submitJob(ctx)) }) });
    const aimed = report.exchanges.filter((e) => e.step.endsWith('wrong credentials') && e.operation.path.includes('{jobid}'));
    expect(id).toBeTruthy();
    expect(aimed.length).toBeGreaterThan(0);
    expect(aimed.every((e) => e.request.url.includes(`/${id}`))).toBe(true);
  }, 60_000);

  it('all run even when some fail: each stands alone', async () => {
    const proxy = await startBrokenProxy(emulator.url, { response: (req, res) => (res.status === 422 ? json.write(res, { jobs: [] }, 200) : res) });
    try {
      const report = await run({ target: proxy.url, only: 'negative', scenarios: [], existingResources });
      const negative = report.groups.find((g) => g.name === 'negative-cases')!;
      expect(negative.steps.filter((s) => s.outcome === 'failed').length).toBeGreaterThan(3);
      expect(negative.steps.filter((s) => s.outcome === 'skipped')).toEqual([]);
    } finally {
      await proxy.close();
    }
  }, 60_000);
});

describe('when interrupted', () => {
  it('stops between steps, marks the rest skipped, and still deletes what it created', async () => {
    let asked = 0;
    const report = await run({
      scenarios: [journey('many', async (ctx) => {
        for (let i = 0; i < 10; i++) await ctx.step(`submit ${i}`, () => submitJob(ctx));
      })],
      // Ctrl-C arrives after the first few steps.
      interrupted: () => ++asked > 6,
    });
    expect(report.groups.flatMap((g) => g.steps).filter((s) => s.skippedReason === 'interrupted').length).toBeGreaterThan(0);
    const left = await jobsLeft();
    expect(left.length).toBeGreaterThan(0);
    expect(left.filter((j) => j.status !== 'deleted')).toEqual([]);
  }, 60_000);
});
