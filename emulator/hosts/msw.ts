// The emulator in-process, as msw handlers: an SDK's requests to the vendor's own host are
// answered by the same core the HTTP server runs, without opening a port. Fetch objects
// stop here, as node:http's objects stop at node-exchange.ts.
//
// Which requests are the emulator's is decided here, by URL, before the core sees them: on
// the served vendors' real hosts (their specs' servers, speechdouble's own address aside), the
// paths of that vendor's operations and the control API; under the base URLs the caller
// names, everything. Any other request matches no handler of ours, so msw passes it on (to
// the caller's other handlers, the network, or `onUnhandledRequest`).
import { Readable } from 'node:stream';
import { http, HttpResponse, type HttpHandler } from 'msw';
import { CONTROL_PREFIX, resetThroughControl } from '../core/control.ts';
import type { ClockMode } from '../core/clock.ts';
import { clockControls, type ClockAdvanced, type ClockControls } from '../core/clock-controls.ts';
import type { Emulator, EmulatorOptions } from '../core/emulator.ts';
import { queryFrom, type EmulatorRequest, type EmulatorResponse } from '../core/http-types.ts';
import { HTTP_METHODS, readDocument, type ApiName, type JsonObject } from '../../openapi/specs.ts';

/** What `createEmulatorHandlers` takes: the emulator's options (as `serve`'s), and where to answer. */
export interface InProcessOptions extends EmulatorOptions {
  /**
   * Base URLs to answer besides the served vendors' hosts (`http://localhost:9999`,
   * `https://proxy.example.test/speech`): each is the emulator's address, so every path under
   * it is answered (prefix removed, control API included), as `speechdouble serve` would.
   */
  baseUrls?: string[];
}

/** The emulator's clock, read and moved from the test's own code: the same as `startEmulator`'s. */
export type InProcessClock = ClockControls;
export type { ClockAdvanced };

export interface InProcessEmulator {
  emulator: Emulator;
  /** Give these to msw's setupServer (or server.use). */
  handlers: HttpHandler[];
  /** The base URLs the handlers answer: the vendors' hosts, then the caller's `baseUrls`. */
  baseUrls: string[];
  clock: InProcessClock;
  /**
   * Forgets every job, upload, callback record, journal entry, fault and fixture; ids start
   * again from the seed (`POST /__emulator/reset`). With `api`, only that API's jobs are
   * forgotten. The clock is not reset: time only moves forward.
   */
  reset(api?: ApiName): Promise<void>;
  /** Stops the emulator's clock and removes its temporary files; the controls reject afterwards. */
  close(): void;
}

/** A served API, as the composition hands it over: its name, spec file and owned path prefixes. */
export interface ServedApi {
  name: string;
  spec: string;
  /** Path prefixes the API owns (`/api/1.1/`): unknown paths under them get the API's 404. */
  namespaces: readonly string[];
}

export interface MswHostOptions {
  /** The APIs the emulator serves: each answers on its vendor's host. */
  apis: readonly ServedApi[];
  /** More base URLs (the emulator's own address, a proxy): every path under each is answered. */
  baseUrls?: readonly string[];
}

/**
 * Where the handlers answer. `base` is an origin plus an optional path prefix; requests under
 * it reach the core with the prefix removed, and `base` is the origin URLs are handed out with.
 */
