import type { Scenario } from '../../scenario.ts';
import { canonical, readCatalogue, type BubblePage, type Language } from './journey.ts';

/** The only ids the documentation names (its examples `[1,2,6]` and `[1,20]`). */
const DOCUMENTED: Array<[number, string]> = [[1, 'English'], [2, 'Mandarin'], [6, 'French'], [20, 'Malaysian']];
const PAGE = 5;

export const languages: Scenario = {
  name: 'languages',
  title: 'Languages: the catalogue a booking\'s ids refer to, paged as Bubble pages',
  async run(ctx) {
    const catalogue = await ctx.step('the catalogue lists 1 English, 2 Mandarin, 6 French and 20 Malaysian, ordered by id', async () => {
      const { languages: all, call } = await readCatalogue(ctx);
      const missing = DOCUMENTED.filter(([id, name]) => !all.some((l) => l.id === id && l.name === name));
      ctx.expect(missing.length === 0, { message: 'The catalogue lacks documented languages', expected: DOCUMENTED.map(([id, name]) => `${id} ${name}`).join(', '), received: `missing ${missing.map(([id, name]) => `${id} ${name}`).join(', ')}; listed ${all.map((l) => `${l.id} ${l.name}`).join(', ')}`, call, pointer: '#/components/schemas/Language/properties/id' });
      const ids = all.map((l) => l.id);
      ctx.expect(ids.every((id, i) => i === 0 || id > ids[i - 1]!), { message: 'The catalogue is not ordered by id', expected: 'ids ascending, each once', received: ids.join(', '), call, pointer: '#/components/schemas/LanguageList/properties/response/properties/results' });
      return all;
    });
    await ctx.step(`paging with cursor and limit (${PAGE} a page) walks the same catalogue: count is each page's size, remaining what follows it`, async () => {
      const walked: Language[] = [];
      for (let cursor = 0; cursor <= catalogue.length; cursor += PAGE) {
        const call = await ctx.call('listLanguages', { query: { cursor: String(cursor), limit: String(PAGE) } });
        const page = call.json<BubblePage<Language> | undefined>()?.response;
        const expected = { cursor, count: Math.min(PAGE, Math.max(0, catalogue.length - cursor)), remaining: Math.max(0, catalogue.length - cursor - PAGE) };
        const received = { cursor: page?.cursor, count: page?.count, remaining: page?.remaining };
        ctx.expect(call.status === 200 && canonical(received) === canonical(expected) && page!.results.length === expected.count, { message: `The page at cursor ${cursor} does not count the catalogue right`, expected: `200 ${JSON.stringify({ ...expected, results: `${expected.count} records` })}`, received: `${call.status} ${JSON.stringify({ ...received, results: page?.results?.length })}`, call, pointer: '#/components/schemas/LanguageList' });
        walked.push(...page!.results);
        if (page!.remaining === 0) break;
      }
      ctx.expect(canonical(walked) === canonical(catalogue), { message: 'The pages do not add up to the catalogue', expected: catalogue.map((l) => l.id).join(', '), received: walked.map((l) => l.id).join(', ') });
    });
    await ctx.step('it is readable without credentials, as a documentation link is', async () => {
      const { languages: anonymous, call } = await readCatalogue(ctx, 'none');
      ctx.expect(canonical(anonymous) === canonical(catalogue), { message: 'The catalogue read without credentials differs', expected: catalogue.map((l) => `${l.id} ${l.name}`).join(', '), received: anonymous.map((l) => `${l.id} ${l.name}`).join(', '), call, pointer: `${ctx.pointerOf('listLanguages')}/security` });
    });
  },
};
