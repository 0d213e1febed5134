// The stateful journeys per API. Adding an API's journeys is a new folder and a line here;
// `conform` looks the API up here and hands what it finds to the runner.
import type { ApiName } from '../../openapi/specs.ts';
import type { ApiJourneys } from '../scenario.ts';
import { assemblyai } from './assemblyai/index.ts';
import { cadence } from './cadence/index.ts';
import { gladia } from './gladia/index.ts';
import { speechmatics } from './speechmatics/index.ts';
import { stenomatic } from './stenomatic/index.ts';

export const JOURNEYS: Partial<Record<ApiName, ApiJourneys>> = {
  speechmatics,
  gladia,
  assemblyai,
  cadence,
  stenomatic,
};
