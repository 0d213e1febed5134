// How an add-on request moves along: accepted (the recording probed), processing on the
// clock for a share of its duration, then `ok` with the requested file or `error` with the
// reason, reported by the callback (addon-callback.ts). The recording goes once it is
// processed; the request is remembered for Twilio's 30 days so a repeated sid is not redone.
import { progress } from '../../core/lifecycle.ts';
import { probeFile, UnreadableAudioError } from '../../engine/probe.ts';
import { renderTranscriptionPdf } from '../../engine/render/cadence-document.ts';
import { renderVoiceOverWav } from '../../engine/render/voice-over.ts';
import { sentencesOf, type TimedText } from '../../engine/transcript.ts';
import { sendAddonCallback, type AddonOutcome } from './addon-callback.ts';
import { ADDON_LANGUAGES } from './languages.ts';
import { ADDON_REQUESTS, type AddonRequest, type CadenceRuntime, type CadenceState } from './model.ts';

/** Twilio keeps add-on results for 30 days; a request_sid is remembered as long. */
const REMEMBERED_MS = 30 * 24 * 3600 * 1000;

export async function acceptRequest(addon: AddonRequest, state: CadenceState, runtime: CadenceRuntime): Promise<void> {
  try {
    addon.audio = await probeFile(addon.audioPath);
  } catch (error) {
    if (!(error instanceof UnreadableAudioError)) throw error;
    addon.audio = { unreadable: error.reason };
  }
  const duration = 'durationSeconds' in addon.audio ? addon.audio.durationSeconds : 0;
  ADDON_REQUESTS.move(addon, 'processing');
  progress(runtime.own, addon.held, runtime.settings.processing, duration, 'cadence: an add-on request finishes', () => finish(addon, state, runtime));
}

/** The first code of `codes` the emulator does not support, if any. */
const unsupported = (codes: string[]) => codes.find((code) => ADDON_LANGUAGES[code] === undefined);

async function finish(addon: AddonRequest, state: CadenceState, runtime: CadenceRuntime): Promise<void> {
  if (addon.status !== 'processing') return;
  const outcome = await outcomeOf(addon, runtime);
  if (outcome.status === 'error') addon.message = outcome.message;
  ADDON_REQUESTS.move(addon, outcome.status);
  await runtime.own.dropFiles(addon.held);
  sendAddonCallback(addon, outcome, runtime);
  runtime.own.after(addon.held, REMEMBERED_MS, 'cadence: an add-on request is forgotten', () => state.requests.remove(addon.tenant, addon.id));
}

async function outcomeOf(addon: AddonRequest, runtime: CadenceRuntime): Promise<AddonOutcome> {
  const badLanguage = unsupported([...addon.sources, addon.target]);
  if (badLanguage !== undefined) return { status: 'error', message: `Unsupported language: ${badLanguage}` };
  if (!('durationSeconds' in addon.audio)) return { status: 'error', message: 'The audio file could not be decoded.' };
  const spoken = ADDON_LANGUAGES[addon.sources[0]!]!;
  const target = ADDON_LANGUAGES[addon.target]!;
  const transcript = await runtime.engine.transcribe({ audio: addon.audio, path: addon.audioPath, language: spoken });
  // The words in the target language: as spoken when it is one of the recording's languages.
  const inTarget: readonly TimedText[] | undefined = addon.sources.includes(addon.target)
    ? undefined
    : (await runtime.engine.enrich(transcript, { translate: [target] })).translations![target]!;
  if (addon.service === 'transcription') {
    const pdf = await renderTranscriptionPdf(transcript, {
      requestSid: addon.id,
      createdAt: runtime.clock.now(),
      ...(inTarget && { text: { language: target, sentences: inTarget } }),
    });
    return { status: 'ok', file: { field: 'transcription', filename: 'transcription.pdf', contentType: 'application/pdf', bytes: Buffer.from(pdf) } };
  }
  const sentences = inTarget ?? sentencesOf(transcript.tokens);
  const wav = renderVoiceOverWav(sentences, transcript.durationSeconds);
  return { status: 'ok', file: { field: 'translation', filename: 'translation.wav', contentType: 'audio/wav', bytes: Buffer.from(wav) } };
}
