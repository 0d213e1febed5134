// multipart/form-data bodies as plain data: fields by name (repeated names keep every value),
// files by name. busboy does the parsing as the bytes arrive; given a FileStore, file parts
// go straight to disk so an upload of any size costs little memory. A body busboy cannot
// read whole is a MalformedBodyError, which each API answers with its own 400.
import { createWriteStream, type WriteStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import busboy from 'busboy';
import type { FileStore } from './file-store.ts';

export interface UploadedFile {
  filename: string;
  contentType: string;
  bytes: number;
  /** Where the part was written, when parsed with a FileStore. */
  path?: string;
  /** The part's bytes, when parsed without one. */
  data?: Buffer;
}

export interface FormData {
  fields: Record<string, string[]>;
  files: Record<string, UploadedFile[]>;
}

export class MalformedBodyError extends Error {
  override readonly name = 'MalformedBodyError';
}

export interface ParseLimits {
  /** A file part larger than this fails the parse (and its partial file is removed). */
  maxFileBytes?: number;
}

export function parseMultipart(contentType: string, source: Buffer | Readable, store?: FileStore, limits: ParseLimits = {}): Promise<FormData> {
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers: { 'content-type': contentType }, defParamCharset: 'utf8', ...(limits.maxFileBytes !== undefined && { limits: { fileSize: limits.maxFileBytes } }) });
    } catch (error) {
      reject(new MalformedBodyError((error as Error).message));
      return;
    }
    const form: FormData = { fields: {}, files: {} };
    const writes: Promise<void>[] = [];
    const writers: WriteStream[] = [];
    const written: string[] = [];
    let failed = false;
    // On failure: stop writing, let every writer settle, remove what they wrote, then answer,
    // so a refused upload leaves nothing on disk by the time the client hears about it.
    const fail = (error: Error) => {
      if (failed) return;
      failed = true;
      for (const writer of writers) writer.destroy();
      void Promise.allSettled(writes)
        .then(() => Promise.all(written.map((path) => store?.remove(path))))
        .then(() => reject(error instanceof MalformedBodyError ? error : new MalformedBodyError(error.message)));
    };
    parser.on('field', (name, value) => (form.fields[name] ??= []).push(value));
    parser.on('file', (name, stream, info) => {
      if (failed) return void stream.resume();
      const file: UploadedFile = { filename: info.filename ?? name, contentType: info.mimeType, bytes: 0 };
      stream.on('data', (chunk: Buffer) => (file.bytes += chunk.length));
      // busboy truncates an oversized part and says so; an upload cut short is refused whole.
      stream.on('limit', () => fail(new MalformedBodyError(`${name} is larger than ${limits.maxFileBytes} bytes`)));
      (form.files[name] ??= []).push(file);
      if (store) {
        // The name on disk is the store's own: nothing a request says (its file name, its part
        // name) reaches a filesystem path. The client's file name stays in `filename` only.
        file.path = store.newPath('upload');
        written.push(file.path);
        const writer = createWriteStream(file.path);
        writers.push(writer);
        // A truncated body fails the part's stream too; the pipeline reports it.
        writes.push(pipeline(stream, writer).catch(fail));
      } else {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('error', fail);
        writes.push(new Promise((done) => stream.on('end', () => done(void (file.data = Buffer.concat(chunks))))));
      }
    });
    parser.on('error', fail);
    parser.on('close', () => void Promise.all(writes).then(() => failed || resolve(form), fail));
    if (Buffer.isBuffer(source)) parser.end(source);
    else {
      source.on('error', fail);
      source.pipe(parser);
    }
  });
}
