import type { Scenario } from '../../scenario.ts';
import { brief, canonical, clientWithRoom, differences, expectStError, listRooms, patchRoom, readRoom, type Room } from './journey.ts';

const IMMUTABLE = ['id', 'conference_id', 'api_key', 'create_date'] as const;
/** How far the clock is moved before the rename, when the target lets it be moved. */
const MOVED_SECONDS = 5;

export const update: Scenario = {
  name: 'update',
  title: 'Update: a partial PATCH, four fields that cannot change, archive and restore',
  async run(ctx) {
    let clientId = '';
    let id = '';
    let current = {} as Room;
    await ctx.step('renaming a room answers 200 with the new title, every other field as it was, and update_date not before create_date (later when the target\'s clock moved)', async () => {
      const made = await clientWithRoom(ctx, 'update', { description: 'Kept through the rename', to_languages: ['es-ES'] });
      [clientId, id] = [made.client.id, made.room.id];
      const created = made.room;
      if (ctx.time.controllable) await ctx.time.advance(MOVED_SECONDS);
      const call = await patchRoom(ctx, id, { title: 'Conformance room, renamed' });
      const room = call.json<Room | undefined>();
      ctx.expect(call.status === 200 && room?.title === 'Conformance room, renamed', { message: 'Renaming the room did not answer 200 with the new title', expected: '200, title "Conformance room, renamed"', received: brief(call), call, pointer: `${ctx.pointerOf('updateRoom')}/responses/200` });
      const changed = differences(created, room!, ['title', 'update_date']);
      ctx.expect(changed.length === 0, { message: 'Renaming the room changed other fields', expected: 'only title and update_date changed', received: changed.join('; '), call, pointer: `${ctx.pointerOf('updateRoom')}/description` });
      const createMs = Date.parse(created.create_date);
      const updateMs = Date.parse(room!.update_date);
      const least = createMs + (ctx.time.controllable ? MOVED_SECONDS * 1000 : 0);
      ctx.expect(updateMs >= least, {
        message: ctx.time.controllable ? `update_date did not move with the target's clock (moved ${MOVED_SECONDS} s)` : 'update_date is before create_date',
        expected: `update_date ≥ ${new Date(least).toISOString()}`,
        received: room!.update_date,
        call,
        pointer: '#/components/schemas/Room/properties/update_date',
      });
      const { room: reread, call: read } = await readRoom(ctx, id);
      ctx.expect(canonical(reread) === canonical(room), { message: 'The renamed room does not read back as the update answered it', expected: JSON.stringify(room).slice(0, 300), received: differences(room!, reread).join('; '), call: read });
      current = reread;
    });
    await ctx.step('each immutable field (id, conference_id, api_key, create_date) is refused with 400 immutable_field naming it, and a re-read shows nothing changed', async () => {
      for (const field of IMMUTABLE) {
        // Even the room's current value is refused; the title beside it must not be applied either.
        const call = await patchRoom(ctx, id, { [field]: current[field], title: `Renamed with ${field}` });
        await expectStError(ctx, call, 400, 'immutable_field', `Updating ${field}`, `/${field}`);
        const { room, call: read } = await readRoom(ctx, id);
        const changed = differences(current, room);
        ctx.expect(changed.length === 0, { message: `A refused update of ${field} changed the room`, expected: 'the room as it was', received: changed.join('; '), call: read, pointer: `${ctx.pointerOf('updateRoom')}/description` });
      }
    });
    await ctx.step('is_archived true archives the room and false restores it, and it stays readable and listed', async () => {
      for (const archived of [true, false]) {
        const call = await patchRoom(ctx, id, { is_archived: archived });
        ctx.expect(call.status === 200 && call.json<Room | undefined>()?.is_archived === archived, { message: `Updating is_archived to ${archived} did not answer 200 with it`, expected: `200, is_archived ${archived}`, received: brief(call), call, pointer: '#/components/schemas/RoomUpdateRequest/properties/is_archived' });
        const { room, call: read } = await readRoom(ctx, id);
        ctx.expect(room.is_archived === archived, { message: `The room does not read back with is_archived ${archived}`, expected: String(archived), received: String(room.is_archived), call: read });
        const { rooms, call: list } = await listRooms(ctx, clientId);
        const listed = rooms.find((r) => r.id === id);
        ctx.expect(listed?.is_archived === archived, { message: `The client's list does not hold the room with is_archived ${archived}`, expected: `${id} with is_archived ${archived}`, received: JSON.stringify(listed ? { id: listed.id, is_archived: listed.is_archived } : null), call: list, pointer: `${ctx.pointerOf('listRooms')}/description` });
      }
    });
  },
};
