// `speechdouble conform` as a vendor's QA engineer and a CI pipeline meet it: the real command
// line (`node --import tsx cli.ts conform …`, as cli.test.ts runs it) against the emulator and
// against tiny targets started here (one that never answers, one that stops answering, one that
// answers 404 to everything, one that answers 401 to everything), each recording what it got.
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../emulator/compose.ts';
import { controlClient } from '../emulator/testing/control-client.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(ROOT, 'cli.ts');

interface Ran {
  code: number | null;
  out: string;
  err: string;
  ms: number;
}

/** This process's environment without SPEECHDOUBLE_* or GitHub's own variables (CI has them), plus `env`. */
function environment(env: Record<string, string>): NodeJS.ProcessEnv {
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('SPEECHDOUBLE_') && !name.startsWith('GITHUB_')));
  return { ...inherited, ...env };
}

function conform(args: string[], env: Record<string, string> = {}, onStart?: (child: ReturnType<typeof spawn>) => void): Promise<Ran> {
  const started = Date.now();
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, 'conform', ...args], { cwd: ROOT, stdio: 'pipe', env: environment(env) });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk) => (out += chunk));
  child.stderr.on('data', (chunk) => (err += chunk));
  onStart?.(child);
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, out, err, ms: Date.now() - started })));
}

interface Received {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  at: number;
}

/** A target on loopback that records every request and answers as `answer` says (or never). */
async function target(answer: (url: string, res: import('node:http').ServerResponse) => void): Promise<{ url: string; received: Received[]; server: Server }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, at: Date.now() });
    req.resume();
    req.on('end', () => answer(req.url ?? '/', res));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received, server };
}

let emulator: RunningServer;
let dir: string;
let silent: Awaited<ReturnType<typeof target>>;
let stopsAnswering: Awaited<ReturnType<typeof target>>;
let notFound: Awaited<ReturnType<typeof target>>;
let refusing: Awaited<ReturnType<typeof target>>;

beforeAll(async () => {
  emulator = await startServer({ host: '127.0.0.1', port: 0, apis: ['speechmatics', 'cadence'], clock: { mode: 'manual' } });
  dir = await mkdtemp(join(tmpdir(), 'speechdouble-conform-command-'));
  silent = await target(() => undefined);
  stopsAnswering = await target((url, res) => void (url === '/' && res.end('up')));
  notFound = await target((_url, res) => {
    res.statusCode = 404;
    res.end('not here');
  });
  refusing = await target((_url, res) => {
    res.writeHead(401, { 'content-type': 'application/json' });
    res.end('{"code":401,"error":"Permission Denied"}');
  });
});

afterAll(async () => {
  for (const t of [silent, stopsAnswering, notFound, refusing]) {
    t?.server.closeAllConnections();
    t?.server.close();
  }
  await emulator?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

beforeEach(async () => {
  await controlClient(emulator.url).reset();
  for (const t of [silent, stopsAnswering, notFound, refusing]) t.received.length = 0;
});

/** Makes the emulator answer its next POST /v2/jobs with a 500. */
const failNextSubmit = () => fetch(`${emulator.url}/__emulator/faults`, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ match: { api: 'speechmatics', method: 'POST', path: '/v2/jobs' }, response: { status: 500, body: { error: 'boom' } }, times: 1 }),
}).then((res) => res.arrayBuffer());

async function journal(): Promise<Array<{ method: string; path: string; status: number; operation_id: string | null }>> {
  return ((await (await fetch(`${emulator.url}/__emulator/requests?api=speechmatics`)).json()) as { requests: never[] }).requests;
}

const noStackTrace = (ran: Ran) => expect(ran.err).not.toMatch(/\n\s+at /);

