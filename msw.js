// `import { createEmulatorHandlers } from 'speechdouble/msw'`: the emulator as msw handlers.
// The sources are TypeScript run as they are; tsx compiles them on load, as in bin/.
import { register } from 'tsx/esm/api';

register();
const inProcess = await import('./emulator/compose.ts');

export const createEmulatorHandlers = inProcess.createEmulatorHandlers;
