// Runs an API's business logic. An API is defined as data (api-definition.ts: its spec, its
// settings, its error catalogue and its handlers by operationId), made a module by
// `defineApi`. The core does the rest, in
// the order the vendors do it: route (spec) → credentials (the spec's securitySchemes) →
// Accept (where a 406 is documented) → parameters → body, read by its media type and checked against the spec → the API's own
// extra checks → handler → strict response check. Files a request wrote and no resource kept
// are removed before the answer goes out.
import { ApiError } from './api-error.ts';
import type { ApiDefinition, ApiModule, ApiRuntime, ErrorContext, MountOptions, OperationRequest, Runtime, StatefulApi, StateScope } from './api-definition.ts';
import { acceptsAny } from './content-negotiation.ts';
import { createCredentialReader, createKeyPolicy, type CredentialPolicy } from './credentials.ts';
import { jsonResponse, type EmulatorRequest, type EmulatorResponse, type Refusal } from './http-types.ts';
import { createOwnership, type Resource } from './ownership.ts';
import { readRequestBody, type RequestBody } from './request-body.ts';
import { ContractViolation, createResponseValidator } from './response-validation.ts';
import { createBodyValidator, createCompilers, createParameterValidator, type ValidatedParams } from './request-validation.ts';
import { credentialRefusal, failureRefusal, type ValidationFailure } from './validation-failure.ts';
import { resolveSettings, type SettingsSchema } from './settings.ts';
import { createTenantStore, type TenantStore } from './tenant-store.ts';
import { createUploadRegistry } from './uploads.ts';
import { listOperations, type JsonObject, type LoadedSpec } from '../../openapi/specs.ts';

export function defineApi<State, S extends SettingsSchema>(definition: ApiDefinition<State, S>): ApiModule {
  return { name: definition.name, spec: definition.spec, settings: definition.settings, namespaces: definition.namespaces ?? [], sampleKeys: definition.sampleKeys ?? [], controlOperations: Object.keys(definition.control ?? {}), mount: (spec, runtime, options) => createStatefulApi(definition, spec, runtime, options) };
}

/** Bodies read into memory (JSON, url-encoded forms) are bounded; files stream to disk. */
const BUFFERED_BODY_BYTES = 256 * 2 ** 20;
const DEFAULT_UPLOAD_BYTES = 2 ** 30;
/** Tenants' runtime views kept at once: a view is cheap to make again, and any-key runs meet thousands of keys. */
const TENANT_VIEWS = 256;

type PathParams = { ok: true; values: Record<string, string> } | { ok: false; failure: ValidationFailure };

interface CompiledTemplate {
  names: string[];
  pattern: RegExp;
}

// Templates are few and fixed (the specs' paths): each is compiled once, not per request.
const templates = new Map<string, CompiledTemplate>();

function compileTemplate(template: string): CompiledTemplate {
  const compiled = {
    names: [...template.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!),
    pattern: new RegExp('^' + template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{[^}]+\\?\}/g, '([^/]+)') + '/?$'),
  };
  templates.set(template, compiled);
  return compiled;
}

function pathParams(template: string, path: string): PathParams {
  const { names, pattern } = templates.get(template) ?? compileTemplate(template);
  const raw = pattern.exec(path);
  const values: Record<string, string> = {};
  for (let i = 0; i < names.length; i++) {
    const name = names[i]!;
    const text = raw?.[i + 1] ?? '';
    // Without a `%` there is nothing to decode (decodeURIComponent would return it as it is).
    if (!text.includes('%')) {
      values[name] = text;
      continue;
    }
    try {
      values[name] = decodeURIComponent(text);
    } catch {
      return { ok: false, failure: { in: 'path', name, rule: 'encoding', expected: 'valid percent-encoding (RFC 3986)' } };
    }
  }
  return { ok: true, values };
}

