// A test-only API on the core, with no vendor's rules: uploads named by URL, jobs that move
// queued → processing → done | error by the `processing` setting, media from a part, an
// upload or a real fetch, and one operation per security scheme. The core's tests drive it.
import { fileURLToPath } from 'node:url';
import { ApiError } from '../api-error.ts';
import { jsonResponse } from '../http-types.ts';
import { defineLifecycle, progress } from '../lifecycle.ts';
import type { Resource } from '../ownership.ts';
import { fetchKept, RemoteMediaError } from '../remote-media.ts';
import { progressionSetting, uploadLimitSetting } from '../settings.ts';
import type { ApiRuntime, Handler } from '../api-definition.ts';
import { defineApi } from '../stateful.ts';
import type { TenantStore } from '../tenant-store.ts';

export const TINY_SPEC = fileURLToPath(new URL('./tiny-api.yaml', import.meta.url));

type Status = 'queued' | 'processing' | 'done' | 'error';
const JOBS = defineLifecycle<Status>({ queued: ['processing', 'error'], processing: ['done', 'error'], done: [], error: [] });

interface Job extends Resource {
  status: Status;
  path?: string;
  bytes?: number;
  error?: string;
}

const SETTINGS = {
  processing: progressionSetting('seconds:1', 0, 'time per step'),
  'max-upload-mb': uploadLimitSetting(1, 'largest upload'),
};
type Runtime = ApiRuntime<typeof SETTINGS>;
type State = { jobs: TenantStore<Job> };
type TinyHandler = Handler<State, typeof SETTINGS>;

const view = (job: Job) => ({ id: job.id, status: job.status, ...(job.bytes !== undefined && { media_bytes: job.bytes }), ...(job.error && { error: job.error }) });

/** Two steps, each by the progression policy: queued → processing → done. */
function start(job: Job, runtime: Runtime): void {
  const step = (to: Status, then?: () => void) => () => {
    JOBS.move(job, to);
    then?.();
  };
  progress(runtime.own, job.held, runtime.settings.processing, 0, 'tiny: a job processes', step('processing', () => progress(runtime.own, job.held, runtime.settings.processing, 0, 'tiny: a job finishes', step('done'))));
}

function fail(job: Job, message: string): void {
  job.error = message;
  JOBS.move(job, 'error');
}

const upload: TinyHandler = async (request, _state, runtime) => {
  if (request.body.kind !== 'file') throw new ApiError('badBody');
  const stored = runtime.uploads.register(request.tenant, { ...request.body.file, filename: 'upload' }, (id) => `${request.origin}/tiny/files/${id}`);
  return jsonResponse(200, { url: stored.url, bytes: stored.bytes });
};

const createJob: TinyHandler = async (request, state, runtime) => {
  const job: Job = { id: runtime.random.alnum(8), status: 'queued', held: {} };
  state.jobs.add(request.tenant, job);
  if (request.body.kind === 'form') {
    const media = request.body.files.media?.[0];
    if (!media?.path) throw new ApiError('badBody', 'media must be a file');
    job.path = runtime.own.keep(job.held, media.path);
    job.bytes = media.bytes;
    start(job, runtime);
  } else if (request.body.kind === 'json') {
    const { media_url: url } = request.body.value as { media_url: string };
    const uploaded = runtime.uploads.resolve(request.tenant, url);
    if (uploaded) {
      job.path = uploaded.path;
      job.bytes = uploaded.bytes;
      start(job, runtime);
    } else if (runtime.uploads.isUploadUrl(url)) {
      fail(job, 'not your upload');
    } else {
      // Fetched on the clock, as a vendor fetches after answering.
      runtime.own.after(job.held, 0, 'tiny: a job fetches', async () => {
        try {
          const fetched = await fetchKept(runtime, job.held, url, {}, { maxBytes: runtime.settings['max-upload-mb'] });
          [job.path, job.bytes] = [fetched.path, fetched.bytes];
          start(job, runtime);
        } catch (error) {
          if (!(error instanceof RemoteMediaError)) throw error;
          fail(job, error.message);
        }
      });
    }
  }
  return jsonResponse(201, view(job));
};

const find = (state: State, tenant: string, id: string | undefined) => {
  const job = state.jobs.get(tenant, id ?? '');
  if (!job) throw new ApiError('notFound');
  return job;
};

const getJob: TinyHandler = async (request, state, runtime) => {
  const job = find(state, request.tenant, request.pathParams.id);
  await runtime.own.read(job.held);
  return jsonResponse(200, view(job));
};

const handlers: Record<string, TinyHandler> = {
  upload,
  createJob,
  listJobs: async (request, state) => jsonResponse(200, { jobs: state.jobs.list(request.tenant).map(view) }),
  getJob,
  deleteJob: async (request, state) => {
    await state.jobs.remove(request.tenant, find(state, request.tenant, request.pathParams.id).id);
    return { status: 204, headers: {} };
  },
  submitForm: async (request) => jsonResponse(200, request.body.kind === 'form' ? request.body.values : {}),
};

const STATUS: Record<string, number> = { unauthorized: 401, notFound: 404, badBody: 400 };

export const tinyApi = defineApi<State, typeof SETTINGS>({
  name: 'tiny',
  spec: TINY_SPEC,
  sampleKeys: ['tiny:sample'],
  settings: SETTINGS,
  createState: (scope) => ({ jobs: scope.store<Job>() }),
  handlers,
  // A check the spec's securitySchemes cannot state: the body repeats the credential.
  authorize: (request) => {
    const token = request.body.kind === 'json' ? (request.body.value as { api_token?: string }).api_token : undefined;
    return token !== undefined && token !== request.tenant ? new ApiError('unauthorized', 'api_token is not the key in the header') : undefined;
  },
  errors: {
    render: (error) => jsonResponse(STATUS[error.kind] ?? 400, { problem: error.kind, ...(error.detail && { detail: error.detail }) }),
    validation: (failure) => jsonResponse(400, { problem: `${failure.in}:${failure.rule}`, detail: [failure.name, failure.expected].filter(Boolean).join(': ') }),
    credentials: (problem) => new ApiError('unauthorized', problem),
    route: (miss, context) => miss.kind === 'wrong-method'
      ? jsonResponse(405, { problem: 'wrongMethod', detail: `${context.method} ${context.path}` }, { allow: miss.allowed.join(', ') })
      : jsonResponse(404, { problem: 'noSuchPath', detail: context.path }),
  },
  namespaces: ['/tiny/'],
});
