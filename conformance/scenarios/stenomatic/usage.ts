import type { Call, Scenario, ScenarioContext } from '../../scenario.ts';
import { brief, canonical, clientWithRoom, expectStError, period, readRoom, streaming, targetBase, type Who } from './journey.ts';

const SERVICES = ['speech_recognition', 'voice_translate'];
const STREAM_SECONDS = 60;
const NS_PER_MS = 1_000_000;
const HOUR_MS = 3_600_000;
const CONTROL_POINTER = 'specs/emulator-control.yaml#/paths/~1__emulator~1stenomatic~1rooms~1{room_id}~1streaming/put';

type Usage = Record<string, unknown>;

interface Streamed {
  clientId: string;
  roomId: string;
  createdMs: number;
  /** When the stream began, by the target's clock. */
  sinceMs: number;
  /** The target's clock read after the stream was stopped: the stop lies between sinceMs + 60 s and this. */
  stoppedByMs: number;
}

async function usageOf(ctx: ScenarioContext, scope: { clientId?: string }, from: number, to: number, as: Who = 'primary'): Promise<{ call: Call; usage: Usage }> {
  const call = scope.clientId
    ? await ctx.call('getClientApiUsage', { pathParams: { client_id: scope.clientId }, query: period(from, to), as })
    : await ctx.call('getCustomerApiUsage', { query: period(from, to), as });
  const usage = call.json<Usage | undefined>();
  ctx.expect(call.status === 200 && typeof usage === 'object' && usage !== null && !Array.isArray(usage), { message: `The ${scope.clientId ? 'client\'s' : 'customer\'s'} usage could not be read`, expected: '200 with {speech_recognition?, voice_translate?}', received: brief(call), call });
  return { call, usage: usage! };
}

const iso = (ms: number) => new Date(ms).toISOString();
const shown = (from: number, to: number) => `[${iso(from)}, ${iso(to)})`;

/** Each service's nanoseconds must lie in [low, high] (one value when the target's clock stood still). */
function expectServices(ctx: ScenarioContext, call: Call, usage: Usage, lowNs: number, highNs: number, what: string): void {
  const wrong = SERVICES.filter((s) => !(typeof usage[s] === 'number' && (usage[s] as number) >= lowNs && (usage[s] as number) <= highNs));
  const want = lowNs === highNs ? String(lowNs) : `${lowNs}…${highNs}`;
  ctx.expect(wrong.length === 0, { message: `${what} is not the time streamed, in nanoseconds, for each service`, expected: SERVICES.map((s) => `${s}: ${want}`).join(', '), received: call.text().slice(0, 300), call, pointer: '#/components/schemas/ApiUsage' });
}

