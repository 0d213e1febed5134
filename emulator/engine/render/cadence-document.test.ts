import { fileURLToPath } from 'node:url';
import * as pdfjs from 'pdfjs-dist/legacy/build/pdf.mjs';
import { describe, expect, it } from 'vitest';
import { monologue, silence, stereo, twoSpeakers } from '../testing/sample-transcripts.ts';
import { wordsOf, type Token, type Transcript } from '../transcript.ts';
import { renderTranscriptionPdf, toEncodable } from './cadence-document.ts';

const SAMPLES: Record<string, () => Transcript> = { monologue, twoSpeakers, stereo, silence };
const SID = 'XRcea27d26934b484e73cf575dcad6ba2b';
// pdfjs reads the metrics of the standard fonts from its own files; without them it warns.
const STANDARD_FONTS = fileURLToPath(new URL('../../../node_modules/pdfjs-dist/standard_fonts/', import.meta.url));

interface ReadBack {
  pages: number;
  /** Each page's text lines, top to bottom. */
  lines: string[][];
  info: Record<string, unknown>;
}

/** Opens the PDF as a reader would and reads its text back. */
async function readPdf(bytes: Uint8Array): Promise<ReadBack> {
  // pdfjs takes ownership of the buffer it is given, so it gets a copy.
  const doc = await pdfjs.getDocument({ data: bytes.slice(), standardFontDataUrl: STANDARD_FONTS }).promise;
  const lines: string[][] = [];
  for (let n = 1; n <= doc.numPages; n++) {
    const content = await (await doc.getPage(n)).getTextContent();
    lines.push(content.items.flatMap((item) => ('str' in item && item.str !== '' ? [item.str] : [])));
  }
  const { info } = await doc.getMetadata();
  await doc.destroy();
  return { pages: doc.numPages, lines, info: info as Record<string, unknown> };
}

/** A transcript long enough to need several pages, with one very long word. */
function longTranscript(): Transcript {
  const tokens: Token[] = [];
  for (let i = 0; i < 400; i++) {
    const start = i * 0.5;
    const text = i === 7 ? 'Pneumonoultramicroscopicsilicovolcanoconiosis'.repeat(3) : `word${i}`;
    tokens.push({ kind: 'word', text, start, end: start + 0.4, confidence: 0.9, channel: 0, speaker: 1 + (Math.floor(i / 25) % 2) });
    if (i % 25 === 24) tokens.push({ kind: 'punctuation', text: '.', start: start + 0.4, end: start + 0.4, confidence: 1, channel: 0, speaker: 1 + (Math.floor(i / 25) % 2), sentenceEnd: true });
  }
  return { ...monologue(), durationSeconds: 200, tokens };
}

describe('Cadence transcription document', () => {
  it.each(Object.keys(SAMPLES))('is a PDF that opens and contains every word of %s', async (name) => {
    const t = SAMPLES[name]!();
    const bytes = await renderTranscriptionPdf(t, { requestSid: SID });
    expect(Buffer.from(bytes.subarray(0, 5)).toString('latin1')).toBe('%PDF-');
    const { pages, lines } = await readPdf(bytes);
    expect(pages).toBe(1);
    const text = lines.flat().join('\n');
    expect(text).toContain(`Request ${SID}`);
    for (const word of wordsOf(t.tokens)) expect(text).toContain(word.text);
  });

  it('heads each sentence with its start time and speaker', async () => {
    const { lines } = await readPdf(await renderTranscriptionPdf(twoSpeakers(), { requestSid: SID, title: 'Support call' }));
    expect(lines[0]).toEqual([
      'Support call',
      `Request ${SID}`,
      'Language: en · Duration: 00:00:05',
      '[00:00:00] S1: Is this the support line?',
      '[00:00:02] S2: Yes, how can I help?',
      '[00:00:03] S1: My order is late.',
      'Page 1 of 1',
    ]);
  });

  it('labels the channels of channel-split audio and leaves one-voice audio unlabelled', async () => {
    const stereoLines = (await readPdf(await renderTranscriptionPdf(stereo(), { requestSid: SID }))).lines[0]!;
    expect(stereoLines).toContain('[00:00:01] Ch2: Morning, thanks.');
    const monoLines = (await readPdf(await renderTranscriptionPdf(monologue(), { requestSid: SID }))).lines[0]!;
    expect(monoLines).toContain('[00:00:03] Our revenue grew, and costs fell.');
  });

  it('says so when there was no speech', async () => {
    expect((await readPdf(await renderTranscriptionPdf(silence(), { requestSid: SID }))).lines[0]).toContain('(no speech)');
  });

  it('wraps long sentences and continues over numbered pages without losing a word', async () => {
    const t = longTranscript();
    const { pages, lines } = await readPdf(await renderTranscriptionPdf(t, { requestSid: SID }));
    expect(pages).toBeGreaterThan(1);
    lines.forEach((page, i) => expect(page[page.length - 1]).toBe(`Page ${i + 1} of ${pages}`));
    // A word too long for a line is broken across lines; every other word stays whole.
    const text = lines.flat().join(' ');
    for (const word of wordsOf(t.tokens).filter((w) => w.text.startsWith('word'))) expect(text).toMatch(new RegExp(`\\b${word.text}\\b`));
    expect(lines.flat().join('')).toContain('Pneumonoultramicroscopicsilicovolcanoconiosis'.repeat(3));
  });

  it('keeps the Latin-1 letters, strips the accents the standard font lacks, and shows other scripts as ?', async () => {
    const t: Transcript = { ...monologue(), tokens: [
      { kind: 'word', text: 'Größe', start: 0.1, end: 0.5, confidence: 0.9, channel: 0 },
      { kind: 'word', text: 'Łódź', start: 0.5, end: 0.9, confidence: 0.9, channel: 0 },
      { kind: 'word', text: 'Dvořák', start: 0.9, end: 1.3, confidence: 0.9, channel: 0 },
      { kind: 'word', text: '中文', start: 1.3, end: 1.7, confidence: 0.9, channel: 0 },
    ] };
    const { lines } = await readPdf(await renderTranscriptionPdf(t, { requestSid: SID }));
    expect(lines[0], JSON.stringify(lines[0])).toContain('[00:00:00] Größe Lódz Dvorák ??');
    expect(toEncodable('naïve café – “quoted”\tő', new Set([...'naïve café – “quoted” o'].map((c) => c.codePointAt(0)!)))).toBe('naïve café – “quoted” o');
  });

  it('has fixed metadata, so two renders are byte-identical', async () => {
    const render = () => renderTranscriptionPdf(longTranscript(), { requestSid: SID });
    expect(Buffer.from(await render()).equals(Buffer.from(await render()))).toBe(true);
    const { info } = await readPdf(await renderTranscriptionPdf(monologue(), { requestSid: SID, title: 'Call – 中文' }));
    expect(info).toMatchObject({ Title: 'Call – 中文', Producer: 'speechdouble', CreationDate: 'D:19700101000000Z', ModDate: 'D:19700101000000Z' });
    const dated = await readPdf(await renderTranscriptionPdf(monologue(), { requestSid: SID, createdAt: new Date('2026-11-21T09:30:00Z') }));
    expect(dated.info.CreationDate).toBe('D:20261121093000Z');
  });
});
