// Every operation of every vendor spec, as the conformance runner's generators see it, and the
// requests aimed at them: encoded (generated inputs or the spec's own example), with a tenant's
// credentials where the operation's security scheme puts them, on real resources.
import { withCredentials } from '../../../conformance/runner/case-requests.ts';
import { replacePathParams } from '../../../conformance/runner/paths.ts';
import { operationModel, type OperationModel } from '../../../conformance/generated/requests.ts';
import { buildExampleRequest, type ExampleRequest } from '../../../openapi/example-requests.ts';
import { listOperations, loadSpec, type ApiName, type JsonObject, type OperationRef } from '../../../openapi/specs.ts';
import type { RawRequest } from './raw-http.ts';
import { APIS, DEFAULT_TENANT, type Resources, type Tenant } from './world.ts';

export interface Target {
  api: ApiName;
  doc: JsonObject;
  op: OperationRef;
  operationId: string;
  model: OperationModel;
}

export async function loadTargets(): Promise<Target[]> {
  const targets: Target[] = [];
  for (const api of APIS) {
    const doc = (await loadSpec(api)).dereferenced;
    for (const op of listOperations(doc)) targets.push({ api, doc, op, operationId: String(op.operation.operationId), model: operationModel(doc, op) });
  }
  return targets;
}

/** The request with `tenant`'s credentials where the operation takes them (the runner's own placement). */
export const credentialed = (target: Target, request: ExampleRequest, tenant: Tenant = DEFAULT_TENANT): ExampleRequest =>
  withCredentials(target.doc, target.op, request, { token: tenant.key, basic: tenant.basic });

const editJson = (request: ExampleRequest, edit: (body: Record<string, unknown>) => Record<string, unknown>): ExampleRequest => {
  try {
    const body = JSON.parse(request.body.toString('utf8')) as unknown;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) return request;
    return { ...request, body: Buffer.from(JSON.stringify(edit(body as Record<string, unknown>))) };
  } catch {
    return request;
  }
};

/**
 * What a request needs to get past the checks the spec cannot state, so that it reaches the
 * handler's work: Cadence's body repeats the key as `api_token`; a transcript or job may name
 * one of the tenant's own uploads (`aim`).
 */
export function deepen(target: Target, request: ExampleRequest, resources: Resources, tenant: Tenant, aim: boolean): ExampleRequest {
  switch (target.operationId) {
    case 'createJob':
      return target.api === 'cadence' ? editJson(request, (body) => ({ ...body, api_token: tenant.key })) : request;
    case 'createTranscript':
      return aim ? editJson(request, (body) => ({ ...body, audio_url: resources.uploads.assemblyai })) : request;
    case 'createPreRecordedJob':
      return aim ? editJson(request, (body) => ({ ...body, audio_url: resources.uploads.gladia })) : request;
    default:
      return request;
  }
}

/** The spec's example request for the operation, on the real resources `values` names, as `tenant`. */
export function exampleFor(target: Target, values: Record<string, string>, resources: Resources, tenant: Tenant = DEFAULT_TENANT): ExampleRequest {
  const example = buildExampleRequest(target.doc, target.op);
  const aimed = { ...example, path: replacePathParams(target.op.path, example.path, values) };
  return deepen(target, credentialed(target, aimed, tenant), resources, tenant, true);
}

/** The request target: path and query, arrays as repeated parameters. */
export function targetOf(request: ExampleRequest): string {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(request.query)) for (const item of [value].flat()) query.append(name, item);
  const text = query.toString();
  return text ? `${request.path}?${text}` : request.path;
}

export const toRaw = (request: ExampleRequest): RawRequest => ({
  method: request.method,
  target: targetOf(request),
  headers: Object.entries(request.headers),
  body: request.body,
});
