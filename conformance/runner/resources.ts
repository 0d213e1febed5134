// The real resources the runner's own cases aim at. Shared ones, made once by the API's
// `existingResources` (finished, so every documented read of them succeeds) in a set-up step
// whose failure is reported once; fresh ones, for a case that may change or delete what it aims
// at: made the same way when the API says how (finished, so a DELETE that ignores its
// credentials really deletes), else with the operation the spec has for it (POST /v2/jobs for
// /v2/jobs/{jobid}); and those the positive cases' POSTs made. What the runner makes with the
// spec's operations is deleted at the end when the spec has a DELETE for it (what the API's
// `existingResources` makes is its journeys' to clean up).
import type { OperationRef } from '../../openapi/specs.ts';
import { SkipStep, type AdaptExample, type Call, type ExistingResources, type ScenarioContext } from '../scenario.ts';
import { exampleRequest, sendRequest } from './case-requests.ts';
import type { RunEnv } from './group.ts';
import { pathParamNames, resourcePathOf } from './paths.ts';

export const SETUP_STEP = 'create a resource for the cases to aim at';

/** How a kind of resource is made, read and deleted: its item path (`/v2/jobs/{jobid}`) and the operations on it. */
export interface ResourceKind {
  param: string;
  itemPath: string;
  create: OperationRef;
  read?: OperationRef;
  remove?: OperationRef;
}

/** Seconds of the target's time a just-made resource may take to be ready for a request (a job to finish before it can be deleted). */
const SETTLE_SECONDS = 120;

/** The id a create answered with: a property named like the parameter (at the top or one level down), else `id`. */
function idOf(call: Call, param: string): string | undefined {
  const body = call.json<Record<string, unknown> | undefined>();
  if (!body || typeof body !== 'object') return undefined;
  const nested = Object.values(body).filter((v): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v));
  for (const holder of [body, ...nested]) {
    for (const key of [param, 'id', '_id']) if (typeof holder[key] === 'string' && holder[key]) return holder[key];
  }
  return undefined;
}

const is2xx = (status: number) => status >= 200 && status < 300;

/** What `made` (an `existingResources` answer) gives each path parameter of `op`: by `operationId.param`, then by name. */
function valuesOf(made: Record<string, string>, op: OperationRef): Record<string, string> {
  return Object.fromEntries(pathParamNames(op.path).flatMap((param) => {
    const value = made[`${String(op.operation.operationId)}.${param}`] ?? made[param];
    return value === undefined ? [] : [[param, value]];
  }));
}

export class Resources {
  private shared: Record<string, string> = {};
  /** Why the set-up gave nothing, when it failed or was skipped. */
  private setupProblem: string | undefined;
  /** Ids the positive cases' POSTs made, by the parameter that names them. */
  private readonly made = new Map<string, string>();
  private readonly gone = new Set<string>();

  constructor(
    private readonly env: RunEnv,
    private readonly options: { existingResources?: ExistingResources; adaptExample?: AdaptExample },
  ) {}

  get hasSetUp(): boolean {
    return this.options.existingResources !== undefined;
  }

  /** The set-up step: the shared resources, made once; its failure is this one step's. */
  async setUp(ctx: ScenarioContext): Promise<void> {
    const existing = this.options.existingResources;
    if (!existing) return;
    let made: Record<string, string> | undefined;
    let problem = 'set-up skipped: it did not run';
    await ctx.step(SETUP_STEP, async () => {
      try {
        made = await existing(ctx);
      } catch (error) {
        problem = `${error instanceof SkipStep ? 'set-up skipped' : 'set-up failed'}: ${(error as Error).message}`;
        throw error;
      }
    }, { setup: true });
    if (made) this.shared = made;
    else this.setupProblem = problem;
  }

  /**
   * The real value of `param` for `op`: the set-up's for the operation, then for the name; only
   * without a set-up, one a positive case's POST made (it may not be finished: a set-up that
   * failed is reported once, not again by every read of a job still running).
   */
  valueFor(op: OperationRef, param: string): string | undefined {
    return valuesOf(this.shared, op)[param] ?? (this.hasSetUp ? undefined : this.made.get(param));
  }

  /** Why there is no real `param`, for a skipped case. */
  missing(param: string): string {
    return this.setupProblem ?? `needs a real ${param}: the set-up made none, and no earlier request did`;
  }

  /** The set-up was asked for, and failed: cases that need it are skipped with this reason. */
  get setupFailure(): string | undefined {
    return this.setupProblem;
  }

  /** How the resource `op`'s path names is made (a POST on the collection before its first parameter), read and deleted. */
  kindOf(op: OperationRef): ResourceKind | undefined {
    const resource = resourcePathOf(op.path);
    if (!resource) return undefined;
    const create = this.env.operations.find((o) => o.method === 'post' && o.path === resource.collection);
    if (!create) return undefined;
    const on = (method: string) => this.env.operations.find((o) => o.method === method && o.path === resource.itemPath);
    return { param: resource.param, itemPath: resource.itemPath, create, ...(on('get') && { read: on('get') }), ...(on('delete') && { remove: on('delete') }) };
  }

