// The dereferenced specs the package ships (scripts/build.js writes them with encodeSharedGraph,
// openapi/specs.ts reads them with decodeSharedGraph) must be what swagger-parser makes from the
// YAML: the same values in the same order, and the same objects shared, cycles included.
import { mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_NAMES, decodeSharedGraph, encodeSharedGraph, loadSpec, loadSpecFile, type JsonObject } from './specs.ts';

/** Whether `a` is `b` node for node, sharing included: one object in one is one object in the other. */
function sameGraph(a: unknown, b: unknown): string | undefined {
  const pairs = new Map<object, object>();
  const paired = new Set<object>();
  const walk = (x: unknown, y: unknown, at: string): string | undefined => {
    if (typeof y !== 'object' || y === null) return Object.is(x, y) ? undefined : `${at}: ${JSON.stringify(x)} is not ${JSON.stringify(y)}`;
    if (typeof x !== 'object' || x === null || Array.isArray(x) !== Array.isArray(y)) return `${at}: not the same kind`;
    if (pairs.has(y)) return pairs.get(y) === x ? undefined : `${at}: not shared as in the original`;
    if (paired.has(x)) return `${at}: shared where the original is not`;
    pairs.set(y, x);
    paired.add(x);
    const keys = Object.keys(y);
    if (JSON.stringify(Object.keys(x)) !== JSON.stringify(keys)) return `${at}: keys differ`;
    for (const key of keys) {
      const problem = walk((x as Record<string, unknown>)[key], (y as Record<string, unknown>)[key], `${at}/${key}`);
      if (problem) return problem;
    }
    return undefined;
  };
  return walk(a, b, '');
}

const roundTrip = (value: JsonObject) => decodeSharedGraph(JSON.parse(JSON.stringify(encodeSharedGraph(value))));

describe('the shared graph a dereferenced spec ships as', () => {
  for (const name of [...API_NAMES, 'control'] as const) {
    it(`${name}: decodes to what swagger-parser made, sharing and all`, async () => {
      const { dereferenced } = await loadSpec(name);
      expect(sameGraph(roundTrip(dereferenced), dereferenced)).toBeUndefined();
    });
  }

  it('keeps cycles, a root that refers to itself, arrays shared and a __proto__ key', () => {
    const schema: JsonObject = { type: 'object', properties: {} };
    (schema.properties as JsonObject).child = schema;
    const list = [1, 'two', { three: 3 }];
    const root: JsonObject = { a: schema, b: { same: schema, list }, c: list };
    Object.defineProperty(root, '__proto__', { value: { own: true }, enumerable: true, writable: true, configurable: true });
    root.self = root;
    const decoded = roundTrip(root);
    expect(sameGraph(decoded, root)).toBeUndefined();
    expect(Object.getPrototypeOf(decoded)).toBe(Object.prototype);
    expect(decoded.self).toBe(decoded);
  });
});

describe('a spec beside its build twins', () => {
  let dir: string;
  const yaml = 'openapi: 3.1.0\ninfo: { title: t, version: "1" }\npaths: {}\ncomponents:\n  schemas:\n    A: { type: string }\n    B: { $ref: "#/components/schemas/A" }\n';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'speechdouble-specs-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads the twins when they are not older than the YAML, and the YAML when they are', async () => {
    const file = join(dir, 'x.yaml');
    await writeFile(file, yaml);
    const fromYaml = await loadSpecFile('x', file);
    const twin = { ...fromYaml.document, info: { title: 'from the twin', version: '1' } };
    await writeFile(join(dir, 'x.json'), JSON.stringify(twin));
    await writeFile(join(dir, 'x.dereferenced.json'), JSON.stringify(encodeSharedGraph({ ...fromYaml.dereferenced, info: { title: 'dereferenced twin', version: '1' } })));
    const fresh = await loadSpecFile('x', file);
    expect((fresh.document.info as JsonObject).title).toBe('from the twin');
    expect((fresh.dereferenced.info as JsonObject).title).toBe('dereferenced twin');
    expect(((fresh.dereferenced.components as JsonObject).schemas as JsonObject).B).toEqual({ type: 'string' });
    // The YAML edited after the build: its twins are stale and ignored.
    const later = new Date(Date.now() + 60_000);
    await utimes(file, later, later);
    const stale = await loadSpecFile('x', file);
    expect(stale.document).toEqual(fromYaml.document);
    expect(sameGraph(stale.dereferenced, fromYaml.dereferenced)).toBeUndefined();
  });
});
