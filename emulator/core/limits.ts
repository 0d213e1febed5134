// What a client may send the emulator: the request line and headers, the URL, and how long
// it may take. The hosts enforce them (hosts/http-server.ts; the URL's also in the express
// adapter); `serve` takes them as --max-header-kib, --max-url-kib, --headers-timeout and
// --request-timeout.
import { SettingError } from './settings.ts';

/** Bounds on a request, enforced where it arrives (hosts/http-server.ts; the URL's also in the express adapter), in KiB and seconds. */
export interface EmulatorLimits {
  /** The request line and headers together, in KiB (`--max-header-kib`); over it: 431. Default 16 (Node's own). */
  maxHeaderKib?: number;
  /** The request target (path and query), in KiB (`--max-url-kib`); over it: 414. Default 8. */
  maxUrlKib?: number;
  /** Seconds a client has to send the request line and headers (`--headers-timeout`); then 408 and the connection closes. Default 60, or requestTimeout if smaller. */
  headersTimeout?: number;
  /** Seconds a client has to send the whole request, body included (`--request-timeout`); then 408. 0: no limit. Default 300. */
  requestTimeout?: number;
}

export const DEFAULT_LIMITS: Readonly<Required<EmulatorLimits>> = { maxHeaderKib: 16, maxUrlKib: 8, headersTimeout: 60, requestTimeout: 300 };

/** The limits with their defaults; a value out of range throws a SettingError naming it. */
export function resolveLimits(limits: EmulatorLimits = {}): Required<EmulatorLimits> {
  const positive = (name: keyof EmulatorLimits, flag: string, zeroAllowed = false) => {
    const value = limits[name];
    if (value === undefined) return undefined;
    if (!(typeof value === 'number' && Number.isFinite(value) && (value > 0 || (zeroAllowed && value === 0)))) {
      throw new SettingError(`limits.${name} (${flag}) is a number greater than 0${zeroAllowed ? ' (or 0: no limit)' : ''}, not ${String(value)}`);
    }
    return value;
  };
  const maxHeaderKib = positive('maxHeaderKib', '--max-header-kib') ?? DEFAULT_LIMITS.maxHeaderKib;
  const maxUrlKib = positive('maxUrlKib', '--max-url-kib') ?? DEFAULT_LIMITS.maxUrlKib;
  const requestTimeout = positive('requestTimeout', '--request-timeout', true) ?? DEFAULT_LIMITS.requestTimeout;
  const given = positive('headersTimeout', '--headers-timeout');
  // Node refuses a headers timeout longer than a (non-zero) request timeout.
  if (given !== undefined && requestTimeout > 0 && given > requestTimeout) {
    throw new SettingError(`limits.headersTimeout (--headers-timeout ${given}) cannot be longer than limits.requestTimeout (--request-timeout ${requestTimeout})`);
  }
  const headersTimeout = given ?? (requestTimeout > 0 ? Math.min(DEFAULT_LIMITS.headersTimeout, requestTimeout) : DEFAULT_LIMITS.headersTimeout);
  return { maxHeaderKib, maxUrlKib, headersTimeout, requestTimeout };
}
