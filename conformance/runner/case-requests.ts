// The requests the runner's own cases send: the spec's example request of an operation
// (openapi/example-requests.ts builds it, JSON, multipart and binary bodies included) with the
// caller's credentials in place of the example's, real path parameters, and the API's own
// adaptations; and, made from the schema, the same request with only the properties it requires.
import { buildExampleRequest, type ExampleRequest } from '../../openapi/example-requests.ts';
import type { Json, JsonObject, OperationRef } from '../../openapi/specs.ts';
import { applyCredentials, credentialSlots, missingCredentialFlag, type Credentials } from '../credentials.ts';
import { contentEntry, isJsonMediaType, mediaTypeOf } from '../media-type.ts';
import { constraintSources } from '../negative/violations.ts';
import { SkipStep, type AdaptExample, type Call, type ScenarioContext } from '../scenario.ts';
import type { RunEnv } from './group.ts';
import { replacePathParams } from './paths.ts';

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The request with the caller's credentials where the operation's schemes put them, and no others. */
export function withCredentials(doc: JsonObject, op: OperationRef, request: ExampleRequest, credentials: Credentials): ExampleRequest {
  const slots = credentialSlots(doc, op.operation);
  const auth = applyCredentials(doc, op.operation, credentials);
  const headers = Object.fromEntries(Object.entries(request.headers).filter(([name]) => !slots.headers.has(name)));
  const query = Object.fromEntries(Object.entries(request.query).filter(([name]) => !slots.query.has(name)));
  return { ...request, headers: { ...headers, ...auth.headers }, query: { ...query, ...auth.query } };
}

/**
 * The spec's example request for `op`, aimed at `values` (real path parameters; the others keep
 * the example's), with the caller's credentials, as the API adapts it. Throws SkipStep when the
 * run lacks the credentials the operation takes, or the API says no such request can succeed.
 */
export async function exampleRequest(env: RunEnv, ctx: ScenarioContext, op: OperationRef, values: Record<string, string>, adapt?: AdaptExample): Promise<ExampleRequest> {
  const flag = missingCredentialFlag(env.doc, op.operation, env.credentials);
  if (flag) throw new SkipStep(`needs the credentials its security scheme takes (${flag})`, { goOn: true });
  const example = buildExampleRequest(env.doc, op);
  const aimed = { ...example, path: replacePathParams(op.path, example.path, values) };
  const request = withCredentials(env.doc, op, aimed, env.credentials);
  return adapt ? adapt(String(op.operation.operationId), request, ctx) : request;
}

/**
 * The request with a JSON body cut down to the properties its schema requires (those of the
 * schema and its `allOf` members), when that leaves something out and the schema still accepts
 * it; undefined otherwise.
 */
export function requiredOnly(env: RunEnv, op: OperationRef, request: ExampleRequest): ExampleRequest | undefined {
  const type = mediaTypeOf(request.headers['content-type']);
  if (!isJsonMediaType(type)) return undefined;
  const requestBody = op.operation.requestBody;
  const media = isObject(requestBody) && isObject(requestBody.content) ? contentEntry(requestBody.content as Record<string, Json>, type)?.value : undefined;
  const schema = isObject(media) && isObject(media.schema) ? media.schema : undefined;
  if (!schema) return undefined;
  let body: Json;
  try {
    body = JSON.parse(request.body.toString('utf8')) as Json;
  } catch {
    return undefined;
  }
  if (!isObject(body)) return undefined;
  const required = new Set(constraintSources(schema, '').flatMap(({ schema: s }) => (Array.isArray(s.required) ? s.required.map(String) : [])));
  const kept = Object.fromEntries(Object.entries(body).filter(([name]) => required.has(name)));
  if (Object.keys(kept).length === Object.keys(body).length || [...required].some((name) => !(name in kept))) return undefined;
  if (!env.compile(schema)(structuredClone(kept))) return undefined;
  return { ...request, body: Buffer.from(JSON.stringify(kept)) };
}

export const sendRequest = (ctx: ScenarioContext, op: OperationRef, request: ExampleRequest): Promise<Call> =>
  ctx.send(String(op.operation.operationId), { method: request.method, path: request.path, query: request.query, headers: request.headers, ...(request.body.length && { body: request.body }) });
