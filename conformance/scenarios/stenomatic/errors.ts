import { randomBytes, randomUUID } from 'node:crypto';
import type { Scenario } from '../../scenario.ts';
import { clientWithRoom, expectStError, listClients } from './journey.ts';

export const errors: Scenario = {
  name: 'errors',
  title: 'Errors: every refusal carries Stenomatic\'s error body with its code',
  async run(ctx) {
    await ctx.step('a body that is not JSON is refused with 400 invalid_json', async () => {
      const call = await ctx.call('createClient', { body: Buffer.from('{"name": "speechdouble conformance'), headers: { 'content-type': 'application/json' } });
      await expectStError(ctx, call, 400, 'invalid_json', 'Creating a client with a body cut short');
    });
    await ctx.step('a room id whose percent-encoding does not decode is refused with 400 invalid_path', async () => {
      // Scenarios are not handed the key: it is read off a request the runner sent.
      const { call: listed } = await listClients(ctx);
      const authorization = listed.exchange.request.headers.authorization;
      const call = await ctx.send('getRoom', { method: 'GET', path: '/v1/rooms/sd-errors%ZZroom', headers: { ...(authorization && { authorization }) } });
      await expectStError(ctx, call, 400, 'invalid_path', 'Reading the room /v1/rooms/sd-errors%ZZroom');
    });
    await ctx.step('a wrong or missing key is refused with 401 unauthorized', async () => {
      const wrong = await ctx.call('listClients', { as: 'none', headers: { authorization: `Bearer speechdouble-not-a-key-${randomBytes(8).toString('hex')}` } });
      await expectStError(ctx, wrong, 401, 'unauthorized', 'Listing clients with a key that does not exist');
      const missing = await ctx.call('listClients', { as: 'none' });
      await expectStError(ctx, missing, 401, 'unauthorized', 'Listing clients without a key');
    });
    await ctx.step('an unknown client or room is 404 client_not_found or room_not_found', async () => {
      // A real client and room exist, so only the unknown ids can be what is refused.
      await clientWithRoom(ctx, 'errors');
      const client = await ctx.call('listRooms', { pathParams: { client_id: randomUUID() } });
      await expectStError(ctx, client, 404, 'client_not_found', 'Listing the rooms of a client that does not exist');
      const room = await ctx.call('getRoom', { pathParams: { room_id: `sd-never-${randomBytes(6).toString('hex')}` } });
      await expectStError(ctx, room, 404, 'room_not_found', 'Reading a room that does not exist');
    });
  },
};
