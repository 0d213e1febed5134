// Runs an API's business logic: finds the operation the spec routes a request to, checks the
// caller's credentials the vendor's way, hands the handler a parsed request, renders typed
// errors through the API's catalogue, and (strict mode) checks the answer against the spec.
// An API module is plain data: its handlers by operationId, its auth, its error renderer.
import { ApiError } from './api-error.ts';
import type { CallbackSender } from './callbacks.ts';
import type { Clock } from './clock.ts';
import type { FileStore } from './file-store.ts';
import type { Engine } from '../engine/engine.ts';
import { jsonResponse, type EmulatorRequest, type EmulatorResponse } from './http-types.ts';
import type { Random } from './random.ts';
import { ContractViolation, createResponseValidator } from './response-validation.ts';
import { createRequestValidator, type ValidatedParams, type ValidationFailure, type Validation } from './request-validation.ts';
import { listOperations, type ApiName, type JsonObject, type LoadedSpec, type OperationRef } from '../../openapi/specs.ts';

/** How the emulated services behave where the vendors leave room (DESIGN.md, lifecycles). */
export interface Settings {
  /** Processing takes this share of the audio's duration (vendors run faster than real time). */
  realTimeFactor: number;
  /** Finished jobs are kept this long before they expire (Speechmatics: 7 days). */
  retentionSeconds: number;
  /** What asking for an expired job answers: 410 as the API reference says, or 404 as the retention docs say. */
  expiredStatus: 404 | 410;
  /** The largest uploaded file (Speechmatics: 1 GB); bigger uploads are refused, not stored. */
  maxUploadBytes: number;
}

export const DEFAULT_SETTINGS: Settings = { realTimeFactor: 0.5, retentionSeconds: 7 * 24 * 3600, expiredStatus: 410, maxUploadBytes: 2 ** 30 };

export interface Runtime {
  clock: Clock;
  random: Random;
  engine: Engine;
  callbacks: CallbackSender;
  /** Uploaded and fetched media, on disk while their job lives. */
  files: FileStore;
  settings: Settings;
}

/** Which keys the emulator accepts (DESIGN.md: test-key, --api-key, vendor samples, --any-key). */
export interface KeyPolicy {
  accepts(key: string): boolean;
}

export const DEFAULT_KEYS = ['test-key'];

export function createKeyPolicy(keys: string[], anyKey: boolean): KeyPolicy {
  const accepted = new Set([...DEFAULT_KEYS, ...keys]);
  return { accepts: (key) => key.length > 0 && (anyKey || accepted.has(key)) };
}

export interface OperationRequest extends EmulatorRequest {
  operationId: string;
  pathParams: Record<string, string>;
  /** The credential the request carried: state is partitioned by it. */
  tenant: string;
  /** Parameters coerced to their spec types (defaults filled in), and the parsed JSON body. */
  params: ValidatedParams;
}

export type Handler<State> = (request: OperationRequest, state: State, runtime: Runtime) => Promise<EmulatorResponse>;

export interface ApiModule<State> {
  name: ApiName;
  /** Keys this vendor's own documentation prints as samples; accepted like test-key. */
  sampleKeys: string[];
  createState(runtime: Runtime): State;
  /** Lets go of a state being reset: cancel its scheduled steps, remove its files. */
  disposeState(state: State, runtime: Runtime): Promise<void>;
  /** The tenant (the credential) the request carries, or the vendor's auth error. */
  authenticate(request: EmulatorRequest, keys: KeyPolicy): string | ApiError;
  handlers: Record<string, Handler<State>>;
  renderError(error: ApiError): EmulatorResponse;
  /** A request the spec refuses, in the vendor's words and status. */
  renderValidationError(failure: ValidationFailure): EmulatorResponse;
}

export interface StatefulApi {
  handle(request: EmulatorRequest, template: string): Promise<EmulatorResponse>;
  /** Forgets everything, including steps still scheduled for it: nothing of the old state runs later. */
  reset(): Promise<void>;
}

function pathParams(template: string, path: string): Record<string, string> {
  const names = [...template.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!);
  const pattern = new RegExp('^' + template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{[^}]+\\?\}/g, '([^/]+)') + '/?$');
  const values = pattern.exec(path)?.slice(1) ?? [];
  return Object.fromEntries(names.map((name, i) => [name, decodeURIComponent(values[i] ?? '')]));
}

export function createStatefulApi<State>(module: ApiModule<State>, spec: LoadedSpec, runtime: Runtime, options: { keys: KeyPolicy; strict: boolean }): StatefulApi {
  const operations = new Map<string, { op: OperationRef; validate: (r: EmulatorRequest, p: Record<string, string>) => Validation }>();
  for (const op of listOperations(spec.dereferenced)) {
    const id = String(op.operation.operationId);
    if (!module.handlers[id]) throw new Error(`${module.name}: ${op.method.toUpperCase()} ${op.path} (${id}) is in the spec but has no handler`);
    const pathItem = (spec.dereferenced.paths as JsonObject)[op.path] as JsonObject;
    operations.set(`${op.method.toUpperCase()} ${op.path}`, { op, validate: createRequestValidator(op, pathItem) });
  }
  const keys = createKeyPolicy(module.sampleKeys, false);
  const policy: KeyPolicy = { accepts: (key) => options.keys.accepts(key) || keys.accepts(key) };
  const validator = createResponseValidator();
  let state = module.createState(runtime);

  return {
    async handle(request, template) {
      const { op, validate } = operations.get(`${request.method} ${template}`)!;
      const operationId = String(op.operation.operationId);
      let response: EmulatorResponse;
      try {
        // Credentials first, as the vendors do: a stranger learns nothing about the request.
        const tenant = module.authenticate(request, policy);
        if (tenant instanceof ApiError) throw tenant;
        const params = pathParams(template, request.path);
        const validation = validate(request, params);
        if (!validation.ok) {
          response = module.renderValidationError(validation.failure);
        } else {
          const handler = module.handlers[operationId]!;
          response = await handler({ ...request, operationId, pathParams: params, tenant, params: validation.params }, state, runtime);
        }
      } catch (error) {
        if (!(error instanceof ApiError)) throw error;
        response = module.renderError(error);
      }
      if (options.strict) {
        try {
          validator.check(op, response);
        } catch (error) {
          if (!(error instanceof ContractViolation)) throw error;
          return jsonResponse(500, { error: 'contract_violation', message: error.message });
        }
      }
      return response;
    },
    async reset() {
      const old = state;
      state = module.createState(runtime);
      await module.disposeState(old, runtime);
    },
  };
}
