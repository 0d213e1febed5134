import { sineWav } from '../../../openapi/example-audio.ts';
import type { Call, Scenario, ScenarioContext } from '../../scenario.ts';
import { CLIP, expectAaiError, PLAIN_TEXT, sameText, SPEECH_TEXT, type Word } from './journey.ts';

/** How the vendor writes `created`: UTC, a space, microseconds, no zone. */
const CREATED = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,6})?$/;
/** The clip's length in milliseconds, from its WAV header (8 kHz, 16-bit mono). */
const CLIP_MS = Math.round((CLIP.readUInt32LE(40) / 16000) * 1000);

interface StreamAnswer {
  id: string;
  status: string;
  text: string;
  words: Word[];
  created: string;
  confidence: number;
}

const stream = (ctx: ScenarioContext, body: Record<string, unknown>) => ctx.call('createStreamTranscript', { json: body });

/** The clip's words, in integer milliseconds inside the clip, in order, spelling out `text`. */
function expectWords(ctx: ScenarioContext, call: Call, answer: StreamAnswer): void {
  const words = Array.isArray(answer.words) ? answer.words : [];
  const bad = words.filter((w, i) => !Number.isInteger(w.start) || !Number.isInteger(w.end) || w.start > w.end || w.end > CLIP_MS || (i > 0 && w.start < words[i - 1]!.start));
  ctx.expect(words.length > 0 && bad.length === 0, { message: 'The words are not timed in integer milliseconds within the clip, in order', expected: `words with integer start <= end <= ${CLIP_MS} ms, in order`, received: JSON.stringify(bad.length ? bad.slice(0, 3) : words).slice(0, 300), call, pointer: '#/components/schemas/StreamWord' });
  ctx.expect(sameText(words.map((w) => w.text).join(' '), answer.text), { message: 'The words do not spell out the text', expected: JSON.stringify(answer.text), received: JSON.stringify(words.map((w) => w.text).join(' ')), call, pointer: '#/components/schemas/StreamWord/properties/text' });
}

/** A refusal of /v2/stream: 400 with `{error}`, in the vendor's words when the spec gives them. */
const refused = (ctx: ScenarioContext, body: Record<string, unknown>, what: string, message?: string) => async () => {
  expectAaiError(ctx, await stream(ctx, body), 400, what, message);
};

export const streamClip: Scenario = {
  name: 'stream',
  title: '/v2/stream: a short clip transcribed in the request; what the endpoint does not take is refused with 400 {error}',
  async run(ctx) {
    await ctx.step('a whole 8 kHz WAV clip with punctuate and format_text: 200 completed, the true text, created in the vendor\'s form, words in integer ms', async () => {
      const call = await stream(ctx, { audio_data: CLIP.toString('base64'), punctuate: true, format_text: true });
      const answer = call.json<StreamAnswer | undefined>();
      ctx.expect(call.status === 200 && answer?.status === 'completed', { message: 'A good clip was not transcribed', expected: '200 {status: completed}', received: `${call.status} ${call.text().slice(0, 300)}`, call, pointer: `${ctx.pointerOf('createStreamTranscript')}/responses/200` });
      ctx.expect(sameText(answer!.text, SPEECH_TEXT), { message: 'The text is not what the clip says', expected: JSON.stringify(SPEECH_TEXT), received: JSON.stringify(answer!.text ?? null), call, pointer: '#/components/schemas/StreamTranscript/properties/text' });
      ctx.expect(typeof answer!.created === 'string' && CREATED.test(answer!.created), { message: 'created is not written as the vendor writes it', expected: 'YYYY-MM-DD HH:MM:SS.ffffff (UTC, no zone)', received: JSON.stringify(answer!.created ?? null), call, pointer: '#/components/schemas/StreamTranscript/properties/created' });
      expectWords(ctx, call, answer!);
    });
    await ctx.step('without options the text is lower case and unpunctuated', async () => {
      const call = await stream(ctx, { audio_data: CLIP.toString('base64') });
      const answer = call.json<StreamAnswer | undefined>();
      ctx.expect(call.status === 200 && sameText(answer?.text, PLAIN_TEXT), { message: 'Without punctuate and format_text the text is not plain', expected: JSON.stringify(PLAIN_TEXT), received: `${call.status} ${JSON.stringify(answer?.text ?? call.text().slice(0, 200))}`, call, pointer: '#/components/schemas/StreamRequest/properties/punctuate' });
      expectWords(ctx, call, answer!);
    });
    await ctx.step('audio_data that is not base64 is refused: 400 {error}', refused(ctx, { audio_data: 'not base64!' }, 'A clip that is not base64'));
    await ctx.step('a request without audio_data is refused: 400 {error}', refused(ctx, { punctuate: true }, 'A request without audio_data'));
    await ctx.step('a clip of 15 s is refused: 400 {error}', refused(ctx, { audio_data: sineWav({ seconds: 15, frequency: 300, amplitude: 0, sampleRate: 8000 }).toString('base64') }, 'A 15 s clip'));
    await ctx.step('a stereo WAV at 44.1 kHz is refused: 400 {error}', refused(ctx, { audio_data: sineWav({ seconds: 1, frequency: 300, amplitude: 0.3, sampleRate: 44100, channels: 2 }).toString('base64') }, 'A stereo 44.1 kHz clip'));
    await ctx.step('format_text that is not a Boolean is refused: 400 "format_text must be a Boolean"', refused(ctx, { audio_data: CLIP.toString('base64'), format_text: 'yes' }, 'format_text "yes"', 'format_text must be a Boolean'));
  },
};
