import { SkipStep, type Scenario } from '../../scenario.ts';
import { create, expectConsistent, readTranscript, sameText, SPEECH_SECONDS, SPEECH_TEXT, statusOf, untilFinished, upload } from './journey.ts';

/** Options left unsent, and the default the spec gives each (TranscriptParams). */
const DEFAULTS = { punctuate: true, format_text: true, speaker_labels: false, language_detection: false };

export const transcription: Scenario = {
  name: 'transcription',
  title: 'Upload a recording, follow its transcript queued → processing → completed, read the result',
  async run(ctx) {
    const uploadUrl = await ctx.step('upload the recording as raw bytes: 200 with an upload_url', () => upload(ctx));
    const id = await ctx.step('create a transcript of it: 200, queued, with its id and no result yet', async () => {
      const { id, call, transcript } = await create(ctx, { audio_url: uploadUrl });
      ctx.expect(transcript.status === 'queued' && transcript.id === id && transcript.audio_url === uploadUrl, { message: 'A new transcript is not queued on its audio_url', expected: JSON.stringify({ id, status: 'queued', audio_url: uploadUrl }), received: JSON.stringify({ id: transcript.id, status: transcript.status, audio_url: transcript.audio_url }), call, pointer: `${ctx.pointerOf('createTranscript')}/description` });
      expectConsistent(ctx, call, transcript);
      return id;
    });
    await ctx.step('it moves queued → processing → completed', async () => {
      const first = await readTranscript(ctx, id);
      if (statusOf(first) === 'completed') throw new SkipStep('the transcript had completed before it was first read', { goOn: true });
      const end = await untilFinished(ctx, id);
      ctx.expect(end.status === 'completed', { message: 'A valid transcript did not complete', expected: 'completed', received: `${end.status}${end.transcript?.error ? ` (${end.transcript.error})` : ''}`, call: end.call });
    });
    await ctx.step('the completed transcript has the true text, words in integer ms, and audio_duration 5', async () => {
      const { call, transcript } = await readTranscript(ctx, id);
      ctx.expect(sameText(transcript?.text, SPEECH_TEXT), { message: 'The transcript is not what the recording says', expected: JSON.stringify(SPEECH_TEXT), received: JSON.stringify(transcript?.text ?? null), call, pointer: '#/components/schemas/Transcript/properties/text' });
      const words = transcript?.words ?? [];
      const bad = words.filter((w, i) => !Number.isInteger(w.start) || !Number.isInteger(w.end) || w.start > w.end || w.end > SPEECH_SECONDS * 1000 + 500 || (i > 0 && w.start < words[i - 1]!.start));
      ctx.expect(words.length > 0 && bad.length === 0 && sameText(words.map((w) => w.text).join(' '), SPEECH_TEXT), { message: 'The words are not the text, timed in integer milliseconds', expected: 'words spelling out the text, with integer start <= end, in order', received: JSON.stringify(bad.length ? bad.slice(0, 3) : words.map((w) => w.text)).slice(0, 300), call, pointer: '#/components/schemas/TranscriptWord' });
      ctx.expect(transcript?.audio_duration === SPEECH_SECONDS, { message: 'audio_duration is not the recording\'s length', expected: String(SPEECH_SECONDS), received: String(transcript?.audio_duration), call, pointer: '#/components/schemas/Transcript/properties/audio_duration' });
    });
    await ctx.step('the options are echoed: audio_url as given, punctuate and format_text true by default', async () => {
      const { call, transcript } = await readTranscript(ctx, id);
      const expected: Record<string, unknown> = { audio_url: uploadUrl, ...DEFAULTS };
      const wrong = Object.entries(expected).filter(([key, value]) => transcript?.[key] !== value).map(([key]) => `${key}: ${JSON.stringify(transcript?.[key])}`);
      ctx.expect(wrong.length === 0, { message: 'The transcript does not echo the request and the defaults', expected: JSON.stringify(expected), received: wrong.join(', '), call, pointer: '#/components/schemas/TranscriptParams' });
    });
  },
};
