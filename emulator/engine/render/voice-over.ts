// The voice-over audio of Cadence's Twilio add-on: the `translation` file part of the callback,
// a WAV as in the source document's sample (`file.wav`). speechdouble synthesises no speech.
// The file stands in for it: as long as the source recording, silent except for one soft tone
// burst per translated word, placed inside the time span of the sentence it belongs to. A test
// recognises it by its timing (`voiceOverBursts` says where every burst is) and a player
// hears a plausible rhythm. 16-bit PCM, mono, little-endian, a canonical 44-byte header.
import type { TimedText } from '../transcript.ts';

export interface VoiceOverOptions {
  /** Samples per second; 16000 when not given. */
  sampleRate?: number;
}

export interface ToneBurst {
  /** Seconds from the start of the audio. */
  start: number;
  end: number;
}

const DEFAULT_SAMPLE_RATE = 16000;
/** A4: clearly a tone, not speech, and well inside telephone bandwidth. */
const TONE_HZ = 440;
/** About -12 dBFS: audible, never clipping. */
const AMPLITUDE = 0.25 * 32767;
/** Each word sounds for this share of its slot; the rest is the gap between words. */
const SOUNDING_SHARE = 0.8;
/** Fade in and out over this long, so bursts start and stop without clicks. */
const FADE_SECONDS = 0.01;

/**
 * Where the bursts go: a sentence's span is split into equal slots, one per word, and each
 * word sounds at the start of its slot. Sentences outside the audio are clipped to it.
 */
export function voiceOverBursts(translatedSentences: readonly TimedText[], durationSeconds: number): ToneBurst[] {
  const bursts: ToneBurst[] = [];
  for (const sentence of translatedSentences) {
    const words = sentence.text.split(/\s+/).filter((w) => w.length > 0);
    const start = Math.max(0, sentence.start);
    const end = Math.min(durationSeconds, sentence.end);
    if (words.length === 0 || end <= start) continue;
    const slot = (end - start) / words.length;
    words.forEach((_, i) => bursts.push({ start: start + i * slot, end: start + i * slot + slot * SOUNDING_SHARE }));
  }
  return bursts;
}

export function renderVoiceOverWav(translatedSentences: readonly TimedText[], durationSeconds: number, options: VoiceOverOptions = {}): Uint8Array {
  const sampleRate = options.sampleRate ?? DEFAULT_SAMPLE_RATE;
  const sampleCount = Math.max(0, Math.round(durationSeconds * sampleRate));
  const samples = new Int16Array(sampleCount);
  const fade = Math.max(1, Math.round(FADE_SECONDS * sampleRate));

  for (const burst of voiceOverBursts(translatedSentences, durationSeconds)) {
    const first = Math.round(burst.start * sampleRate);
    const last = Math.min(sampleCount, Math.round(burst.end * sampleRate));
    const length = last - first;
    for (let n = first; n < last; n++) {
      const k = n - first;
      // Raised-cosine ramps at both ends; a burst shorter than two fades is all ramp.
      const ramp = Math.min(1, k / fade, (length - 1 - k) / fade);
      const envelope = 0.5 - 0.5 * Math.cos(Math.PI * Math.max(0, ramp));
      samples[n] = Math.round(AMPLITUDE * envelope * Math.sin((2 * Math.PI * TONE_HZ * k) / sampleRate));
    }
  }
  return wavFile(samples, sampleRate);
}

/** A canonical RIFF/WAVE file: `fmt ` (PCM, mono, 16-bit) and `data`, little-endian. */
function wavFile(samples: Int16Array, sampleRate: number): Uint8Array {
  const dataBytes = samples.length * 2;
  const bytes = new Uint8Array(44 + dataBytes);
  const view = new DataView(bytes.buffer);
  const ascii = (offset: number, text: string) => { for (let i = 0; i < text.length; i++) bytes[offset + i] = text.charCodeAt(i); };
  ascii(0, 'RIFF');
  view.setUint32(4, 36 + dataBytes, true);
  ascii(8, 'WAVE');
  ascii(12, 'fmt ');
  view.setUint32(16, 16, true); // fmt chunk size
  view.setUint16(20, 1, true); // PCM
  view.setUint16(22, 1, true); // channels
  view.setUint32(24, sampleRate, true);
  view.setUint32(28, sampleRate * 2, true); // byte rate
  view.setUint16(32, 2, true); // block align
  view.setUint16(34, 16, true); // bits per sample
  ascii(36, 'data');
  view.setUint32(40, dataBytes, true);
  samples.forEach((sample, i) => view.setInt16(44 + i * 2, sample, true));
  return bytes;
}
