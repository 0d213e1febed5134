// Faults make matching requests fail on purpose: a status and body, a delay on the
// emulator's clock, or a dropped connection, optionally only N times. The first fault in
// force that matches a request decides.
import type { EmulatorRequest } from './http-types.ts';

export interface FaultRequest {
  match: { api?: string; method?: string; path?: string };
  response?: { status: number; headers?: Record<string, string>; body?: unknown };
  delay_ms?: number;
  drop_connection?: boolean;
  times?: number;
}

export interface Fault extends Required<Pick<FaultRequest, 'match'>> {
  id: string;
  response?: FaultRequest['response'];
  delay_ms: number;
  drop_connection: boolean;
  times: number | null;
  remaining: number | null;
}

export interface Faults {
  add(request: FaultRequest): Fault;
  list(): Fault[];
  clear(): void;
  /** The fault that answers this request (and uses one of its times), if any. */
  take(request: EmulatorRequest, api: string | null): Fault | undefined;
}

/** `*` stands for one path segment. */
function pathMatches(pattern: string, path: string): boolean {
  const source = pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('[^/]+');
  return new RegExp(`^${source}/?$`).test(path);
}

export function createFaults(): Faults {
  let faults: Fault[] = [];
  let counter = 0;
  return {
    add(request) {
      const fault: Fault = {
        id: `fault_${String(++counter).padStart(4, '0')}`,
        match: request.match,
        ...(request.response && { response: request.response }),
        delay_ms: request.delay_ms ?? 0,
        drop_connection: request.drop_connection ?? false,
        times: request.times ?? null,
        remaining: request.times ?? null,
      };
      faults.push(fault);
      return fault;
    },
    list: () => faults,
    clear() {
      faults = [];
    },
    take(request, api) {
      const fault = faults.find((f) =>
        (!f.match.api || f.match.api === api)
        && (!f.match.method || f.match.method === request.method)
        && (!f.match.path || pathMatches(f.match.path, request.path)));
      if (!fault) return undefined;
      if (fault.remaining !== null && --fault.remaining === 0) faults = faults.filter((f) => f !== fault);
      return fault;
    },
  };
}
