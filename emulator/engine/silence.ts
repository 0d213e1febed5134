// Whether uncompressed audio holds anything but silence. Only PCM WAV can be judged without a
// decoder; other containers are judged by the fixture library (the silence fixture in every
// format) and otherwise treated as speech.
import { open } from 'node:fs/promises';
import type { AudioInfo } from './probe.ts';

/** Peaks below 1% of full scale are silence: dither and hum, not speech. */
const SILENCE_PEAK = 0.01;
const CHUNK = 1 << 16;

/** Offset of the first byte after the `data` chunk header of a RIFF/WAVE file. */
function dataOffset(header: Buffer): number | undefined {
  let offset = 12;
  while (offset + 8 <= header.length) {
    const id = header.toString('ascii', offset, offset + 4);
    const size = header.readUInt32LE(offset + 4);
    if (id === 'data') return offset + 8;
    offset += 8 + size + (size % 2);
  }
  return undefined;
}

export async function isSilentPcm(path: string, info: AudioInfo): Promise<boolean> {
  if (info.container !== 'WAVE' || info.codec !== 'PCM' || info.bitsPerSample !== 16) return false;
  const file = await open(path, 'r');
  try {
    const header = Buffer.alloc(4096);
    const { bytesRead } = await file.read(header, 0, header.length, 0);
    const start = dataOffset(header.subarray(0, bytesRead));
    if (start === undefined) return false;
    const limit = Math.round(SILENCE_PEAK * 32768);
    const buffer = Buffer.alloc(CHUNK);
    for (let position = start; ; position += CHUNK) {
      const { bytesRead: n } = await file.read(buffer, 0, CHUNK, position);
      for (let i = 0; i + 1 < n; i += 2) if (Math.abs(buffer.readInt16LE(i)) > limit) return false;
      if (n < CHUNK) return true;
    }
  } finally {
    await file.close();
  }
}
