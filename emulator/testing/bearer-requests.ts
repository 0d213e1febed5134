// Requests a vendor test sends with a Bearer key (Cadence's booking, Stenomatic), read back as
// JSON. Strict mode turns any off-spec answer into a 500, so a 5xx throws and fails the test.

export interface Reply {
  status: number;
  headers: Headers;
  /** Parsed JSON of any shape; each test states what it expects of it. */
  body: any;
}

export interface SendOptions {
  /** The Bearer key; null sends no Authorization header. */
  key?: string | null;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  /** Another emulator than the test's own. */
  base?: string;
}

/** `send(method, path, options)` against `base()` (read per request: servers start in beforeAll). */
export function bearerRequests(base: () => string, defaultKey: string) {
  return async function send(method: string, path: string, options: SendOptions = {}): Promise<Reply> {
    const key = options.key === undefined ? defaultKey : options.key;
    const headers = { ...(key !== null && { authorization: `Bearer ${key}` }), ...options.headers };
    // Bytes are copied into a plain Uint8Array, which fetch's types take (a Buffer's backing store may be shared).
    const body = typeof options.body === 'string' ? options.body : options.body && new Uint8Array(options.body);
    const res = await fetch((options.base ?? base()) + path, { method, headers, ...(body !== undefined && { body }) });
    const text = await res.text();
    if (res.status >= 500) throw new Error(`${method} ${path} answered ${res.status}: ${text}`);
    return { status: res.status, headers: res.headers, body: text === '' ? undefined : JSON.parse(text) };
  };
}
