// The contract between the core and an API: what a vendor folder defines (`ApiDefinition`:
// spec, settings, state, handlers, error catalogue), what its handlers are given (the
// checked `OperationRequest`, the `ApiRuntime`), and what the emulator mounts (`ApiModule`).
// Types only; `defineApi` in stateful.ts turns a definition into a module.
import type { ApiError } from './api-error.ts';
import type { CallbackSender } from './callbacks.ts';
import type { Clock } from './clock.ts';
import type { CredentialCheck, CredentialPolicy } from './credentials.ts';
import type { FileStore } from './file-store.ts';
import type { EmulatorRequest, EmulatorResponse } from './http-types.ts';
import type { OutboundPolicy } from './outbound-policy.ts';
import type { Ownership, Resource } from './ownership.ts';
import type { Random } from './random.ts';
import type { RequestBody } from './request-body.ts';
import type { ValidatedParams } from './request-validation.ts';
import type { ValidationFailure } from './validation-failure.ts';
import type { SettingOverrides, SettingsSchema, SettingValues } from './settings.ts';
import type { TenantStore } from './tenant-store.ts';
import type { UploadRegistry } from './uploads.ts';
import type { OperationRecord, Persistence } from './persistence.ts';
import type { Engine } from '../engine/engine.ts';
import type { LoadedSpec } from '../../openapi/specs.ts';

/** What every API shares: one clock, one seeded random source, the engine, callbacks, files. */
export interface Runtime {
  clock: Clock;
  /** Replaced on a full reset, so ids repeat after it. */
  random: Random;
  engine: Engine;
  callbacks: CallbackSender;
  files: FileStore;
  own: Ownership;
  /** Which hosts remote media may be fetched from (`--allow-fetch`). */
  fetchPolicy: OutboundPolicy;
  /** With `--data-dir`: handlers run one at a time, each recorded (persistence.ts). */
  persistence?: Persistence;
}

/** What a handler works with: the shared runtime, its API's settings, and its API's uploads. */
export interface ApiRuntime<S extends SettingsSchema = SettingsSchema> extends Runtime {
  api: string;
  settings: SettingValues<S>;
  uploads: UploadRegistry;
  /**
   * The runtime as `tenant` (a credential) sees it: its own clock, and scheduling, files and
   * callbacks on that clock. Handlers are given this already; a control handler that finds a
   * tenant's resource asks for it.
   */
  forTenant(tenant: string): ApiRuntime<S>;
}

export interface OperationRequest extends Omit<EmulatorRequest, 'body' | 'stream'> {
  operationId: string;
  pathParams: Record<string, string>;
  /** The credential the request carried: state is partitioned by it. */
  tenant: string;
  /** Parameters coerced to their spec types, defaults filled in. */
  params: ValidatedParams;
  /** The body, read by its media type and checked against the spec. */
  body: RequestBody;
  /** Where the client reached this emulator (`http://host:port`), for URLs it hands out. */
  origin: string;
}

export type Handler<State, S extends SettingsSchema> = (request: OperationRequest, state: State, runtime: ApiRuntime<S>) => Promise<EmulatorResponse>;

export type CredentialProblem = Extract<CredentialCheck, { ok: false }>['problem'];

/** Makes the stores a state holds; whatever they keep is released when the state is reset. */
export interface StateScope {
  store<R extends Resource>(): TenantStore<R>;
}

export interface ControlInput {
  pathParams: Record<string, string>;
  body: unknown;
}

export type ControlHandler<State, S extends SettingsSchema> = (input: ControlInput, state: State, runtime: ApiRuntime<S>) => Promise<EmulatorResponse>;

export interface ApiDefinition<State, S extends SettingsSchema> {
  name: string;
  /** The spec file (absolute path): routes, validation and strict checks come from it. */
  spec: string;
  /** Keys this vendor's own documentation prints as samples; accepted like test-key. */
  sampleKeys?: readonly string[];
  settings: S;
  createState(scope: StateScope): State;
  handlers: Record<string, Handler<State, S>>;
  errors: {
    render(error: ApiError, context: ErrorContext<S>): EmulatorResponse;
    /** A request the spec refuses, in the vendor's words and status. */
    validation(failure: ValidationFailure, context: ErrorContext<S>): EmulatorResponse;
    /** The vendor's error for a missing, malformed or unknown credential. */
    credentials(problem: CredentialProblem): ApiError;
    /** The vendor's answer to a path it has but not for this method, or an unknown path in its namespaces (undefined: the emulator's). */
    route?(miss: RouteMiss, context: ErrorContext<S>): EmulatorResponse | undefined;
  };
  /**
   * Handlers for the control operations the control spec lists under `/__emulator/<name>/`, by
   * operationId (Stenomatic's simulated streaming); the body arrives checked against that spec.
   */
  control?: Record<string, ControlHandler<State, S>>;
  /** Path prefixes the API owns (`/api/1.1/`): an unknown path under one gets `errors.route`. */
  namespaces?: readonly string[];
  /** Checks beyond the spec's security schemes, once the body is read (Cadence's api_token). */
  authorize?(request: OperationRequest, runtime: ApiRuntime<S>): ApiError | undefined;
}

/** A request the routes did not match: the path exists with other methods, or not at all. */
export type RouteMiss = { kind: 'wrong-method'; allowed: string[] } | { kind: 'unknown-path' };

/** What an error body may quote (Gladia's has the path, a timestamp and a request id). */
export interface ErrorContext<S extends SettingsSchema = SettingsSchema> {
  method: string;
  path: string;
  runtime: ApiRuntime<S>;
}

export interface StatefulApi {
  handle(request: EmulatorRequest, template: string): Promise<EmulatorResponse>;
  /** Runs one of the API's control operations (the control spec routed and checked it). */
  control(operationId: string, input: ControlInput): Promise<EmulatorResponse>;
  /** The API's own refusal of a request its spec's rules refuse (a body that cannot be read, on the documented-response path). */
  refuse(request: EmulatorRequest, failure: ValidationFailure): EmulatorResponse;
  /** The API's own answer to a route miss, if it renders one. */
  routeMiss(request: EmulatorRequest, miss: RouteMiss): EmulatorResponse | undefined;
  /** Runs a recorded handler execution again (a restart with `--data-dir`); `files` maps its recorded paths to fresh ones. */
  replay(record: OperationRecord, files: Map<string, string>): Promise<void>;
  /** Forgets everything, including steps still scheduled for it: nothing of the old state runs later. */
  reset(): Promise<void>;
}

export interface MountOptions {
  keys: CredentialPolicy;
  strict: boolean;
  settings?: SettingOverrides;
}

/** A defined API, its state type erased: what registries list and the emulator mounts. */
export interface ApiModule {
  readonly name: string;
  readonly spec: string;
  readonly settings: SettingsSchema;
  readonly namespaces: readonly string[];
  /** Keys its vendor's documentation prints as samples, accepted by this API only (serve's banner lists them). */
  readonly sampleKeys: readonly string[];
  /** The operationIds of its control handlers. */
  readonly controlOperations: readonly string[];
  mount(spec: LoadedSpec, runtime: Runtime, options: MountOptions): StatefulApi;
}
