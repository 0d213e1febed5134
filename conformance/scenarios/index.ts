// The stateful journeys per API. Adding an API's scenarios is a new folder and a line here.
import type { ApiName } from '../../openapi/specs.ts';
import type { Scenario, ScenarioContext } from '../runner/run.ts';
import { speechmaticsScenarios } from './speechmatics/index.ts';
import { existingJob } from './speechmatics/journey.ts';

export const SCENARIOS: Partial<Record<ApiName, Scenario[]>> = {
  speechmatics: speechmaticsScenarios,
};

/**
 * Real path parameters for negative cases: a case on /v2/jobs/{jobid} proves nothing with an
 * id that does not exist, since the honest answer is 404 whatever else is wrong.
 */
export const EXISTING_RESOURCES: Partial<Record<ApiName, (ctx: ScenarioContext) => Promise<Record<string, string>>>> = {
  speechmatics: async (ctx) => ({ jobid: await existingJob(ctx) }),
};
