// For an API's `adaptExample`: the spec's example request with its JSON body changed.
import type { ExampleRequest } from '../../openapi/example-requests.ts';

/** The request with its JSON object body replaced by `edit` of it; as it is when the body is not a JSON object. */
export function editJsonBody(request: ExampleRequest, edit: (body: Record<string, unknown>) => Record<string, unknown>): ExampleRequest {
  let body: unknown;
  try {
    body = JSON.parse(request.body.toString('utf8'));
  } catch {
    return request;
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return request;
  return { ...request, body: Buffer.from(JSON.stringify(edit(body as Record<string, unknown>))) };
}
