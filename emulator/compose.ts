// The composition root: where the vendors meet the core and a host. The core knows no
// vendor and the hosts know no vendor; this file hands the registry to the one and the
// emulator to the other. `speechdouble serve`, the msw entry and the tests start here.
import { STATEFUL_APIS } from './apis/index.ts';
import { createEmulator, type Emulator, type EmulatorOptions } from './core/emulator.ts';
import { listen, type ListenOptions, type RunningServer } from './hosts/http-server.ts';
import { mswHandlers, type InProcessEmulator } from './hosts/msw.ts';

export type ServeOptions = EmulatorOptions & ListenOptions;
export type { RunningServer, InProcessEmulator };

/** An emulator with every stateful API this project has. */
export const composeEmulator = (options: EmulatorOptions = {}): Promise<Emulator> => createEmulator(options, { modules: STATEFUL_APIS });

/** The emulator on a port (0 picks a free one). */
export async function startServer(options: ServeOptions): Promise<RunningServer> {
  const { host, port, ...emulatorOptions } = options;
  return listen(await composeEmulator(emulatorOptions), { host, port });
}

/** The emulator in-process, as msw handlers for the vendors' own hosts. */
export async function createEmulatorHandlers(options: EmulatorOptions = {}): Promise<InProcessEmulator> {
  return mswHandlers(await composeEmulator(options));
}