export const usage: Scenario = {
  name: 'usage',
  title: 'Usage: a minute streamed with both services, in nanoseconds per period, for the customer, the client and the room',
  unavailable: (ctx) => (ctx.time.controllable ? undefined : 'needs simulated streaming (the emulator\'s control API, PUT /__emulator/stenomatic/rooms/{room_id}/streaming) and a clock to move; the target has no control API'),
  async run(ctx) {
    const s: Streamed = await ctx.step(`a room streams with speech_recognition and voice_translate for ${STREAM_SECONDS} s of the target's clock`, async () => {
      const { client, room, call } = await clientWithRoom(ctx, 'usage', { to_languages: ['de-DE'] });
      const base = targetBase(call, `/v1/clients/${client.id}/rooms`);
      const createdMs = Date.parse(room.create_date);
      // A minute after it was created, so "before the room existed" and "before it streamed" differ.
      await ctx.time.advance(60);
      const started = await streaming(base, 'PUT', room.id, SERVICES);
      ctx.onCleanup(async () => void (await streaming(base, 'DELETE', room.id)));
      const sinceMs = Date.parse(started.body?.since ?? '');
      ctx.expect(started.status === 200 && started.body?.streaming === true && !Number.isNaN(sinceMs), { message: 'The emulator did not start the room\'s simulated stream', expected: '200 {streaming: true, since, services}', received: `${started.status} ${started.text.slice(0, 300)}`, pointer: CONTROL_POINTER });
      await ctx.time.advance(STREAM_SECONDS);
      const stopped = await streaming(base, 'DELETE', room.id);
      ctx.expect(stopped.status === 200 && stopped.body?.streaming === false, { message: 'The emulator did not stop the room\'s simulated stream', expected: '200 {streaming: false}', received: `${stopped.status} ${stopped.text.slice(0, 300)}`, pointer: CONTROL_POINTER });
      const stoppedByMs = (await ctx.time.now())!.getTime();
      return { clientId: client.id, roomId: room.id, createdMs, sinceMs, stoppedByMs };
    });
    // From the room's creation (no earlier stream of this key counts) to a minute after the stop.
    const covering = () => [s.createdMs, s.stoppedByMs + 60_000] as const;
    const halfway = () => [s.createdMs, s.sinceMs + (STREAM_SECONDS / 2) * 1000] as const;
    const found: Record<string, Usage> = {};
    await ctx.step('the customer\'s usage over a window covering the stream is 60 s of each service, in nanoseconds', async () => {
      const [from, to] = covering();
      const { call, usage: used } = await usageOf(ctx, {}, from, to);
      // Exactly 60 s on a clock that only moves when moved; on one that also runs, up to the time read after the stop.
      expectServices(ctx, call, used, STREAM_SECONDS * 1000 * NS_PER_MS, (s.stoppedByMs - s.sinceMs) * NS_PER_MS, `The customer's usage over ${shown(from, to)}`);
      found.covering = used;
    });
    await ctx.step('a window ending halfway through the stream counts exactly half', async () => {
      const [from, to] = halfway();
      const { call, usage: used } = await usageOf(ctx, {}, from, to);
      const half = (STREAM_SECONDS / 2) * 1000 * NS_PER_MS;
      expectServices(ctx, call, used, half, half, `The customer's usage over ${shown(from, to)}`);
      found.halfway = used;
    });
    await ctx.step('the client\'s usage agrees with the customer\'s', async () => {
      for (const [name, [from, to]] of [['covering', covering()], ['halfway', halfway()]] as const) {
        const { call, usage: used } = await usageOf(ctx, { clientId: s.clientId }, from, to);
        ctx.expect(canonical(used) === canonical(found[name]), { message: `The client's usage over ${shown(from, to)} differs from its customer's (the client has the only room that streamed)`, expected: JSON.stringify(found[name]), received: call.text().slice(0, 300), call, pointer: `${ctx.pointerOf('getClientApiUsage')}/description` });
      }
    });
    await ctx.step('the room\'s usage_in_seconds is 60 s in all and in the last 24 hours', async () => {
      const { room, call } = await readRoom(ctx, s.roomId);
      const expected = { total: STREAM_SECONDS, twenty_four_hour: STREAM_SECONDS };
      ctx.expect(canonical(room.usage_in_seconds) === canonical(expected), { message: 'The room\'s usage_in_seconds is not the time it streamed', expected: JSON.stringify(expected), received: JSON.stringify(room.usage_in_seconds ?? null), call, pointer: '#/components/schemas/Room/properties/usage_in_seconds' });
    });
    await ctx.step('a window before the room existed has no usage: {}, nor one from its creation to its stream', async () => {
      for (const [from, to] of [[s.createdMs - HOUR_MS, s.createdMs], [s.createdMs, s.sinceMs]] as const) {
        const { call, usage: used } = await usageOf(ctx, { clientId: s.clientId }, from, to);
        ctx.expect(canonical(used) === '{}', { message: `The client's usage over ${shown(from, to)}, when nothing streamed, is not empty`, expected: '{}', received: call.text().slice(0, 300), call, pointer: '#/components/responses/ApiUsage' });
      }
    });
    await ctx.step('a period whose to is before its from is refused with 400 validation_failed naming to', async () => {
      const customer = await ctx.call('getCustomerApiUsage', { query: period(s.sinceMs, s.sinceMs - 1) });
      await expectStError(ctx, customer, 400, 'validation_failed', 'The customer\'s usage with to before from', 'to');
      const client = await ctx.call('getClientApiUsage', { pathParams: { client_id: s.clientId }, query: period(s.sinceMs, s.sinceMs - 1) });
      await expectStError(ctx, client, 400, 'validation_failed', 'The client\'s usage with to before from', 'to');
    });
  },
};
