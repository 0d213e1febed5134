// POST /v2/stream: a clip under 15 s, base64 in the JSON body, transcribed in the request.
// The audio is 16-bit signed little-endian mono PCM: headerless at 8000 Hz (the vendor's
// examples strip the WAV header), or a whole WAV file at 8000 or 16000 Hz. Anything else is
// refused with 400, loudly, where the vendor would only transcribe it badly (see the spec).
import { createHash } from 'node:crypto';
import type { AudioInfo } from '../../engine/probe.ts';
import { renderStreamResponse, type AssemblyAiStreamTranscript } from '../../engine/render/assemblyai.ts';
import { round } from '../../engine/transcript.ts';
import { aaiError } from './errors.ts';
import type { AssemblyAiRuntime } from './model.ts';

const RAW_RATE = 8000;
const WAV_RATES = [8000, 16000];
const LIMIT_SECONDS = 15;
const BOOST: Record<string, number> = { low: 0.02, default: 0.05, high: 0.1 };

export interface StreamRequest {
  audio_data: string;
  punctuate?: boolean;
  format_text?: boolean;
  word_boost?: string[];
  boost_param?: 'low' | 'default' | 'high';
}

interface Pcm {
  rate: number;
  dataBytes: number;
}

/** The WAV header's format and data size, or undefined when the bytes are not RIFF/WAVE. */
function wavFormat(bytes: Buffer): { format: number; channels: number; rate: number; bits: number; dataBytes: number } | undefined {
  if (bytes.length < 12 || bytes.toString('ascii', 0, 4) !== 'RIFF' || bytes.toString('ascii', 8, 12) !== 'WAVE') return undefined;
  let fmt: { format: number; channels: number; rate: number; bits: number } | undefined;
  for (let at = 12; at + 8 <= bytes.length;) {
    const id = bytes.toString('ascii', at, at + 4);
    const size = bytes.readUInt32LE(at + 4);
    if (id === 'fmt ' && at + 24 <= bytes.length) fmt = { format: bytes.readUInt16LE(at + 8), channels: bytes.readUInt16LE(at + 10), rate: bytes.readUInt32LE(at + 12), bits: bytes.readUInt16LE(at + 22) };
    if (id === 'data' && fmt) return { ...fmt, dataBytes: Math.min(size, bytes.length - at - 8) };
    at += 8 + size + (size % 2);
  }
  throw aaiError('badStream', 'audio_data is a WAV file without a fmt and data chunk');
}

function pcmOf(audio: Buffer): Pcm {
  const wav = wavFormat(audio);
  if (!wav) return { rate: RAW_RATE, dataBytes: audio.length - (audio.length % 2) };
  if (wav.format !== 1 || wav.channels !== 1 || wav.bits !== 16 || !WAV_RATES.includes(wav.rate)) {
    throw aaiError('badStream', `Unsupported audio format: ${wav.rate} Hz, ${wav.channels} channel${wav.channels === 1 ? '' : 's'}, ${wav.bits}-bit${wav.format === 1 ? '' : ' (not PCM)'}. Send 16-bit signed PCM, mono, at 8000 or 16000 Hz.`);
  }
  return { rate: wav.rate, dataBytes: wav.dataBytes - (wav.dataBytes % 2) };
}

/** The vendor's timestamp: UTC, a space, microseconds, no zone. */
export const vendorTime = (ms: number) => new Date(ms).toISOString().replace('T', ' ').replace(/\.(\d{3})Z$/, '.$1000');

export async function transcribeClip(request: StreamRequest, runtime: AssemblyAiRuntime): Promise<AssemblyAiStreamTranscript> {
  const text = request.audio_data;
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) throw aaiError('badStream', 'audio_data must be base64-encoded audio');
  const bytes = Buffer.from(text, 'base64');
  const pcm = pcmOf(bytes);
  if (pcm.dataBytes === 0) throw aaiError('badStream', 'audio_data contains no audio');
  const seconds = pcm.dataBytes / (pcm.rate * 2);
  if (seconds >= LIMIT_SECONDS) {
    throw aaiError('badStream', `Audio is too long: ${round(seconds, 1)} seconds were sent; /v2/stream only accepts audio shorter than 15 seconds.`);
  }
  const audio: AudioInfo = {
    sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.length, container: wavFormat(bytes) ? 'WAVE' : 'raw', codec: 'PCM',
    durationSeconds: seconds, sampleRate: pcm.rate, channels: 1, bitsPerSample: 16,
  };
  const words = await runtime.engine.transcribe({ audio });
  const answer = renderStreamResponse(words, { id: runtime.random.uuid(), created: vendorTime(runtime.clock.nowMs()), punctuate: request.punctuate ?? false, formatText: request.format_text ?? false });
  return boosted(answer, request);
}

/** Boosted words are recognised with more confidence: the answer shows it. */
function boosted(answer: AssemblyAiStreamTranscript, request: StreamRequest): AssemblyAiStreamTranscript {
  const favoured = new Set((request.word_boost ?? []).flatMap((phrase) => phrase.toLowerCase().split(/\s+/)).filter(Boolean));
  if (!favoured.size) return answer;
  const boost = BOOST[request.boost_param ?? 'default']!;
  const words = answer.words.map((w) => (favoured.has(w.text.toLowerCase().replace(/[^\p{L}\p{N}']/gu, '')) ? { ...w, confidence: round(Math.min(1, w.confidence + boost)) } : w));
  const confidence = words.length ? round(words.reduce((sum, w) => sum + w.confidence, 0) / words.length) : answer.confidence;
  return { ...answer, words, confidence };
}
