import { SkipStep, type Scenario, type ScenarioContext } from '../../scenario.ts';
import { catchStatus } from '../lifecycle.ts';
import { callReadOuts, create, expectAaiError, expectReadOutsRefused, listPage, readTranscript, statusOf, TRANSCRIPT_LIFECYCLE, untilFinished, upload } from './journey.ts';

/** What deletion leaves of a transcript (the spec's deleted-transcript example). */
const DELETED = { status: 'completed', audio_url: 'http://deleted_by_user', text: 'Deleted by user.', words: null };

/** Reads it until it shows `wanted`; undefined once it has gone past it. */
const catchIn = (ctx: ScenarioContext, id: string, wanted: 'queued' | 'processing') => catchStatus(ctx, TRANSCRIPT_LIFECYCLE, async () => statusOf(await readTranscript(ctx, id)), wanted);

const deleteCall = (ctx: ScenarioContext, id: string) => ctx.call('deleteTranscript', { pathParams: { transcript_id: id } });

export const deletion: Scenario = {
  name: 'deletion',
  title: 'Delete: refused while queued or processing, then 200 with the content removed; still listed, read-outs refused',
  async run(ctx) {
    const { audioUrl, id } = await ctx.step('create a transcript and delete it at once, while queued: 400 {error}', async () => {
      // A fast target may complete a transcript between its creation and the DELETE, and then
      // rightly delete it (its upload with it); a target that ignores the state deletes every
      // time. So a 200 is tried once more, on a new transcript read as queued just before; the
      // journey goes on with one not deleted.
      for (let attempt = 1; ; attempt++) {
        const audioUrl = await upload(ctx);
        const { id } = await create(ctx, { audio_url: audioUrl });
        if (attempt === 2 && statusOf(await readTranscript(ctx, id)) !== 'queued') throw new SkipStep('the transcript completed before it could be deleted while queued', { goOn: true, value: { audioUrl, id } });
        const refused = await deleteCall(ctx, id);
        if (refused.status !== 200 || attempt === 2) {
          expectAaiError(ctx, refused, 400, `Deleting a queued transcript${attempt === 2 ? ' (twice, on two transcripts)' : ''}`);
          return { audioUrl, id };
        }
      }
    });
    await ctx.step('deleting it while processing answers 400 {error}', async () => {
      // A transcript may finish between the read and the DELETE, and then rightly be deleted;
      // a target that ignores the state deletes every time. So a 200 is tried once more, on a
      // fresh transcript, before it counts.
      for (let attempt = 1; ; attempt++) {
        const target = attempt === 1 ? id : (await create(ctx, { audio_url: audioUrl })).id;
        if (!(await catchIn(ctx, target, 'processing'))) throw new SkipStep('the transcript was never seen processing', { goOn: true });
        const refused = await deleteCall(ctx, target);
        if (refused.status !== 200 || attempt === 2) {
          expectAaiError(ctx, refused, 400, `Deleting a processing transcript${attempt === 2 ? ' (twice, on two transcripts)' : ''}`);
          return;
        }
      }
    });
    await ctx.step('once completed, DELETE answers 200 with the content removed', async () => {
      const end = await untilFinished(ctx, id);
      ctx.expect(end.status === 'completed', { message: 'The transcript did not complete', expected: 'completed', received: end.status, call: end.call });
      const call = await deleteCall(ctx, id);
      const body = call.json<Record<string, unknown> | undefined>();
      const got = { status: body?.status, audio_url: body?.audio_url, text: body?.text, words: body?.words };
      ctx.expect(call.status === 200 && body?.id === id && JSON.stringify(got) === JSON.stringify(DELETED), { message: 'Deleting a completed transcript did not answer it with its content removed', expected: `200 ${JSON.stringify({ id, ...DELETED })}`, received: `${call.status} ${JSON.stringify(body ? { id: body.id, ...got } : call.text().slice(0, 200))}`, call, pointer: `${ctx.pointerOf('deleteTranscript')}/description` });
    });
    await ctx.step('it can still be read in that state, and is still listed', async () => {
      const { call, transcript } = await readTranscript(ctx, id);
      const got = { status: transcript?.status, audio_url: transcript?.audio_url, text: transcript?.text, words: transcript?.words };
      ctx.expect(call.status === 200 && JSON.stringify(got) === JSON.stringify(DELETED), { message: 'A deleted transcript does not read as deleted', expected: `200 ${JSON.stringify(DELETED)}`, received: `${call.status} ${JSON.stringify(transcript ? got : call.text().slice(0, 200))}`, call, pointer: `${ctx.pointerOf('deleteTranscript')}/description` });
      const listed = await listPage(ctx, { limit: '200' });
      const item = listed.page.transcripts.find((t) => t.id === id);
      ctx.expect(item?.audio_url === DELETED.audio_url, { message: 'A deleted transcript is not listed as deleted', expected: `${id} with audio_url ${DELETED.audio_url}`, received: JSON.stringify(item ?? '(not listed)'), call: listed.call, pointer: `${ctx.pointerOf('listTranscripts')}/description` });
    });
    await ctx.step('its read-outs are refused with 400 {error}', async () => {
      expectReadOutsRefused(ctx, await callReadOuts(ctx, id), 'a deleted');
    });
  },
};
