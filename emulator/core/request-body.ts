// Reads a request's body the way its operation's spec says it comes: JSON parsed, forms
// (multipart or url-encoded) split into fields and files, raw bytes (an audio upload)
// streamed to the file store. Every file a request writes is listed, so the core can remove
// the ones no resource kept. Problems are ValidationFailures each API renders its own way.
import { createWriteStream } from 'node:fs';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import { whenClosed, type FileStore } from './file-store.ts';
import type { EmulatorRequest } from './http-types.ts';
import { MalformedBodyError, parseMultipart, type FormData, type UploadedFile } from './multipart.ts';
import type { ValidationFailure } from './validation-failure.ts';
import type { JsonObject } from '../../openapi/specs.ts';

export type RequestBody =
  | { kind: 'none' }
  | { kind: 'json'; mediaType: string; value: unknown }
  /** multipart/form-data or application/x-www-form-urlencoded; `values` is filled by validation. */
  | { kind: 'form'; mediaType: string; fields: FormData['fields']; files: FormData['files']; values: Record<string, unknown> }
  /** Raw bytes (an audio upload), on disk. */
  | { kind: 'file'; mediaType: string; file: UploadedFile & { path: string } };

/** The first file part of that name in a form body, if any. */
export const formFile = (body: RequestBody, name: string): UploadedFile | undefined => (body.kind === 'form' ? body.files[name]?.[0] : undefined);

export type BodyRead = { ok: true; body: RequestBody; written: string[] } | { ok: false; failure: ValidationFailure; written: string[] };

export interface BodyLimits {
  /** The largest file (a multipart part or a raw upload). */
  fileBytes: number;
  /** The largest body read into memory (JSON, url-encoded). */
  bufferedBytes: number;
}

const mediaTypeOf = (header: string | undefined) => (header ?? '').split(';')[0]!.trim().toLowerCase();

/** Whether the request carries a body at all (a GET usually does not). */
export function hasBody(request: EmulatorRequest): boolean {
  if (request.body.length > 0) return true;
  if (!request.stream) return false;
  const length = request.headers['content-length'];
  return request.headers['transfer-encoding'] !== undefined || (length !== undefined && length.trim() !== '0');
}

export class UnsupportedEncodingError extends Error {
  override readonly name = 'UnsupportedEncodingError';
}

/** The body's bytes as a stream, undoing `Content-Encoding` (gzip, deflate, br). */
export function decodedStream(request: EmulatorRequest): Readable {
  const source = request.stream ?? Readable.from([request.body]);
  const codings = (request.headers['content-encoding'] ?? 'identity').toLowerCase().split(',').map((c) => c.trim()).filter((c) => c && c !== 'identity').reverse();
  let stream: Readable = source;
  for (const coding of codings) {
    const decoder: Transform | undefined = coding === 'gzip' || coding === 'x-gzip' ? createGunzip() : coding === 'deflate' ? createInflate() : coding === 'br' ? createBrotliDecompress() : undefined;
    if (!decoder) throw new UnsupportedEncodingError(`unsupported content encoding "${coding}"`);
    const from = stream;
    from.on('error', (error) => decoder.destroy(error));
    stream = from.pipe(decoder);
  }
  return stream;
}

