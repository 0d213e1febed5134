// multipart/form-data bodies as plain data: fields by name (repeated names keep every value),
// files by name. busboy does the parsing as the bytes arrive; given a FileStore, file parts
// go straight to disk so an upload of any size costs little memory. A body busboy cannot
// read whole is a MalformedBodyError, which each API answers with its own 400.
import { createWriteStream } from 'node:fs';
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

export function parseMultipart(contentType: string, source: Buffer | Readable, store?: FileStore): Promise<FormData> {
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers: { 'content-type': contentType }, defParamCharset: 'utf8' });
    } catch (error) {
      reject(new MalformedBodyError((error as Error).message));
      return;
    }
    const form: FormData = { fields: {}, files: {} };
    const writes: Promise<void>[] = [];
    const written: string[] = [];
    let failed = false;
    const fail = (error: Error) => {
      if (failed) return;
      failed = true;
      if (store) for (const path of written) void store.remove(path);
      reject(error instanceof MalformedBodyError ? error : new MalformedBodyError(error.message));
    };
    parser.on('field', (name, value) => (form.fields[name] ??= []).push(value));
    parser.on('file', (name, stream, info) => {
      const file: UploadedFile = { filename: info.filename ?? name, contentType: info.mimeType, bytes: 0 };
      stream.on('data', (chunk: Buffer) => (file.bytes += chunk.length));
      (form.files[name] ??= []).push(file);
      if (store) {
        file.path = store.newPath(file.filename);
        written.push(file.path);
        // A truncated body fails the part's stream too; the pipeline reports it.
        writes.push(pipeline(stream, createWriteStream(file.path)).catch(fail));
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
