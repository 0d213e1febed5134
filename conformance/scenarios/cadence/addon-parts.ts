// Reading what the Twilio add-on sends back, with the runner's own (runtime) dependencies only:
// the multipart callback (busboy), the transcript PDF (pdf-lib: it loads the document and its
// page content streams; the text shown is read from the content streams' string operands, which
// is exact for documents set in the standard fonts, as speechdouble's are, and not for fonts
// with their own encodings, which need a full text extractor), and a WAV's RIFF header.
import type { IncomingHttpHeaders } from 'node:http';
import busboy from 'busboy';
import { decodePDFRawStream, PDFArray, PDFDocument, PDFRawStream, type PDFObject } from 'pdf-lib';

export interface FilePart {
  name: string;
  filename: string;
  contentType: string;
  data: Buffer;
}

export interface Multipart {
  fields: Record<string, string[]>;
  files: FilePart[];
}

/** The parts of a multipart/form-data body; rejects what is not one. */
export function readMultipart(headers: IncomingHttpHeaders, body: Buffer): Promise<Multipart> {
  return new Promise((resolve, reject) => {
    const parts: Multipart = { fields: {}, files: [] };
    let reader: busboy.Busboy;
    try {
      reader = busboy({ headers });
    } catch (error) {
      reject(error as Error);
      return;
    }
    const pending: Array<Promise<void>> = [];
    reader.on('field', (name, value) => void (parts.fields[name] ??= []).push(value));
    reader.on('file', (name, stream, info) => {
      const chunks: Buffer[] = [];
      pending.push(new Promise((done) => {
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          parts.files.push({ name, filename: info.filename ?? '', contentType: info.mimeType, data: Buffer.concat(chunks) });
          done();
        });
      }));
    });
    reader.on('error', reject);
    reader.on('close', () => void Promise.all(pending).then(() => resolve(parts)));
    reader.end(body);
  });
}

/** A PDF as pdf-lib reads it: its page count, or why it cannot be loaded. */
export async function loadPdf(bytes: Buffer): Promise<{ document: PDFDocument } | { error: string }> {
  try {
    return { document: await PDFDocument.load(new Uint8Array(bytes), { updateMetadata: false }) };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

/** The decoded bytes of a page's content streams. */
function contentStreams(document: PDFDocument): Uint8Array[] {
  const decoded: Uint8Array[] = [];
  for (const page of document.getPages()) {
    const contents = page.node.Contents();
    const streams: Array<PDFObject | undefined> = contents instanceof PDFArray ? contents.asArray().map((ref) => document.context.lookup(ref)) : [contents];
    for (const stream of streams) if (stream instanceof PDFRawStream) decoded.push(decodePDFRawStream(stream).decode());
  }
  return decoded;
}

/** The text that Tj, TJ, ' and " show, one run per operator: the words of a PDF set in standard fonts. */
export function pdfText(document: PDFDocument): string {
  const runs: string[] = [];
  for (const bytes of contentStreams(document)) {
    const source = Buffer.from(bytes).toString('latin1');
    let strings: string[] = [];
    for (let at = 0; at < source.length;) {
      const char = source[at]!;
      if (char === '(') {
        // A literal string: balanced parentheses, backslash escapes.
        let depth = 1;
        let text = '';
        for (at++; at < source.length && depth > 0; at++) {
          const c = source[at]!;
          if (c === '\\') {
            const next = source[++at] ?? '';
            const octal = /^[0-7]{1,3}/.exec(source.slice(at, at + 3))?.[0];
            if (octal) {
              text += String.fromCharCode(parseInt(octal, 8));
              at += octal.length - 1;
            } else text += ({ n: '\n', r: '\r', t: '\t', b: '\b', f: '\f' } as Record<string, string>)[next] ?? next;
          } else if (c === '(') {
            depth++;
            text += c;
          } else if (c === ')') {
            if (--depth > 0) text += c;
          } else text += c;
        }
        strings.push(text);
      } else if (char === '<' && source[at + 1] === '<') {
        at += 2; // a dictionary (marked content), not a string
      } else if (char === '<') {
        const end = source.indexOf('>', at);
        const hex = source.slice(at + 1, end === -1 ? source.length : end).replace(/\s+/g, '');
        strings.push(Buffer.from(hex.length % 2 ? `${hex}0` : hex, 'hex').toString('latin1'));
        at = end === -1 ? source.length : end + 1;
      } else if (/[A-Za-z'"*]/.test(char)) {
        const operator = /^[A-Za-z'"*]+/.exec(source.slice(at))![0];
        if (['Tj', 'TJ', '\'', '"'].includes(operator) && strings.length) runs.push(strings.join(''));
        strings = [];
        at += operator.length;
      } else at++;
    }
  }
  return runs.join('\n');
}

/** Lower-case words, punctuation dropped. */
export const wordsOf = (text: string) => text.toLowerCase().split(/[^\p{L}\p{N}']+/u).map((w) => w.replace(/^'+|'+$/g, '')).filter(Boolean);

/** Whether `needle`'s words appear in `haystack`'s, in order (headings, timestamps and labels may come between). */
export function inOrder(needle: string[], haystack: string[]): boolean {
  let at = 0;
  for (const word of haystack) if (word === needle[at]) at++;
  return at === needle.length;
}

export interface WavFormat {
  /** 1 is PCM. */
  audioFormat: number;
  channels: number;
  sampleRate: number;
  bitsPerSample: number;
  seconds: number;
}

/** A RIFF/WAVE file's format and length (its data chunk over its byte rate); undefined when it is not one. */
export function wavFormat(bytes: Buffer): WavFormat | undefined {
  if (bytes.length < 12 || bytes.toString('latin1', 0, 4) !== 'RIFF' || bytes.toString('latin1', 8, 12) !== 'WAVE') return undefined;
  let format: Omit<WavFormat, 'seconds'> & { byteRate: number } | undefined;
  for (let at = 12; at + 8 <= bytes.length;) {
    const id = bytes.toString('latin1', at, at + 4);
    const size = bytes.readUInt32LE(at + 4);
    if (id === 'fmt ' && at + 24 <= bytes.length) {
      format = { audioFormat: bytes.readUInt16LE(at + 8), channels: bytes.readUInt16LE(at + 10), sampleRate: bytes.readUInt32LE(at + 12), byteRate: bytes.readUInt32LE(at + 16), bitsPerSample: bytes.readUInt16LE(at + 22) };
    }
    if (id === 'data') {
      if (!format || format.byteRate === 0) return undefined;
      const { byteRate, ...rest } = format;
      return { ...rest, seconds: Math.min(size, bytes.length - at - 8) / byteRate };
    }
    at += 8 + size + (size & 1);
  }
  return undefined;
}
