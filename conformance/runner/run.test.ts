// What the runner does with whatever journeys it is handed: order, failures, skips, cleanup,
// interruption, and negative cases aimed at real resources. The journeys here are small and
// made up, so these hold for every API; the real ones are tested where they are composed
// (../speechmatics-journeys.test.ts).
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../emulator/compose.ts';
import { controlClient } from '../../emulator/testing/control-client.ts';
import { SkipStep, type Scenario, type ScenarioContext } from '../scenario.ts';
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

  it('report every step they plan, whatever happens: after a failure or a skip for good the rest are skipped with the reason', async () => {
    const report = await run({
      only: 'planned',
      scenarios: [
        journey('planned-fail', async (ctx) => {
          const { id } = await ctx.step('make', async () => ({ id: 'x' }));
          const made = await ctx.step('fail', async () => (ctx.expect(false, { message: 'made to fail', expected: 'x', received: 'y' }), { other: id }));
          // What the failed step would have made is a stand-in: the code between steps goes on.
          const { other } = made;
          await ctx.step('after', async () => other.toUpperCase());
          await ctx.step('last', async () => undefined);
        }),
        journey('planned-skip', async (ctx) => {
          await ctx.step('outran', () => Promise.reject(new SkipStep('the target was too fast', { goOn: true })));
          const given = await ctx.step('gives', () => Promise.reject(new SkipStep('not checked', { goOn: true, value: 7 })));
          await ctx.step('uses', async () => void ctx.expect(given === 7, { message: 'no value', expected: '7', received: String(given) }));
          await ctx.step('stops', () => Promise.reject(new SkipStep('needs a flag')));
          await ctx.step('after the stop', async () => undefined);
        }),
      ],
    });
    const failed = 'an earlier step of this scenario failed';
    expect(outcomes(report, 'planned-fail')).toEqual([['make', 'passed', undefined], ['fail', 'failed', undefined], ['after', 'skipped', failed], ['last', 'skipped', failed]]);
    expect(outcomes(report, 'planned-skip')).toEqual([
      ['outran', 'skipped', 'the target was too fast'],
      ['gives', 'skipped', 'not checked'],
      ['uses', 'passed', undefined],
      ['stops', 'skipped', 'needs a flag'],
      ['after the stop', 'skipped', 'an earlier step was skipped: needs a flag'],
    ]);
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

  it('aim at the resources the provider makes, so only the broken rule can refuse them; a DELETE at a job of its own', async () => {
    // The first job the provider makes is the shared one; it makes one more for each DELETE.
    const made: string[] = [];
    const report = await run({ only: 'negative', scenarios: [], existingResources: async (ctx) => ({ jobid: made[made.push(await submitJob(ctx)) - 1]! }) });
    const id = made[0]!;
    const aimed = (step: string) => report.exchanges.filter((e) => e.step === step && e.operation.path.includes('{jobid}'));
    expect(id).toBeTruthy();
    for (const step of ['getJob: wrong credentials', 'getJobTranscript: wrong credentials']) {
      expect(aimed(step).length).toBeGreaterThan(0);
      expect(aimed(step).every((e) => e.request.url.includes(`/${id}`))).toBe(true);
    }
    // The DELETE, read before and after with the right key, aims at a job the provider made for it, in the same step.
    const deleting = aimed('deleteJob: wrong credentials');
    const own = new URL(deleting.at(-1)!.request.url).pathname.split('/')[3]!;
    expect(deleting.slice(-3).map((e) => e.request.method)).toEqual(['GET', 'DELETE', 'GET']);
    expect(made.slice(1)).toContain(own);
    expect(report.exchanges.some((e) => e.step === 'deleteJob: wrong credentials' && e.request.method === 'POST' && e.response?.status === 201)).toBe(true);
    expect(deleting.slice(-3).every((e) => e.request.url.includes(`/${own}`))).toBe(true);
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
