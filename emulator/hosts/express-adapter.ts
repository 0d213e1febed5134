// The emulator as a middleware in the caller's own app: `app.use(speechdouble.express())` or
// `app.use('/mock', speechdouble.express())`. A middleware is only `(req, res, next)` on Node's
// objects, so nothing here loads express (nor names its types: the package's declarations must
// not need @types/express); of express it reads `req.baseUrl` (the mount) and `req.protocol`.
//
// A request is the emulator's when its path (below the mount) is one of a served API's, under a
// namespace an API owns, or under `/__emulator`; any other goes on to the app's next handler.
// URLs the emulator hands out (upload URLs, `resource_url`, signed callback URLs) start with
// the mount, so they come back through it.
//
// Of the emulator's limits only the URL's applies here (414 for a path the emulator serves);
// the header size and the timeouts are the app's server's to set.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { resetThroughControl } from '../core/control.ts';
import type { ClockMode } from '../core/clock.ts';
import { clockControls, type ClockControls } from '../core/clock-controls.ts';
import type { Emulator } from '../core/emulator.ts';
import { DEFAULT_LIMITS } from '../core/limits.ts';
import type { EmulatorRequest, EmulatorResponse } from '../core/http-types.ts';
import { originOf, parseTarget, send, toEmulatorRequest, uriTooLong } from './node-exchange.ts';
import type { ApiName } from '../../openapi/specs.ts';

/** The `next` of express and connect: with an error, the app's error handlers take over. */
export type NextFunction = (error?: unknown) => void;

/** A middleware (`app.use(middleware)`) that is also the emulator's controls. */
export interface EmulatorMiddleware {
  (req: IncomingMessage, res: ServerResponse, next: NextFunction): void;
  /**
   * Resolves once the emulator is composed (it starts composing when the middleware is made;
   * requests wait for it). Rejects as composing does: an unknown API or setting, a bad value.
   */
  readonly ready: Promise<void>;
  /**
   * Read and move the emulator's time. `advance` and `set` wait for `ready`; `now()` before it
   * throws (the clock does not exist yet).
   */
  readonly clock: ClockControls;
  /**
   * Forgets every job, upload, callback record, journal entry, fault and fixture; ids start
   * again from the seed (`POST /__emulator/reset`). With `api`, only that API's jobs are
   * forgotten. The clock is not reset: time only moves forward.
   */
  reset(api?: ApiName): Promise<void>;
  /**
   * Stops the emulator's clock and removes its temporary files; from then on the controls reject
   * and the emulator's paths answer 503 (the app's other routes are untouched). Calling it again
   * returns the same promise.
   */
  close(): Promise<void>;
}

/** Express's own additions to the request, when it is express's (`baseUrl`: the mount path). */
type MountedRequest = IncomingMessage & { baseUrl?: unknown; originalUrl?: unknown; protocol?: unknown; body?: unknown };

const isJson = (contentType: string | undefined) => /^application\/([\w.+-]*\+)?json\b/i.test(contentType ?? '');

/**
 * The request as the core takes it. Its body is the request stream, unread; when a middleware
 * before this one (a body parser) already read it, what that parser kept is used: bytes
 * (`express.raw`), text (`express.text`), or parsed JSON (`express.json`, serialised again).
 * Anything else cannot be rebuilt, and is an error for the app's error handler.
 */
function emulatorRequest(req: MountedRequest, origin: string, target: NonNullable<ReturnType<typeof parseTarget>>): EmulatorRequest | Error {
  const request = toEmulatorRequest(req, target, origin);
  if (!request.stream || !(req.readableDidRead || req.readableEnded)) return request;
  const kept = req.body;
  const bytes = Buffer.isBuffer(kept) ? kept
    : typeof kept === 'string' ? Buffer.from(kept, 'utf8')
    : kept !== undefined && kept !== null && typeof kept === 'object' && isJson(request.headers['content-type']) ? Buffer.from(JSON.stringify(kept), 'utf8')
    : undefined;
  if (!bytes) {
    return new Error(`speechdouble: the body of ${request.method} ${req.url} was already read by a middleware before the emulator's (a body parser?); mount speechdouble.express() before body parsers, or keep them off its paths`);
  }
  const { stream: _read, ...rest } = request;
  const headers: Record<string, string> = { ...rest.headers, 'content-length': String(bytes.length) };
  delete headers['transfer-encoding'];
  delete headers['content-encoding']; // a parser has undone it
  return { ...rest, headers, body: bytes };
}

/**
 * The emulator `compose` makes, as a middleware with its controls. Composing starts now; a
 * failure rejects `ready` and is handed to `next` for every request (the app's error handler
 * says what is wrong), without an unhandled rejection when nobody awaits `ready`.
 */
