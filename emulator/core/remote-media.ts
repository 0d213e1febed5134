// Media a client names by URL (Speechmatics' fetch_data, Gladia's and AssemblyAI's
// audio_url) is fetched for real, with the headers the client gave, and streamed to disk
// like an upload. A URL that names one of this emulator's own uploads is resolved without a
// request (see uploads.ts); the caller decides which to try first.
import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { FileStore } from './file-store.ts';
import type { Holdings, Ownership } from './ownership.ts';

export class RemoteMediaError extends Error {
  override readonly name = 'RemoteMediaError';
  constructor(
    /** What went wrong, in neutral words: a network code (ECONNREFUSED) or `http status 404`. */
    readonly reason: string,
    /** The HTTP status the remote answered, when it answered. */
    readonly status?: number,
  ) {
    super(reason);
  }
}

const FETCH_TIMEOUT_MS = 60_000;

interface FetchOptions {
  maxBytes?: number;
  timeoutMs?: number;
}

async function get(url: string, headers: Record<string, string>, options: FetchOptions): Promise<Readable> {
  let response: Response;
  try {
    response = await fetch(url, { headers, redirect: 'follow', signal: AbortSignal.timeout(options.timeoutMs ?? FETCH_TIMEOUT_MS) });
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause;
    throw new RemoteMediaError(cause?.code ?? (error as Error).message);
  }
  if (!response.ok || !response.body) {
    await response.body?.cancel().catch(() => undefined);
    throw new RemoteMediaError(`http status ${response.status}`, response.status);
  }
  let bytes = 0;
  const limit = options.maxBytes ?? Infinity;
  const source = Readable.fromWeb(response.body as never);
  source.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
    if (bytes > limit) source.destroy(new RemoteMediaError(`the media is larger than ${limit} bytes`));
  });
  return source;
}

const asRemoteError = (error: unknown) => (error instanceof RemoteMediaError ? error : new RemoteMediaError((error as Error).message));

/** A real GET, streamed to `path`; throws RemoteMediaError when the media cannot be had. */
export async function fetchToFile(url: string, headers: Record<string, string>, path: string, options: FetchOptions = {}): Promise<{ bytes: number }> {
  const source = await get(url, headers, options);
  let bytes = 0;
  source.on('data', (chunk: Buffer) => (bytes += chunk.length));
  try {
    await pipeline(source, createWriteStream(path));
  } catch (error) {
    throw asRemoteError(error);
  }
  return { bytes };
}

/** Fetches into a file the holder keeps (it goes with the resource): its path and size. */
export async function fetchKept(runtime: { own: Ownership; files: FileStore }, held: Holdings, url: string, headers: Record<string, string>, options: FetchOptions = {}): Promise<{ path: string; bytes: number }> {
  const path = runtime.own.keep(held, runtime.files.newPath('fetched'));
  return { path, ...(await fetchToFile(url, headers, path, options)) };
}

/** A small remote file (a text to align), read whole within `maxBytes`. */
export async function fetchBytes(url: string, headers: Record<string, string>, options: FetchOptions = {}): Promise<Buffer> {
  const source = await get(url, headers, options);
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of source) chunks.push(chunk as Buffer);
  } catch (error) {
    throw asRemoteError(error);
  }
  return Buffer.concat(chunks);
}
