// Issue 14, as the runner does it: `--spec` (one of the project's specs, with its journeys; a
// Swagger 2.0 document under its basePath), generated cases that find a planted bug and shrink it,
// seeds that make the same requests again, `--dry-run`, `--checks` / `--exclude-checks`,
// `--max-failures`, `max_response_time` and `unsupported_method`.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../emulator/compose.ts';
import { controlClient } from '../emulator/testing/control-client.ts';
import { renderConsole } from './reporters/console.ts';
import { DRY_RUN, MAX_FAILURES_REACHED } from './runner/group.ts';
import { runConformance } from './runner/run.ts';
import { chooseSpec, renderPlan, SpecUsageError, type SpecFlags } from './spec-options.ts';
import { json, startBrokenProxy } from './testing/broken-proxy.ts';
import { startThingsTarget, type ThingsOptions, type ThingsTarget } from './testing/things-target.ts';
import type { RunReport, StepResult } from './types.ts';

const THINGS = 'conformance/testing/things.swagger2.yaml';

let emulator: RunningServer;
beforeAll(async () => {
  emulator = await startServer({ host: '127.0.0.1', port: 0, apis: ['speechmatics', 'stenomatic'], clock: { mode: 'manual' }, strict: true });
});
afterAll(() => emulator?.close());
beforeEach(() => controlClient(emulator.url).reset());

const steps = (report: RunReport): StepResult[] => report.groups.flatMap((g) => g.steps);
const failed = (report: RunReport) => steps(report).filter((s) => s.outcome === 'failed');
const describeFailures = (report: RunReport) => failed(report).map((s) => `${s.name}: ${s.failures.map((f) => `${f.check} ${f.message} (${f.received.slice(0, 160)})`).join('; ')}`);

/** A run as `conform` makes it from these flags (spec-options.ts), against `target`. */
async function conform(flags: SpecFlags, target: string, extra: { only?: string; token?: string } = {}): Promise<RunReport> {
  const chosen = await chooseSpec(flags, { quiet: true });
  return runConformance({ ...chosen.run, target, credentials: { token: extra.token ?? 'test-key' }, timeoutSeconds: 30, ...(extra.only && { only: extra.only }) });
}

async function withThings<T>(options: ThingsOptions, fn: (target: ThingsTarget) => Promise<T>): Promise<T> {
  const target = await startThingsTarget(options);
  try {
    return await fn(target);
  } finally {
    await target.close();
  }
}

describe('--spec', () => {
  it('with the project\'s own spec, runs its journeys too, and the emulator conforms', async () => {
    const report = await conform({ spec: 'specs/speechmatics-batch.yaml', seed: 1, maxExamples: 5 }, emulator.url);
    expect(describeFailures(report)).toEqual([]);
    expect(report.api).toBe('speechmatics');
    const groups = report.groups.map((g) => g.name);
    expect(groups).toEqual(['transcription', 'deletion', 'listing', 'alignment', 'notifications', 'tenants', 'usage', 'expiry', 'documented-requests', 'negative-cases', 'generated-cases', 'generated-negative-cases', 'unsupported-methods']);
    expect(report.groups.find((g) => g.name === 'unsupported-methods')!.steps.every((s) => s.outcome === 'passed')).toBe(true);
  }, 60_000);

  it('with --api naming another API, runs the generic checks and generated cases, not the journeys', async () => {
    const chosen = await chooseSpec({ spec: 'specs/speechmatics-batch.yaml', api: 'gladia', maxExamples: 0 }, { quiet: true });
    expect(chosen.run.scenarios).toEqual([]);
    expect(chosen.notes.join('\n')).toMatch(/gladia's journeys do not run: specs\/speechmatics-batch\.yaml is not gladia's own spec/);
  });

  it('with a Swagger 2.0 document, sends every request under its basePath, and a correct target conforms', async () => {
    await withThings({}, async (target) => {
      const report = await conform({ spec: THINGS, seed: 3 }, target.url);
      expect(describeFailures(report)).toEqual([]);
      expect(report.api).toBe('Things (speechdouble\'s Swagger 2.0 test document)');
      expect(report.coverage.every((op) => op.succeeded)).toBe(true);
      const paths = target.requests.map((r) => r.path).filter((p) => !p.startsWith('/__emulator'));
      expect(paths.length).toBeGreaterThan(50);
      expect(paths.filter((p) => !p.startsWith('/api/v1/'))).toEqual([]);
    });
    // A --target with a path of its own is the base; --base-path / puts the paths at the root (a mock such as Prism).
    await withThings({ basePath: '/elsewhere' }, async (target) => {
      const report = await conform({ spec: THINGS, maxExamples: 2 }, `${target.url}/elsewhere`);
      expect(describeFailures(report)).toEqual([]);
    });
    await withThings({ basePath: '' }, async (target) => {
      const report = await conform({ spec: THINGS, maxExamples: 2, basePath: '/' }, target.url);
      expect(describeFailures(report)).toEqual([]);
    });
  }, 30_000);
});

