// The transcription document of Cadence's Twilio add-on: the `transcription` file part of the
// callback, a PDF as in the source document's sample (`transcription.pdf`). A heading names
// the request, then one paragraph per sentence, `[00:00:03] S1: text`, wrapped to the page
// width and continued over as many A4 pages as it takes, each page numbered.
//
// Deterministic bytes: pdf-lib would stamp the current time as the creation and modification
// dates, so the document is created without automatic metadata and every metadata field is set
// from the inputs (the dates from `createdAt`, the epoch when not given). pdf-lib writes no
// file /ID for a new document, and its resource-name suffixes come from a fixed-seed generator.
//
// Characters: the standard Helvetica font needs no font file, but it can only show the
// WinAnsi (Windows-1252) character set, and pdf-lib throws on anything else. Text outside that
// set is transliterated deterministically: accents are stripped (NFKD, then the base letters
// kept, `ő` → `o`), a few letters without a decomposition are mapped (`ł` → `l`), and whatever
// is left (CJK, Cyrillic, emoji) becomes `?`. The PDF is a stand-in for Cadence's document,
// not a faithful rendering of every script.
//
// pdf-lib is loaded on the first document, not with the emulator (it takes a tenth of a second).
import type { PDFFont } from 'pdf-lib';
import { sentencesOf, type TimedText, type Transcript } from '../transcript.ts';

export interface TranscriptionPdfOptions {
  /** The add-on request's `request_sid`, printed in the heading. */
  requestSid: string;
  /** The heading; `Transcription` when not given. */
  title?: string;
  /** The document's creation date (PDF metadata); the Unix epoch when not given. */
  createdAt?: Date;
  /** Text to print instead of the transcript's own sentences (a translation), timed like them. */
  text?: { language: string; sentences: readonly TimedText[] };
}

const PAGE_WIDTH = 595.28; // A4, in points
const PAGE_HEIGHT = 841.89;
const MARGIN = 56;
const BODY_SIZE = 11;
const LINE_HEIGHT = 15;
const FOOTER_SIZE = 9;

/** Letters with no Unicode decomposition to a WinAnsi letter, mapped by hand. */
const TRANSLITERATIONS: Record<string, string> = {
  'ł': 'l', 'Ł': 'L', 'đ': 'd', 'Đ': 'D', 'ħ': 'h', 'Ħ': 'H', 'ı': 'i', 'ŧ': 't', 'Ŧ': 'T', 'ŋ': 'n', 'Ŋ': 'N',
  'ĸ': 'k', 'ſ': 's', 'ə': 'e', 'Ə': 'E', '\u2010': '-', '\u2011': '-', '\u2012': '-', '\u2212': '-',
};

/** `text` with every character the font cannot encode transliterated or replaced by `?`. */
export function toEncodable(text: string, encodable: ReadonlySet<number>): string {
  let out = '';
  for (const char of text) {
    const code = char.codePointAt(0)!;
    if (/\s/u.test(char)) out += ' ';
    else if (encodable.has(code)) out += char;
    else if (TRANSLITERATIONS[char] !== undefined) out += TRANSLITERATIONS[char];
    else {
      const base = [...char.normalize('NFKD')].filter((c) => !/\p{M}/u.test(c) && encodable.has(c.codePointAt(0)!)).join('');
      out += base.length > 0 ? base : '?';
    }
  }
  return out;
}

