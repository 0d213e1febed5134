// Gladia pre-recorded v2 journeys, in the order a user meets them.
import type { AdaptExample, ApiJourneys } from '../../scenario.ts';
import { editJsonBody } from '../example-edits.ts';
import { callbacks } from './callbacks.ts';
import { deletion } from './deletion.ts';
import { download } from './download.ts';
import { errors } from './errors.ts';
import { existingJob, upload } from './journey.ts';
import { listing } from './listing.ts';
import { remoteAudio } from './remote-audio.ts';
import { retention } from './retention.ts';
import { tenants } from './tenants.ts';
import { transcription } from './transcription.ts';

// The spec's example job names an upload of nobody's account: the case uploads the recording
// first, so a real service is asked to transcribe audio that exists.
const adaptExample: AdaptExample = async (operationId, request, ctx) => {
  if (operationId !== 'createPreRecordedJob') return request;
  const { audio_url } = await upload(ctx);
  return editJsonBody(request, (body) => ({ ...body, audio_url }));
};

export const gladia: ApiJourneys = {
  scenarios: [transcription, remoteAudio, download, deletion, listing, callbacks, tenants, errors, retention],
  existingResources: async (ctx) => ({ id: await existingJob(ctx) }),
  adaptExample,
};
