// Real PCM WAV files made in code: the audio example requests carry in their binary parts,
// and what tests use for audio nobody has a transcript for.

export interface SineOptions {
  seconds: number;
  frequency: number;
  /** 0..1 of full scale; 0 gives digital silence. */
  amplitude: number;
  sampleRate?: number;
  channels?: number;
}

export function sineWav({ seconds, frequency, amplitude, sampleRate = 16000, channels = 1 }: SineOptions): Buffer {
  const frames = Math.round(seconds * sampleRate);
  const dataBytes = frames * channels * 2;
  const wav = Buffer.alloc(44 + dataBytes);
  wav.write('RIFF', 0);
  wav.writeUInt32LE(36 + dataBytes, 4);
  wav.write('WAVEfmt ', 8);
  wav.writeUInt32LE(16, 16);
  wav.writeUInt16LE(1, 20);
  wav.writeUInt16LE(channels, 22);
  wav.writeUInt32LE(sampleRate, 24);
  wav.writeUInt32LE(sampleRate * channels * 2, 28);
  wav.writeUInt16LE(channels * 2, 32);
  wav.writeUInt16LE(16, 34);
  wav.write('data', 36);
  wav.writeUInt32LE(dataBytes, 40);
  for (let i = 0; i < frames; i++) {
    const sample = Math.round(Math.sin((2 * Math.PI * frequency * i) / sampleRate) * amplitude * 32767);
    for (let c = 0; c < channels; c++) wav.writeInt16LE(sample, 44 + (i * channels + c) * 2);
  }
  return wav;
}
