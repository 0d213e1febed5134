// The outline serve reads from the YAML text by its layout must be what the full loader reads,
// for every spec: when a spec is written differently, this fails before a banner or a log does.
import { describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { outlineOf, scanOutline } from './spec-outline.ts';
import { API_NAMES, loadSpec, specPath } from '../../openapi/specs.ts';

describe('scanOutline', () => {
  for (const name of [...API_NAMES, 'control'] as const) {
    it(`${name}: the scan finds the paths, servers and operationIds the YAML parser does`, async () => {
      const scanned = scanOutline(name, await readFile(specPath(name), 'utf8'));
      expect(scanned).toEqual(outlineOf(name, (await loadSpec(name)).document));
    });
  }

  it('gives up (so the parser is used) on what its layout reading cannot follow', () => {
    expect(scanOutline('x', 'openapi: 3.1.0\npaths: {}\n')).toBeUndefined();
    expect(scanOutline('x', 'openapi: 3.1.0\npaths:\n  /a:\n    $ref: "./other.yaml#/paths/~1a"\n')).toBeUndefined();
    expect(scanOutline('x', 'openapi: 3.1.0\npaths:\n  /a:\n    get:\n      summary: no id\n')).toBeUndefined();
    expect(scanOutline('x', "openapi: 3.1.0\nservers:\n  - url: 'https://h/p'\npaths:\n  '/a/{id}':\n    servers:\n      - url: https://other\n    get:\n      operationId: getA # a comment\n")).toEqual({
      name: 'x', servers: [{ url: 'https://h/p' }], paths: { '/a/{id}': { servers: [{ url: 'https://other' }], operations: { get: { operationId: 'getA' } } } },
    });
  });
});
