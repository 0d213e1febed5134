import { describe, expect, it } from 'vitest';
import { ApiError } from './api-error.ts';
import { createClock } from './clock.ts';
import { createCallbackSender } from './callbacks.ts';
import { createFileStore } from './file-store.ts';
import { jsonResponse } from './http-types.ts';
import { createRandom } from './random.ts';
import { createKeyPolicy, createStatefulApi, DEFAULT_SETTINGS, type ApiModule, type Runtime } from './stateful.ts';
import { loadSpec } from '../../openapi/specs.ts';
import { createEngine } from '../engine/engine.ts';

async function runtime(): Promise<Runtime> {
  const clock = createClock({ mode: 'manual' });
  return { clock, random: createRandom(1), engine: await createEngine(), callbacks: createCallbackSender(clock), files: createFileStore(), settings: DEFAULT_SETTINGS };
}

// A Speechmatics stand-in that answers listJobs with whatever the test gives it.
function moduleAnswering(body: unknown, handlers: string[] = ['createJob', 'listJobs', 'getJob', 'deleteJob', 'getJobTranscript', 'getJobAlignment', 'getJobData', 'getJobText', 'getUsage']): ApiModule<null> {
  return {
    name: 'speechmatics',
    sampleKeys: [],
    createState: () => null,
    disposeState: async () => undefined,
    authenticate: (request) => (request.headers.authorization === 'Bearer test-key' ? 'test-key' : new ApiError('denied')),
    handlers: Object.fromEntries(handlers.map((id) => [id, async () => jsonResponse(200, body)])),
    renderError: () => jsonResponse(401, { code: 401, error: 'Permission Denied' }),
    renderValidationError: () => jsonResponse(422, { code: 422, error: 'invalid' }),
  };
}

const listJobs = { method: 'GET', path: '/v2/jobs', query: {}, headers: { authorization: 'Bearer test-key' }, body: Buffer.alloc(0) };

describe('a stateful API', () => {
  it('refuses to start when an operation in its spec has no handler', async () => {
    const spec = await loadSpec('speechmatics');
    expect(() => createStatefulApi(moduleAnswering({}, ['createJob']), spec, {} as Runtime, { keys: createKeyPolicy([], false), strict: true }))
      .toThrow(/GET \/v2\/jobs \(listJobs\) is in the spec but has no handler/);
  });

  it('in strict mode, turns an answer the spec does not allow into a 500 naming the spec pointer', async () => {
    const spec = await loadSpec('speechmatics');
    const api = createStatefulApi(moduleAnswering({ jobs: [{ id: 'not-ten-chars' }] }), spec, await runtime(), { keys: createKeyPolicy([], false), strict: true });
    const response = await api.handle(listJobs, '/v2/jobs');
    expect(response.status).toBe(500);
    expect((response.body as { message: string }).message).toMatch(/^#\/paths\/~1v2~1jobs\/get\/responses\/200\/content\/application~1json\/schema: /);
    const lenient = createStatefulApi(moduleAnswering({ jobs: [{ id: 'not-ten-chars' }] }), spec, await runtime(), { keys: createKeyPolicy([], false), strict: false });
    expect((await lenient.handle(listJobs, '/v2/jobs')).status).toBe(200);
  });
});
