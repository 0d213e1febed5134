// Calls to a running emulator's control API (specs/emulator-control.yaml), for tests.

export interface ControlClient {
  advance(seconds: number): Promise<{ now: string; ran: number }>;
  reset(): Promise<void>;
}

export function controlClient(baseUrl: string): ControlClient {
  const post = (path: string, body?: unknown) => fetch(`${baseUrl}/__emulator${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  return {
    advance: async (seconds) => (await post('/clock/advance', { seconds })).json(),
    reset: async () => void (await post('/reset')).arrayBuffer(),
  };
}
