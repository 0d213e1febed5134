import { parseBuffer } from 'music-metadata';
import { describe, expect, it } from 'vitest';
import { enrichments, monologue, silence, stereo, twoSpeakers } from '../testing/sample-transcripts.ts';
import { sentencesOf, type TimedText, type Transcript } from '../transcript.ts';
import { renderVoiceOverWav, voiceOverBursts } from './voice-over.ts';

const SAMPLES: Record<string, () => Transcript> = { monologue, twoSpeakers, stereo, silence };
const GERMAN = enrichments().translations!.de!;

/** The samples of a canonical 44-byte-header WAV. */
function samplesOf(wav: Uint8Array): Int16Array {
  const view = new DataView(wav.buffer, wav.byteOffset, wav.byteLength);
  return Int16Array.from({ length: (wav.byteLength - 44) / 2 }, (_, i) => view.getInt16(44 + i * 2, true));
}

/** The sentences of a sample as they would come back translated: same times, other words. */
function pretendTranslation(t: Transcript): TimedText[] {
  return sentencesOf(t.tokens).map(({ start, end, text }) => ({ start, end, text: text.toUpperCase() }));
}

describe('Cadence voice-over audio', () => {
  it.each(Object.keys(SAMPLES))('is a 16-bit mono PCM WAV as long as the %s recording', async (name) => {
    const t = SAMPLES[name]!();
    const wav = renderVoiceOverWav(pretendTranslation(t), t.durationSeconds, { sampleRate: 16000 });
    const { format } = await parseBuffer(wav, { mimeType: 'audio/wav' });
    expect(format).toMatchObject({ container: 'WAVE', sampleRate: 16000, numberOfChannels: 1, bitsPerSample: 16 });
    expect(format.duration).toBeCloseTo(t.durationSeconds, 3);
    expect(wav.byteLength).toBe(44 + Math.round(t.durationSeconds * 16000) * 2);
  });

  it('sounds one tone burst per translated word, inside its sentence, and is silent elsewhere', () => {
    const wav = renderVoiceOverWav(GERMAN, 6.5, { sampleRate: 16000 });
    const samples = samplesOf(wav);
    const bursts = voiceOverBursts(GERMAN, 6.5);
    expect(bursts).toHaveLength(GERMAN.reduce((n, s) => n + s.text.split(' ').length, 0));
    for (const burst of bursts) {
      expect(GERMAN.some((s) => burst.start >= s.start && burst.end <= s.end)).toBe(true);
      const inside = samples.subarray(Math.round(burst.start * 16000), Math.round(burst.end * 16000));
      expect(Math.max(...inside.map(Math.abs))).toBeGreaterThan(4000);
    }
    const sounding = new Uint8Array(samples.length);
    for (const b of bursts) sounding.fill(1, Math.round(b.start * 16000), Math.round(b.end * 16000));
    const strays = samples.filter((sample, i) => sample !== 0 && sounding[i] === 0);
    expect(strays).toHaveLength(0);
  });

  it('is silent throughout when nothing was said', () => {
    expect(samplesOf(renderVoiceOverWav([], 3)).every((s) => s === 0)).toBe(true);
  });

  it('uses 16 kHz unless told otherwise, and any rate it is given', async () => {
    expect((await parseBuffer(renderVoiceOverWav(GERMAN, 6.5), { mimeType: 'audio/wav' })).format.sampleRate).toBe(16000);
    const { format } = await parseBuffer(renderVoiceOverWav(GERMAN, 6.5, { sampleRate: 8000 }), { mimeType: 'audio/wav' });
    expect(format).toMatchObject({ sampleRate: 8000 });
    expect(format.duration).toBeCloseTo(6.5, 3);
  });

  it('clips sentences that run past the end of the audio', () => {
    const bursts = voiceOverBursts([{ start: 2, end: 5, text: 'eins zwei drei' }], 3);
    expect(bursts.every((b) => b.end <= 3)).toBe(true);
    expect(renderVoiceOverWav([{ start: 2, end: 5, text: 'eins zwei drei' }], 3).byteLength).toBe(44 + 3 * 16000 * 2);
  });

  it('is byte-identical across renders', () => {
    expect(Buffer.from(renderVoiceOverWav(GERMAN, 6.5)).equals(Buffer.from(renderVoiceOverWav(GERMAN, 6.5)))).toBe(true);
  });
});
