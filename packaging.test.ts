// The package as a user gets it: `npm pack`, the tarball installed into a fresh project from
// the registry's point of view, then the command line, the msw entry (ESM and CommonJS), the
// root entry and the published types under a strict tsc. It packs the dist/ that
// `npm run build` made (`npm test` builds first; `npm ci` builds through `prepare`) with
// --ignore-scripts, so it never rebuilds dist/ under the other tests' feet; a dist/ older than
// the sources fails here instead of being packed. Needs the npm registry (for the tarball's
// dependencies, msw and @types/node).
import { execFile, spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('.', import.meta.url));
const DIST = join(ROOT, 'dist');
const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
const MANIFEST = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as {
  exports: Record<string, string | Record<string, string>>;
  bin: Record<string, string>;
};
// Installing the tarball's dependencies is most of the time; on a slow network, more.
const INSTALL_MS = 240_000;

interface Packed {
  filename: string;
  size: number;
  unpackedSize: number;
  entryCount: number;
  files: Array<{ path: string; size: number }>;
}

async function run(command: string, args: string[], cwd: string, timeout = INSTALL_MS): Promise<{ stdout: string; stderr: string }> {
  try {
    return await promisify(execFile)(command, args, { cwd, timeout, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, npm_config_fund: 'false', npm_config_audit: 'false', npm_config_update_notifier: 'false' } });
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new Error(`${command} ${args.join(' ')} (in ${cwd}) failed: ${(error as Error).message}\n${stdout}\n${stderr}`);
  }
}

/** Every file tsc emitted must be newer than its source: otherwise this would test old code. */
function assertDistIsFresh(): void {
  if (!existsSync(join(DIST, 'package.json'))) throw new Error('dist/ is missing or incomplete: run `npm run build` (npm test and npm ci do) before this test');
  const built = statSync(join(DIST, 'package.json')).mtimeMs;
  const stale: string[] = [];
  for (const entry of readdirSync(ROOT)) {
    if (entry.endsWith('.ts') && !entry.endsWith('.test.ts') && !entry.endsWith('.config.ts') && !existsSync(join(DIST, entry.replace(/\.ts$/, '.js')))) stale.push(`${entry} (not built)`);
  }
  for (const file of readdirSync(DIST, { recursive: true, encoding: 'utf8' })) {
    if (!file.endsWith('.js')) continue;
    const source = join(ROOT, file.replace(/\.js$/, '.ts'));
    if (existsSync(source) && statSync(source).mtimeMs > built) stale.push(relative(ROOT, source));
  }
  if (stale.length > 0) throw new Error(`dist/ is older than the sources (${stale.slice(0, 5).join(', ')}${stale.length > 5 ? ', ...' : ''}): run \`npm run build\``);
}

function exportTargets(): string[] {
  const targets: string[] = [];
  for (const value of Object.values(MANIFEST.exports)) {
    targets.push(...(typeof value === 'string' ? [value] : Object.values(value)));
  }
  return [...targets, ...Object.values(MANIFEST.bin)].map((target) => target.replace(/^\.\//, ''));
}

// The installed bin itself (node_modules/.bin, as npm linked it), not through npx: `npm exec`
// exits on SIGTERM without passing it on, which would orphan the server, not test its shutdown.
async function serveAnswersHealthAndStops(): Promise<void> {
  const child = spawn(join(project, 'node_modules', '.bin', 'speechdouble'), ['serve', '--port', '0'], { cwd: project, stdio: 'pipe' });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (chunk) => {
        out += chunk;
        const match = out.match(/on (http:\/\/127\.0\.0\.1:\d+)/);
        if (match) resolve(match[1]!);
      });
      child.stderr.on('data', (chunk) => (out += chunk));
      child.once('exit', (code) => reject(new Error(`exited ${code} before printing its URL: ${out}`)));
    });
    const health = await fetch(`${url}/__emulator/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok' });
  } finally {
    child.kill('SIGTERM');
  }
  expect(await exited).toBe(0);
}

let work: string;
let project: string;
let packed: Packed;
const started = Date.now();

beforeAll(async () => {
  assertDistIsFresh();
  work = await mkdtemp(join(tmpdir(), 'speechdouble-pack-'));
  const { stdout } = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], ROOT);
  packed = (JSON.parse(stdout) as Packed[])[0]!;
  console.log(`tarball ${packed.filename}: ${packed.entryCount} files, ${(packed.size / 1024).toFixed(0)} kB packed, ${(packed.unpackedSize / 1024).toFixed(0)} kB unpacked`);
  project = join(work, 'consumer');
  await mkdir(project);
  await run('npm', ['init', '-y'], project);
  // The tarball alone first: msw is an optional peer, so nothing but the msw entry may need it.
  await run('npm', ['install', '--no-audit', '--no-fund', join(work, packed.filename)], project);
}, INSTALL_MS);

afterAll(async () => {
  console.log(`packaging.test.ts: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  if (work) await rm(work, { recursive: true, force: true });
});

describe('the tarball', () => {
  const paths = () => packed.files.map((file) => file.path);

  it('holds no tests, test helpers, benchmarks, CI scripts or TypeScript sources', () => {
    const unwanted = paths().filter((path) => /\.test\.ts$|(^|\/)(bench|\.ci|testing|scripts)\/|\.ts$(?<!\.d\.ts)/.test(path));
    expect(unwanted).toEqual([]);
  });

  it('holds every entry point, the specs, the audio fixtures and the licence', () => {
    const files = new Set(paths());
    const wanted = [
      ...exportTargets(),
      'LICENSE',
      'README.md',
      'dist/package.json',
      'dist/fixtures/audio/manifest.json',
      ...['speechmatics-batch', 'assemblyai', 'gladia', 'cadence', 'stenomatic', 'emulator-control'].flatMap((name) => [`dist/specs/${name}.yaml`, `dist/specs/${name}.json`]),
    ];
    expect(wanted.filter((path) => !files.has(path))).toEqual([]);
  });
});