/** The media types of an operation's 2xx answers, if it documents a 406 (only then is Accept checked). */
function negotiatedTypes(operation: JsonObject): string[] | undefined {
  const responses = (operation.responses ?? {}) as Record<string, JsonObject>;
  if (!responses['406']) return undefined;
  return [...new Set(Object.entries(responses).filter(([code]) => /^2/.test(code)).flatMap(([, response]) => Object.keys((response.content ?? {}) as JsonObject)))];
}

/** The vendor's answer, marked with why the core refused (never sent: the hosts send status, headers and body). */
const refused = (response: EmulatorResponse, refusal: Refusal): EmulatorResponse => ({ ...response, refusal });

/** The files a request body wrote (an upload, a form's file parts). */
function filesOf(body: RequestBody): string[] {
  if (body.kind === 'file') return [body.file.path];
  if (body.kind !== 'form') return [];
  return Object.values(body.files).flatMap((parts) => parts.flatMap((part) => (part.path ? [part.path] : [])));
}

/** A recorded value with each string that names a replaced path replaced. */
function withPaths(value: unknown, paths: Map<string, string>): unknown {
  if (typeof value === 'string') return paths.get(value) ?? value;
  if (Array.isArray(value)) return value.map((item) => withPaths(item, paths));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, withPaths(item, paths)]));
  return value;
}

/** `http://host:port` as the client addressed us; hosts that know better set `origin`. */
const originOf = (request: EmulatorRequest) => request.origin ?? `http://${request.headers.host ?? '127.0.0.1'}`;