/**
 * Clock controls usable before the emulator is composed: moves wait for it, `now()` needs it.
 * `tenant` undefined is the global clock.
 */
function deferredClock(composedNow: (tenant: string | undefined) => ClockControls, whenComposed: (tenant: string | undefined) => Promise<ClockControls>, mode: ClockMode, tenant?: string): ClockControls {
  return {
    mode,
    now: () => composedNow(tenant).now(),
    advance: async (seconds: number) => (await whenComposed(tenant)).advance(seconds),
    set: async (instant: Date | string | number) => (await whenComposed(tenant)).set(instant),
    forTenant(credential) {
      if (typeof credential !== 'string' || credential === '') throw new RangeError('clock.forTenant takes a tenant\'s credential: a non-empty string');
      return deferredClock(composedNow, whenComposed, mode, credential);
    },
  };
}

/** Sends the answer; one Node refuses to send goes to the app's error handler, without what was set of it. */
function tryToSend(res: ServerResponse, response: EmulatorResponse, next: NextFunction): void {
  try {
    send(res, response);
  } catch (error) {
    if (!res.headersSent) for (const name of Object.keys(response.headers)) res.removeHeader(name);
    next(error);
  }
}

export function emulatorMiddleware(compose: () => Promise<Emulator>, clockMode: ClockMode): EmulatorMiddleware {
  let emulator: Emulator | undefined;
  let failed = false;
  let failure: unknown;
  let closing: Promise<void> | undefined;
  const composed = compose().then(
    (made) => (emulator = made),
    (error: unknown) => {
      failed = true;
      failure = error;
      throw error;
    },
  );
  composed.catch(() => {});
  const ready = composed.then(() => undefined);
  ready.catch(() => {});

  const open = (what: string) => {
    if (closing) throw new Error(`speechdouble: ${what} after close(); this express middleware's emulator is closed`);
  };
  let controls: ClockControls | undefined;
  const composedClock = async () => (controls ??= clockControls((await composed).clock, open));

  function serve(made: Emulator, req: MountedRequest, res: ServerResponse, next: NextFunction): void {
    const target = parseTarget(req.url ?? '');
    if (!target || !made.serves(target.path)) return next();
    if (closing) {
      res.statusCode = 503;
      res.setHeader('content-type', 'application/json; charset=utf-8');
      res.end(JSON.stringify({ error: 'closed', message: 'speechdouble: this emulator was closed (close() was called)' }));
      return;
    }
    // The target as the client sent it, mount included (express's originalUrl).
    const sent = typeof req.originalUrl === 'string' ? req.originalUrl : req.url ?? '';
    const maxUrlBytes = Math.round((made.limits?.maxUrlKib ?? DEFAULT_LIMITS.maxUrlKib) * 1024);
    if (sent.length > maxUrlBytes) return void tryToSend(res, uriTooLong(sent.length, maxUrlBytes), next);
    const mount = typeof req.baseUrl === 'string' ? req.baseUrl : '';
    // Express's protocol honours the app's `trust proxy` (X-Forwarded-Proto); else the socket says.
    const origin = originOf(req, target, { mount, ...(typeof req.protocol === 'string' && { protocol: req.protocol }) });
    const request = emulatorRequest(req, origin, target);
    if (request instanceof Error) return next(request);
    made.handle(request).then((response) => tryToSend(res, response, next)).catch(next); // anything unexpected is the app's to report
  }

  const middleware = (req: IncomingMessage, res: ServerResponse, next: NextFunction): void => {
    if (emulator) return serve(emulator, req, res, next);
    if (failed) return next(failure);
    composed.then((made) => serve(made, req, res, next), next).catch(next);
  };

  return Object.assign(middleware, {
    ready,
    clock: deferredClock((tenant) => {
      if (!controls) {
        if (!emulator) throw new Error('speechdouble: clock.now() before the emulator is composed; await middleware.ready first');
        controls = clockControls(emulator.clock, open);
      }
      return tenant === undefined ? controls : controls.forTenant(tenant);
    }, async (tenant) => (tenant === undefined ? composedClock() : (await composedClock()).forTenant(tenant)), clockMode),
    async reset(api?: ApiName) {
      open('reset');
      const made = await composed;
      open('reset');
      await resetThroughControl((request) => made.controlInProcess(request), api);
    },
    close() {
      // Closed while still composing: the emulator stops as soon as it exists.
      closing ??= composed.then((made) => made.beginShutdown(), () => undefined);
      return closing;
    },
  });
}
