// What an audio file really is, read from its bytes: container, codec, duration, rate,
// channels, SHA-256. Files are read as streams, twice (hash, then parse), so a 1 GB upload is
// never held in memory. Anything that is not readable audio is an UnreadableAudioError, which
// each API turns into its own rejection. music-metadata (a tenth of a second to load) is loaded
// on the first probe, not with the emulator.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IAudioMetadata } from 'music-metadata';

let musicMetadata: Promise<typeof import('music-metadata')> | undefined;
const loadMusicMetadata = () => (musicMetadata ??= import('music-metadata'));

/** Read-only: probes of the same bytes share one (see `shared`). */
export interface AudioInfo {
  readonly sha256: string;
  readonly bytes: number;
  /** e.g. WAVE, FLAC, MPEG, Ogg */
  readonly container: string;
  /** e.g. PCM, FLAC, MPEG 1 Layer 3, Vorbis I */
  readonly codec: string;
  readonly durationSeconds: number;
  readonly sampleRate: number;
  readonly channels: number;
  readonly bitsPerSample?: number;
}

export type UnreadableReason = 'empty' | 'not-audio' | 'truncated' | 'no-duration';

export class UnreadableAudioError extends Error {
  override readonly name = 'UnreadableAudioError';
  constructor(readonly reason: UnreadableReason, message: string) {
    super(message);
  }
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * Read in chunks no larger than the file, to its known end: a stream's default is a fresh
 * 64 KiB buffer per read, and one more read to find the end, so a 32 KB upload cost 128 KiB of
 * malloc'd buffers, held until a GC, which a burst of uploads leaves fragmented (resident).
 */
const HASH_CHUNK_BYTES = 64 * 1024;

async function sha256OfFile(path: string, size: number): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: Math.min(size, HASH_CHUNK_BYTES), end: size - 1 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

// music-metadata reads a short RIFF data chunk leniently and reports it only as a warning; a
// header that promises more audio than the file holds is a truncated upload.
const TRUNCATION_WARNINGS = [/data chunk length exceeding file length/i];

function describe(metadata: IAudioMetadata, sha256: string, bytes: number): AudioInfo {
  const { format, quality } = metadata;
  if (!format.container || format.sampleRate === undefined) {
    throw new UnreadableAudioError('not-audio', 'The file is not audio in a supported container.');
  }
  if (quality.warnings.some((w) => TRUNCATION_WARNINGS.some((p) => p.test(w.message)))) {
    throw new UnreadableAudioError('truncated', 'The audio data ends before its header says it should.');
  }
  if (!format.duration || !Number.isFinite(format.duration)) {
    throw new UnreadableAudioError('no-duration', 'The duration of the audio could not be read.');
  }
  return {
    sha256,
    bytes,
    container: format.container,
    codec: format.codec ?? 'unknown',
    durationSeconds: format.duration,
    sampleRate: format.sampleRate,
    channels: format.numberOfChannels ?? 1,
    ...(format.bitsPerSample !== undefined && { bitsPerSample: format.bitsPerSample }),
  };
}

/** The last few probes' results, by content hash. */
const recent = new Map<string, AudioInfo>();
const RECENT_PROBES = 64;

/**
 * The AudioInfo an earlier probe of the same bytes gave, if it says the same, else this one:
 * a test suite sends the same few files again and again, and every job keeps its AudioInfo
 * (about 230 bytes with its strings) for as long as it lives.
 */
function shared(info: AudioInfo): AudioInfo {
  const known = recent.get(info.sha256);
  const kept = known && sameInfo(known, info) ? known : info;
  recent.delete(info.sha256);
  recent.set(info.sha256, kept);
  if (recent.size > RECENT_PROBES) recent.delete(recent.keys().next().value!);
  return kept;
}

function sameInfo(a: AudioInfo, b: AudioInfo): boolean {
  const keys = Object.keys(a) as Array<keyof AudioInfo>;
  return keys.length === Object.keys(b).length && keys.every((key) => a[key] === b[key]);
}

/** `path`: the file's own, which the parser's message may quote; a client is not told where the emulator keeps files. */
async function parseOrUnreadable(parse: () => Promise<IAudioMetadata>, path?: string): Promise<IAudioMetadata> {
  try {
    return await parse();
  } catch (error) {
    const message = (error as Error).message;
    const told = path ? message.split(path).join('').replace(/[\s:]+$/, '') : message;
    throw new UnreadableAudioError('not-audio', `The file could not be read as audio: ${told}`);
  }
}

export async function probeFile(path: string): Promise<AudioInfo> {
  const { size } = await stat(path);
  if (size === 0) throw new UnreadableAudioError('empty', 'The file is empty.');
  const sha256 = await sha256OfFile(path, size);
  const { parseFile } = await loadMusicMetadata();
  const metadata = await parseOrUnreadable(() => parseFile(path, { duration: true, skipCovers: true }), path);
  return shared(describe(metadata, sha256, size));
}

export async function probeBuffer(bytes: Uint8Array): Promise<AudioInfo> {
  if (bytes.length === 0) throw new UnreadableAudioError('empty', 'The file is empty.');
  const { parseBuffer } = await loadMusicMetadata();
  const metadata = await parseOrUnreadable(() => parseBuffer(bytes, undefined, { duration: true, skipCovers: true }));
  return shared(describe(metadata, sha256Hex(bytes), bytes.length));
}
