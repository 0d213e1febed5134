import { SkipStep, type Call, type Scenario, type ScenarioContext } from '../../scenario.ts';
import { callReadOuts, create, expectReadOutsRefused, readTranscript, sameText, SPEECH_SENTENCES, SPEECH_TEXT, statusOf, untilFinished, upload, type TranscriptDocument, type Word } from './journey.ts';

interface Span {
  text: string;
  start: number;
  end: number;
  words: Word[];
}

/** A caption: its start and end in ms, and its lines. */
interface Cue {
  start: number;
  end: number;
  lines: string[];
}

const norm = (word: string) => word.toLowerCase().replace(/[^\p{L}\p{N}']/gu, '');
const ms = (h: string | undefined, m: string, s: string, f: string) => ((Number(h ?? 0) * 60 + Number(m)) * 60 + Number(s)) * 1000 + Number(f);

/** SRT or WebVTT cues; undefined when the text is not in that format. */
function parseCues(text: string, format: 'srt' | 'vtt'): Cue[] | undefined {
  const blocks = text.replace(/\r\n/g, '\n').trim().split(/\n{2,}/);
  if (format === 'vtt' && blocks.shift()?.split('\n')[0] !== 'WEBVTT') return undefined;
  const timing = format === 'srt' ? /^(\d{2}):(\d{2}):(\d{2}),(\d{3}) --> (\d{2}):(\d{2}):(\d{2}),(\d{3})$/ : /^(?:(\d{2,}):)?(\d{2}):(\d{2})\.(\d{3}) --> (?:(\d{2,}):)?(\d{2}):(\d{2})\.(\d{3})$/;
  const cues: Cue[] = [];
  for (const [i, block] of blocks.entries()) {
    const lines = block.split('\n');
    if (format === 'srt' && lines.shift() !== String(i + 1)) return undefined;
    const t = timing.exec(lines.shift() ?? '');
    if (!t || lines.length === 0) return undefined;
    cues.push({ start: ms(t[1], t[2]!, t[3]!, t[4]!), end: ms(t[5], t[6]!, t[7]!, t[8]!), lines });
  }
  return cues.length ? cues : undefined;
}

/** Spans (sentences or paragraphs) in order, each the text of its words, timed in integer ms from its first word to its last. */
function expectSpans(ctx: ScenarioContext, call: Call, spans: Span[] | undefined, texts: string[], what: string, pointer: string): void {
  const got = (spans ?? []).map((s) => s.text);
  ctx.expect(call.status === 200 && got.length === texts.length && got.every((text, i) => sameText(text, texts[i]!)), { message: `The ${what} are not the transcript's, in order`, expected: JSON.stringify(texts), received: `${call.status} ${JSON.stringify(got.length ? got : call.text().slice(0, 200))}`, call, pointer });
  const bad = spans!.filter((s) => !Number.isInteger(s.start) || !Number.isInteger(s.end) || !Array.isArray(s.words) || s.words.length === 0
    || s.start !== s.words[0]!.start || s.end !== s.words.at(-1)!.end || !sameText(s.words.map((w) => w.text).join(' '), s.text));
  ctx.expect(bad.length === 0, { message: `Some ${what} are not their words, timed in integer ms from the first to the last`, expected: 'start = first word\'s start, end = last word\'s end, words spelling out text', received: JSON.stringify(bad.map((s) => ({ text: s.text, start: s.start, end: s.end, words: s.words?.map((w) => `${w.text}@${w.start}-${w.end}`) }))).slice(0, 400), call, pointer });
}

/** Cues that hold the transcript's words, in order, within its duration, none longer than 6 s. */
function expectCues(ctx: ScenarioContext, call: Call, format: 'srt' | 'vtt', transcript: TranscriptDocument, maxChars?: number): void {
  const cues = parseCues(call.text(), format);
  const shape = format === 'srt' ? 'cues numbered from 1, timed HH:MM:SS,mmm --> HH:MM:SS,mmm, separated by a blank line' : 'WEBVTT, a blank line, then cues timed HH:MM:SS.mmm --> HH:MM:SS.mmm';
  ctx.expect(call.status === 200 && call.mediaType === 'text/plain' && cues !== undefined, { message: `The ${format} subtitles are not ${format === 'srt' ? 'SubRip' : 'WebVTT'} text`, expected: `200 text/plain: ${shape}`, received: `${call.status} ${call.mediaType} ${JSON.stringify(call.text().slice(0, 200))}`, call, pointer: `${ctx.pointerOf('getSubtitles')}/description` });
  const said = cues!.flatMap((c) => c.lines).join(' ');
  const words = transcript.words ?? [];
  const untimely = cues!.filter((c, i) => c.start > c.end || c.end - c.start > 6000 || c.start < words[0]!.start || c.end > words.at(-1)!.end || (i > 0 && c.start < cues![i - 1]!.end));
  ctx.expect(sameText(said, transcript.text ?? '') && untimely.length === 0, { message: `The ${format} captions are not the transcript's words, in order, each at most 6 s`, expected: JSON.stringify(transcript.text), received: `${JSON.stringify(said)}${untimely.length ? `; badly timed: ${JSON.stringify(untimely)}` : ''}`.slice(0, 400), call, pointer: `${ctx.pointerOf('getSubtitles')}/description` });
  if (maxChars !== undefined) {
    const long = cues!.filter((c) => c.lines.length !== 1 || (c.lines[0]!.length > maxChars && c.lines[0]!.includes(' ')));
    ctx.expect(long.length === 0, { message: `With chars_per_caption=${maxChars} some captions are not one line of at most ${maxChars} characters`, expected: `one line of at most ${maxChars} characters per caption`, received: JSON.stringify(long.map((c) => c.lines)).slice(0, 300), call, pointer: '#/components/parameters/CharsPerCaption' });
  }
}

/** Where each search entry occurs in the transcript's words: the truth word search must answer. */
function occurrences(words: Word[], entry: string): Array<{ index: number; start: number; end: number }> {
  const wanted = entry.split(/\s+/).map(norm);
  const found: Array<{ index: number; start: number; end: number }> = [];
  for (let i = 0; i + wanted.length <= words.length; i++) {
    if (wanted.every((w, k) => norm(words[i + k]!.text) === w)) found.push({ index: i, start: words[i]!.start, end: words[i + wanted.length - 1]!.end });
  }
  return found;
}

export const readOuts: Scenario = {
  name: 'read-outs',
  title: 'Read-outs of a completed transcript: sentences, paragraphs, SRT and WebVTT subtitles, word search; refused before completion',
  async run(ctx) {
    const id = await ctx.step('create a transcript: until it completes, sentences, paragraphs, srt, vtt and word-search answer 400 {error}', async () => {
      const { id } = await create(ctx, { audio_url: await upload(ctx) });
      const calls = await callReadOuts(ctx, id);
      // A target may complete a transcript faster than five reads: that is no defect.
      if (calls.some(({ call }) => call.status !== 400) && statusOf(await readTranscript(ctx, id)) === 'completed') throw new SkipStep('the transcript completed before its read-outs could be tried', { goOn: true, value: id });
      expectReadOutsRefused(ctx, calls, 'a queued');
      return id;
    });
    const transcript = await ctx.step('it completes', async () => {
      const end = await untilFinished(ctx, id);
      ctx.expect(end.status === 'completed', { message: 'A valid transcript did not complete', expected: 'completed', received: `${end.status}${end.transcript?.error ? ` (${end.transcript.error})` : ''}`, call: end.call });
      return end.transcript!;
    });
    await ctx.step('sentences: the two sentences of the recording, in order, in integer ms', async () => {
      const call = await ctx.call('getTranscriptSentences', { pathParams: { transcript_id: id } });
      expectSpans(ctx, call, call.json<{ sentences?: Span[] } | undefined>()?.sentences, SPEECH_SENTENCES, 'sentences', `${ctx.pointerOf('getTranscriptSentences')}/description`);
    });
    await ctx.step('paragraphs: its sentences joined, in order, in integer ms', async () => {
      const call = await ctx.call('getTranscriptParagraphs', { pathParams: { transcript_id: id } });
      expectSpans(ctx, call, call.json<{ paragraphs?: Span[] } | undefined>()?.paragraphs, [SPEECH_TEXT], 'paragraphs', `${ctx.pointerOf('getTranscriptParagraphs')}/description`);
    });
    await ctx.step('srt: numbered SubRip cues holding the words, in order', async () => {
      expectCues(ctx, await ctx.call('getSubtitles', { pathParams: { transcript_id: id, subtitle_format: 'srt' } }), 'srt', transcript);
    });
    await ctx.step('vtt with chars_per_caption=20: WebVTT cues of one line of at most 20 characters', async () => {
      expectCues(ctx, await ctx.call('getSubtitles', { pathParams: { transcript_id: id, subtitle_format: 'vtt' }, query: { chars_per_caption: '20' } }), 'vtt', transcript, 20);
    });
    await ctx.step('word-search: every entry in order, with its count, indexes and timestamps in ms', async () => {
      const entries = ['weather', 'rain today', 'snow'];
      const call = await ctx.call('wordSearch', { pathParams: { transcript_id: id }, query: { words: entries.join(',') } });
      const body = call.json<{ id?: string; total_count?: number; matches?: Array<{ text: string; count: number; indexes: number[]; timestamps: number[][] }> } | undefined>();
      const words = transcript.words ?? [];
      const expected = entries.map((text) => {
        const found = occurrences(words, text);
        return { text, count: found.length, timestamps: found.map((f) => [f.start, f.end]), indexes: found.map((f) => f.index) };
      });
      const want = { id, total_count: expected.reduce((n, m) => n + m.count, 0), matches: expected };
      const got = { id: body?.id, total_count: body?.total_count, matches: body?.matches?.map((m) => ({ text: m.text, count: m.count, timestamps: m.timestamps, indexes: m.indexes })) };
      ctx.expect(call.status === 200 && JSON.stringify(got) === JSON.stringify(want), { message: 'Word search does not say where each entry occurs', expected: JSON.stringify(want), received: `${call.status} ${JSON.stringify(body ?? call.text().slice(0, 200))}`.slice(0, 500), call, pointer: `${ctx.pointerOf('wordSearch')}/description` });
    });
  },
};
