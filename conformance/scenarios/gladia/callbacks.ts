import { createSchemaCompiler, describeErrors, type ValidateFunction } from '../../../openapi/schemas.ts';
import { loadSpec } from '../../../openapi/specs.ts';
import { mediaTypeOf, type CallbackReceiver, type ReceivedCall, type Scenario, type ScenarioContext } from '../../scenario.ts';
import { create, finishedJob, runTag, sameText, sleep, SPEECH_TEXT, untilFinished, upload, type JobDocument, SPEECH } from './journey.ts';
import { mediaHost } from '../media-host.ts';

const BODY_POINTER = '#/components/schemas/TranscriptionCallbackBody';

let bodySchema: Promise<ValidateFunction> | undefined;
/** The spec's callback body schema, compiled once. */
const callbackBody = () => (bodySchema ??= loadSpec('gladia').then((spec) => {
  const schemas = (spec.dereferenced.components as Record<string, Record<string, object>>).schemas!;
  return createSchemaCompiler()(schemas.TranscriptionCallbackBody!);
}));

/** Waits (moving the target's clock when it can) until the receiver has a call on `path`. */
async function arrivals(ctx: ScenarioContext, receiver: CallbackReceiver, path: string): Promise<ReceivedCall[]> {
  const on = () => receiver.calls.filter((c) => c.url.pathname === path);
  // Delivery is real HTTP: give it real moments even while the clock is moved.
  await ctx.time.until(async () => on().length > 0 || (await sleep(50), on().length > 0), 120);
  // A second request would come soon after the first; give it a moment.
  await sleep(200);
  return on();
}

interface Expected {
  path: string;
  method: 'POST' | 'PUT';
  id: string;
  job: JobDocument;
  event: 'transcription.success' | 'transcription.error';
}

/** One request, with the method asked for, carrying the documented body for this job. */
async function expectCallback(ctx: ScenarioContext, receiver: CallbackReceiver, want: Expected): Promise<void> {
  const calls = await arrivals(ctx, receiver, want.path);
  const url = receiver.url(want.path);
  ctx.expect(calls.length === 1, { message: calls.length ? 'The callback was sent more than once' : 'No callback arrived', expected: `one ${want.method} ${url}`, received: calls.length ? calls.map((c) => `${c.method} ${c.url.pathname}`).join(', ') : `${receiver.calls.length} calls elsewhere: ${receiver.calls.map((c) => `${c.method} ${c.url.pathname}`).join(', ')}` });
  const call = calls[0]!;
  ctx.expect(call.method === want.method, { message: 'The callback used the wrong method', expected: want.method, received: call.method, pointer: `${ctx.pointerOf('createPreRecordedJob')}/callbacks` });
  const type = mediaTypeOf(call.headers['content-type']);
  let body: Record<string, any> | undefined;
  try { body = JSON.parse(call.body.toString('utf8')); } catch { body = undefined; }
  ctx.expect(type === 'application/json' && body !== undefined, { message: 'The callback body is not JSON', expected: 'application/json', received: `${type} ${call.body.toString('utf8').slice(0, 200)}`, pointer: BODY_POINTER });
  const validate = await callbackBody();
  ctx.expect(validate(body), { message: 'The callback body is not as the spec documents it', expected: 'a TranscriptionCallbackBody', received: describeErrors(validate.errors).slice(0, 500), pointer: BODY_POINTER });
  ctx.expect(body!.id === want.id && body!.event === want.event && JSON.stringify(body!.custom_metadata) === JSON.stringify(want.job.custom_metadata), { message: 'The callback does not name the job, its outcome and its metadata', expected: JSON.stringify({ id: want.id, event: want.event, custom_metadata: want.job.custom_metadata }), received: JSON.stringify({ id: body!.id, event: body!.event, custom_metadata: body!.custom_metadata }), pointer: BODY_POINTER });
  if (want.event === 'transcription.success') {
    const transcript = body!.payload?.transcription?.full_transcript;
    ctx.expect(sameText(transcript, SPEECH_TEXT) && body!.payload?.metadata?.audio_duration === want.job.result?.metadata?.audio_duration, { message: 'The callback payload is not the job\'s result', expected: JSON.stringify({ full_transcript: SPEECH_TEXT, audio_duration: want.job.result?.metadata?.audio_duration }), received: JSON.stringify({ full_transcript: transcript, audio_duration: body!.payload?.metadata?.audio_duration }), pointer: '#/components/schemas/TranscriptionSuccessCallback/properties/payload' });
  } else {
    ctx.expect(body!.error?.code === want.job.error_code && typeof body!.error?.message === 'string', { message: 'The error callback does not carry the job\'s error_code', expected: `error {code: ${want.job.error_code}, message}`, received: JSON.stringify(body!.error ?? null), pointer: '#/components/schemas/TranscriptionErrorCallback/properties/error' });
  }
}