describe('generated cases', () => {
  it('find a planted bug (500 for a name over 40 characters) and report it shrunk, with the seed that finds it again', async () => {
    // Stenomatic's clients take any name; this proxy's implementation breaks on long ones (but
    // the one the runner's set-up makes, "speechdouble conformance cases <uuid>", so that only
    // the generated cases meet the bug).
    const proxy = await startBrokenProxy(emulator.url, {
      response: (request, response) => {
        if (request.method !== 'POST' || request.path !== '/v1/clients') return response;
        const name = (JSON.parse(request.body.toString('utf8') || '{}') as { name?: unknown }).name;
        const long = typeof name === 'string' && name.length > 40 && !name.startsWith('speechdouble conformance');
        return long ? json.write(response, { error: 'internal' }, 500) : response;
      },
    });
    try {
      const chosen = await chooseSpec({ api: 'stenomatic', seed: 20260511 }, { quiet: true });
      const report = await runConformance({ ...chosen.run, target: proxy.url, credentials: { token: 'test-key' }, timeoutSeconds: 30, only: 'generated-cases POST /v1/clients' });
      const [step, ...others] = failed(report);
      expect(others).toEqual([]);
      expect(step!.name).toBe('POST /v1/clients: generated valid requests');
      const failure = step!.failures.find((f) => f.check === 'not_a_server_error')!;
      expect(failure.message).toMatch(/^Server error 500 \(generated, shrunk \d+ times? to the smallest failing request; --seed 20260511 makes the same requests\)$/);
      const exchange = report.exchanges.find((e) => e.id === failure.exchangeId)!;
      expect(JSON.parse(exchange.request.body!.toString('utf8'))).toEqual({ name: 'a'.repeat(41) });
      expect(report.groups.find((g) => g.name === 'generated-cases')!.title).toMatch(/seed 20260511/);
      const text = renderConsole(report);
      expect(text).toContain(`--data-binary '{"name":"${'a'.repeat(41)}"}'`);
      expect(text).toContain('--seed 20260511');
    } finally {
      await proxy.close();
    }
  }, 30_000);

  it('make the same requests for the same seed, and others for another', async () => {
    const requestsOf = (seed: number) => withThings({}, async (target) => {
      await conform({ spec: THINGS, seed }, target.url, { only: 'generated' });
      return target.requests.filter((r) => !r.path.startsWith('/__emulator')).map((r) => `${r.method} ${r.path}?${r.query} ${r.body.toString('utf8')}`);
    });
    const first = await requestsOf(4242);
    expect(first.length).toBeGreaterThan(40);
    expect(await requestsOf(4242)).toEqual(first);
    expect(await requestsOf(4243)).not.toEqual(first);
  }, 30_000);

  it('breaking one rule are refused with a documented 4xx, and a target that takes them is told which rule', async () => {
    // The target takes a label however long it is: the spec says at most 20 characters.
    const report = await withThings({
      defect: (request) => {
        const label = new URLSearchParams(request.body.toString('utf8')).get('label');
        return request.method === 'PUT' && request.headers['x-api-key'] === 'test-key' && label !== null ? { status: 200, body: { id: 't1', name: 'n', label } } : undefined;
      },
    }, (target) => conform({ spec: THINGS, seed: 8 }, target.url, { only: 'generated-negative-cases PUT' }));
    const failure = failed(report).flatMap((s) => s.failures).find((f) => f.check === 'negative_data_rejection')!;
    expect(failure.message).toMatch(/^A request breaking "part label: must NOT have more than 20 characters \(#\/paths\/~1things~1\{id\}~1label\/put\/requestBody\/content\/application~1x-www-form-urlencoded\/schema\/properties\/label\/maxLength\)" was not refused with a documented 4xx/);
    const exchange = report.exchanges.find((e) => e.id === failure.exchangeId)!;
    expect(exchange.request.body!.toString('utf8')).toBe(`label=${'a'.repeat(21)}`);
  }, 30_000);
});

