// The composition root: where the vendors meet the core and a host. The core knows no
// vendor and the hosts know no vendor; this file hands the registry to the one and the
// emulator to the other. `speechdouble serve`, the msw entry and the tests start here.
import { STATEFUL_APIS } from './apis/index.ts';
import { createEmulator, type Emulator, type EmulatorOptions } from './core/emulator.ts';
import { listen, type ListenOptions, type RunningServer } from './hosts/http-server.ts';
import type { ClockAdvanced, InProcessClock, InProcessEmulator, InProcessOptions } from './hosts/msw.ts';
import { specPath, isApiName } from '../openapi/specs.ts';

export type ServeOptions = EmulatorOptions & ListenOptions;
export type { RunningServer, InProcessEmulator, InProcessOptions, InProcessClock, ClockAdvanced };

/** An emulator with every stateful API this project has. */
export const composeEmulator = (options: EmulatorOptions = {}): Promise<Emulator> => createEmulator(options, { modules: STATEFUL_APIS });

/** The emulator on a port (0 picks a free one). */
export async function startServer(options: ServeOptions): Promise<RunningServer> {
  const { host, port, ...emulatorOptions } = options;
  return listen(await composeEmulator(emulatorOptions), { host, port });
}

/** The emulator in-process, as msw handlers for the served vendors' own hosts and `baseUrls`. */
export async function createEmulatorHandlers(options: InProcessOptions = {}): Promise<InProcessEmulator> {
  // msw is an optional peer dependency: the msw host is loaded here, when asked for, so that
  // `speechdouble serve` and `import { startEmulator } from 'speechdouble'` run without msw.
  const { mswHandlers, normalizeBaseUrl } = await import('./hosts/msw.ts');
  const { baseUrls = [], ...emulatorOptions } = options;
  baseUrls.forEach(normalizeBaseUrl); // a bad URL throws before anything starts
  const emulator = await composeEmulator(emulatorOptions);
  try {
    // Documented-only APIs (none today) are served from their spec and own no namespace.
    const modules = new Map(STATEFUL_APIS.map((module) => [module.name, module]));
    const apis = emulator.apis.map((name) => {
      const module = modules.get(name);
      if (module) return { name, spec: module.spec, namespaces: module.namespaces };
      if (!isApiName(name)) throw new Error(`${name} has no spec`);
      return { name, spec: specPath(name), namespaces: [] };
    });
    return await mswHandlers(emulator, { apis, baseUrls });
  } catch (error) {
    emulator.beginShutdown();
    throw error;
  }
}
