import type { Scenario } from '../../scenario.ts';
import { aMomentLater, brief, conforms, createClient, createRoom, expectStError, listRooms, readRoom, runName, SCHEMA, uniqueRoomId, type Room } from './journey.ts';

/** What the room is created with: every optional text field set, so each can be seen echoed. */
const inputs = (id: string) => ({
  id,
  title: 'Conformance town hall',
  description: 'Created by speechdouble conform; rooms cannot be deleted.',
  from_language: 'en-US',
  to_languages: ['de-DE', 'fr-FR'],
  sponsorship_credit_title: 'Captions sponsored by',
  sponsorship_title: 'speechdouble',
  sponsorship_description: 'Conformance run',
  sponsorship_info_url: 'example.com',
});

export const rooms: Scenario = {
  name: 'rooms',
  title: 'Rooms: a chosen or generated id, unique across customers and matching the pattern; listed oldest first',
  async run(ctx) {
    const chosen = uniqueRoomId('rooms');
    const sent = inputs(chosen);
    const { clientId, first } = await ctx.step('creating a room with a chosen id answers 201 with that id, every Room field typed as the spec says, and the inputs echoed', async () => {
      const { client } = await createClient(ctx, runName('rooms'));
      const { room, call } = await createRoom(ctx, client.id, sent);
      const shape = await conforms('Room', room);
      ctx.expect(shape.ok, { message: 'The new room is not a Room with every field', expected: 'every field of Room, typed as the spec says', received: shape.why, call, pointer: SCHEMA.Room });
      const expected = { ...sent, client_branch_id: client.id, is_archived: false, usage_in_seconds: { total: 0, twenty_four_hour: 0 } };
      const wrong = Object.entries(expected).filter(([field, value]) => JSON.stringify(room[field]) !== JSON.stringify(value)).map(([field]) => `${field}: ${JSON.stringify(room[field])}`);
      ctx.expect(wrong.length === 0, { message: 'The new room does not echo what it was created with', expected: JSON.stringify(expected), received: wrong.join(', '), call, pointer: `${ctx.pointerOf('createRoom')}/description` });
      ctx.expect(room.create_date === room.update_date, { message: 'A new room\'s update_date is not its create_date', expected: `update_date ${room.create_date}`, received: room.update_date, call, pointer: '#/components/schemas/Room/properties/update_date' });
      return { clientId: client.id, first: room };
    });
    const generated = await ctx.step('a room created without an id gets one matching the room id pattern', async () => {
      // Apart in time, so "oldest first" has one answer however coarse the target's clock.
      await aMomentLater(ctx, 1);
      const { room, call } = await createRoom(ctx, clientId, { title: 'Conformance room without an id', from_language: 'en-GB' });
      const shape = await conforms('RoomIdentifier', room.id);
      ctx.expect(shape.ok && room.id !== chosen, { message: 'The generated room id does not match the room id pattern', expected: '^[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*$, at most 128 characters, a new id', received: JSON.stringify(room.id), call, pointer: SCHEMA.RoomIdentifier });
      return room;
    });
    await ctx.step('an id already in use is refused with 409 room_id_taken, and the room keeps its values', async () => {
      const call = await ctx.call('createRoom', { pathParams: { client_id: clientId }, json: { id: chosen, title: 'Not the first room', from_language: 'de-DE' } });
      await expectStError(ctx, call, 409, 'room_id_taken', 'Creating a room with an id in use');
      const { room, call: read } = await readRoom(ctx, chosen);
      ctx.expect(room.title === first.title && room.from_language === first.from_language, { message: 'A refused duplicate changed the room', expected: JSON.stringify({ title: first.title, from_language: first.from_language }), received: brief(read), call: read });
    });
    await ctx.step('an id that breaks the room id pattern is refused with 400 validation_failed naming /id', async () => {
      // Two hyphens in a row: letters and digits only, but not words separated by single hyphens.
      const call = await ctx.call('createRoom', { pathParams: { client_id: clientId }, json: { id: `${chosen}--copy`, title: 'Bad id', from_language: 'en-GB' } });
      await expectStError(ctx, call, 400, 'validation_failed', 'Creating a room whose id has two hyphens in a row', '/id');
    });
    await ctx.step('the client\'s room list holds exactly the two rooms, oldest first', async () => {
      const { rooms: listed, call } = await listRooms(ctx, clientId);
      const ids = listed.map((room: Room) => room.id);
      ctx.expect(ids.join() === [chosen, generated.id].join(), { message: 'The client\'s rooms are not the two created, oldest first', expected: [chosen, generated.id].join(', '), received: ids.join(', ') || '(none)', call, pointer: `${ctx.pointerOf('listRooms')}/description` });
    });
  },
};