export const callbacks: Scenario = {
  name: 'callbacks',
  title: 'Callbacks: callback_config (POST and PUT) and the deprecated callback_url, on success and on error',
  unavailable: (ctx) => (ctx.targetIsLocal ? undefined : 'the receiver listens on this machine\'s loopback, which a remote target cannot reach'),
  async run(ctx) {
    const receiver = await ctx.receiver();
    const tag = runTag('callbacks');
    const forms = {
      post: { callback: true, callback_config: { url: receiver.url('/gladia/callback/post'), method: 'POST' } },
      put: { callback: true, callback_config: { url: receiver.url('/gladia/callback/put'), method: 'PUT' } },
      legacy: { callback_url: receiver.url('/gladia/callback/legacy') },
    };
    const ids = await ctx.step('create jobs asking for a callback: callback_config with POST, with PUT, and the deprecated callback_url', async () => {
      const { audio_url } = await upload(ctx);
      const made: Record<string, string> = {};
      for (const [form, options] of Object.entries(forms)) made[form] = (await create(ctx, { audio_url, ...options, custom_metadata: { conformance: tag, form } })).id;
      return made as Record<keyof typeof forms, string>;
    });
    const jobs = await ctx.step('they finish as done', async () => {
      const done: Partial<Record<keyof typeof forms, JobDocument>> = {};
      for (const form of Object.keys(forms) as Array<keyof typeof forms>) {
        const end = await untilFinished(ctx, ids[form]);
        ctx.expect(end.status === 'done', { message: `The job asking for a ${form} callback did not finish as done`, expected: 'done', received: end.status, call: end.call });
        done[form] = end.job!;
      }
      return done as Record<keyof typeof forms, JobDocument>;
    });
    await ctx.step('callback_config with POST: one POST of transcription.success carrying the result', () =>
      expectCallback(ctx, receiver, { path: '/gladia/callback/post', method: 'POST', id: ids.post, job: jobs.post, event: 'transcription.success' }));
    await ctx.step('callback_config with PUT: one PUT of the same', () =>
      expectCallback(ctx, receiver, { path: '/gladia/callback/put', method: 'PUT', id: ids.put, job: jobs.put, event: 'transcription.success' }));
    await ctx.step('the deprecated callback_url: one POST of the same', () =>
      expectCallback(ctx, receiver, { path: '/gladia/callback/legacy', method: 'POST', id: ids.legacy, job: jobs.legacy, event: 'transcription.success' }));
    await ctx.step('a job that fails calls back transcription.error with its error_code', async () => {
      const body = { audio_url: (await mediaHost(ctx, SPEECH)).missingUrl, callback: true, callback_config: { url: receiver.url('/gladia/callback/error'), method: 'POST' }, custom_metadata: { conformance: tag, form: 'error' } };
      const { id, job } = await finishedJob(ctx, body, 'error');
      await expectCallback(ctx, receiver, { path: '/gladia/callback/error', method: 'POST', id, job, event: 'transcription.error' });
    });
  },
};
