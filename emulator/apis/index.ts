// The APIs that run stateful business logic: one line each. An API not listed here answers
// with its spec's documented responses only (through Prism), as every API does for a
// `Prefer` request. The composition root (emulator/compose.ts) hands this list to the core.
import type { ApiModule } from '../core/api-definition.ts';
import { assemblyai } from './assemblyai/index.ts';
import { cadence } from './cadence/index.ts';
import { gladia } from './gladia/index.ts';
import { speechmatics } from './speechmatics/index.ts';
import { stenomatic } from './stenomatic/index.ts';

export const STATEFUL_APIS: readonly ApiModule[] = [speechmatics, assemblyai, gladia, cadence, stenomatic];
