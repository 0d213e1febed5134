// AssemblyAI's views of a transcript (specs/assemblyai.yaml): the whole answer of the legacy
// synchronous `POST /v2/stream` (`StreamTranscript`), and the recognition fields of an async
// `Transcript` (`text`, `words`, `utterances`, `confidence`, `audio_duration`,
// `language_code`), which the caller merges with the job's id, status, URLs and echoed options.
//
// AssemblyAI vocabulary applied here:
// - times are integer milliseconds (seconds × 1000, rounded);
// - a word carries the punctuation that attaches to it (`order.`), and `punctuate: false` drops
//   punctuation altogether;
// - `format_text: false` lowercases (the spec's unformatted example is `i would like ...`);
// - the two endpoints default differently: `/v2/stream` has both options off unless set (the
//   spec: "punctuate defaults to false", `format_text` treated as false when absent), while
//   `/v2/transcript` has both on (the spec's `TranscriptParams` defaults);
// - speakers are letters (`A`, `B`, ... `Z`, `AA`, ...), channels are 1-based strings (`"1"`).
import { joinTokens, meanConfidence, round, sentencesOf, wordGroups, wordsOf, type Token, type Transcript } from '../transcript.ts';

export interface AssemblyAiStreamWord {
  confidence: number;
  start: number;
  end: number;
  text: string;
}

export interface AssemblyAiStreamTranscript {
  id: string;
  status: 'completed';
  confidence: number;
  text: string;
  words: AssemblyAiStreamWord[];
  created: string;
}

export interface AssemblyAiWord {
  text: string;
  start: number;
  end: number;
  confidence: number;
  speaker: string | null;
  channel: string | null;
}

export interface AssemblyAiUtterance {
  speaker: string;
  text: string;
  start: number;
  end: number;
  confidence: number;
  channel: string | null;
  words: AssemblyAiWord[];
}

export interface AssemblyAiTranscriptFields {
  text: string;
  words: AssemblyAiWord[];
  utterances: AssemblyAiUtterance[] | null;
  confidence: number;
  audio_duration: number;
  language_code: string;
  /** Present with `multichannel` only, as the spec has it. */
  audio_channels?: number;
}

/** The text options both endpoints share. */
export interface TextOptions {
  punctuate?: boolean;
  formatText?: boolean;
}

export interface StreamResponseOptions extends TextOptions {
  /** The transcription's id, minted by the caller. */
  id: string;
  /** When the request was handled, already in the vendor's `YYYY-MM-DD HH:MM:SS.ffffff` form. */
  created: string;
}

export interface TranscriptFieldsOptions extends TextOptions {
  /** `speaker_labels`: words get speaker letters and `utterances` are speaker turns. */
  speakerLabels: boolean;
  /** `multichannel`: words and turns get 1-based channel strings; turns are cut per channel. */
  multichannel?: boolean;
  /** `language_code` as requested; when absent, the transcript's language (English as `en_us`, the vendor's default spelling). */
  languageCode?: string;
}

const ms = (seconds: number): number => Math.max(0, Math.round(seconds * 1000));

/** 1 → A, 26 → Z, 27 → AA: AssemblyAI's speaker letters, without running out. */
export function speakerLetter(n: number): string {
  let label = '';
  for (let i = n; i > 0; i = Math.floor((i - 1) / 26)) label = String.fromCharCode(65 + ((i - 1) % 26)) + label;
  return label;
}

interface Rendered {
  text: string;
  start: number;
  end: number;
  confidence: number;
  token: Token;
}

/** One entry per spoken word, punctuation attached or dropped, cased or lowercased, in ms. */
function renderWords(tokens: readonly Token[], options: Required<TextOptions>): Rendered[] {
  const groups = wordGroups(options.punctuate ? tokens : wordsOf(tokens));
  return groups.map((group) => {
    const word = group[0]!;
    const text = joinTokens(group);
    const start = ms(word.start);
    return {
      text: options.formatText ? text : text.toLowerCase(),
      start,
      end: Math.max(start, ms(group[group.length - 1]!.end)),
      confidence: round(word.confidence),
      token: word,
    };
  });
}

export function renderStreamResponse(transcript: Transcript, options: StreamResponseOptions): AssemblyAiStreamTranscript {
  const words = renderWords(transcript.tokens, { punctuate: options.punctuate ?? false, formatText: options.formatText ?? false });
  return {
    id: options.id,
    status: 'completed',
    confidence: meanConfidence(transcript.tokens),
    text: words.map((w) => w.text).join(' '),
    words: words.map(({ confidence, start, end, text }) => ({ confidence, start, end, text })),
    created: options.created,
  };
}

function speakerOf(token: Token, transcript: Transcript): number {
  if (token.speaker !== undefined) return token.speaker;
  // Channel-diarized audio has one voice per channel; audio with no speakers has one voice.
  return transcript.diarization === 'channel' ? token.channel + 1 : 1;
}

/** A turn is consecutive sentences of one voice: AssemblyAI's utterances hold several sentences. */
function turnsOf(transcript: Transcript, textOptions: Required<TextOptions>, toWord: (w: Rendered) => AssemblyAiWord): AssemblyAiUtterance[] {
  const turns: AssemblyAiUtterance[] = [];
  let current: Token[] = [];
  let voice: string | undefined;
  const flush = () => {
    const words = renderWords(current, textOptions).map(toWord);
    if (words.length > 0) {
      turns.push({
        speaker: words[0]!.speaker ?? '',
        text: words.map((w) => w.text).join(' '),
        start: words[0]!.start,
        end: words[words.length - 1]!.end,
        confidence: meanConfidence(current),
        channel: words[0]!.channel,
        words,
      });
    }
    current = [];
  };
  for (const sentence of sentencesOf(transcript.tokens)) {
    const first = toWord(renderWords(sentence.tokens, textOptions)[0]!);
    const key = `${first.speaker}|${first.channel}`;
    if (voice !== undefined && key !== voice) flush();
    voice = key;
    current.push(...sentence.tokens);
  }
  flush();
  return turns;
}

export function renderTranscriptFields(transcript: Transcript, options: TranscriptFieldsOptions): AssemblyAiTranscriptFields {
  const textOptions = { punctuate: options.punctuate ?? true, formatText: options.formatText ?? true };
  const multichannel = options.multichannel ?? false;
  const channelOf = (token: Token): string | null => (multichannel ? String(token.channel + 1) : null);
  // With multichannel, the vendor labels each channel's speaker by its channel number.
  const speakerFor = (token: Token): string | null =>
    options.speakerLabels ? speakerLetter(speakerOf(token, transcript)) : multichannel ? String(token.channel + 1) : null;
  const toWord = (w: Rendered): AssemblyAiWord => ({
    text: w.text, start: w.start, end: w.end, confidence: w.confidence, speaker: speakerFor(w.token), channel: channelOf(w.token),
  });

  const utterances = options.speakerLabels || multichannel ? turnsOf(transcript, textOptions, toWord) : null;
  const words = renderWords(transcript.tokens, textOptions).map(toWord);
  return {
    text: words.map((w) => w.text).join(' '),
    words,
    utterances,
    confidence: meanConfidence(transcript.tokens),
    // Whole seconds, rounded to the nearest (the spec gives no rounding rule).
    audio_duration: Math.round(transcript.durationSeconds),
    language_code: options.languageCode ?? (transcript.language === 'en' ? 'en_us' : transcript.language),
    ...(multichannel && { audio_channels: transcript.channels }),
  };
}
