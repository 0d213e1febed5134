// Media a client names by URL (Speechmatics' fetch_data, Gladia's and AssemblyAI's
// audio_url) is fetched for real, with the headers the client gave, and streamed to disk
// like an upload. A URL that names one of this emulator's own uploads is resolved without a
// request (see uploads.ts); the caller decides which to try first. Only hosts `--allow-fetch`
// allows are fetched from, checked again at every redirect (outbound-policy.ts): a refused
// host fails the fetch as an unreachable one does, and no request is sent to it.
import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { FileStore } from './file-store.ts';
import { DEFAULT_FETCH_POLICY, type OutboundPolicy } from './outbound-policy.ts';
import type { Holdings, Ownership } from './ownership.ts';
import { recordedIo } from './recorded-io.ts';

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

export interface FetchOptions {
  maxBytes?: number;
  timeoutMs?: number;
  /**
   * The hosts that may be fetched from (the emulator's `--allow-fetch`); by default every host
   * but link-local and cloud-metadata ones. `fetchKept` takes the runtime's when not given here.
   */
  outbound?: OutboundPolicy;
}

/** As many as fetch follows itself. */
const MAX_REDIRECTS = 20;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);
/** Dropped when a redirect leaves the origin, as fetch drops them. */
const CREDENTIAL_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie']);

/** The response to a GET, redirects followed by hand so that each hop's host is checked before it is asked. */
async function follow(url: string, headers: Record<string, string>, options: FetchOptions): Promise<Response> {
  const policy = options.outbound ?? DEFAULT_FETCH_POLICY;
  const signal = AbortSignal.timeout(options.timeoutMs ?? FETCH_TIMEOUT_MS);
  let current = url;
  let sent = headers;
  for (let hops = 0; ; hops++) {
    const refused = await policy.refusal(current);
    if (refused) throw new RemoteMediaError(refused);
    let response: Response;
    try {
      response = await fetch(current, { headers: sent, redirect: 'manual', signal });
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause;
      throw new RemoteMediaError(cause?.code ?? (error as Error).message);
    }
    const location = REDIRECTS.has(response.status) ? response.headers.get('location') : null;
    if (location === null) return response;
    await response.body?.cancel().catch(() => undefined);
    if (hops >= MAX_REDIRECTS) throw new RemoteMediaError(`more than ${MAX_REDIRECTS} redirects`);
    let next: URL;
    try {
      next = new URL(location, current);
    } catch {
      throw new RemoteMediaError(`a redirect to ${JSON.stringify(location)}, which is no URL`);
    }
    if (next.protocol !== 'http:' && next.protocol !== 'https:') throw new RemoteMediaError(`a redirect to ${next.protocol} (only http and https are fetched)`);
    if (next.origin !== new URL(current).origin) sent = Object.fromEntries(Object.entries(sent).filter(([name]) => !CREDENTIAL_HEADERS.has(name.toLowerCase())));
    current = next.href;
  }
}

async function get(url: string, headers: Record<string, string>, options: FetchOptions): Promise<Readable> {
  const response = await follow(url, headers, options);
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

/** What a replay of a fetch gets: the same file (kept in the data dir), or the same failure. */
const remoteFailure = (error: unknown) => (error instanceof RemoteMediaError ? { reason: error.reason, ...(error.status !== undefined && { status: error.status }) } : undefined);
const raiseRemote = (failure: { reason: string; status?: number }) => new RemoteMediaError(failure.reason, failure.status);

/** A real GET, streamed to `path`; throws RemoteMediaError when the media cannot be had. */
export function fetchToFile(url: string, headers: Record<string, string>, path: string, options: FetchOptions = {}): Promise<{ bytes: number }> {
  return recordedIo('fetch-file', () => fetchToFileLive(url, headers, path, options), {
    save: (value, execution) => ({ bytes: value.bytes, file: execution.keepFile(path) }),
    load: (saved, execution) => {
      const { bytes, file } = saved as { bytes: number; file: string };
      execution.restoreFile(file, path);
      return { bytes };
    },
    failure: remoteFailure,
    raise: raiseRemote,
  });
}

async function fetchToFileLive(url: string, headers: Record<string, string>, path: string, options: FetchOptions): Promise<{ bytes: number }> {
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

/**
 * Fetches into a file the holder keeps (it goes with the resource): its path and size. The
 * runtime's `fetchPolicy` (the emulator's `--allow-fetch`) decides which hosts may be asked.
 */
export async function fetchKept(runtime: { own: Ownership; files: FileStore; fetchPolicy?: OutboundPolicy }, held: Holdings, url: string, headers: Record<string, string>, options: FetchOptions = {}): Promise<{ path: string; bytes: number }> {
  const outbound = options.outbound ?? runtime.fetchPolicy;
  const path = runtime.own.keep(held, runtime.files.newPath('fetched'));
  return { path, ...(await fetchToFile(url, headers, path, outbound ? { ...options, outbound } : options)) };
}

/** A small remote file (a text to align), read whole within `maxBytes`. */
export function fetchBytes(url: string, headers: Record<string, string>, options: FetchOptions = {}): Promise<Buffer> {
  return recordedIo('fetch-bytes', () => fetchBytesLive(url, headers, options), {
    save: (value) => value.toString('base64'),
    load: (saved) => Buffer.from(saved as string, 'base64'),
    failure: remoteFailure,
    raise: raiseRemote,
  });
}

async function fetchBytesLive(url: string, headers: Record<string, string>, options: FetchOptions): Promise<Buffer> {
  const source = await get(url, headers, options);
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of source) chunks.push(chunk as Buffer);
  } catch (error) {
    throw asRemoteError(error);
  }
  return Buffer.concat(chunks);
}
