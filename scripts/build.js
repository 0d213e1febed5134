// `npm run build` (also `prepare`, so `npm ci` and `npm pack` build): TypeScript to dist/
// (tsconfig.build.json), then the files the code reads relative to its own module, copied so
// that the same relative paths hold from dist/ as from the sources:
//   openapi/specs.ts            ../specs/          -> dist/specs/*.yaml, each with its JSON twins
//                                                     (*.json, the document, and
//                                                     *.dereferenced.json, its `$ref`s resolved:
//                                                     read instead of the YAML, so a start from
//                                                     dist/ loads neither yaml nor swagger-parser)
//   emulator/engine/fixtures.ts ../../fixtures/audio/ (and conformance/scenarios/*)
//                                                  -> dist/fixtures/audio/
//   emulator/core/package-info.ts ../../package.json -> dist/package.json (version only)
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

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

// The YAML stays (it is the source: edited in place, it wins over its twins); the JSON twins,
// written after it so they are never the older, are what openapi/specs.ts and
// hosts/spec-outline.ts read. They are made by the loader itself (the one just compiled, reading
// the YAML in specs/ as the sources do), so the package loads exactly the document and the
// dereferenced graph a run from the sources does; the build fails if the graph does not
// survive the trip through JSON node for node.
const specs = await import(pathToFileURL(join(dist, 'openapi', 'specs.js')).href);
mkdirSync(join(dist, 'specs'));
const yamlNames = readdirSync(join(root, 'specs')).filter((file) => file.endsWith('.yaml'));
for (const name of yamlNames) writeFileSync(join(dist, 'specs', name), readFileSync(join(root, 'specs', name), 'utf8'));
for (const name of yamlNames) {
  const { document, dereferenced } = await specs.loadSpecFile(name, join(root, 'specs', name));
  const graph = specs.encodeSharedGraph(dereferenced);
  assertSameGraph(specs.decodeSharedGraph(JSON.parse(JSON.stringify(graph))), dereferenced, name);
  writeFileSync(join(dist, 'specs', name.replace(/\.yaml$/, '.json')), JSON.stringify(document));
  writeFileSync(join(dist, 'specs', name.replace(/\.yaml$/, '.dereferenced.json')), JSON.stringify(graph));
}
cpSync(join(root, 'fixtures', 'audio'), join(dist, 'fixtures', 'audio'), {
  recursive: true,
  filter: (src) => basename(src) !== 'README.md',
});

// Only what package-info.ts reads, plus the module type for the files beside it; not a
// second manifest (no name, no exports).
const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
writeFileSync(join(dist, 'package.json'), `${JSON.stringify({ version, type: 'module', private: true }, null, 2)}\n`);

/**
 * Fails the build unless `actual` is `expected` node for node: the same keys in the same order,
 * the same values, and the same objects shared (one object in one is one object in the other).
 */
function assertSameGraph(actual, expected, name) {
  const pairs = new Map();
  const paired = new Set();
  const walk = (a, e, at) => {
    const fail = (why) => {
      throw new Error(`${name}: the shipped dereferenced spec differs at ${at || '/'}: ${why}`);
    };
    if (typeof e !== 'object' || e === null) {
      if (!Object.is(a, e)) fail(`${JSON.stringify(a)} is not ${JSON.stringify(e)}`);
      return;
    }
    if (typeof a !== 'object' || a === null || Array.isArray(a) !== Array.isArray(e)) fail('not the same kind of value');
    if (pairs.has(e)) {
      if (pairs.get(e) !== a) fail('an object shared in the original is not shared in the copy');
      return;
    }
    if (paired.has(a)) fail('an object shared in the copy is not shared in the original');
    pairs.set(e, a);
    paired.add(a);
    if (Object.getPrototypeOf(e) !== Object.getPrototypeOf(a)) fail('another prototype');
    const keys = Object.keys(e);
    if (JSON.stringify(Object.keys(a)) !== JSON.stringify(keys)) fail(`keys ${Object.keys(a).join(',')} are not ${keys.join(',')}`);
    for (const key of keys) walk(a[key], e[key], `${at}/${key}`);
  };
  walk(actual, expected, '');
}