interface Site {
  base: string;
  /** Matches `origin + pathname` (msw's clean URL) of the requests this site answers. */
  pattern: RegExp;
  prefixLength: number;
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** `https://host/prefix/` → `https://host/prefix` (origin normalised, trailing slashes dropped); throws if not an http(s) URL. */
export function normalizeBaseUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new TypeError(`baseUrls: ${JSON.stringify(text)} is not an absolute URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError(`baseUrls: ${text} is not an http(s) URL`);
  if (url.search || url.hash || url.username || url.password) throw new TypeError(`baseUrls: ${text} must be an origin with an optional path, without query, fragment or credentials`);
  return url.origin + url.pathname.replace(/\/+$/, '');
}

/** A server URL with every `{variable}` replaced by each of its values (its enum, else its default). */
export function expandServerUrl(server: JsonObject): string[] {
  const variables = (server.variables ?? {}) as Record<string, JsonObject>;
  let urls = [String(server.url ?? '')];
  for (const [name, variable] of Object.entries(variables)) {
    const values = Array.isArray(variable.enum) ? variable.enum.map(String) : variable.default !== undefined ? [String(variable.default)] : [];
    urls = urls.flatMap((url) => (url.includes(`{${name}}`) ? values.map((value) => url.split(`{${name}}`).join(value)) : [url]));
  }
  return urls.filter((url) => !/\{[^}]*\}/.test(url));
}

/** `/v2/jobs/{id}` → a regular expression source for the path (no capture groups: msw decodes those). */
const templateSource = (template: string) =>
  template
    .split(/(\{[^}]+\})/)
    .map((part) => (part.startsWith('{') ? '[^/]+' : escapeRegExp(part)))
    .join('') + '/?';

interface VendorHost {
  base: string;
  apis: string[];
  /** Path patterns (sources) the host's APIs claim, after the base's path. */
  paths: Set<string>;
}

/** speechdouble's own address in a spec's servers (`http://127.0.0.1:4010`): not a vendor's host. */
const isEmulatorServer = (url: string) => /^https?:\/\/(?:127\.\d+\.\d+\.\d+|localhost|\[::1\])(?:[:/]|$)/i.test(url);

/**
 * The vendors' hosts: the spec's servers but speechdouble's own (today: the first server of
 * each spec), variables expanded. An operation is
 * answered on a server only if that server is one of its own (operation, path item or
 * document servers, as OpenAPI resolves them): an operation whose only server is the
 * emulator's (Cadence's Twilio add-on) is reachable on the caller's base URLs alone.
 */
export async function vendorHosts(apis: readonly ServedApi[]): Promise<VendorHost[]> {
  const hosts = new Map<string, VendorHost>();
  const add = (base: string, api: string, paths: readonly string[]) => {
    const host = hosts.get(base) ?? { base, apis: [], paths: new Set<string>() };
    if (!host.apis.includes(api)) host.apis.push(api);
    paths.forEach((path) => host.paths.add(path));
    hosts.set(base, host);
  };
  for (const api of apis) {
    const document = await readDocument(api.spec);
    const servers = ((document.servers ?? []) as JsonObject[]).filter((server) => !isEmulatorServer(String(server.url ?? '')));
    servers.forEach((server) => {
      const paths: string[] = [];
      for (const [template, item] of Object.entries((document.paths ?? {}) as Record<string, JsonObject>)) {
        for (const method of HTTP_METHODS) {
          const operation = item[method] as JsonObject | undefined;
          if (!operation) continue;
          const own = (operation.servers ?? item.servers ?? document.servers ?? []) as JsonObject[];
          if (own.some((candidate) => candidate.url === server.url)) paths.push(templateSource(template));
        }
      }
      for (const namespace of api.namespaces) paths.push(escapeRegExp(namespace) + '.*');
      for (const url of expandServerUrl(server)) add(normalizeBaseUrl(url), api.name, paths);
    });
  }
  return [...hosts.values()];
}

const CONTROL_SOURCE = escapeRegExp(CONTROL_PREFIX) + '(?:/.*)?';

function vendorSite(host: VendorHost): Site {
  const paths = [...host.paths, CONTROL_SOURCE].map((source) => `(?:${source})`).join('|');
  return { base: host.base, pattern: new RegExp(`^${escapeRegExp(host.base)}(?:${paths})$`), prefixLength: new URL(host.base).pathname.replace(/\/$/, '').length };
}

/** A caller's base URL is the emulator's address: everything under it is answered, as the HTTP server answers everything. */
function baseUrlSite(base: string): Site {
  const prefix = new URL(base).pathname.replace(/\/$/, '');
  return { base, pattern: new RegExp(`^${escapeRegExp(base)}${prefix ? '(?:/.*)?' : '/.*'}$`), prefixLength: prefix.length };
}

function toEmulatorRequest(request: Request, site: Site): EmulatorRequest {
  const url = new URL(request.url);
  const query = queryFrom(url.searchParams);
  const headers: Record<string, string> = {};
  request.headers.forEach((value, name) => (headers[name.toLowerCase()] = value));
  // Bodies stream, as over HTTP: the core reads them by their operation's media type.
  const stream = request.body ? Readable.fromWeb(request.body as never) : undefined;
  if (stream && headers['content-length'] === undefined) headers['transfer-encoding'] ??= 'chunked';
  // The core sees the path below the base URL, as a client of `serve` at the root sends it;
  // URLs it hands out start with the base, so they come back here.
  const path = url.pathname.slice(site.prefixLength) || '/';
  return { method: request.method, path, query, headers, body: Buffer.alloc(0), origin: site.base, ...(stream && { stream }) };
}

function toFetchResponse(response: EmulatorResponse): Response {
  if (response.dropConnection) return HttpResponse.error();
  const { status, headers } = response;
  let body: BodyInit | null;
  if (response.body === undefined || response.body === null || status === 204 || status === 304) body = null;
  else if (Buffer.isBuffer(response.body)) body = new Uint8Array(response.body);
  else if (typeof response.body === 'string') body = response.body;
  else if (response.body instanceof Readable) body = Readable.toWeb(response.body) as ReadableStream;
  else {
    body = JSON.stringify(response.body);
    headers['content-type'] ??= 'application/json; charset=utf-8';
  }
  return new HttpResponse(body, { status, headers });
}

/**
 * The in-process controls: the core's clock itself, and reset through the control operation (one
 * definition of what it forgets), which a control token or `control: false` does not stop.
 */
function controls(emulator: Emulator, isClosed: () => boolean): Pick<InProcessEmulator, 'clock' | 'reset'> {
  const { clock } = emulator;
  const open = (what: string) => {
    if (isClosed()) throw new Error(`speechdouble: ${what} after close(); this in-process emulator is closed`);
  };
  return {
    clock: clockControls(clock, open),
    async reset(api) {
      open('reset');
      await resetThroughControl((request) => emulator.controlInProcess(request), api);
    },
  };
}

/** The emulator's answers as msw handlers for its vendors' hosts and `baseUrls`; closing stops the emulator. */
export async function mswHandlers(emulator: Emulator, options: MswHostOptions): Promise<InProcessEmulator> {
  const own = [...new Set((options.baseUrls ?? []).map(normalizeBaseUrl))];
  const hosts = (await vendorHosts(options.apis)).filter((host) => !own.includes(host.base));
  const sites = [...hosts.map(vendorSite), ...own.map(baseUrlSite)];
  const handlers = sites.map((site) =>
    http.all(site.pattern, async ({ request }) => toFetchResponse(await emulator.handle(toEmulatorRequest(request, site)))),
  );
  let closed = false;
  return {
    emulator,
    handlers,
    baseUrls: sites.map((site) => site.base),
    ...controls(emulator, () => closed),
    close() {
      closed = true;
      emulator.beginShutdown();
    },
  };
}