describe('installed without msw (an optional peer)', () => {
  it('npx speechdouble --help exits 0', async () => {
    const { stdout } = await run('npx', ['--no-install', 'speechdouble', '--help'], project, 60_000);
    expect(stdout).toMatch(/Usage: speechdouble/);
  }, 60_000);

  it('speechdouble serve starts and answers health', async () => {
    await serveAnswersHealthAndStops();
  }, 60_000);

  it('the root entry imports', async () => {
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', "const m = await import('speechdouble'); console.log(typeof m.startEmulator)"], project, 60_000);
    expect(stdout.trim()).toBe('function');
  }, 60_000);
});

describe('installed with msw 2', () => {
  beforeAll(async () => {
    await run('npm', ['install', '--no-audit', '--no-fund', 'msw@2', '@types/node@20'], project);
  }, INSTALL_MS);

  it('npx speechdouble --help exits 0', async () => {
    const { stdout } = await run('npx', ['--no-install', 'speechdouble', '--help'], project, 60_000);
    expect(stdout).toMatch(/Usage: speechdouble/);
    expect(stdout).toMatch(/serve/);
  }, 60_000);

  it('speechdouble serve --port 0 prints its URL, answers health and exits 0 on SIGTERM', async () => {
    await serveAnswersHealthAndStops();
  }, 60_000);

  const mswScript = (load: string) => `
    ${load}
    async function main() {
      const { handlers, close } = await createEmulatorHandlers({ apis: ['speechmatics'] });
      const server = setupServer(...handlers);
      server.listen();
      const res = await fetch('https://eu1.asr.api.speechmatics.com/v2/jobs', { headers: { authorization: 'Bearer test-key' } });
      console.log(res.status, JSON.stringify(await res.json()));
      server.close();
      close();
    }
    main().catch((error) => { console.error(error); process.exit(1); });
  `;

  it('import { createEmulatorHandlers } from \'speechdouble/msw\' answers in-process', async () => {
    await writeFile(join(project, 'esm.mjs'), mswScript("import { createEmulatorHandlers } from 'speechdouble/msw';\nimport { setupServer } from 'msw/node';"));
    const { stdout } = await run(process.execPath, ['esm.mjs'], project, 60_000);
    expect(stdout.trim()).toBe('200 {"jobs":[]}');
  }, 60_000);

  it('require(\'speechdouble/msw\') works from CommonJS (no top-level await in its graph)', async () => {
    await writeFile(join(project, 'cjs.cjs'), mswScript("const { createEmulatorHandlers } = require('speechdouble/msw');\nconst { setupServer } = require('msw/node');"));
    const { stdout } = await run(process.execPath, ['cjs.cjs'], project, 60_000);
    expect(stdout.trim()).toBe('200 {"jobs":[]}');
  }, 60_000);

  it('the root entry exports startEmulator, to import and to require', async () => {
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', "const m = await import('speechdouble'); console.log(typeof m.startEmulator)"], project, 60_000);
    expect(stdout.trim()).toBe('function');
    const required = await run(process.execPath, ['-e', "console.log(typeof require('speechdouble').startEmulator)"], project, 60_000);
    expect(required.stdout.trim()).toBe('function');
  }, 60_000);

  it('the express adapter loads without express installed (it needs nothing from it at run time)', async () => {
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', "const m = await import('speechdouble'); const mw = m.express({ apis: ['speechmatics'] }); await mw.ready; console.log(typeof mw, mw.length); await mw.close()"], project, 60_000);
    expect(stdout.trim()).toBe('function 3');
  }, 60_000);

  // Strict, nodenext, and the package's own .d.ts checked too (skipLibCheck off): what a
  // careful consumer runs. Only @types/node and msw are installed beside the tarball.
  const typecheck = async (name: string, source: string) => {
    const dir = join(project, name);
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'consumer.mts'), source);
    const compilerOptions = { strict: true, module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', noEmit: true, skipLibCheck: false, types: ['node'] };
    await writeFile(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: ['consumer.mts'] }));
    try {
      await promisify(execFile)(process.execPath, [TSC, '-p', dir], { cwd: dir });
    } catch (error) {
      throw new Error(`tsc found errors:\n${(error as { stdout?: string }).stdout ?? ''}${(error as { stderr?: string }).stderr ?? ''}`);
    }
  };

  it('a strict tsc compiles a consumer of speechdouble/msw with no errors', async () => {
    await typecheck('types-msw', `
      import { createEmulatorHandlers, type InProcessEmulator, type InProcessOptions } from 'speechdouble/msw';
      import { setupServer } from 'msw/node';

      const options: InProcessOptions = { apis: ['speechmatics'], baseUrls: ['http://speech.test/'] };
      const inProcess: InProcessEmulator = await createEmulatorHandlers(options);
      const server = setupServer(...inProcess.handlers);
      server.listen();
      server.close();
      inProcess.close();
    `);
  }, 60_000);

  it('a strict tsc compiles a consumer of the root entry with no errors', async () => {
    await typecheck('types-root', `
      import { startEmulator } from 'speechdouble';

      const start: typeof startEmulator = startEmulator;
      console.log(typeof start);
    `);
  }, 60_000);
});
