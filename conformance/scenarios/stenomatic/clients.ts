import type { Scenario } from '../../scenario.ts';
import { brief, canonical, conforms, createClient, listClients, runName, SCHEMA, UUID, type Client } from './journey.ts';

export const clients: Scenario = {
  name: 'clients',
  title: 'Clients: created with a uuid under the key\'s customer, listed as a bare array',
  async run(ctx) {
    const name = runName('clients');
    const first = await ctx.step('creating a client answers 201 with a new uuid id, the name given and a uuid parent_customer_id', async () => {
      const { client, call } = await createClient(ctx, name);
      const shape = await conforms('Client', client);
      ctx.expect(shape.ok, { message: 'The new client is not a Client', expected: '{id, name, parent_customer_id}', received: `${shape.why} in ${call.text().slice(0, 300)}`, call, pointer: SCHEMA.Client });
      ctx.expect(UUID.test(client.id) && UUID.test(client.parent_customer_id) && client.name === name && client.id !== client.parent_customer_id, {
        message: 'The new client is not a new uuid with the name given, under a uuid customer',
        expected: JSON.stringify({ id: 'a uuid', name, parent_customer_id: 'another uuid' }),
        received: brief(call),
        call,
        pointer: `${ctx.pointerOf('createClient')}/description`,
      });
      return client;
    });
    await ctx.step('the key\'s client list is a bare array holding the client as created', async () => {
      const { clients: listed, call } = await listClients(ctx);
      const entry = listed.find((c) => c.id === first.id);
      ctx.expect(canonical(entry) === canonical(first), { message: 'The key\'s client list does not hold the client as created', expected: JSON.stringify(first), received: JSON.stringify(entry ?? null), call, pointer: `${ctx.pointerOf('listClients')}/description` });
    });
    await ctx.step('a second client of the same key has the same parent_customer_id', async () => {
      const { client: second, call } = await createClient(ctx, runName('clients'));
      ctx.expect(second.id !== first.id && second.parent_customer_id === first.parent_customer_id, {
        message: 'A second client of the key is not a new client of the same customer',
        expected: `a new id (not ${first.id}), parent_customer_id ${first.parent_customer_id}`,
        received: JSON.stringify({ id: second.id, parent_customer_id: second.parent_customer_id }),
        call,
        pointer: '#/components/schemas/Client/properties/parent_customer_id',
      });
      const { clients: listed, call: list } = await listClients(ctx);
      const parents = listed.filter((c: Client) => c.id === first.id || c.id === second.id).map((c) => c.parent_customer_id);
      ctx.expect(parents.length === 2 && parents.every((p) => p === first.parent_customer_id), { message: 'The key\'s list does not show both clients under one customer', expected: `two entries with parent_customer_id ${first.parent_customer_id}`, received: JSON.stringify(parents), call: list, pointer: `${ctx.pointerOf('listClients')}/description` });
    });
  },
};
