// The /__emulator control API (specs/emulator-control.yaml). Health is served from the first
// day; the operations that steer state arrive with the stateful core and until then answer an
// explicit 501, never a silent 404 or a pretend success.
import { jsonResponse, type EmulatorRequest, type EmulatorResponse } from './http-types.ts';
import { VERSION } from './package-info.ts';
import type { ApiName } from './specs.ts';

export const CONTROL_PREFIX = '/__emulator';

const CONTROL_OPERATIONS: Record<string, string[]> = {
  '/health': ['GET'],
  '/reset': ['POST'],
  '/clock': ['GET'],
  '/clock/advance': ['POST'],
  '/callbacks': ['GET'],
  '/requests': ['GET'],
  '/faults': ['GET', 'POST', 'DELETE'],
  '/fixtures': ['POST'],
};

export interface ControlState {
  apis: ApiName[];
  startedAt: Date;
  shuttingDown: boolean;
}

export function handleControl(state: ControlState, request: EmulatorRequest): EmulatorResponse {
  const sub = request.path.slice(CONTROL_PREFIX.length).replace(/\/$/, '') || '/';
  const methods = CONTROL_OPERATIONS[sub];
  if (!methods) {
    return jsonResponse(404, { error: 'not_found', message: `No control operation at ${request.path}. See specs/emulator-control.yaml.` });
  }
  if (!methods.includes(request.method)) {
    return jsonResponse(405, { error: 'bad_request', message: `${request.path} takes ${methods.join(', ')}` }, { allow: methods.join(', ') });
  }
  if (sub === '/health') {
    if (state.shuttingDown) {
      return jsonResponse(503, { error: 'shutting_down', message: 'The emulator is shutting down and finishing in-flight requests.' });
    }
    return jsonResponse(200, { status: 'ok', version: VERSION, apis: state.apis, started_at: state.startedAt.toISOString() });
  }
  return jsonResponse(501, {
    error: 'not_implemented',
    message: `${request.method} ${request.path} needs the stateful emulator, which this version does not have yet; the emulated APIs answer with documented responses only.`,
  });
}