/** `[HH:MM:SS]`, seconds truncated: when the sentence starts, as a reader looks it up. */
function clock(seconds: number): string {
  const total = Math.max(0, Math.floor(seconds));
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(Math.floor(total / 3600))}:${pad(Math.floor(total / 60) % 60)}:${pad(total % 60)}`;
}

/** `S1` for a numbered speaker, `Ch1` for a channel of channel-split audio, nothing otherwise. */
function voiceLabel(sentence: { speaker?: number; channel?: number }, transcript: Transcript): string | undefined {
  if (sentence.speaker !== undefined) return `S${sentence.speaker}`;
  if (transcript.diarization === 'channel' || transcript.channels > 1) return `Ch${(sentence.channel ?? 0) + 1}`;
  return undefined;
}

interface Line {
  text: string;
  x: number;
  font: PDFFont;
  size: number;
  /** Extra space before this line, in points. */
  gapBefore: number;
}

/** Splits a word wider than `width` into pieces that fit, character by character. */
function breakWord(word: string, font: PDFFont, size: number, width: number): string[] {
  const pieces: string[] = [];
  let piece = '';
  for (const char of word) {
    if (piece !== '' && font.widthOfTextAtSize(piece + char, size) > width) {
      pieces.push(piece);
      piece = '';
    }
    piece += char;
  }
  if (piece !== '') pieces.push(piece);
  return pieces;
}

/** Greedy word wrap into lines no wider than `firstWidth` (then `restWidth`). */
function wrap(text: string, font: PDFFont, size: number, firstWidth: number, restWidth: number): string[] {
  const lines: string[] = [];
  let line = '';
  const width = () => (lines.length === 0 ? firstWidth : restWidth);
  for (const word of text.split(' ').filter((w) => w !== '')) {
    const candidate = line === '' ? word : `${line} ${word}`;
    if (font.widthOfTextAtSize(candidate, size) <= width()) {
      line = candidate;
      continue;
    }
    if (line !== '') lines.push(line);
    line = '';
    for (const piece of breakWord(word, font, size, width())) {
      if (line !== '') lines.push(line);
      line = piece;
    }
  }
  if (line !== '' || lines.length === 0) lines.push(line);
  return lines;
}

export async function renderTranscriptionPdf(transcript: Transcript, options: TranscriptionPdfOptions): Promise<Uint8Array> {
  const { PDFDocument, StandardFonts } = await import('pdf-lib');
  const doc = await PDFDocument.create({ updateMetadata: false });
  const regular = await doc.embedFont(StandardFonts.Helvetica);
  const bold = await doc.embedFont(StandardFonts.HelveticaBold);
  // Helvetica and Helvetica-Bold share the WinAnsi character set.
  const encodable = new Set(regular.getCharacterSet());
  const clean = (text: string) => toEncodable(text, encodable);
  const title = clean(options.title ?? 'Transcription');
  const created = options.createdAt ?? new Date(0);

  // Metadata strings are UTF-16 in the PDF, so they keep the text as given.
  doc.setTitle(options.title ?? 'Transcription');
  doc.setSubject(`Transcription for request ${options.requestSid}`);
  doc.setAuthor('Cadence Translate');
  doc.setCreator('speechdouble');
  doc.setProducer('speechdouble');
  const language = options.text?.language ?? transcript.language;
  doc.setLanguage(language);
  doc.setCreationDate(created);
  doc.setModificationDate(created);

  const textWidth = PAGE_WIDTH - 2 * MARGIN;
  const lines: Line[] = [
    { text: title, x: MARGIN, font: bold, size: 16, gapBefore: 0 },
    { text: clean(`Request ${options.requestSid}`), x: MARGIN, font: regular, size: BODY_SIZE, gapBefore: 6 },
    { text: clean(`Language: ${language} · Duration: ${clock(transcript.durationSeconds)}`), x: MARGIN, font: regular, size: BODY_SIZE, gapBefore: 0 },
  ];

  const sentences: readonly TimedText[] = options.text?.sentences ?? sentencesOf(transcript.tokens);
  if (sentences.length === 0) lines.push({ text: '(no speech)', x: MARGIN, font: regular, size: BODY_SIZE, gapBefore: 12 });
  for (const sentence of sentences) {
    const label = voiceLabel(sentence, transcript);
    const prefix = `[${clock(sentence.start)}]${label ? ` ${label}:` : ''} `;
    // Continuation lines hang under the text, so the time and speaker stand out.
    const indent = regular.widthOfTextAtSize(prefix, BODY_SIZE);
    const wrapped = wrap(clean(sentence.text), regular, BODY_SIZE, textWidth - indent, textWidth - indent);
    wrapped.forEach((text, i) => {
      lines.push(i === 0
        ? { text: prefix + text, x: MARGIN, font: regular, size: BODY_SIZE, gapBefore: 6 }
        : { text, x: MARGIN + indent, font: regular, size: BODY_SIZE, gapBefore: 0 });
    });
  }

  // Lay the lines out top to bottom, starting a page whenever the next line would not fit.
  const pages: Array<Array<Line & { y: number }>> = [[]];
  let y = PAGE_HEIGHT - MARGIN;
  for (const line of lines) {
    let nextY = y - line.gapBefore - LINE_HEIGHT;
    if (nextY < MARGIN + LINE_HEIGHT && pages[pages.length - 1]!.length > 0) {
      pages.push([]);
      nextY = PAGE_HEIGHT - MARGIN - LINE_HEIGHT;
    }
    pages[pages.length - 1]!.push({ ...line, y: nextY });
    y = nextY;
  }

  pages.forEach((pageLines, i) => {
    const page = doc.addPage([PAGE_WIDTH, PAGE_HEIGHT]);
    // Fonts are switched only when they change: a `font` passed to every drawText would add a
    // font resource per line.
    let current: PDFFont | undefined;
    const draw = (text: string, x: number, y: number, font: PDFFont, size: number) => {
      if (font !== current) page.setFont(font);
      current = font;
      page.drawText(text, { x, y, size });
    };
    for (const line of pageLines) draw(line.text, line.x, line.y, line.font, line.size);
    const footer = `Page ${i + 1} of ${pages.length}`;
    draw(footer, PAGE_WIDTH - MARGIN - regular.widthOfTextAtSize(footer, FOOTER_SIZE), MARGIN / 2, regular, FOOTER_SIZE);
  });

  return doc.save({ useObjectStreams: false });
}