/** The whole stream, within `limit` bytes (a RangeError past it): for bodies read into memory. */
export async function readBounded(stream: Readable, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stream) {
    total += (chunk as Buffer).length;
    if (total > limit) {
      stream.destroy();
      throw new RangeError(`the body is larger than ${limit} bytes`);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** The spec's media type this request's Content-Type falls under, if any. */
function matchMediaType(content: JsonObject, requested: string): string | undefined {
  const types = Object.keys(content);
  const plain = (t: string) => mediaTypeOf(t);
  return types.find((t) => plain(t) === requested)
    ?? types.find((t) => plain(t).endsWith('/*') && requested.startsWith(plain(t).slice(0, -1)))
    ?? types.find((t) => plain(t) === '*/*');
}

const isBinaryMedia = (type: string, media: JsonObject | undefined) => {
  const schema = (media?.schema ?? {}) as JsonObject;
  return schema.format === 'binary' || /^(application\/octet-stream|audio\/|video\/|\*\/\*)/.test(mediaTypeOf(type));
};

/**
 * The media type an upload that only takes bytes is read as, whatever the request called it
 * (curl's --data-binary says application/x-www-form-urlencoded); undefined when the request
 * names one of the operation's types exactly, or the operation takes more than bytes.
 */
export function bytesMediaType(requestBody: JsonObject | undefined, contentType: string | undefined): string | undefined {
  const content = (requestBody?.content ?? {}) as JsonObject;
  const types = Object.keys(content);
  if (!types.length || !Object.entries(content).every(([type, media]) => isBinaryMedia(type, media as JsonObject))) return undefined;
  const requested = mediaTypeOf(contentType);
  if (types.some((type) => mediaTypeOf(type) === requested)) return undefined;
  return types.find((type) => !type.includes('*')) ?? types[0];
}

const failure = (rule: string, expected: string): ValidationFailure => ({ in: 'body', rule, expected });

export async function readRequestBody(request: EmulatorRequest, requestBody: JsonObject | undefined, files: FileStore, limits: BodyLimits): Promise<BodyRead> {
  const written: string[] = [];
  const content = (requestBody?.content ?? {}) as JsonObject;
  if (!requestBody || !hasBody(request)) {
    return requestBody?.required === true
      ? { ok: false, failure: failure('required', `a body (${Object.keys(content).join(' or ')})`), written }
      : { ok: true, body: { kind: 'none' }, written };
  }
  const requested = mediaTypeOf(request.headers['content-type']);
  const mediaType = matchMediaType(content, requested) ?? bytesMediaType(requestBody, requested);
  if (!mediaType) return { ok: false, failure: failure('media-type', Object.keys(content).join(', ')), written };

  let stream: Readable;
  try {
    stream = decodedStream(request);
  } catch (error) {
    return { ok: false, failure: failure('encoding', (error as Error).message), written };
  }
  try {
    const plain = mediaTypeOf(mediaType);
    if (plain === 'multipart/form-data') {
      const form = await parseMultipart(request.headers['content-type'] ?? '', stream, files, { maxFileBytes: limits.fileBytes });
      for (const file of Object.values(form.files).flat()) if (file.path) written.push(file.path);
      return { ok: true, body: { kind: 'form', mediaType, fields: form.fields, files: form.files, values: {} }, written };
    }
    if (plain === 'application/x-www-form-urlencoded') {
      const text = (await readBounded(stream, limits.bufferedBytes)).toString('utf8');
      const fields: Record<string, string[]> = {};
      for (const [name, value] of new URLSearchParams(text)) (fields[name] ??= []).push(value);
      return { ok: true, body: { kind: 'form', mediaType, fields, files: {}, values: {} }, written };
    }
    if (/json/.test(plain) && !isBinaryMedia(mediaType, content[mediaType] as JsonObject)) {
      const text = (await readBounded(stream, limits.bufferedBytes)).toString('utf8');
      try {
        return { ok: true, body: { kind: 'json', mediaType, value: JSON.parse(text) }, written };
      } catch {
        return { ok: false, failure: failure('json', 'a JSON document'), written };
      }
    }
    const path = files.newPath('upload');
    written.push(path);
    const file = { filename: '', contentType: requested || mediaType, bytes: 0, path };
    let tooLarge = false;
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        file.bytes += chunk.length;
        if (file.bytes > limits.fileBytes) {
          tooLarge = true;
          done(new RangeError(`the upload is larger than ${limits.fileBytes} bytes`));
        } else done(null, chunk);
      },
    });
    const writer = createWriteStream(path);
    try {
      await pipeline(stream, counter, writer);
    } catch (error) {
      // A body that failed before its file was even opened (the client gone, its framing
      // refused) has it opened after the failure: it is removed below once the writer is closed.
      await whenClosed(writer);
      throw error;
    }
    return { ok: true, body: { kind: 'file', mediaType, file }, written };
  } catch (error) {
    await Promise.all(written.map((path) => files.remove(path)));
    const message = (error as Error).message;
    if (error instanceof RangeError || /larger than/.test(message)) return { ok: false, failure: failure('size', message), written: [] };
    if (error instanceof MalformedBodyError) return { ok: false, failure: failure('malformed', message), written: [] };
    // A body that ends early or fails to decompress is the client's error, not ours.
    return { ok: false, failure: failure('malformed', message), written: [] };
  }
}