describe('speechdouble conform: usage errors, each before the first request', () => {
  it('refuses with exit 2 and one line, and the target hears nothing', async () => {
    const folder = await mkdtemp(join(dir, 'folder-'));
    const file = join(dir, 'a-file');
    await writeFile(file, '');
    const base = ['--api', 'speechmatics', '--target', notFound.url, '--token', 'k'];
    const cases: Array<[string, string[], RegExp, Record<string, string>?]> = [
      ['a filter that selects nothing', [...base, '--only', 'zzznothing'], /^speechdouble conform: --only "zzznothing" selects no step of speechmatics; steps are named like "transcription /m],
      ['--basic on a Bearer API', ['--api', 'speechmatics', '--target', notFound.url, '--basic', 'a:b'], /--basic is not for speechmatics: its spec documents bearerAuth \(HTTP Bearer\); give --token instead/],
      ['basic credentials from the environment on a Bearer API', ['--api', 'speechmatics', '--target', notFound.url], /SPEECHDOUBLE_BASIC \(for --basic\) is not for speechmatics/, { SPEECHDOUBLE_BASIC: 'a:b' }],
      ['a target without its scheme', ['--api', 'speechmatics', '--target', 'localhost:4220', '--token', 'k'], /--target must be an http:\/\/ or https:\/\/ URL: localhost:4220; the scheme is missing: http:\/\/localhost:4220\?/],
      ['--json in a folder that does not exist', [...base, '--json', '/missing/dir/r.json'], /--json \/missing\/dir\/r\.json: the folder \/missing\/dir does not exist/],
      ['--junit naming a folder', [...base, '--junit', folder], /--junit .* is a folder; give a file name/],
      ['--report-dir naming a file', [...base, '--report-dir', file], /--report-dir .* is a file, not a folder/],
      ['a header that is not Name: value', [...base, '-H', 'no colon here'], /a header as 'Name: value'/],
      ['a rate of 0', [...base, '--rate-limit', '0'], /requests per second, greater than 0/],
      ['the same, in GitHub Actions: an annotation too', [...base, '--only', 'zzznothing'], /selects no step/, { GITHUB_ACTIONS: 'true' }],
    ];
    const results: Ran[] = [];
    // Three at a time: each is a process of its own.
    for (let i = 0; i < cases.length; i += 3) results.push(...await Promise.all(cases.slice(i, i + 3).map(([, args, , env]) => conform(args, env))));
    cases.forEach(([name, , message], i) => {
      const ran = results[i]!;
      expect([name, ran.code]).toEqual([name, 2]);
      expect(ran.err, name).toMatch(message);
      noStackTrace(ran);
    });
    expect(results.at(-1)!.out).toMatch(/^::error title=speechdouble conform::--only "zzznothing" selects no step/m);
    expect(notFound.received).toEqual([]);
  }, 120_000);

  it('lists the exit codes, the credential variables and examples in --help', async () => {
    const help = await conform(['--help']);
    expect(help.code).toBe(0);
    const text = help.out.replace(/\s+/g, ' ');
    for (const expected of ['Exit codes: 0 the target conforms 1 it does not', '2 a usage error', '130 interrupted (Ctrl-C)', 'SPEECHDOUBLE_TOKEN', 'SPEECHDOUBLE_BASIC2', '(env: SPEECHDOUBLE_TOKEN)', '--request-timeout <seconds>', '--rate-limit <per-second>', '-H, --header <name: value>', '--report-dir <dir>', '--replay <file>', 'GITHUB_STEP_SUMMARY', 'Examples: speechdouble conform --api speechmatics']) {
      expect(text).toContain(expected);
    }
  }, 30_000);
});

describe('speechdouble conform: credentials', () => {
  it('says credentials refused on the first request that carried them are refused: exit 2, not a report of failures', async () => {
    const ran = await conform(['--api', 'speechmatics', '--target', refusing.url, '--token', 'wrong']);
    expect(ran.code).toBe(2);
    expect(ran.err).toMatch(/^speechdouble conform: the target refused --token: the first request that carried it, POST \/v2\/jobs, was answered 401 \{"code":401,"error":"Permission Denied"\}; check --token \(or SPEECHDOUBLE_TOKEN\)\n$/m);
    expect(ran.out).not.toMatch(/DOES NOT CONFORM/);
    // The reachability check and that one request, nothing after it.
    expect(refusing.received.map((r) => `${r.method} ${r.url}`)).toEqual(['GET /', 'GET /__emulator/clock', 'POST /v2/jobs']);
  }, 30_000);

  it('takes them from SPEECHDOUBLE_TOKEN, and a flag wins over its variable', async () => {
    const only = ['--api', 'speechmatics', '--target', emulator.url, '--only', 'transcription submit'];
    const fromEnv = await conform(only, { SPEECHDOUBLE_TOKEN: 'test-key' });
    expect(fromEnv.out).toMatch(/\nCONFORMS\n$/);
    expect(fromEnv.code).toBe(0);
    const flagWins = await conform([...only, '--token', 'test-key'], { SPEECHDOUBLE_TOKEN: 'not-the-key' });
    expect(flagWins.code).toBe(0);
  }, 60_000);

  it('lets Cadence have --token and --basic together', async () => {
    const ran = await conform(['--api', 'cadence', '--target', emulator.url, '--token', 'test-key', '--basic', 'cadence:friend', '--only', 'languages']);
    expect(ran.out).toMatch(/\nCONFORMS\n$/);
    expect(ran.code).toBe(0);
  }, 30_000);
});

describe('speechdouble conform: an emulator started with --control-token', () => {
  let guarded: RunningServer;
  beforeAll(async () => {
    guarded = await startServer({ host: '127.0.0.1', port: 0, apis: ['speechmatics'], clock: { mode: 'manual' }, controlToken: 'ctl-secret' });
  });
  afterAll(() => guarded?.close());

  it('moves its clock with --control-token (or SPEECHDOUBLE_CONTROL_TOKEN), which no output shows', async () => {
    const expiry = ['--api', 'speechmatics', '--target', guarded.url, '--token', 'test-key', '--only', 'expiry'];
    const withFlag = await conform([...expiry, '--control-token', 'ctl-secret']);
    expect(withFlag.out).toContain("clock    the run's own tenants' clocks");
    expect(withFlag.out).toMatch(/\nCONFORMS\n$/);
    const fromEnv = await conform(expiry, { SPEECHDOUBLE_CONTROL_TOKEN: 'ctl-secret' });
    expect(fromEnv.code).toBe(0);
    for (const ran of [withFlag, fromEnv]) expect(ran.out + ran.err).not.toContain('ctl-secret');
  }, 60_000);

  it('says the control API refused it without one, and skips the steps that need days', async () => {
    const ran = await conform(['--api', 'speechmatics', '--target', guarded.url, '--token', 'test-key', '--only', 'expiry', '--timeout', '1']);
    expect(ran.out).toContain('clock    none to move');
    expect(ran.out).toContain('GET /__emulator/clock answered 401: a speechdouble started with --control-token needs conform --control-token');
    expect(ran.out).toContain("skipped: needs seven days of the target's time; the target has no controllable clock");
  }, 60_000);
});

describe('speechdouble conform: a target that does not answer', () => {
  it('gives up on one that never answers within --request-timeout, the reachability check included', async () => {
    const ran = await conform(['--api', 'speechmatics', '--target', silent.url, '--token', 'k', '--request-timeout', '1']);
    expect(ran.code).toBe(2);
    expect(ran.err.split('\n')).toContain(`speechdouble conform: cannot reach ${silent.url}/ (no answer within 1 s (--request-timeout))`);
    expect(ran.ms).toBeLessThan(10_000);
  }, 30_000);

  it('stops a run whose target stops answering, with a message, rather than grinding on', async () => {
    const ran = await conform(['--api', 'speechmatics', '--target', stopsAnswering.url, '--token', 'k', '--request-timeout', '1']);
    expect(ran.code).toBe(2);
    expect(ran.err).toMatch(/^speechdouble conform: the target stopped answering: 3 requests in a row got no answer \(the last, POST \/v2\/jobs: timed out after 1 s \(--request-timeout\)\); the run stopped early\n$/m);
    expect(ran.out).toMatch(/note: the target stopped answering/);
    // GET /, the clock probe, then three requests that timed out: nothing more.
    expect(stopsAnswering.received).toHaveLength(5);
    expect(ran.ms).toBeLessThan(20_000);
  }, 40_000);
});

describe('speechdouble conform: the run as CI sees it', () => {
  it('sends -H headers with every request, keeps to --rate-limit, and says the base URL looks wrong when everything is 404', async () => {
    const ran = await conform(['--api', 'speechmatics', '--target', notFound.url, '--token', 'k', '-H', 'X-Env: staging', '-H', 'X-Trace:1', '--rate-limit', '20', '--only', 'negative-cases listJobs']);
    expect(ran.code).toBe(1);
    expect(ran.out).toMatch(/^note: every request got 404: is --target the API's base URL\? \(the spec's servers: https:\/\/\{region\}\.asr\.api\.speechmatics\.com, .*http:\/\/127\.0\.0\.1:4010\)$/m);
    const requests = notFound.received;
    expect(requests.length).toBeGreaterThan(3);
    for (const r of requests) expect([r.url, r.headers['x-env'], r.headers['x-trace']]).toEqual([r.url, 'staging', '1']);
    // The runner's own requests (after the reachability check and the clock probe) start 50 ms apart
    // at least: over all of them (one arrival's jitter aside), never faster.
    const runs = requests.slice(2);
    expect(runs.at(-1)!.at - runs[0]!.at).toBeGreaterThanOrEqual((runs.length - 1) * 50 - 60);
  }, 30_000);

  it('summarises and annotates the run in GitHub Actions, and without --report-dir says where a binary body would be written', async () => {
    const summary = join(dir, 'step-summary.md');
    await writeFile(summary, 'an earlier step\n');
    await failNextSubmit();
    const ran = await conform(['--api', 'speechmatics', '--target', emulator.url, '--token', 'test-key', '--only', 'transcription submit'], { GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summary });
    expect(ran.code).toBe(1);
    expect(ran.out).toMatch(/^::error title=speechmatics%3A transcription › submit a transcription job::1\) not_a_server_error: Server error 500%0A/m);
    expect(ran.out).toMatch(/--data-binary '@exchange-\d+\.body' # the \d+ bytes of the body are not shown: --report-dir DIR writes them to DIR\/exchange-\d+\.body\n/);
    const written = await readFile(summary, 'utf8');
    expect(written).toMatch(/^an earlier step\n### speechdouble conform speechmatics: ❌ DOES NOT CONFORM/);
    expect(written).toContain('| transcription | submit a transcription job | not_a_server_error | Server error 500 (and 2 more) |');
    expect(written).not.toContain('test-key');
  }, 30_000);
});

describe('speechdouble conform: Ctrl-C', () => {
  it('stops within a second or two, deleting what the run created; exit 130', async () => {
    let interruptedAt = 0;
    const ran = await conform(['--api', 'speechmatics', '--target', emulator.url, '--token', 'test-key'], {}, (child) => {
      const poll = setInterval(() => {
        void journal().then((requests) => {
          if (interruptedAt || !requests.some((r) => r.operation_id === 'createJob' && r.status === 201)) return;
          interruptedAt = Date.now();
          clearInterval(poll);
          child.kill('SIGINT');
        });
      }, 50);
      child.once('exit', () => clearInterval(poll));
    });
    expect(interruptedAt).toBeGreaterThan(0);
    expect(ran.code).toBe(130);
    expect(Date.now() - interruptedAt).toBeLessThan(3000);
    expect(ran.err).toMatch(/^interrupted: stopping, and deleting what the run created \(at most 30 s; Ctrl-C again to leave it\)$/m);
    expect(ran.out).toMatch(/note: interrupted \(Ctrl-C\): the run stopped early/);
    const requests = await journal();
    const created = requests.filter((r) => r.operation_id === 'createJob' && r.status === 201);
    const deleted = requests.filter((r) => r.method === 'DELETE' && r.status === 200);
    expect(created.length).toBeGreaterThan(0);
    expect(deleted.length).toBeGreaterThanOrEqual(created.length);
  }, 60_000);
});

describe('speechdouble conform: --report-dir and --replay', () => {
  it('writes each failing exchange (body, curl, replay record, HAR) without the key, and --replay says whether the failure still holds', async () => {
    const out = join(dir, 'report');
    await failNextSubmit();
    const ran = await conform(['--api', 'speechmatics', '--target', emulator.url, '--only', 'transcription submit', '--report-dir', out], { SPEECHDOUBLE_TOKEN: 'test-key' });
    expect(ran.code).toBe(1);
    const files = (await readdir(out)).sort();
    const id = /^exchange-(\d+)\.json$/.exec(files.find((f) => f.endsWith('.json') && f.startsWith('exchange-'))!)![1];
    expect(files).toEqual([`exchange-${id}.body`, `exchange-${id}.curl.sh`, `exchange-${id}.json`, 'failures.har']);
    expect(ran.out).toContain(`--data-binary '@${join(out, `exchange-${id}.body`)}'`);
    const body = await readFile(join(out, `exchange-${id}.body`));
    expect(body.toString('latin1')).toMatch(/^--speechdouble-conformance-boundary\r\n/);
    const record = JSON.parse(await readFile(join(out, `exchange-${id}.json`), 'utf8'));
    expect(record).toMatchObject({ format: 'speechdouble-replay', api: 'speechmatics', request: { method: 'POST', headers: { authorization: 'Bearer {{SPEECHDOUBLE_TOKEN}}' }, body: { bytes: body.length } }, needs: ['SPEECHDOUBLE_TOKEN'], response: { status: 500 } });
    expect(record.failures.map((f: { check: string }) => f.check)).toContain('not_a_server_error');
    const har = JSON.parse(await readFile(join(out, 'failures.har'), 'utf8'));
    expect(har.log.version).toBe('1.2');
    expect(har.log.entries).toHaveLength(1);
    expect(har.log.entries[0]).toMatchObject({ request: { method: 'POST', bodySize: body.length }, response: { status: 500 } });
    const curl = await readFile(join(out, `exchange-${id}.curl.sh`), 'utf8');
    expect(curl).toContain(`-H 'authorization: Bearer '"$SPEECHDOUBLE_TOKEN"`);
    expect(curl).toContain(`--data-binary '@exchange-${id}.body'`);
    for (const file of files) expect(await readFile(join(out, file), 'latin1'), file).not.toContain('test-key');

    // The fault answered once: the same request now creates the job.
    const passes = await conform(['--replay', join(out, `exchange-${id}.json`)], { SPEECHDOUBLE_TOKEN: 'test-key' });
    expect(passes.out).toMatch(/^ {2}was {6}500 /m);
    expect(passes.out).toMatch(/^ {2}now {6}201 /m);
    expect(passes.out).toMatch(/^ {2}✓ not_a_server_error: now passes$/m);
    expect(passes.out).toMatch(/\nTHE FAILURE NO LONGER HOLDS\n$/);
    expect(passes.code).toBe(0);
    await failNextSubmit();
    const holds = await conform(['--replay', join(out, `exchange-${id}.body`), '--token', 'test-key']);
    expect(holds.out).toMatch(/^ {2}✗ not_a_server_error: still fails$/m);
    expect(holds.out).toMatch(/\nTHE FAILURE STILL HOLDS\n$/);
    expect(holds.code).toBe(1);
    const noKey = await conform(['--replay', join(out, `exchange-${id}.json`)]);
    expect(noKey.code).toBe(2);
    expect(noKey.err.split('\n')).toContain('speechdouble conform: the recorded request carried --token; give it again (--token or SPEECHDOUBLE_TOKEN)');
  }, 90_000);
});
