import { mediaTypeOf, type CallbackReceiver, type ReceivedCall, type Scenario, type ScenarioContext } from '../../scenario.ts';
import { create, finishedTranscript, readTranscript, sleep, untilFinished, upload, SPEECH } from './journey.ts';
import { mediaHost } from '../media-host.ts';

const AUTH = { webhook_auth_header_name: 'X-Conformance-Secret', webhook_auth_header_value: 'speechdouble-conformance' };
const POINTER = '#/components/schemas/TranscriptReadyNotification';

/** Waits (moving the target's clock when it can) until the receiver has a call on `path`. */
async function arrivals(ctx: ScenarioContext, receiver: CallbackReceiver, path: string): Promise<ReceivedCall[]> {
  const on = () => receiver.calls.filter((c) => c.url.pathname === path);
  // Delivery is real HTTP: give it real moments even while the clock is moved.
  await ctx.time.until(async () => on().length > 0 || (await sleep(50), on().length > 0), 120);
  // A second request would come soon after the first; give it a moment.
  await sleep(200);
  return on();
}

/** One JSON POST `{transcript_id, status}` on `path`, carrying the auth header. */
async function expectWebhook(ctx: ScenarioContext, receiver: CallbackReceiver, path: string, id: string, status: 'completed' | 'error'): Promise<void> {
  const calls = await arrivals(ctx, receiver, path);
  ctx.expect(calls.length === 1, { message: calls.length ? 'The webhook was called more than once' : 'No webhook arrived', expected: `one POST ${receiver.url(path)}`, received: calls.length ? calls.map((c) => `${c.method} ${c.url.pathname}`).join(', ') : `${receiver.calls.length} calls elsewhere`, pointer: `${ctx.pointerOf('createTranscript')}/callbacks` });
  const call = calls[0]!;
  let body: Record<string, unknown> | undefined;
  try { body = JSON.parse(call.body.toString('utf8')); } catch { body = undefined; }
  const type = mediaTypeOf(call.headers['content-type']);
  ctx.expect(call.method === 'POST' && type === 'application/json' && body?.transcript_id === id && body.status === status, { message: 'The webhook is not a JSON POST naming the transcript and its status', expected: `POST application/json ${JSON.stringify({ transcript_id: id, status })}`, received: `${call.method} ${type} ${call.body.toString('utf8').slice(0, 200)}`, pointer: POINTER });
  const secret = call.headers[AUTH.webhook_auth_header_name.toLowerCase()];
  ctx.expect(secret === AUTH.webhook_auth_header_value, { message: 'The webhook does not carry the auth header asked for', expected: `${AUTH.webhook_auth_header_name}: ${AUTH.webhook_auth_header_value}`, received: String(secret), pointer: `${ctx.pointerOf('createTranscript')}/callbacks` });
}

export const webhooks: Scenario = {
  name: 'webhooks',
  title: 'Webhooks: a POST {transcript_id, status} with the auth header asked for, on completion and on error',
  unavailable: (ctx) => (ctx.targetIsLocal ? undefined : 'the receiver listens on this machine\'s loopback, which a remote target cannot reach'),
  async run(ctx) {
    const receiver = await ctx.receiver();
    const id = await ctx.step('create a transcript with webhook_url and an auth header; it completes', async () => {
      const { id } = await create(ctx, { audio_url: await upload(ctx), webhook_url: receiver.url('/assemblyai/webhook/completed'), ...AUTH });
      const end = await untilFinished(ctx, id);
      ctx.expect(end.status === 'completed', { message: 'The transcript did not complete', expected: 'completed', received: end.status, call: end.call });
      return id;
    });
    await ctx.step('the webhook gets one POST {transcript_id, status: completed} with the auth header', () =>
      expectWebhook(ctx, receiver, '/assemblyai/webhook/completed', id, 'completed'));
    await ctx.step('the transcript then shows webhook_status_code 200 and webhook_auth, never the header\'s value', async () => {
      const { call, transcript } = await readTranscript(ctx, id);
      const got = { webhook_url: transcript?.webhook_url, webhook_auth: transcript?.webhook_auth, webhook_auth_header_name: transcript?.webhook_auth_header_name, webhook_status_code: transcript?.webhook_status_code };
      const want = { webhook_url: receiver.url('/assemblyai/webhook/completed'), webhook_auth: true, webhook_auth_header_name: AUTH.webhook_auth_header_name, webhook_status_code: 200 };
      ctx.expect(JSON.stringify(got) === JSON.stringify(want) && transcript?.webhook_auth_header_value === undefined, { message: 'The transcript does not show the webhook\'s outcome as documented', expected: `${JSON.stringify(want)}, no webhook_auth_header_value`, received: JSON.stringify({ ...got, webhook_auth_header_value: transcript?.webhook_auth_header_value }), call, pointer: '#/components/schemas/Transcript/properties/webhook_status_code' });
    });
    await ctx.step('a transcript that fails calls its webhook with status error', async () => {
      const { id: failed } = await finishedTranscript(ctx, { audio_url: (await mediaHost(ctx, SPEECH)).missingUrl, webhook_url: receiver.url('/assemblyai/webhook/error'), ...AUTH }, 'error');
      await expectWebhook(ctx, receiver, '/assemblyai/webhook/error', failed, 'error');
    });
  },
};