describe('--dry-run', () => {
  it('lists every group and step, and sends nothing', async () => {
    await withThings({}, async (target) => {
      const report = await conform({ spec: THINGS, dryRun: true, seed: 1 }, target.url);
      expect(target.requests).toEqual([]);
      expect(report.exchanges).toEqual([]);
      expect(steps(report).length).toBeGreaterThan(30);
      expect(steps(report).every((s) => s.outcome === 'skipped' && s.skippedReason === DRY_RUN)).toBe(true);
      const plan = renderPlan(report);
      expect(plan).toMatch(/^speechdouble conform --dry-run: Things .* nothing was sent$/m);
      expect(plan).toContain('[probe] Requests generated from the schemas (fast-check, seed 1, 10 per operation)');
      expect(plan).toContain('  - PATCH /things: not documented, so 405 with Allow: GET, POST');
    });
    // A journey lists its steps too.
    const report = await conform({ api: 'speechmatics', dryRun: true }, 'http://127.0.0.1:9');
    expect(report.groups.find((g) => g.name === 'transcription')!.steps.length).toBeGreaterThan(3);
  });
});

describe('--checks and --exclude-checks', () => {
  it('refuse a name no check registers, listing the ones that do', async () => {
    await expect(chooseSpec({ api: 'speechmatics', checks: ['not_a_server_error', 'no_such_check'] }, { quiet: true })).rejects.toThrow(SpecUsageError);
    await expect(chooseSpec({ api: 'speechmatics', excludeChecks: ['nope'] }, { quiet: true })).rejects.toThrow(/unknown check "nope" in --exclude-checks; the checks are not_a_server_error, status_code_documented, .*unsupported_method, max_response_time$/);
  });

  it('decide which checks\' failures count', async () => {
    // 418 with a body for every list: an undocumented status, and an undocumented body.
    const teapot = { defect: (r: { method: string; path: string }) => (r.method === 'GET' && r.path === '/api/v1/things' ? { status: 418, body: { error: 'teapot' } } : undefined) };
    const checksOf = (report: RunReport) => [...new Set(failed(report).flatMap((s) => s.failures.map((f) => f.check)))].sort();
    const all = await withThings(teapot, (target) => conform({ spec: THINGS, maxExamples: 2 }, target.url, { only: 'GET /things' }));
    expect(checksOf(all)).toEqual(['negative_data_rejection', 'positive_data_acceptance', 'status_code_documented']);
    const excluded = await withThings(teapot, (target) => conform({ spec: THINGS, maxExamples: 2, excludeChecks: ['status_code_documented', 'negative_data_rejection'] }, target.url, { only: 'GET /things' }));
    expect(checksOf(excluded)).toEqual(['positive_data_acceptance']);
    const only = await withThings(teapot, (target) => conform({ spec: THINGS, maxExamples: 2, checks: ['not_a_server_error', 'unsupported_method'] }, target.url));
    expect(describeFailures(only)).toEqual([]);
  }, 30_000);
});

describe('--max-failures', () => {
  it('stops after that many failed steps, listing the rest as skipped', async () => {
    const report = await withThings({ defect: () => ({ status: 500, body: { error: 'down' } }) }, (target) => conform({ spec: THINGS, maxExamples: 2, maxFailures: 2 }, target.url));
    expect(failed(report)).toHaveLength(2);
    const rest = steps(report).slice(steps(report).indexOf(failed(report)[1]!) + 1);
    expect(rest.length).toBeGreaterThan(10);
    expect(rest.every((s) => s.outcome === 'skipped' && s.skippedReason === MAX_FAILURES_REACHED)).toBe(true);
  });
});

