// `import { createEmulatorHandlers } from 'speechdouble/msw'`: the emulator in-process, as msw
// handlers for the vendors' own hosts (docs/msw.md). Built to dist/msw.js; nothing it loads
// awaits at top level, so `require('speechdouble/msw')` works as well.
import { createEmulatorHandlers as compose } from './emulator/compose.ts';
import type { ClockAdvanced, InProcessClock, InProcessEmulator, InProcessOptions } from './emulator/hosts/msw.ts';

export type { ClockAdvanced, InProcessClock, InProcessEmulator, InProcessOptions };

// Typed here rather than re-exported from compose.ts, so this entry's declarations reach the
// msw host's and the core's types only, not the HTTP host's (node:http, whose types a browser
// or edge consumer of msw may not have).
/** The emulator's answers as msw handlers (give `handlers` to setupServer); `close()` stops it. */
export const createEmulatorHandlers: (options?: InProcessOptions) => Promise<InProcessEmulator> = compose;
