// Where the OpenAPI documents live and how they are read. Everything that routes, validates,
// mocks or checks conformance starts here, so there is one list of APIs and one loader.
import { readFile, stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import SwaggerParser from '@apidevtools/swagger-parser';
import { parse as parseYaml } from 'yaml';

export const SPECS_DIR = fileURLToPath(new URL('../specs/', import.meta.url));

/** The vendor APIs, in the order the README and `--api` list them. */
export const API_NAMES = ['speechmatics', 'assemblyai', 'gladia', 'cadence', 'stenomatic'] as const;
export type ApiName = (typeof API_NAMES)[number];
export type SpecName = ApiName | 'control';

export const SPEC_FILES: Record<SpecName, string> = {
  speechmatics: 'speechmatics-batch.yaml',
  assemblyai: 'assemblyai.yaml',
  gladia: 'gladia.yaml',
  cadence: 'cadence.yaml',
  stenomatic: 'stenomatic.yaml',
  control: 'emulator-control.yaml',
};

export const specPath = (name: SpecName): string => SPECS_DIR + SPEC_FILES[name];

export function isApiName(value: string): value is ApiName {
  return (API_NAMES as readonly string[]).includes(value);
}

// OpenAPI objects are read as plain JSON values: the specs are checked by swagger-parser and
// Spectral, so code below trusts their shape and keeps its own typing light.
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export interface LoadedSpec {
  /** The API it describes: a SpecName for the project's own, any name for a test's. */
  name: string;
  file: string;
  /** The document as written, `$ref`s intact: what Prism and Spectral read. */
  document: JsonObject;
  /** The same document with every `$ref` replaced by its target: what validators compile. */
  dereferenced: JsonObject;
}

export async function loadSpec(name: SpecName): Promise<LoadedSpec> {
  return loadSpecFile(name, specPath(name));
}

/**
 * The YAML is the source; the package ships each spec also as JSON beside it (`cadence.json`
 * next to `cadence.yaml`, written by the build), which parses in milliseconds where the YAML
 * takes a good part of a second. A JSON twin older than its YAML is ignored, so an edited spec
 * is never shadowed by a stale one.
 */
export async function readDocument(file: string): Promise<JsonObject> {
  const twin = file.replace(/\.ya?ml$/, '.json');
  if (twin !== file) {
    const [yamlStat, jsonStat] = await Promise.all([stat(file).catch(() => undefined), stat(twin).catch(() => undefined)]);
    if (jsonStat && (!yamlStat || jsonStat.mtimeMs >= yamlStat.mtimeMs)) return JSON.parse(await readFile(twin, 'utf8')) as JsonObject;
  }
  return parseYaml(await readFile(file, 'utf8')) as JsonObject;
}

export async function loadSpecFile(name: string, file: string): Promise<LoadedSpec> {
  const document = await readDocument(file);
  const dereferenced = (await SwaggerParser.dereference(structuredClone(document) as never)) as unknown as JsonObject;
  return { name, file, document, dereferenced };
}

export const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

export interface OperationRef {
  method: (typeof HTTP_METHODS)[number];
  path: string;
  operation: JsonObject;
  /** JSON pointer of the operation inside its document, for messages. */
  pointer: string;
}

export function escapePointer(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Every operation of a document, in document order. */
export function listOperations(doc: JsonObject): OperationRef[] {
  const out: OperationRef[] = [];
  const paths = (doc.paths ?? {}) as Record<string, JsonObject>;
  for (const [path, item] of Object.entries(paths)) {
    for (const method of HTTP_METHODS) {
      const operation = item[method];
      if (operation && typeof operation === 'object' && !Array.isArray(operation)) {
        out.push({ method, path, operation, pointer: `#/paths/${escapePointer(path)}/${method}` });
      }
    }
  }
  return out;
}
