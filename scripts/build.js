// `npm run build` (also `prepare`, so `npm ci` and `npm pack` build): TypeScript to dist/
// (tsconfig.build.json), then the files the code reads relative to its own module, copied so
// that the same relative paths hold from dist/ as from the sources:
//   openapi/specs.ts            ../specs/          -> dist/specs/*.yaml, each with its JSON twin
//                                                     (*.json, read instead of the YAML: faster)
//   emulator/engine/fixtures.ts ../../fixtures/audio/ (and conformance/scenarios/*)
//                                                  -> dist/fixtures/audio/
//   emulator/core/package-info.ts ../../package.json -> dist/package.json (version only)
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = join(root, 'dist');
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');

rmSync(dist, { recursive: true, force: true });
execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });

// tsc rewrites `./x.ts` to `./x.js` in the JavaScript but leaves the .d.ts importing `./x.ts`,
// which only TypeScript 5 resolves; `.js` reads the same to every version and tool.
for (const file of readdirSync(dist, { recursive: true, encoding: 'utf8' })) {
  if (!file.endsWith('.d.ts')) continue;
  const path = join(dist, file);
  const text = readFileSync(path, 'utf8');
  const rewritten = text.replace(/((?:from|import)\s*\(?\s*['"])(\.{1,2}\/[^'"]*)\.ts(['"])/g, '$1$2.js$3');
  if (rewritten !== text) writeFileSync(path, rewritten);
}

// The YAML stays (it is the source, and hosts/spec-outline.ts scans its text); the JSON twin,
// written after it so it is never the older of the two, is what openapi/specs.ts parses.
mkdirSync(join(dist, 'specs'));
for (const name of readdirSync(join(root, 'specs')).filter((file) => file.endsWith('.yaml'))) {
  const text = readFileSync(join(root, 'specs', name), 'utf8');
  writeFileSync(join(dist, 'specs', name), text);
  writeFileSync(join(dist, 'specs', name.replace(/\.yaml$/, '.json')), JSON.stringify(parseYaml(text)));
}
cpSync(join(root, 'fixtures', 'audio'), join(dist, 'fixtures', 'audio'), {
  recursive: true,
  filter: (src) => basename(src) !== 'README.md',
});

// Only what package-info.ts reads, plus the module type for the files beside it; not a
// second manifest (no name, no exports).
const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
writeFileSync(join(dist, 'package.json'), `${JSON.stringify({ version, type: 'module', private: true }, null, 2)}\n`);