  /** The kinds of resource a POST makes: those whose collection is its path. */
  kindsMadeBy(op: OperationRef): ResourceKind[] {
    if (op.method !== 'post') return [];
    const kinds = new Map<string, ResourceKind>();
    for (const other of this.env.operations) {
      const kind = this.kindOf(other);
      if (kind && kind.create === op) kinds.set(kind.itemPath, kind);
    }
    return [...kinds.values()];
  }

  /** Remembers what a successful POST made, for later cases, and deletes it at the end. */
  adopt(ctx: ScenarioContext, op: OperationRef, call: Call): void {
    if (!is2xx(call.status)) return;
    for (const kind of this.kindsMadeBy(op)) {
      const id = idOf(call, kind.param);
      if (!id) continue;
      if (!this.made.has(kind.param)) this.made.set(kind.param, id);
      this.deleteAtTheEnd(ctx, kind, { [kind.param]: id });
    }
  }

  /**
   * A new resource of the kind `op` aims at, for it alone: made as the set-up made the shared
   * ones (not tried again once the set-up failed), else with the spec's create operation
   * (`settled` false: it may still be busy); the problem when it could not be made; undefined
   * when the run has no way to make one.
   */
  async fresh(ctx: ScenarioContext, op: OperationRef): Promise<{ values: Record<string, string>; settled: boolean } | { problem: string } | undefined> {
    const existing = this.options.existingResources;
    if (existing) {
      if (this.setupProblem) return { problem: this.setupProblem };
      return { values: valuesOf(await existing(ctx), op), settled: true };
    }
    const kind = this.kindOf(op);
    if (!kind) return undefined;
    const made = await this.create(ctx, kind);
    return 'problem' in made ? made : { values: made.values, settled: false };
  }

  /** A new resource of `kind`, made with its create operation's example request, deleted at the end. */
  private async create(ctx: ScenarioContext, kind: ResourceKind): Promise<{ values: Record<string, string> } | { problem: string }> {
    const values = this.realValues(kind.create);
    const request = await exampleRequest(this.env, ctx, kind.create, values, this.options.adaptExample);
    const call = await sendRequest(ctx, kind.create, request);
    const id = is2xx(call.status) ? idOf(call, kind.param) : undefined;
    if (!id) return { problem: `making one with ${kind.create.method.toUpperCase()} ${kind.create.path} answered ${call.status || call.exchange.error}` };
    this.deleteAtTheEnd(ctx, kind, { ...values, [kind.param]: id });
    return { values: { ...values, [kind.param]: id } };
  }

  /** Whether a value came from the set-up (a finished resource), not from a positive case's POST. */
  isShared(op: OperationRef, param: string): boolean {
    return valuesOf(this.shared, op)[param] !== undefined;
  }

  /** Every path parameter of `op` the set-up made a resource for. */
  sharedValues(op: OperationRef): Record<string, string> {
    return valuesOf(this.shared, op);
  }

  /**
   * Whether a path parameter names a resource, which only a real one will do for: the first of a
   * path, or one the set-up gives. Any other (AssemblyAI's `{subtitle_format}`) keeps the example's value.
   */
  namesResource(op: OperationRef, param: string): boolean {
    return pathParamNames(op.path)[0] === param || this.valueFor(op, param) !== undefined;
  }

  /** Every path parameter of `op` the run has a real value for. */
  realValues(op: OperationRef): Record<string, string> {
    return Object.fromEntries(pathParamNames(op.path).flatMap((param) => {
      const value = this.valueFor(op, param);
      return value === undefined ? [] : [[param, value]];
    }));
  }

  /** A resource a case deleted: nothing to delete at the end. */
  deleted(values: Record<string, string>): void {
    for (const id of Object.values(values)) this.gone.add(id);
  }

  /**
   * Sends a request at a resource the run just made, again while the answer is a documented
   * refusal that time may lift (a job that cannot be deleted while it runs), moving or waiting
   * for the target's time. 401, 404 and 410 are final.
   */
  async settled(ctx: ScenarioContext, op: OperationRef, send: () => Promise<Call>): Promise<Call> {
    const documented = Object.keys((op.operation.responses ?? {}) as object);
    let call = await send();
    const waiting = (c: Call) => c.status >= 400 && c.status < 500 && ![401, 404, 410].includes(c.status) && documented.includes(String(c.status));
    if (!waiting(call)) return call;
    await ctx.time.until(async () => {
      call = await send();
      return !waiting(call);
    }, SETTLE_SECONDS).catch(() => false);
    return call;
  }

  private deleteAtTheEnd(ctx: ScenarioContext, kind: ResourceKind, values: Record<string, string>): void {
    const remove = kind.remove;
    if (!remove) return;
    const id = values[kind.param]!;
    ctx.onCleanup(async () => {
      if (this.gone.has(id)) return;
      const request = await exampleRequest(this.env, ctx, remove, values, this.options.adaptExample);
      await this.settled(ctx, remove, () => sendRequest(ctx, remove, request));
    });
  }
}
