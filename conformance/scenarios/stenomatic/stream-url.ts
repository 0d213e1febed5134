import type { Call, Scenario, ScenarioContext } from '../../scenario.ts';
import { brief, clientWithRoom } from './journey.ts';

/** The spec's `specialCharacters` example: `&`, `+`, `/`, spaces and non-ASCII letters to encode. */
const SPECIAL = { speaker_name: 'Zoë & Max', language: 'en-GB', phrases: ['C++ / R&D café', 'Rust'] };
/** Its query, as the spec's `specialCharacters` answer has it (application/x-www-form-urlencoded). */
const SPECIAL_QUERY = 'lang=en-GB&name=Zo%C3%AB+%26+Max&phrases=C%2B%2B+%2F+R%26D+caf%C3%A9&phrases=Rust';
/** The spec's `noPhrases` example, and its query. */
const PLAIN = { speaker_name: 'Lukas Brandt', language: 'de-DE' };
const PLAIN_QUERY = 'lang=de-DE&name=Lukas+Brandt';

const POINTER = '#/components/schemas/StreamUrl/properties/url';

/** The URL's scheme and its query exactly as sent (the path segment is an opaque stream key: not checked). */
function partsOf(url: unknown): { scheme: string; query: string } {
  if (typeof url !== 'string') return { scheme: '', query: '' };
  const at = url.indexOf('?');
  return { scheme: /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(url)?.[1] ?? '', query: at < 0 ? '' : url.slice(at + 1) };
}

async function streamUrl(ctx: ScenarioContext, id: string, body: Record<string, unknown>): Promise<{ call: Call; url: string }> {
  const call = await ctx.call('getRoomStreamUrl', { pathParams: { room_id: id }, json: body });
  const url = call.json<{ url?: unknown } | undefined>()?.url;
  ctx.expect(call.status === 200 && typeof url === 'string', { message: 'Asking for a stream URL did not answer 200 with a url', expected: '200 {url}', received: brief(call), call, pointer: `${ctx.pointerOf('getRoomStreamUrl')}/responses/200` });
  return { call, url: url as string };
}

function expectUrl(ctx: ScenarioContext, call: Call, url: string, query: string, what: string): void {
  const parts = partsOf(url);
  ctx.expect(parts.scheme === 'rtmps', { message: `${what}: the URL is not rtmps`, expected: 'rtmps://…', received: url, call, pointer: POINTER });
  ctx.expect(parts.query === query, { message: `${what}: the query is not lang, name and phrases form-encoded as documented`, expected: query, received: parts.query, call, pointer: `${ctx.pointerOf('getRoomStreamUrl')}/description` });
}

export const streamUrls: Scenario = {
  name: 'stream-url',
  title: 'Stream URLs: rtmps, with lang, name and phrases form-encoded exactly as the spec shows',
  async run(ctx) {
    const id = await ctx.step('a speaker\'s stream URL is rtmps and its query is lang, name and each phrase form-encoded, in order', async () => {
      const { room } = await clientWithRoom(ctx, 'stream-url');
      const { call, url } = await streamUrl(ctx, room.id, SPECIAL);
      expectUrl(ctx, call, url, SPECIAL_QUERY, 'Speaker "Zoë & Max" with phrases "C++ / R&D café" and "Rust"');
      return room.id;
    });
    await ctx.step('without phrases the query is lang and name only, and asking again gives the same URL', async () => {
      const first = await streamUrl(ctx, id, PLAIN);
      expectUrl(ctx, first.call, first.url, PLAIN_QUERY, 'Speaker "Lukas Brandt" without phrases');
      const again = await streamUrl(ctx, id, PLAIN);
      ctx.expect(again.url === first.url, { message: 'Asking again with the same body gave another URL', expected: first.url, received: again.url, call: again.call, pointer: `${ctx.pointerOf('getRoomStreamUrl')}/description` });
    });
  },
};
