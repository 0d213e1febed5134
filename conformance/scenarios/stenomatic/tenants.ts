import { randomUUID } from 'node:crypto';
import type { Call, Scenario, ScenarioContext } from '../../scenario.ts';
import { brief, clientWithRoom, createClient, expectStError, listClients, listRooms, patchRoom, readRoom, runName, uniqueRoomId, type Client, type Room } from './journey.ts';

/** The two answers, each with its own id replaced, must be the same text: another customer's id is answered as one that never existed. */
function expectAlike(ctx: ScenarioContext, theirs: Call, theirId: string, never: Call, neverId: string, operationId: string): void {
  const as = (call: Call, id: string) => call.text().split(id).join('{id}');
  ctx.expect(theirs.status === never.status && as(theirs, theirId) === as(never, neverId), {
    message: `${operationId}: another key's resource is answered differently from one that does not exist`,
    expected: `${never.status} ${as(never, neverId).slice(0, 300)}`,
    received: `${theirs.status} ${as(theirs, theirId).slice(0, 300)}`,
    call: theirs,
    pointer: `${ctx.pointerOf(operationId)}/description`,
  });
}

export const tenants: Scenario = {
  name: 'tenants',
  title: 'Two keys never see each other\'s clients or rooms; room ids are unique across both',
  unavailable: (ctx) => (ctx.hasSecondCredentials ? undefined : 'needs a second key (--token2)'),
  async run(ctx) {
    const { client, room } = await ctx.step('the first key creates a client and a room', () => clientWithRoom(ctx, 'tenants', { passwords: { speaker: 'first-key-speaker', participant: 'first-key-participant' } }));
    const aClient = client.id;
    const aRoom = room.id;
    await ctx.step('the second key gets, for the first key\'s client and room, exactly the 404 of ids that do not exist', async () => {
      const noClient = randomUUID();
      const noRoom = uniqueRoomId('never');
      const usage = { from: '0', to: '1' };
      const clientCases: Array<[string, (id: string) => Promise<Call>]> = [
        ['listRooms', (id) => ctx.call('listRooms', { pathParams: { client_id: id }, as: 'secondary' })],
        ['getClientApiUsage', (id) => ctx.call('getClientApiUsage', { pathParams: { client_id: id }, query: usage, as: 'secondary' })],
      ];
      for (const [operationId, call] of clientCases) {
        const theirs = await call(aClient);
        await expectStError(ctx, theirs, 404, 'client_not_found', `Another key's ${operationId} on the first key's client`);
        expectAlike(ctx, theirs, aClient, await call(noClient), noClient, operationId);
      }
      const roomCases: Array<[string, (id: string) => Promise<Call>]> = [
        ['getRoom', (id) => ctx.call('getRoom', { pathParams: { room_id: id }, as: 'secondary' })],
        ['getRoomPasswords', (id) => ctx.call('getRoomPasswords', { pathParams: { room_id: id }, as: 'secondary' })],
        ['getRoomStreamUrl', (id) => ctx.call('getRoomStreamUrl', { pathParams: { room_id: id }, json: { speaker_name: 'Eve', language: 'en-GB' }, as: 'secondary' })],
      ];
      for (const [operationId, call] of roomCases) {
        const theirs = await call(aRoom);
        await expectStError(ctx, theirs, 404, 'room_not_found', `Another key's ${operationId} on the first key's room`);
        expectAlike(ctx, theirs, aRoom, await call(noRoom), noRoom, operationId);
      }
    });
    await ctx.step('nor can it change the first key\'s room', async () => {
      const theirs = await patchRoom(ctx, aRoom, { title: 'Changed by another key', passwords: { speaker: 'another-key' } }, 'secondary');
      await expectStError(ctx, theirs, 404, 'room_not_found', 'Another key updating the first key\'s room');
      const { room: now, call } = await readRoom(ctx, aRoom);
      ctx.expect(now.title === room.title && now.update_date === room.update_date, { message: 'Another key\'s update changed the room', expected: JSON.stringify({ title: room.title, update_date: room.update_date }), received: brief(call), call });
    });
    await ctx.step('nor create a room under the first key\'s client: 404 client_not_found', async () => {
      const theirs = await ctx.call('createRoom', { pathParams: { client_id: aClient }, json: { id: uniqueRoomId('tenants'), title: 'Another key\'s room', from_language: 'en-GB' }, as: 'secondary' });
      await expectStError(ctx, theirs, 404, 'client_not_found', 'Another key creating a room under the first key\'s client');
      const { rooms, call } = await listRooms(ctx, aClient);
      ctx.expect(rooms.map((r: Room) => r.id).join() === aRoom, { message: 'The first key\'s client has a room it did not create', expected: aRoom, received: rooms.map((r: Room) => r.id).join(', '), call });
    });
    const theirClient = await ctx.step('the second key\'s lists hold none of the first key\'s clients or rooms', async () => {
      const { client: own } = await createClient(ctx, runName('tenants'), 'secondary');
      const { clients, call } = await listClients(ctx, 'secondary');
      ctx.expect(!clients.some((c: Client) => c.id === aClient) && clients.some((c: Client) => c.id === own.id), { message: 'The second key\'s client list is not its own', expected: `${own.id} and no ${aClient}`, received: clients.map((c) => c.id).join(', '), call, pointer: `${ctx.pointerOf('listClients')}/description` });
      const { rooms, call: list } = await listRooms(ctx, own.id, 'secondary');
      ctx.expect(rooms.length === 0, { message: 'The second key\'s new client lists rooms', expected: '[]', received: rooms.map((r) => r.id).join(', '), call: list, pointer: `${ctx.pointerOf('listRooms')}/description` });
      return own;
    });
    await ctx.step('the second key creating a room with the first key\'s room id gets 409 room_id_taken', async () => {
      const theirs = await ctx.call('createRoom', { pathParams: { client_id: theirClient.id }, json: { id: aRoom, title: 'Same id, another key', from_language: 'en-GB' }, as: 'secondary' });
      await expectStError(ctx, theirs, 409, 'room_id_taken', 'Another key creating a room with the first key\'s room id');
      const { room: still, call } = await readRoom(ctx, aRoom);
      ctx.expect(still.title === room.title && still.client_branch_id === aClient, { message: 'The first key\'s room changed', expected: JSON.stringify({ title: room.title, client_branch_id: aClient }), received: brief(call), call });
    });
  },
};
