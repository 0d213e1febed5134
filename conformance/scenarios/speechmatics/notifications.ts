import { mediaTypeOf, type Scenario } from '../../scenario.ts';
import { submit, transcriptionConfig, untilFinished } from './journey.ts';

export const notifications: Scenario = {
  name: 'notifications',
  title: 'Notifications reach a receiver with the documented query, method, headers and body',
  unavailable: (ctx) => (ctx.targetIsLocal ? undefined : 'the receiver listens on this machine\'s loopback, which a remote target cannot reach'),
  async run(ctx) {
    const receiver = await ctx.receiver();
    const url = receiver.url('/speechmatics/notify');
    const id = await ctx.step('submit a job that asks to be notified', () => submit(ctx, transcriptionConfig({
      notification_config: [{ url, contents: ['jobinfo'], auth_headers: ['Authorization: Bearer conformance-receiver'] }],
    })));
    await ctx.step('the job finishes as done', async () => {
      ctx.expect((await untilFinished(ctx, id)) === 'done', { message: 'The job did not finish as done', expected: 'done', received: 'not done' });
    });
    await ctx.step('the receiver is called once, as documented', async () => {
      const arrived = await ctx.time.until(async () => receiver.calls.some((c) => c.url.searchParams.get('id') === id), 60);
      const call = receiver.calls.find((c) => c.url.searchParams.get('id') === id);
      ctx.expect(arrived && call !== undefined, { message: 'No notification arrived', expected: `POST ${url}?id=${id}&status=success`, received: `${receiver.calls.length} calls` });
      const got = { method: call!.method, status: call!.url.searchParams.get('status'), agent: call!.headers['user-agent'], auth: call!.headers.authorization, type: mediaTypeOf(call!.headers['content-type']) };
      ctx.expect(got.method === 'POST' && got.status === 'success', { message: 'Wrong method or status in the notification', expected: 'POST ?id=…&status=success', received: `${got.method} status=${got.status}`, pointer: '#/components/callbacks/JobNotification' });
      ctx.expect(got.agent === 'Speechmatics-API/2.0', { message: 'Wrong User-Agent', expected: 'Speechmatics-API/2.0', received: String(got.agent) });
      ctx.expect(got.auth === 'Bearer conformance-receiver', { message: 'auth_headers were not applied', expected: 'Authorization: Bearer conformance-receiver', received: String(got.auth) });
      let body: { id?: string } | undefined;
      try { body = JSON.parse(call!.body.toString('utf8')); } catch { body = undefined; }
      ctx.expect(got.type === 'application/json' && body?.id === id, { message: 'contents ["jobinfo"] did not send the job info as JSON', expected: `application/json with "id": "${id}"`, received: `${got.type} ${call!.body.toString('utf8').slice(0, 200)}` });
    });
  },
};
