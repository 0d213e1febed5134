import type { Scenario, ScenarioContext } from '../../scenario.ts';
import { brief, clientWithRoom, newPassword, patchRoom } from './journey.ts';

interface Passwords {
  speaker: string;
  participant: string;
}

async function readPasswords(ctx: ScenarioContext, id: string) {
  const call = await ctx.call('getRoomPasswords', { pathParams: { room_id: id } });
  ctx.expect(call.status === 200, { message: 'The room\'s passwords could not be read', expected: '200 {speaker, participant}', received: brief(call), call, pointer: `${ctx.pointerOf('getRoomPasswords')}/responses/200` });
  return { call, passwords: call.json<Passwords>() };
}

const same = (a: Passwords, b: Passwords) => a.speaker === b.speaker && a.participant === b.participant;

export const passwords: Scenario = {
  name: 'passwords',
  title: 'Passwords: the ones given at creation, then one replaced and the other kept',
  async run(ctx) {
    const given: Passwords = { speaker: newPassword(), participant: newPassword() };
    const id = await ctx.step('passwords given at creation are returned by /passwords', async () => {
      const { room } = await clientWithRoom(ctx, 'passwords', { passwords: given });
      const { call, passwords: read } = await readPasswords(ctx, room.id);
      ctx.expect(same(read, given), { message: '/passwords does not return the passwords the room was created with', expected: JSON.stringify(given), received: call.text().slice(0, 300), call, pointer: '#/components/schemas/RoomPasswords' });
      return room.id;
    });
    await ctx.step('updating the speaker password changes only that one', async () => {
      const speaker = newPassword();
      const update = await patchRoom(ctx, id, { passwords: { speaker } });
      ctx.expect(update.status === 200, { message: 'Updating the speaker password did not answer 200', expected: '200 with the room', received: brief(update), call: update, pointer: `${ctx.pointerOf('updateRoom')}/responses/200` });
      const { call, passwords: read } = await readPasswords(ctx, id);
      const expected = { speaker, participant: given.participant };
      ctx.expect(same(read, expected), { message: 'Updating one password did not change exactly that one', expected: JSON.stringify(expected), received: call.text().slice(0, 300), call, pointer: '#/components/schemas/RoomUpdateRequest/properties/passwords' });
    });
  },
};
