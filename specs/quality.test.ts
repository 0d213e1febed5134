// The specs are the contract everything else reads, so their quality is tested like code:
// each one is valid OpenAPI, lints clean, shows only examples its own schemas accept, documents
// auth and errors on every operation, and accepts the source documents' own samples.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import SwaggerParser from '@apidevtools/swagger-parser';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  SPEC_FILES, listOperations, loadSpec, specPath,
  type Json, type JsonObject, type LoadedSpec, type SpecName,
} from '../openapi/specs.ts';
import { createAjv, describeErrors } from '../openapi/schemas.ts';
import { collectClaimedValues } from '../openapi/spec-walk.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SPEC_NAMES = Object.keys(SPEC_FILES) as SpecName[];
const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

interface SpectralResult {
  code: string | number;
  message: string;
  severity: number;
  source?: string;
  path: (string | number)[];
}

// Spectral starts slowly, so it lints every spec in one run and each spec's tests read their part.
let spectralResults: Promise<SpectralResult[]> | undefined;
function lintAll(): Promise<SpectralResult[]> {
  spectralResults ??= (async () => {
    const files = SPEC_NAMES.map(specPath).filter((f) => existsSync(f));
    const bin = fileURLToPath(new URL('../node_modules/@stoplight/spectral-cli/dist/index.js', import.meta.url));
    const run = promisify(execFile);
    const args = [bin, 'lint', '--ruleset', '.spectral.yaml', '--format', 'json', '--quiet', '--fail-severity', 'hint', ...files];
    // Spectral exits non-zero when it finds anything; the JSON on stdout is the answer either way.
    const { stdout } = await run(process.execPath, args, { cwd: ROOT, maxBuffer: 64 << 20 }).catch((e) => e);
    const text = String(stdout).trim();
    return text ? (JSON.parse(text.slice(text.indexOf('['))) as SpectralResult[]) : [];
  })();
  return spectralResults;
}

interface SeedSample {
  name: string;
  where: string;
  in: 'request' | 'response' | 'schema';
  operationId?: string;
  status?: string;
  mediaType?: string;
  schema?: string;
  body: Json;
}

function isErrorStatus(code: string): boolean {
  return /^[45](\d\d|XX)$/i.test(code);
}

function findOperation(doc: JsonObject, operationId: string): JsonObject | undefined {
  return listOperations(doc).find((op) => op.operation.operationId === operationId)?.operation;
}

function sampleSchema(doc: JsonObject, sample: SeedSample): JsonObject {
  if (sample.in === 'schema') {
    const schema = (doc.components as JsonObject | undefined)?.schemas as JsonObject | undefined;
    const found = schema?.[sample.schema ?? ''];
    if (!isObject(found)) throw new Error(`no component schema ${sample.schema}`);
    return found;
  }
  const op = findOperation(doc, sample.operationId ?? '');
  if (!op) throw new Error(`no operation ${sample.operationId}`);
  const holder = sample.in === 'request'
    ? (op.requestBody as JsonObject | undefined)
    : ((op.responses as JsonObject)[sample.status ?? ''] as JsonObject | undefined);
  const media = (holder?.content as JsonObject | undefined)?.[sample.mediaType ?? ''];
  if (!isObject(media) || !isObject(media.schema)) {
    throw new Error(`${sample.operationId} has no ${sample.in} ${sample.status ?? ''} ${sample.mediaType} schema`);
  }
  return media.schema;
}

const SEED_SAMPLE_FILES: Partial<Record<SpecName, string>> = {
  speechmatics: 'speechmatics.json',
  assemblyai: 'assemblyai.json',
  gladia: 'gladia.json',
  cadence: 'cadence.json',
  stenomatic: 'stenomatic.json',
};

