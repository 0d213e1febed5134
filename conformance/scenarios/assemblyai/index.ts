// AssemblyAI journeys (the synchronous /v2/stream and the async transcript API), in the order
// a user meets them.
import type { ApiJourneys } from '../../scenario.ts';
import { deletion } from './deletion.ts';
import { errors } from './errors.ts';
import { existingTranscript } from './journey.ts';
import { listing } from './listing.ts';
import { readOuts } from './read-outs.ts';
import { remoteAudio } from './remote-audio.ts';
import { streamClip } from './stream.ts';
import { tenants } from './tenants.ts';
import { transcription } from './transcription.ts';
import { webhooks } from './webhooks.ts';

export const assemblyai: ApiJourneys = {
  scenarios: [streamClip, transcription, readOuts, remoteAudio, listing, deletion, webhooks, tenants, errors],
  existingResources: async (ctx) => ({ transcript_id: await existingTranscript(ctx) }),
};
