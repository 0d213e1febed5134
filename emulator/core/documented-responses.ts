// Serves the responses a spec documents, through @stoplight/prism-http: the first example of
// the lowest 2xx by default, or what `Prefer: code=…, example=…, dynamic=true` asks for. Prism
// also validates the request and its credentials' presence first, answering with the spec's
// own 401/422/400 as Prism users expect. This is the stateless half of the emulator and stays
// the way to force a documented response once the stateful APIs land.
import type { IHttpConfig, IHttpRequest } from '@stoplight/prism-http';
import type { IHttpOperation } from '@stoplight/types';
import type { EmulatorRequest, EmulatorResponse } from './http-types.ts';
import type { Preferences } from './prefer.ts';
import type { LoadedSpec } from '../../openapi/specs.ts';

export interface DocumentedResponder {
  respond(api: string, request: EmulatorRequest, preferences: Preferences): Promise<EmulatorResponse>;
}

function isJsonMediaType(contentType: string): boolean {
  return /^application\/([\w.+-]*\+)?json\b/i.test(contentType);
}

/** Prism validates bodies from text (multipart included); JSON arrives parsed, as its CLI does it. */
function bodyForPrism(request: EmulatorRequest): unknown {
  if (request.body.length === 0) return undefined;
  const text = request.body.toString('utf8');
  if (isJsonMediaType(request.headers['content-type'] ?? '')) {
    try {
      return JSON.parse(text);
    } catch {
      return text; // Prism then reports the body as invalid against the schema.
    }
  }
  return text;
}

// prism-http takes 1.7 s to load (fp-ts, json-schema-faker, lodash…), as synchronous
// CommonJS that would stall the server even in the background. Only documented responses
// need it, so it loads on the first request for one; stateful traffic never pays for it.
const loadPrism = () => Promise.all([import('@stoplight/prism-http'), import('@stoplight/prism-core')]);
type PrismModules = Awaited<ReturnType<typeof loadPrism>>;

/** Prism's own refusals (no such documented code, no such example) as Prism's CLI renders them. */
function problemResponse(prism: PrismModules[0], error: Error): EmulatorResponse {
  const problem = prism.ProblemJsonError.toProblemJson(error);
  return { status: problem.status, headers: { 'content-type': 'application/problem+json' }, body: problem };
}

/** Prism's NOT_FOUND problem, as it renders it for a code or an example the spec does not have. */
function notFound(detail: string): EmulatorResponse {
  return { status: 404, headers: { 'content-type': 'application/problem+json' }, body: { type: 'https://stoplight.io/prism/errors#NOT_FOUND', title: 'The server cannot find the requested content', status: 404, detail } };
}

function serialiseHeaders(headers: Record<string, unknown> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value !== undefined && value !== null) out[name.toLowerCase()] = String(value);
  }
  return out;
}

/**
 * Prism would POST each documented callback to the URL in the request body, once, unrecorded
 * and unretried. Callbacks are the stateful core's job (recorded in /__emulator/callbacks,
 * retried with backoff), so the documented-response path never sends one.
 */
function withoutCallbacks(document: LoadedSpec['document']): LoadedSpec['document'] {
  const copy = structuredClone(document);
  for (const item of Object.values((copy.paths ?? {}) as Record<string, Record<string, unknown>>)) {
    for (const operation of Object.values(item)) {
      if (operation && typeof operation === 'object' && 'callbacks' in operation) delete (operation as { callbacks?: unknown }).callbacks;
    }
  }
  return copy;
}

/** The operations Prism serves for one spec. */
export async function prismOperations(spec: LoadedSpec): Promise<IHttpOperation[]> {
  const [prism] = await loadPrism();
  return prism.getHttpOperationsFromSpec(withoutCallbacks(spec.document));
}

export function createDocumentedResponder(specs: LoadedSpec[]): DocumentedResponder {
  let ready: ReturnType<typeof load> | undefined;
  const load = async () => {
    const [prism, core] = await loadPrism();
    const operations = new Map<string, IHttpOperation[]>();
    for (const spec of specs) operations.set(spec.name, await prismOperations(spec));
    const logger = core.createLogger('speechdouble-prism', { level: 'silent' });
    const instance = prism.createInstance(
      { mock: { dynamic: false }, checkSecurity: true, validateRequest: true, validateResponse: false, errors: false, upstreamProxy: undefined, isProxy: false },
      { logger },
    );
    return { prism, operations, instance };
  };

  return {
    async respond(api, request, preferences) {
      const { prism, operations, instance } = await (ready ??= load());
      const input: IHttpRequest = {
        method: request.method.toLowerCase() as IHttpRequest['method'],
        url: { path: request.path, query: request.query },
        headers: request.headers,
        body: bodyForPrism(request),
      };
      const config: IHttpConfig = {
        mock: {
          dynamic: preferences.dynamic ?? false,
          ...(preferences.code !== undefined && { code: preferences.code }),
          ...(preferences.example !== undefined && { exampleKey: preferences.example }),
        },
        checkSecurity: true,
        validateRequest: true,
        validateResponse: false,
        errors: false,
        upstreamProxy: undefined,
        isProxy: false,
      };
      const result = await instance.request(input, operations.get(api) ?? [], config)();
      if (result._tag === 'Left') {
        const problem = problemResponse(prism, result.left);
        // An example the documented code does not have (`code=200, example=nope`): Prism looks for a
        // default response, finds none, and calls that a 500. Asked without the code, it is its
        // 404 NOT_FOUND; a request for something the spec does not document is no server error.
        if (problem.status >= 500 && preferences.example !== undefined && /NOT_FOUND/.test(result.left.message)) {
          return notFound(`Response for status code ${preferences.code ?? 'any'} and exampleKey: ${preferences.example} does not exist.`);
        }
        return problem;
      }
      const { statusCode, headers, body } = result.right.output;
      return { status: statusCode, headers: serialiseHeaders(headers), body };
    },
  };
}