describe('max_response_time', () => {
  it('fails an exchange slower than --max-response-time, and only those', async () => {
    const slow = {
      defect: async (r: { method: string; path: string }) => {
        if (r.method === 'GET' && r.path === '/api/v1/things') await new Promise((resolve) => setTimeout(resolve, 150));
        return undefined;
      },
    };
    const report = await withThings(slow, (target) => conform({ spec: THINGS, maxExamples: 1, maxResponseTime: 75 }, target.url));
    const failures = failed(report).flatMap((s) => s.failures);
    expect(failures.length).toBeGreaterThan(0);
    expect(failures.every((f) => f.check === 'max_response_time' && /over the 75 ms --max-response-time allows/.test(f.message))).toBe(true);
    expect(new Set(failures.map((f) => report.exchanges.find((e) => e.id === f.exchangeId)!.operation.operationId))).toEqual(new Set(['listThings']));
  });
});

describe('unsupported_method', () => {
  it('against a target answering every unknown route 404: a finding for each path, not a crash', async () => {
    const notFound = { defect: (r: { method: string }) => (r.method === 'PATCH' ? { status: 404, body: { error: 'no such route' } } : undefined) };
    const report = await withThings(notFound, (target) => conform({ spec: THINGS, maxExamples: 0 }, target.url, { only: 'unsupported-methods' }));
    const group = report.groups.find((g) => g.name === 'unsupported-methods')!;
    expect(group.steps.map((s) => [s.name, s.outcome])).toEqual([
      ['PATCH /things: not documented, so 405 with Allow: GET, POST', 'failed'],
      ['PATCH /things/{id}: not documented, so 405 with Allow: GET, DELETE', 'failed'],
      ['PATCH /things/{id}/label: not documented, so 405 with Allow: PUT', 'failed'],
    ]);
    expect(group.steps[0]!.failures[0]!.message).toBe('PATCH, which the spec does not document here, was answered 404, not 405 Method Not Allowed (the spec documents no 405 for this path: the API may answer every unknown route 404, which RFC 9110 does not)');
  });

  it('against a 405 without Allow, or an Allow that leaves a documented method out', async () => {
    const partial = { defect: (r: { method: string; path: string }) => (r.method !== 'PATCH' ? undefined : r.path === '/api/v1/things' ? { status: 405, body: { error: 'no' } } : { status: 405, headers: { allow: 'GET' } }) };
    const report = await withThings(partial, (target) => conform({ spec: THINGS, maxExamples: 0 }, target.url, { only: 'unsupported-methods' }));
    expect(failed(report).map((s) => s.failures[0]!.message)).toEqual([
      '405 without an Allow header (RFC 9110 §15.5.6 requires one)',
      'Allow leaves out DELETE, which the spec documents for this path',
      'Allow leaves out PUT, which the spec documents for this path',
    ]);
  });
});

describe('the command line', () => {
  const cli = (args: string[]) => new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'cli.ts', 'conform', ...args], { cwd: fileURLToPath(new URL('..', import.meta.url)), env: { ...process.env, GITHUB_ACTIONS: '' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });

  it('--dry-run prints the plan, sends nothing, and exits 0', async () => {
    await withThings({}, async (target) => {
      const run = await cli(['--spec', THINGS, '--target', target.url, '--token', 'test-key', '--dry-run', '--seed', '5']);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toMatch(/^speechdouble conform --dry-run: Things .*: 5 groups, \d+ steps; nothing was sent$/m);
      expect(run.stderr).toContain('generated requests: --seed 5');
      expect(target.requests).toEqual([]);
    });
  }, 30_000);

  it('refuses an unknown check, or neither --api nor --spec, with exit 2', async () => {
    const unknown = await cli(['--api', 'speechmatics', '--target', 'http://127.0.0.1:9', '--token', 'k', '--checks', 'not_a_server_error,nope']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown check "nope" in --checks; the checks are not_a_server_error, status_code_documented/);
    const neither = await cli(['--target', 'http://127.0.0.1:9', '--token', 'k']);
    expect(neither.code).toBe(2);
    expect(neither.stderr).toMatch(/name the API with --api: one of speechmatics, .*; or give any OpenAPI document with --spec/);
  }, 30_000);
});
