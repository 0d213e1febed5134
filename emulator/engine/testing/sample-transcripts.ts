// Hand-made transcripts with every feature a renderer must handle: punctuation that attaches,
// sentence ends, two speakers, two channels, silence, and every enrichment. Renderer tests
// share them so each renderer is held to the same inputs.
import type { Enrichments, Token, Transcript } from '../transcript.ts';

type Spec = [text: string, start: number, end: number, speaker?: number, channel?: number];

/** Words are `[text, start, end, speaker?, channel?]`; `.`, `,`, `?`, `!` become punctuation. */
function tokens(specs: Spec[]): Token[] {
  const out: Token[] = [];
  specs.forEach(([text, start, end, speaker, channel = 0], i) => {
    const isPunctuation = /^[.,?!]$/.test(text);
    const prev = out[out.length - 1];
    out.push({
      kind: isPunctuation ? 'punctuation' : 'word',
      text,
      start: isPunctuation ? (prev?.end ?? start) : start,
      end: isPunctuation ? (prev?.end ?? end) : end,
      confidence: isPunctuation ? 1 : 0.9 + ((i * 7) % 10) / 100,
      ...(speaker !== undefined && { speaker }),
      channel,
      ...(isPunctuation && /[.?!]/.test(text) && { sentenceEnd: true }),
    });
  });
  return out;
}

const SHA = 'a'.repeat(64);

export function monologue(): Transcript {
  return {
    language: 'en',
    durationSeconds: 6.5,
    channels: 1,
    diarization: 'none',
    source: 'fixture',
    audioSha256: SHA,
    tokens: tokens([
      ['Hello', 0.42, 0.77], ['and', 0.81, 0.95], ['welcome', 0.95, 1.4], ['to', 1.4, 1.52], ['the', 1.52, 1.63],
      ['quarterly', 1.63, 2.2], ['update', 2.2, 2.71], ['.', 0, 0],
      ['Our', 3.1, 3.3], ['revenue', 3.3, 3.82], ['grew', 3.82, 4.1], [',', 0, 0], ['and', 4.2, 4.35],
      ['costs', 4.35, 4.8], ['fell', 4.8, 5.1], ['.', 0, 0],
      ['Questions', 5.4, 5.95], ['?', 0, 0],
    ]),
  };
}

export function twoSpeakers(): Transcript {
  return {
    language: 'en',
    durationSeconds: 5.2,
    channels: 1,
    diarization: 'speaker',
    source: 'fixture',
    audioSha256: SHA,
    tokens: tokens([
      ['Is', 0.3, 0.45, 1], ['this', 0.45, 0.7, 1], ['the', 0.7, 0.8, 1], ['support', 0.8, 1.3, 1], ['line', 1.3, 1.7, 1], ['?', 0, 0, 1],
      ['Yes', 2.1, 2.4, 2], [',', 0, 0, 2], ['how', 2.5, 2.7, 2], ['can', 2.7, 2.9, 2], ['I', 2.9, 3.0, 2], ['help', 3.0, 3.4, 2], ['?', 0, 0, 2],
      ['My', 3.9, 4.05, 1], ['order', 4.05, 4.4, 1], ['is', 4.4, 4.5, 1], ['late', 4.5, 4.9, 1], ['.', 0, 0, 1],
    ]),
  };
}

export function stereo(): Transcript {
  return {
    language: 'en',
    durationSeconds: 4.0,
    channels: 2,
    diarization: 'channel',
    source: 'fixture',
    audioSha256: SHA,
    tokens: tokens([
      ['Good', 0.2, 0.5, undefined, 0], ['morning', 0.5, 0.9, undefined, 0], ['.', 0, 0, undefined, 0],
      ['Morning', 1.4, 1.9, undefined, 1], [',', 0, 0, undefined, 1], ['thanks', 2.0, 2.4, undefined, 1], ['.', 0, 0, undefined, 1],
      ['Shall', 2.9, 3.1, undefined, 0], ['we', 3.1, 3.25, undefined, 0], ['start', 3.25, 3.7, undefined, 0], ['?', 0, 0, undefined, 0],
    ]),
  };
}

export function silence(): Transcript {
  return { language: 'en', durationSeconds: 3, channels: 1, diarization: 'none', source: 'silence', audioSha256: SHA, tokens: [] };
}

export function enrichments(): Enrichments {
  return {
    translations: {
      de: [
        { start: 0.42, end: 2.71, text: 'Hallo und willkommen zum Quartalsbericht.' },
        { start: 3.1, end: 5.1, text: 'Unser Umsatz wuchs, und die Kosten sanken.' },
        { start: 5.4, end: 5.95, text: 'Fragen?' },
      ],
    },
    summary: { text: 'A quarterly update: revenue grew and costs fell.', bullets: ['Revenue grew.', 'Costs fell.'] },
    sentiment: [
      { start: 0.42, end: 2.71, text: 'Hello and welcome to the quarterly update.', sentiment: 'neutral', confidence: 0.71 },
      { start: 3.1, end: 5.1, text: 'Our revenue grew, and costs fell.', sentiment: 'positive', confidence: 0.88 },
      { start: 5.4, end: 5.95, text: 'Questions?', sentiment: 'neutral', confidence: 0.64 },
    ],
    topics: [
      { start: 0.42, end: 2.71, text: 'Hello and welcome to the quarterly update.', topics: ['update'] },
      { start: 3.1, end: 5.1, text: 'Our revenue grew, and costs fell.', topics: ['revenue', 'costs'] },
    ],
    chapters: [
      { title: 'Quarterly update', summary: 'Welcome to the quarterly update.', start: 0.42, end: 2.71 },
      { title: 'Revenue and costs', summary: 'Revenue grew and costs fell.', start: 3.1, end: 5.95 },
    ],
    audioEvents: [{ type: 'laughter', start: 6.0, end: 6.4, confidence: 0.61, channel: 0 }],
    languageIdentification: { language: 'en', confidence: 0.97, alternatives: [{ language: 'de', confidence: 0.02 }] },
  };
}

export function alignmentInput(): string {
  return 'Hello and welcome to the <b>quarterly</b> update.\n<!-- speaker change -->\nOur revenue grew.\n';
}
