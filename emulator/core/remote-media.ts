// Media a client names by URL (Speechmatics' fetch_data, Gladia's and AssemblyAI's
// audio_url) is fetched for real, with the headers the client gave, and streamed to disk
// like an upload. A URL that names one of this emulator's own uploads is resolved without a
// request (see uploads.ts); the caller decides which to try first.
import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

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

/** A real GET, streamed to `path`; throws RemoteMediaError when the media cannot be had. */
export async function fetchToFile(url: string, headers: Record<string, string>, path: string, options: { maxBytes?: number; timeoutMs?: number } = {}): Promise<{ bytes: number; contentType?: string }> {
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
  try {
    await pipeline(source, createWriteStream(path));
  } catch (error) {
    throw error instanceof RemoteMediaError ? error : new RemoteMediaError((error as Error).message);
  }
  return { bytes, ...(response.headers.get('content-type') && { contentType: response.headers.get('content-type')! }) };
}
