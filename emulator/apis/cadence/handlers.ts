// Cadence operations, by the spec's operationIds: read the request, ask the model, answer.
// Routing, credentials, Accept, parameter and body validation and error bodies are the core's
// and errors.ts's; the checks the spec cannot state (a real zone, a future start, known
// language ids, the add-on's duplicate request_sid) are here.
import type { Handler } from '../../core/api-definition.ts';
import { jsonResponse } from '../../core/http-types.ts';
import { formFile } from '../../core/request-body.ts';
import { isKnownZone, startInstant } from './booking-time.ts';
import { cadenceError } from './errors.ts';
import { LANGUAGES, languageById } from './languages.ts';
import { bubbleId, userOf, type AddonRequest, type AddonService, type Booking, type CadenceState } from './model.ts';
import { acceptRequest } from './processing.ts';
import { bubblePage, jobRecord, jobView, userRecord } from './records.ts';
import { adminKeys, type SETTINGS } from './settings.ts';

type CadenceHandler = Handler<CadenceState, typeof SETTINGS>;

interface BookingBody {
  api_token: string;
  start_time: string;
  timezone: string;
  languages: number[];
  notes?: string;
}

const createJob: CadenceHandler = async (request, state, runtime) => {
  const body = (request.body.kind === 'json' ? request.body.value : {}) as BookingBody;
  if (!isKnownZone(body.timezone)) throw cadenceError('invalidData', `Invalid data for parameter timezone: ${body.timezone} is not a known time zone`);
  const startMs = startInstant(body.start_time, body.timezone);
  if (startMs === undefined) throw cadenceError('invalidData', `Invalid data for parameter start_time: ${body.start_time} is not a date and time (YYYY-MM-DDTHH:mm:ssZ)`);
  // One reading of the clock: the id's time, Created Date and "the future" are the same instant.
  const nowMs = runtime.clock.nowMs();
  if (startMs <= nowMs) throw cadenceError('invalidData', 'start_time must be in the future');
  const unknown = body.languages.find((id) => !languageById(id));
  if (unknown !== undefined) throw cadenceError('invalidData', `Invalid data for parameter languages: ${unknown} is not a known language id`);
  const booking: Booking = {
    id: bubbleId(runtime, nowMs),
    tenant: request.tenant,
    userId: userOf(state, request.tenant, runtime).id,
    startMs,
    timezone: body.timezone,
    languageIds: [...new Set(body.languages)],
    ...(body.notes !== undefined && { notes: body.notes }),
    createdMs: nowMs,
    held: {},
  };
  state.bookings.add(request.tenant, booking);
  return jsonResponse(200, { status: 'success', response: jobView(booking, nowMs) });
};

const paging = (query: Record<string, unknown>) => ({ cursor: query.cursor as number, limit: query.limit as number });

const listLanguages: CadenceHandler = async (request) => {
  const { cursor, limit } = paging(request.params.query);
  return jsonResponse(200, bubblePage(LANGUAGES, cursor, limit));
};

const getJob: CadenceHandler = async (request, state, runtime) => {
  const id = request.pathParams.job_id!;
  const booking = state.bookings.get(request.tenant, id);
  // Another key's booking is answered exactly as one that never existed.
  if (!booking) throw cadenceError('notFound', `Missing object of type job: object with id ${id} does not exist`);
  return jsonResponse(200, { response: jobRecord(booking, runtime.clock.nowMs()) });
};

const listJobs: CadenceHandler = async (request, state, runtime) => {
  const { cursor, limit } = paging(request.params.query);
  const now = runtime.clock.nowMs();
  return jsonResponse(200, bubblePage(state.bookings.list(request.tenant).map((booking) => jobRecord(booking, now)), cursor, limit));
};

const getUser: CadenceHandler = async (request, state, runtime) => {
  if (!adminKeys(runtime.settings['admin-keys']).includes(request.tenant)) throw cadenceError('forbidden');
  const id = request.pathParams.user_id!;
  const user = [...state.users.values()].find((candidate) => candidate.id === id);
  if (!user) throw cadenceError('notFound', `Missing object of type user: object with id ${id} does not exist`);
  return jsonResponse(200, { response: userRecord(user) });
};

interface AddonForm {
  request_sid: string;
  callback_url: string;
  requested_service: AddonService;
  source_language: string | string[];
  target_language: string;
}

const submitTwilioAddonRequest: CadenceHandler = async (request, state, runtime) => {
  const form = (request.body.kind === 'form' ? request.body.values : {}) as unknown as AddonForm;
  const audio = formFile(request.body, 'audio_data');
  if (!audio?.path) throw cadenceError('addonBadRequest', 'Missing required parameter: audio_data');
  // Twilio retries a delivery it thinks failed: the same request is acknowledged, not redone.
  if (state.requests.get(request.tenant, form.request_sid)) return { status: 202, headers: {} };
  const addon: AddonRequest = {
    id: form.request_sid,
    tenant: request.tenant,
    status: 'accepted',
    service: form.requested_service,
    sources: [form.source_language].flat(),
    target: form.target_language,
    callbackUrl: form.callback_url,
    receivedMs: runtime.clock.nowMs(),
    audioPath: audio.path,
    audio: { unreadable: 'empty' },
    held: {},
  };
  addon.audioPath = runtime.own.keep(addon.held, audio.path);
  state.requests.add(request.tenant, addon);
  await acceptRequest(addon, state, runtime);
  return { status: 202, headers: {} };
};

export const HANDLERS: Record<string, CadenceHandler> = { createJob, listLanguages, getJob, listJobs, getUser, submitTwilioAddonRequest };
