// Each vendor's error envelope, from its spec: the error schemas its components define. A 4xx
// the emulator gives on a path of a vendor's (an operation's, with its server prefixes) must
// be in one of them. Strict mode checks this for requests that reached an operation; this covers
// the rest too: a method the path does not have, a request refused before its operation was known.
import { serverPath } from '../../core/api-routing.ts';
import { createSchemaCompiler, describeErrors, type ValidateFunction } from '../../../openapi/schemas.ts';
import { listOperations, loadSpec, type ApiName, type JsonObject } from '../../../openapi/specs.ts';

const ERROR_SCHEMAS: Record<ApiName, string[]> = {
  speechmatics: ['ErrorResponse', 'ValidationErrorResponse'],
  assemblyai: ['Error'],
  gladia: ['ErrorResponse'],
  cadence: ['BubbleError', 'AddonError'],
  stenomatic: ['Error'],
};

export interface Envelope {
  /** Whether the path (as sent, no query) is one of the API's operations', under any of its server prefixes. */
  owns(path: string): boolean;
  /** Why the body is in none of the API's error schemas; undefined when it is in one. */
  problem(body: unknown): string | undefined;
}

/** The path as the emulator routes it: dot segments resolved (WHATWG URL), escapes kept. */
function resolved(path: string): string {
  try {
    return new URL(path, 'http://emulator.invalid').pathname;
  } catch {
    return path;
  }
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export async function loadEnvelopes(): Promise<Map<ApiName, Envelope>> {
  const compile = createSchemaCompiler();
  const envelopes = new Map<ApiName, Envelope>();
  for (const api of Object.keys(ERROR_SCHEMAS) as ApiName[]) {
    const doc = (await loadSpec(api)).dereferenced;
    const schemas = ((doc.components as JsonObject).schemas ?? {}) as Record<string, JsonObject>;
    const validators: Array<[string, ValidateFunction]> = ERROR_SCHEMAS[api].map((name) => {
      if (!schemas[name]) throw new Error(`${api} has no error schema ${name}`);
      return [name, compile(schemas[name]!)];
    });
    const patterns = listOperations(doc).flatMap((op) => {
      const item = (doc.paths as JsonObject)[op.path] as JsonObject;
      const servers = (op.operation.servers ?? item.servers ?? doc.servers ?? []) as JsonObject[];
      const prefixes = new Set(['', ...servers.map((server) => serverPath(String(server.url ?? '')))]);
      const template = op.path.split(/\{[^}]+\}/).map(escape).join('[^/]+');
      return [...prefixes].map((prefix) => new RegExp(`^${escape(prefix)}${template}/?$`));
    });
    envelopes.set(api, {
      // Dot segments (`.`, `%2e%2e`) are resolved as URLs resolve them before anything routes.
      owns: (path) => patterns.some((pattern) => pattern.test(resolved(path))),
      problem(body) {
        const failures: string[] = [];
        for (const [name, validate] of validators) {
          if (validate(structuredClone(body))) return undefined;
          failures.push(`${name}: ${describeErrors(validate.errors)}`);
        }
        return failures.join('; ');
      },
    });
  }
  return envelopes;
}