function createStatefulApi<State, S extends SettingsSchema>(definition: ApiDefinition<State, S>, spec: LoadedSpec, shared: Runtime, options: MountOptions): StatefulApi {
  const settings = resolveSettings(definition.name, definition.settings, options.settings);
  // By template, then method: two lookups of strings the route table already holds, no key built per request.
  const operations = new Map<string, Map<string, () => Operation>>();
  type Operation = {
    op: ReturnType<typeof listOperations>[number];
    operationId: string;
    credentials: ReturnType<typeof createCredentialReader>;
    params: ReturnType<typeof createParameterValidator>;
    body: ReturnType<typeof createBodyValidator>;
    /** What the operation answers with, when it documents a 406 for an Accept that admits none of it. */
    negotiates?: string[];
  };
  const compilers = createCompilers();
  for (const op of listOperations(spec.dereferenced)) {
    const id = String(op.operation.operationId);
    if (!definition.handlers[id]) throw new Error(`${definition.name}: ${op.method.toUpperCase()} ${op.path} (${id}) is in the spec but has no handler`);
    const pathItem = (spec.dereferenced.paths as JsonObject)[op.path] as JsonObject;
    const negotiates = negotiatedTypes(op.operation);
    // Validators are compiled on an operation's first request: compiling every schema of five
    // specs up front was most of `serve`'s start-up, for operations a run may never call.
    let built: Operation | undefined;
    if (!operations.has(op.path)) operations.set(op.path, new Map());
    operations.get(op.path)!.set(op.method.toUpperCase(), () => (built ??= { op, operationId: id, credentials: createCredentialReader(spec.dereferenced, op), params: createParameterValidator(op, pathItem, compilers), body: createBodyValidator(op, compilers), ...(negotiates && { negotiates }) }));
  }
  const samples = createKeyPolicy(definition.sampleKeys ?? [], false);
  const policy: CredentialPolicy = { accepts: (key) => options.keys.accepts(key) || samples.accepts(key) };
  const validator = createResponseValidator();
  const limits = { fileBytes: typeof settings['max-upload-mb'] === 'number' ? settings['max-upload-mb'] : DEFAULT_UPLOAD_BYTES, bufferedBytes: BUFFERED_BODY_BYTES };

  const generation = () => {
    const stores: TenantStore<Resource>[] = [];
    const scope: StateScope = { store: <R extends Resource>() => { const store = createTenantStore<R>(shared.own); stores.push(store as unknown as TenantStore<Resource>); return store; } };
    const uploads = createUploadRegistry(shared.own, () => shared.random);
    // The shared runtime is the prototype, not a copy: `random` is replaced on a full reset.
    const runtime: ApiRuntime<S> = Object.create(shared, { api: { value: definition.name }, settings: { value: settings }, uploads: { value: uploads }, forTenant: { value: (tenant: string) => forTenant(tenant) } });
    // Each tenant's handlers see its own clock (and schedule, keep and call back on it). A view
    // holds no state of its own (the clock keeps the tenant's time), so the views are simply
    // dropped when too many keys have been seen, and made again on a key's next request.
    const tenants = new Map<string, ApiRuntime<S>>();
    const forTenant = (tenant: string): ApiRuntime<S> => {
      if (tenant === '') return runtime;
      let view = tenants.get(tenant);
      if (view) return view;
      if (tenants.size >= TENANT_VIEWS) tenants.clear();
      const clock = shared.clock.forTenant(tenant);
      view = Object.create(runtime, { clock: { value: clock }, own: { value: createOwnership(clock, shared.files) }, callbacks: { value: shared.callbacks.on(clock) } }) as ApiRuntime<S>;
      tenants.set(tenant, view);
      return view;
    };
    return { state: definition.createState(scope), runtime, dispose: async () => { for (const store of stores) await store.dispose(); await uploads.dispose(); } };
  };
  type Generation = ReturnType<typeof generation>;
  /** What one request leaves for `handle` to finish: files it wrote, and the tenant's runtime once its credential is read. */
  type RequestScope = { written: string[]; runtime: ApiRuntime<S> | undefined };
  let current: Generation = generation();

  /** What a refusal before the handler quotes. */
  const contextOf = (request: EmulatorRequest, runtime: ApiRuntime<S>): ErrorContext<S> => ({ method: request.method, path: request.path, runtime });
  // Each refusal before the handler carries what the spec (or authorize) found, for the journal and the log.
  const invalid = (request: EmulatorRequest, runtime: ApiRuntime<S>, failure: ValidationFailure) => refused(definition.errors.validation(failure, contextOf(request, runtime)), failureRefusal(failure));

  /**
   * Everything before the body is checked in the same turn; the handler's promise is handed on
   * as it is. An operation that takes no body reads none (readRequestBody would find none:
   * `{ kind: 'none' }`, which no body validator checks), so it never waits for one.
   */
  function run(operation: Operation, request: EmulatorRequest, template: string, scope: RequestScope): EmulatorResponse | Promise<EmulatorResponse> {
    // The state of the request's arrival answers it, even if a reset comes while its body is read.
    const now = current;
    const credential = operation.credentials(request, policy);
    // Credentials first, as the vendors do: a stranger learns nothing about the request.
    if (!credential.ok) return refused(definition.errors.render(definition.errors.credentials(credential.problem), contextOf(request, now.runtime)), credentialRefusal(credential));
    const runtime = (scope.runtime = now.runtime.forTenant(credential.tenant));
    if (operation.negotiates && !acceptsAny(request.headers.accept, operation.negotiates)) {
      return invalid(request, runtime, { in: 'header', name: 'accept', rule: 'acceptable', expected: operation.negotiates.join(', ') });
    }
    const path = pathParams(template, request.path);
    if (!path.ok) return invalid(request, runtime, path.failure);
    const params = operation.params(request, path.values);
    if (!params.ok) return invalid(request, runtime, params.failure);
    const requestBody = operation.op.operation.requestBody as JsonObject | undefined;
    if (!requestBody) return answer(now.state, runtime, operation, request, path.values, credential.tenant, params.params, { kind: 'none' });
    return readAndAnswer(now.state, runtime, operation, request, requestBody, path.values, credential.tenant, params.params, scope.written);
  }

  async function readAndAnswer(state: State, runtime: ApiRuntime<S>, operation: Operation, request: EmulatorRequest, requestBody: JsonObject, pathValues: Record<string, string>, tenant: string, params: ValidatedParams, written: string[]): Promise<EmulatorResponse> {
    const read = await readRequestBody(request, requestBody, shared.files, limits);
    written.push(...read.written);
    if (!read.ok) return invalid(request, runtime, read.failure);
    const bodyFailure = await operation.body(read.body);
    if (bodyFailure) return invalid(request, runtime, bodyFailure);
    return answer(state, runtime, operation, request, pathValues, tenant, params, read.body);
  }

  function answer(state: State, runtime: ApiRuntime<S>, operation: Operation, request: EmulatorRequest, pathValues: Record<string, string>, tenant: string, params: ValidatedParams, body: RequestBody): Promise<EmulatorResponse> | EmulatorResponse {
    // Field by field: an object rest/spread of the request costs more than the rest of this function.
    const operationRequest: OperationRequest = {
      method: request.method, path: request.path, query: request.query, headers: request.headers,
      operationId: operation.operationId, pathParams: pathValues, tenant,
      params, body, origin: originOf(request),
    };
    const persistence = shared.persistence;
    if (!persistence) return execute(state, runtime, operationRequest);
    // With --data-dir the handler is one recorded execution (persistence.ts), its files kept for a replay.
    return persistence.execute(() => ({ k: 'op', api: definition.name, template: operation.op.path, method: request.method, request: operationRequest, files: persistence.keepInputs(filesOf(body)) }), async () => execute(state, runtime, operationRequest), tenant);
  }

  function execute(state: State, runtime: ApiRuntime<S>, operationRequest: OperationRequest): Promise<EmulatorResponse> | EmulatorResponse {
    const unauthorized = definition.authorize?.(operationRequest, runtime);
    if (unauthorized) return refused(definition.errors.render(unauthorized, { method: operationRequest.method, path: operationRequest.path, runtime }), { stage: 'authorize', message: unauthorized.message });
    return definition.handlers[operationRequest.operationId]!(operationRequest, state, runtime);
  }

  return {
    async handle(request, template) {
      const operation = operations.get(template)!.get(request.method)!();
      const scope: RequestScope = { written: [], runtime: undefined };
      let response: EmulatorResponse;
      try {
        response = await run(operation, request, template, scope);
      } catch (error) {
        if (!(error instanceof ApiError)) throw error;
        // A business rule the handler refused by (an unknown job, a locked resource), named by its catalogue entry.
        const rendered = definition.errors.render(error, { method: request.method, path: request.path, runtime: scope.runtime ?? current.runtime });
        response = rendered.status >= 400 && !rendered.refusal ? refused(rendered, { stage: 'handler', message: error.message }) : rendered;
      } finally {
        // Parts no resource kept (a refused request, a config sent as a file) go now.
        for (const path of scope.written) if (!shared.files.isClaimed(path)) await shared.files.remove(path);
      }
      // A tenant whose clock was moved alone reads its own time in Date too (Cadence's "future" is judged by it).
      const ahead = scope.runtime?.clock.aheadMs();
      if (ahead) response = { ...response, headers: { date: scope.runtime!.clock.now().toUTCString(), ...response.headers } };
      if (options.strict) {
        try {
          validator.check(operation.op, response);
        } catch (error) {
          if (!(error instanceof ContractViolation)) throw error;
          return jsonResponse(500, { error: 'contract_violation', message: error.message });
        }
      }
      return response;
    },
    control(operationId, input) {
      return definition.control![operationId]!(input, current.state, current.runtime);
    },
    refuse: (request, failure) => invalid(request, current.runtime, failure),
    routeMiss(request, miss) {
      return definition.errors.route?.(miss, { method: request.method, path: request.path, runtime: current.runtime });
    },
    async replay(record, files) {
      // The request as the handler was given it, its files at their fresh paths.
      const request = withPaths(record.request, files) as OperationRequest;
      try {
        await execute(current.state, current.runtime.forTenant(request.tenant), request);
      } catch (error) {
        if (!(error instanceof ApiError)) throw error;
      } finally {
        for (const path of files.values()) if (!shared.files.isClaimed(path)) await shared.files.remove(path);
      }
    },
    async reset() {
      const old = current;
      current = generation();
      await old.dispose();
    },
  };
}
