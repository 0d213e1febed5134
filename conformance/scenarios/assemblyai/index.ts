// AssemblyAI journeys (the synchronous /v2/stream and the async transcript API), in the order
// a user meets them.
import type { AdaptExample, ApiJourneys } from '../../scenario.ts';
import { editJsonBody } from '../example-edits.ts';
import { deletion } from './deletion.ts';
import { errors } from './errors.ts';
import { existingTranscript, upload } from './journey.ts';
import { listing } from './listing.ts';
import { readOuts } from './read-outs.ts';
import { remoteAudio } from './remote-audio.ts';
import { streamClip } from './stream.ts';
import { tenants } from './tenants.ts';
import { transcription } from './transcription.ts';
import { webhooks } from './webhooks.ts';

// The spec's example transcript names an upload of nobody's account: the case uploads the
// recording first, so a real service is asked to transcribe audio that exists.
const adaptExample: AdaptExample = async (operationId, request, ctx) => {
  if (operationId !== 'createTranscript') return request;
  const audioUrl = await upload(ctx);
  return editJsonBody(request, (body) => ({ ...body, audio_url: audioUrl }));
};

export const assemblyai: ApiJourneys = {
  scenarios: [streamClip, transcription, readOuts, remoteAudio, listing, deletion, webhooks, tenants, errors],
  existingResources: async (ctx) => ({ transcript_id: await existingTranscript(ctx) }),
  adaptExample,
  // A deleted transcript is still answered, its content removed (its read-outs are refused).
  readableAfterDelete: { getTranscript: '#/paths/~1v2~1transcript~1{transcript_id}/delete/description' },
};