for (const name of SPEC_NAMES) {
  describe(`${name} spec (specs/${SPEC_FILES[name]})`, () => {
    let spec: LoadedSpec;
    beforeAll(async () => {
      spec = await loadSpec(name);
    });

    it('is valid OpenAPI 3.1 (swagger-parser)', async () => {
      await SwaggerParser.validate(specPath(name));
      expect(spec.document.openapi).toBe('3.1.0');
    });

    it('lints with zero errors and zero warnings (Spectral, spectral:oas)', async () => {
      const mine = (await lintAll()).filter((r) => r.source?.endsWith(SPEC_FILES[name]) && r.severity <= 1);
      expect(mine.map((r) => `${r.severity === 0 ? 'error' : 'warning'} ${r.code} at ${r.path.join('.')}: ${r.message}`)).toEqual([]);
    }, 120_000);

    it('lists its servers: the vendor first (when there is one), then speechdouble on 127.0.0.1:4010', () => {
      const urls = ((spec.document.servers ?? []) as JsonObject[]).map((s) => s.url);
      expect(urls.at(-1)).toBe('http://127.0.0.1:4010');
      if (name !== 'control') expect(urls[0]).toMatch(/^https:\/\//);
    });

    it('has examples and defaults that validate against their own schemas (ajv 2020-12, formats)', () => {
      const ajv = createAjv();
      const claims = collectClaimedValues(spec.dereferenced);
      expect(claims.length).toBeGreaterThan(0);
      const failures = claims.flatMap(({ where, schema, value }) => {
        const validate = ajv.compile(schema);
        return validate(value) ? [] : [`${where}: ${describeErrors(validate.errors)}`];
      });
      expect(failures).toEqual([]);
    });

    it('gives every operation an operationId, a summary, security, a documented error body and examples', () => {
      const problems: string[] = [];
      const ids = new Set<string>();
      const defaultSecurity = spec.document.security;
      for (const { method, path, operation } of listOperations(spec.dereferenced)) {
        const where = `${method.toUpperCase()} ${path}`;
        const id = operation.operationId;
        if (typeof id !== 'string' || !/^[a-z][A-Za-z0-9]*$/.test(id)) problems.push(`${where}: operationId missing or not camelCase`);
        else if (ids.has(id)) problems.push(`${where}: operationId ${id} used twice`);
        else ids.add(id);
        if (typeof operation.summary !== 'string' || !operation.summary.trim()) problems.push(`${where}: no summary`);
        const security = operation.security ?? defaultSecurity;
        // The control API is speechdouble's own, its token optional (--control-token); every vendor documents auth.
        if (name !== 'control' && !(Array.isArray(security) && security.length > 0)) problems.push(`${where}: no security`);
        const responses = (operation.responses ?? {}) as JsonObject;
        const errorWithSchema = Object.entries(responses).some(([code, response]) => isErrorStatus(code)
          && isObject(response) && isObject(response.content)
          && Object.values(response.content).some((media) => isObject(media) && isObject(media.schema)));
        if (!errorWithSchema) problems.push(`${where}: no 4xx/5xx response with a body schema`);
        // Request examples are what the server tests and the conformance runner send.
        const requestContent = isObject(operation.requestBody) ? operation.requestBody.content : undefined;
        if (isObject(requestContent)) {
          for (const [mediaType, media] of Object.entries(requestContent)) {
            if (!isObject(media) || !isObject(media.schema)) problems.push(`${where} request ${mediaType}: no schema`);
            else if (media.schema.format !== 'binary' && !isObject(media.examples) && !('example' in media)) {
              problems.push(`${where} request ${mediaType}: no example`);
            }
          }
        }
        for (const [code, response] of Object.entries(responses)) {
          const content = isObject(response) ? response.content : undefined;
          if (!isObject(content)) continue;
          for (const [mediaType, media] of Object.entries(content)) {
            if (!isObject(media) || !isObject(media.schema)) {
              problems.push(`${where} ${code} ${mediaType}: no schema`);
            } else if (media.schema.format !== 'binary' && !isObject(media.examples) && !('example' in media)) {
              problems.push(`${where} ${code} ${mediaType}: no example`);
            }
          }
        }
      }
      expect(problems).toEqual([]);
    });

    const sampleFile = SEED_SAMPLE_FILES[name];
    if (sampleFile) {
      it("accepts the source document's own samples (fixtures/seed-samples)", () => {
        const { samples } = JSON.parse(readFileSync(`${ROOT}fixtures/seed-samples/${sampleFile}`, 'utf8')) as { samples: SeedSample[] };
        expect(samples.length).toBeGreaterThan(0);
        const ajv = createAjv();
        const failures = samples.flatMap((sample) => {
          const validate = ajv.compile(sampleSchema(spec.dereferenced, sample));
          return validate(sample.body) ? [] : [`${sample.name} (${sample.where}): ${describeErrors(validate.errors)}`];
        });
        expect(failures).toEqual([]);
      });
    }
  });
}

describe('the specs together', () => {
  it('serve disjoint paths, except POST /v2/upload (Gladia and AssemblyAI, told apart by their auth header)', async () => {
    const owners = new Map<string, string[]>();
    for (const name of SPEC_NAMES) {
      const { document } = await loadSpec(name);
      for (const { method, path } of listOperations(document)) {
        // Path templates match the same URLs whatever their parameter is called.
        const key = `${method.toUpperCase()} ${path.replace(/\{[^}]+\}/g, '{}')}`;
        owners.set(key, [...(owners.get(key) ?? []), name]);
      }
    }
    const shared = [...owners].filter(([, names]) => names.length > 1).map(([key, names]) => `${key}: ${names.join(', ')}`);
    expect(shared).toEqual(['POST /v2/upload: assemblyai, gladia']);
  });
});
