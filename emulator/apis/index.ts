// The APIs that run stateful business logic. An API not listed here answers with its spec's
// documented responses only (through Prism), as every API does for a `Prefer` request.
import type { ApiModule } from '../core/stateful.ts';
import type { ApiName, LoadedSpec } from '../../openapi/specs.ts';
import { speechmatics } from './speechmatics/index.ts';

export const STATEFUL_APIS: Partial<Record<ApiName, (spec: LoadedSpec) => ApiModule<unknown>>> = {
  speechmatics: speechmatics as (spec: LoadedSpec) => ApiModule<unknown>,
};
