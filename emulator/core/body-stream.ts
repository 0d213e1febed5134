// Request bodies arrive as streams: metered as they pass, so the journal can say how big they
// were without keeping them, and read whole only where a path really needs the bytes
// (Prism, the control API), within a bound.
import { createHash } from 'node:crypto';
import { PassThrough, type Readable } from 'node:stream';
import type { EmulatorRequest } from './http-types.ts';
import { decodedStream, readBounded } from './request-body.ts';

export interface BodyMeter {
  stream: Readable;
  /** What has passed so far: byte count, SHA-256, and the first bytes for a preview. */
  summary(): { bytes: number; sha256: string; head: Buffer };
}

const HEAD_BYTES = 800;

export function meter(source: Readable): BodyMeter {
  const hash = createHash('sha256');
  let bytes = 0;
  const head: Buffer[] = [];
  let headBytes = 0;
  const tap = new PassThrough();
  tap.on('data', (chunk: Buffer) => {
    hash.update(chunk);
    bytes += chunk.length;
    if (headBytes < HEAD_BYTES) {
      // A copy of the few bytes kept: a slice would hold the whole network read (up to 64 KiB) until the request ends.
      head.push(Buffer.from(chunk.subarray(0, HEAD_BYTES - headBytes)));
      headBytes += Math.min(chunk.length, HEAD_BYTES - headBytes);
    }
  });
  source.on('error', (error) => tap.destroy(error));
  // A body nobody reads (a GET's, a refused request's) may still fail: the client goes away
  // mid-body, or its framing breaks after the headers (a chunk size that is no number). A reader
  // hears of it through its own listener; without one, an 'error' with no listener would be
  // an uncaught exception, and take the whole emulator down.
  tap.on('error', () => undefined);
  source.pipe(tap);
  // Pause until a reader attaches: the 'data' listener above must not drain it early.
  tap.pause();
  return {
    stream: tap,
    summary: () => ({ bytes, sha256: hash.copy().digest('hex'), head: Buffer.concat(head) }),
  };
}

export class PayloadTooLargeError extends Error {
  override readonly name = 'PayloadTooLargeError';
}

export class UnreadableBodyError extends Error {
  override readonly name = 'UnreadableBodyError';
}

/** The request with its stream read (and Content-Encoding undone) into `body`, or unchanged when it has no stream. */
export async function bufferBody(request: EmulatorRequest, limitBytes: number): Promise<EmulatorRequest> {
  if (!request.stream) return request;
  // An unknown Content-Encoding throws here, before any byte is read: its own answer (415).
  const stream = decodedStream(request);
  let body: Buffer;
  try {
    body = await readBounded(stream, limitBytes);
  } catch (error) {
    // A gzip body that is not gzip, a connection cut mid-body: the client's, not a crash.
    throw error instanceof RangeError ? new PayloadTooLargeError(error.message) : new UnreadableBodyError((error as Error).message);
  }
  const { stream: _consumed, ...rest } = request;
  const headers = { ...rest.headers };
  delete headers['content-encoding'];
  return { ...rest, headers, body };
}
