// `speechdouble serve`: flags (and SPEECHDOUBLE_* variables) in, a running emulator out, with
// a banner, an optional request log and a clean stop. The work is in hosts/ and core/; the
// emulator itself (the core, the specs, the engine) is loaded only once the command runs, so
// `serve --help` stays quick.
import { constants } from 'node:os';
import { Command, InvalidArgumentError, Option } from 'commander';
import { STATEFUL_APIS } from './apis/index.ts';
import type { ApiModule } from './core/api-definition.ts';
import { CONTROL_TOKEN_SHAPE } from './core/control.ts';
import { DEFAULT_KEYS } from './core/credentials.ts';
import { isLoopbackHost, parseAllowList, parseAllowPattern } from './core/outbound-policy.ts';
import { VERSION } from './core/package-info.ts';
import { parseSettingAssignment, SettingError, type SettingOverrides } from './core/settings.ts';
import { bannerLines, type KeySource } from './hosts/banner.ts';
import type { ExposureError, ListenError, RunningServer } from './hosts/http-server.ts';
import { logRequests } from './hosts/request-log.ts';
import { operationNamer, readOutline } from './hosts/spec-outline.ts';
import { API_NAMES, isApiName, specPath, type ApiName } from '../openapi/specs.ts';

export function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InvalidArgumentError('a port is an integer from 0 to 65535');
  return port;
}

export function collectApi(value: string, previous: ApiName[]): ApiName[] {
  if (!isApiName(value)) throw new InvalidArgumentError(`one of ${API_NAMES.join(', ')}`);
  return [...previous, value];
}

function parseScale(value: string): number {
  const scale = Number(value);
  if (!(scale > 0)) throw new InvalidArgumentError('a time scale is a number greater than 0');
  return scale;
}

function parseSeed(value: string): number {
  const seed = Number(value);
  if (!Number.isInteger(seed) || seed < 0) throw new InvalidArgumentError('a seed is a whole number >= 0');
  return seed;
}

function parsePositive(value: string): number {
  const n = Number(value);
  if (!(n > 0)) throw new InvalidArgumentError('a number greater than 0');
  return n;
}

function parseNonNegative(value: string): number {
  const n = Number(value);
  if (!(n >= 0) || value.trim() === '') throw new InvalidArgumentError('a number, 0 or more');
  return n;
}

function parseToken(value: string): string {
  if (!CONTROL_TOKEN_SHAPE.test(value)) throw new InvalidArgumentError('a token is visible ASCII without spaces (it goes in an Authorization header)');
  return value;
}

function collectPattern(value: string, previous: string[]): string[] {
  try {
    parseAllowPattern(value);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
  return [...previous, value.trim()];
}

function collectSetting(value: string, previous: SettingOverrides): SettingOverrides {
  try {
    return parseSettingAssignment(value, previous);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}

/** Every API's settings, for --help. */
function settingsHelp(): string {
  return STATEFUL_APIS.map((api) => Object.entries(api.settings).map(([name, setting]) => `  ${api.name}.${name}: ${setting.describe}`).join('\n')).join('\n');
}

/** The flags that came before --set, as the settings they stand for (they keep working). */
function legacySettings(opts: ServeFlags): SettingOverrides {
  return {
    '*': {
      ...(opts.realTimeFactor !== undefined && { processing: `share:${opts.realTimeFactor}` }),
      ...(opts.maxUploadMb !== undefined && { 'max-upload-mb': opts.maxUploadMb }),
    },
    speechmatics: {
      ...(opts.retentionDays !== undefined && { 'retention-days': opts.retentionDays }),
      ...(opts.expired404 && { 'expired-status': 404 }),
    },
    cadence: {
      ...(opts.twilioAuthToken !== undefined && { 'twilio-auth-token': opts.twilioAuthToken }),
    },
  };
}

interface ServeFlags {
  set: SettingOverrides;
  realTimeFactor?: number;
  retentionDays?: number;
  maxUploadMb?: number;
  expired404?: boolean;
  twilioAuthToken?: string;
  port: number;
  host: string;
  api: ApiName[];
  timeScale?: number;
  manualClock?: boolean;
  seed: number;
  apiKey: string[];
  anyKey?: boolean;
  strict?: boolean;
  log?: boolean;
  controlToken?: string;
  /** False with --no-control. */
  control: boolean;
  allowFetch: string[];
  allowCallback: string[];
  maxHeaderKib?: number;
  maxUrlKib?: number;
  headersTimeout?: number;
  requestTimeout?: number;
  dataDir?: string;
}

/** A usage error: one line on stderr, exit 2, no stack trace. */
function usageError(message: string): never {
  process.stderr.write(`speechdouble serve: ${message}\n`);
  process.exit(2);
}

/** The variables that stand for flags; a flag given on the command line wins over its variable. */
const ENVIRONMENT = {
  port: 'SPEECHDOUBLE_PORT',
  host: 'SPEECHDOUBLE_HOST',
  seed: 'SPEECHDOUBLE_SEED',
  manualClock: 'SPEECHDOUBLE_MANUAL_CLOCK',
  strict: 'SPEECHDOUBLE_STRICT',
  log: 'SPEECHDOUBLE_LOG',
  controlToken: 'SPEECHDOUBLE_CONTROL_TOKEN',
  allowFetch: 'SPEECHDOUBLE_ALLOW_FETCH',
  allowCallback: 'SPEECHDOUBLE_ALLOW_CALLBACK',
  dataDir: 'SPEECHDOUBLE_DATA_DIR',
} as const;
/** Variables whose value the banner does not print. */
const SECRET_VARIABLES: ReadonlySet<string> = new Set([ENVIRONMENT.controlToken]);
const API_KEYS_VARIABLE = 'SPEECHDOUBLE_API_KEYS';

function parseSwitch(value: string): boolean {
  if (/^(1|true|yes|on)$/i.test(value)) return true;
  if (/^(0|false|no|off)$/i.test(value)) return false;
  throw new InvalidArgumentError('it is 1 (on) or 0 (off)');
}

function parseHost(value: string): string {
  if (/\s/.test(value)) throw new InvalidArgumentError('a host is an address or a name, without spaces');
  return value;
}

/** The flags with what the environment adds; `used` lists the variables that counted, as NAME=value. */
function withEnvironment(opts: ServeFlags, command: Command): { flags: ServeFlags; used: string[] } {
  const used: string[] = [];
  const fromCli = (key: string) => command.getOptionValueSource(key) === 'cli';
  const read = <T>(key: keyof typeof ENVIRONMENT, parse: (value: string) => T): T | undefined => {
    const variable = ENVIRONMENT[key];
    const raw = process.env[variable];
    if (fromCli(key) || raw === undefined || raw.trim() === '') return undefined;
    let value: T;
    try {
      value = parse(raw.trim());
    } catch (error) {
      usageError(`${variable}=${JSON.stringify(raw)} is refused: ${(error as Error).message}`);
    }
    used.push(`${variable}=${SECRET_VARIABLES.has(variable) ? '<hidden>' : raw.trim()}`);
    return value;
  };
  const port = read('port', parsePort);
  const host = read('host', parseHost);
  const seed = read('seed', parseSeed);
  // --time-scale on the command line wins over a manual clock from the environment too.
  const manualClock = fromCli('timeScale') ? undefined : read('manualClock', parseSwitch);
  const strict = read('strict', parseSwitch);
  const log = read('log', parseSwitch);
  const controlToken = read('controlToken', (value) => {
    try {
      return parseToken(value);
    } catch (error) {
      // The value is a secret: the message names the variable only.
      usageError(`${ENVIRONMENT.controlToken} is refused: ${(error as Error).message}`);
    }
  });
  const allowFetch = read('allowFetch', parseAllowList);
  const allowCallback = read('allowCallback', parseAllowList);
  const dataDir = read('dataDir', (value) => value);
  return {
    flags: {
      ...opts,
      ...(port !== undefined && { port }),
      ...(host !== undefined && { host }),
      ...(seed !== undefined && { seed }),
      ...(manualClock !== undefined && { manualClock }),
      ...(strict !== undefined && { strict }),
      ...(log !== undefined && { log }),
      ...(controlToken !== undefined && { controlToken }),
      ...(allowFetch !== undefined && { allowFetch }),
      ...(allowCallback !== undefined && { allowCallback }),
      ...(dataDir !== undefined && { dataDir }),
    },
    used,
  };
}

/** Listen failures a flag fixes: the port's, and the address's. */
const PORT_PROBLEMS = ['EADDRINUSE', 'EACCES'];
const HOST_PROBLEMS = ['EADDRNOTAVAIL', 'EAFNOSUPPORT', 'ENOTFOUND', 'EAI_AGAIN', 'EAI_NONAME'];

/** The one line for a server that cannot listen, with the flag that fixes it (then exit 2). */
function listenFailure(error: ListenError): never {
  if (PORT_PROBLEMS.includes(error.code)) usageError(`${error.message}; pick another with --port (0 picks a free one)`);
  if (HOST_PROBLEMS.includes(error.code)) usageError(`${error.message}; pick another with --host (127.0.0.1, or 0.0.0.0 for every interface)`);
  process.stderr.write(`speechdouble serve: ${error.message}\n`);
  process.exit(1);
}

/** The one line for a non-loopback --host with an open control API (then exit 2). */
function exposureFailure(host: string): never {
  usageError(`--host ${host} is not loopback, and anyone who reaches it could reset and steer the emulator: give --control-token T (or ${ENVIRONMENT.controlToken}) to require Authorization: Bearer T on the control API, or --no-control to serve none`);
}

/** The limits given, as the emulator takes them, and as the flags that set them (for the banner). */
function limitsOf(opts: ServeFlags) {
  const given = [
    ['maxHeaderKib', '--max-header-kib', opts.maxHeaderKib],
    ['maxUrlKib', '--max-url-kib', opts.maxUrlKib],
    ['headersTimeout', '--headers-timeout', opts.headersTimeout],
    ['requestTimeout', '--request-timeout', opts.requestTimeout],
  ] as const;
  const set = given.filter(([, , value]) => value !== undefined);
  return {
    limits: Object.fromEntries(set.map(([name, , value]) => [name, value])),
    described: set.map(([, flag, value]) => `${flag} ${value}`),
  };
}

/** How long requests in flight get to finish once serve is asked to stop. */
const GRACE_SECONDS = 10;


const ENVIRONMENT_HELP = `
Environment (a flag on the command line wins over its variable):
  SPEECHDOUBLE_PORT, SPEECHDOUBLE_HOST, SPEECHDOUBLE_SEED    as --port, --host, --seed
  SPEECHDOUBLE_MANUAL_CLOCK=1, SPEECHDOUBLE_STRICT=1, SPEECHDOUBLE_LOG=1
                                                             as --manual-clock, --strict, --log (0: off)
  SPEECHDOUBLE_API_KEYS=K1,K2                                keys accepted besides --api-key's (both count)
  SPEECHDOUBLE_CONTROL_TOKEN=T                               as --control-token T (the banner never prints it)
  SPEECHDOUBLE_ALLOW_FETCH=P1,P2, SPEECHDOUBLE_ALLOW_CALLBACK=P1,P2
                                                             as --allow-fetch, --allow-callback (comma-separated)
  SPEECHDOUBLE_DATA_DIR=DIR                                  as --data-dir DIR
A value that does not parse stops serve with exit code 2, naming the variable.

Limits: a request line and headers over --max-header-kib get 431, a request target over
--max-url-kib 414, a body over an API's max-upload-mb setting 413 or the vendor's own answer;
a client that has not sent its headers within --headers-timeout seconds, or its whole request
within --request-timeout, gets 408 and its connection is closed. A slow client holds a socket,
not the server: everyone else is answered meanwhile, and after any of these answers.

Exposure: on any --host but loopback (127.0.0.0/8, ::1, localhost) serve needs --control-token
or --no-control, else it stops with exit code 2. With a token, every /__emulator request but
GET /__emulator/health needs Authorization: Bearer T (else 401).

Outbound: remote media (fetch_data, audio_url) and callbacks go only to hosts --allow-fetch and
--allow-callback allow. A pattern is a host name (* for any run of characters: *.example.com),
an IP address or a CIDR block (10.0.0.0/8), each optionally with :port. With no pattern every
host is allowed but link-local and cloud-metadata ones (169.254.0.0/16, fe80::/10,
fd00:ec2::254, 100.100.100.200, metadata.google.internal), which are refused unless a pattern
names them; the address a name resolves to, and each redirect, is checked too. A refused fetch
fails the job as an unreachable URL does; a refused callback is recorded, never sent.

Stopping: SIGINT (Ctrl-C) or SIGTERM closes idle connections at once, lets requests in flight
finish (at most ${GRACE_SECONDS} s) and exits 0; a second signal exits at once.`;

export const serveCommand = () => new Command('serve')
  .description('Serve the emulated APIs at their vendors\' own paths, with the /__emulator control API.')
  .addOption(new Option('--port <port>', 'port to listen on (0 picks a free one; env SPEECHDOUBLE_PORT)').default(4010).argParser(parsePort))
  .addOption(new Option('--host <host>', 'address to listen on (env SPEECHDOUBLE_HOST)').default('127.0.0.1').argParser(parseHost))
  .addOption(new Option('--api <name>', `serve only this API (repeatable): ${API_NAMES.join(', ')}`).argParser(collectApi).default([]))
  .addOption(new Option('--time-scale <n>', 'run emulated time N times faster than real time').argParser(parseScale).conflicts('manualClock'))
  .option('--manual-clock', 'time moves only through POST /__emulator/clock/advance (env SPEECHDOUBLE_MANUAL_CLOCK=1)')
  .addOption(new Option('--seed <n>', 'seed for every id the emulator makes (env SPEECHDOUBLE_SEED)').default(1).argParser(parseSeed))
  .addOption(new Option('--api-key <key>', 'accept this key too (repeatable; also SPEECHDOUBLE_API_KEYS, comma-separated)').argParser((v: string, prev: string[]) => [...prev, v]).default([]))
  .option('--any-key', 'accept any well-formed key')
  .option('--strict', 'check every stateful response against the spec (a mismatch answers 500; env SPEECHDOUBLE_STRICT=1)')
  .option('--log', 'print one line per request: time, method, path, API, operation, status, ms (env SPEECHDOUBLE_LOG=1)')
  .addOption(new Option('--real-time-factor <f>', 'processing takes this share of the audio\'s duration (default 0.5)').argParser(parsePositive))
  .addOption(new Option('--retention-days <d>', 'finished jobs expire after this many days (default 7)').argParser(parsePositive))
  .option('--expired-404', 'expired jobs answer 404 (the retention docs) instead of 410 (the API reference)')
  .addOption(new Option('--max-upload-mb <mb>', 'largest uploaded file, in MiB, for every API (same as --set \'*.max-upload-mb=MB\')').argParser(parsePositive))
  .addOption(new Option('--control-token <token>', 'every /__emulator request but GET /__emulator/health needs Authorization: Bearer <token> (env SPEECHDOUBLE_CONTROL_TOKEN)').argParser(parseToken))
  .addOption(new Option('--no-control', 'serve no control API: /__emulator/..., health included, answers 404 as an unknown path does').conflicts('controlToken'))
  .addOption(new Option('--allow-fetch <pattern>', 'fetch remote media only from hosts matching a pattern (repeatable; env SPEECHDOUBLE_ALLOW_FETCH); see Outbound below').argParser(collectPattern).default([]))
  .addOption(new Option('--allow-callback <pattern>', 'send callbacks only to hosts matching a pattern (repeatable; env SPEECHDOUBLE_ALLOW_CALLBACK); see Outbound below').argParser(collectPattern).default([]))
  .addOption(new Option('--max-header-kib <n>', 'largest request line and headers, in KiB; over it: 431 (default 16)').argParser(parsePositive))
  .addOption(new Option('--max-url-kib <n>', 'longest request target (path and query), in KiB; over it: 414 (default 8)').argParser(parsePositive))
  .addOption(new Option('--headers-timeout <s>', 'seconds a client has to send its request line and headers; then 408 (default 60)').argParser(parsePositive))
  .addOption(new Option('--request-timeout <s>', 'seconds a client has to send its whole request, body included; then 408 (default 300; 0: no limit)').argParser(parseNonNegative))
  .option('--data-dir <dir>', 'keep state in DIR: jobs, uploads, the clock, scheduled steps, callbacks and ids survive a restart and kill -9 (env SPEECHDOUBLE_DATA_DIR); see README, Restarts')
  .option('--twilio-auth-token <token>', 'Cadence\'s Twilio add-on checks X-Twilio-Signature with this auth token (same as --set cadence.twilio-auth-token=T)')
  .addOption(new Option('--set <api.name=value>', 'an API\'s setting (repeatable; `*.name` for every API that has it); see below').argParser(collectSetting).default({}))
  .addHelpText('after', () => `\nSettings (--set API.NAME=VALUE):\n${settingsHelp()}${ENVIRONMENT_HELP}`)
  .action(async (cliFlags: ServeFlags, command: Command) => {
    // Signals are handled from the start, so one that comes while the emulator starts (or just
    // after the banner) is a clean stop, not a kill.
    let running: RunningServer | undefined;
    let stopping = false;
    let outputOpen = true;
    const say = (line: string) => {
      if (outputOpen) process.stdout.write(`${line}\n`);
    };
    const stop = (reason: string | undefined) => {
      stopping = true;
      if (!running) process.exit(0);
      const inFlight = running.inFlight();
      if (reason && inFlight > 0) say(`${reason}: finishing ${inFlight} in-flight request${inFlight === 1 ? '' : 's'} (at most ${GRACE_SECONDS} s; ${reason} again stops at once)`);
      running.close({ graceMs: GRACE_SECONDS * 1000 }).then(() => {
        if (reason) say(`${reason}: stopped`);
        process.exit(0);
      }, () => process.exit(1));
    };
    const signalled = (signal: NodeJS.Signals) => {
      // A second signal: stop now (the temporary files go too), with the status a shell gives a
      // process the signal killed.
      if (stopping) {
        running?.emulator.beginShutdown();
        process.exit(128 + (constants.signals[signal] ?? 0));
      }
      stop(signal);
    };
    process.on('SIGINT', signalled);
    process.on('SIGTERM', signalled);
    // Whoever read our output has gone (a closed pipe: EPIPE): nobody can read a log or a
    // message any more, so stop quietly, as a process killed by SIGPIPE would, but cleanly.
    const outputClosed = () => {
      outputOpen = false;
      if (!stopping) stop(undefined);
    };
    process.stdout.on('error', outputClosed);
    process.stderr.on('error', outputClosed);

    const { flags: opts, used } = withEnvironment(cliFlags, command);
    const envKeys = (process.env[API_KEYS_VARIABLE] ?? '').split(',').map((k) => k.trim()).filter(Boolean);
    const clock = opts.manualClock ? { mode: 'manual' as const } : opts.timeScale ? { mode: 'scaled' as const, timeScale: opts.timeScale } : { mode: 'real' as const };
    const legacy = legacySettings(opts);
    // Explicit --set wins over the older flags it overlaps.
    const settings = Object.fromEntries([...new Set([...Object.keys(legacy), ...Object.keys(opts.set)])].map((api) => [api, { ...legacy[api], ...opts.set[api] }]));
    if (!opts.control && opts.controlToken !== undefined) usageError(`--no-control and a control token (${ENVIRONMENT.controlToken}) contradict each other; give one`);
    // Refused before anything is loaded; listen refuses it too.
    if (opts.control && opts.controlToken === undefined && !isLoopbackHost(opts.host)) exposureFailure(opts.host);
    const { limits, described: limitsSet } = limitsOf(opts);
    const [{ startServer }, { ListenError, ExposureError }, { DataDirMismatch, DataDirInUse }] = await Promise.all([import('./compose.ts'), import('./hosts/http-server.ts'), import('./core/persistence.ts')]);
    try {
      running = await startServer({
        port: opts.port, host: opts.host, apis: opts.api, clock, seed: opts.seed,
        apiKeys: [...opts.apiKey, ...envKeys], anyKey: opts.anyKey ?? false, strict: opts.strict ?? false, settings,
        control: opts.control, ...(opts.controlToken !== undefined && { controlToken: opts.controlToken }),
        allowFetch: opts.allowFetch, allowCallback: opts.allowCallback, limits,
        ...(opts.dataDir !== undefined && { dataDir: opts.dataDir }),
      });
    } catch (error) {
      if (error instanceof SettingError || error instanceof DataDirMismatch || error instanceof DataDirInUse) usageError(error.message);
      if (error instanceof ListenError) listenFailure(error);
      if (error instanceof ExposureError) exposureFailure(error.host);
      throw error;
    }
    const served = running.emulator.apis;
    const modules = new Map(STATEFUL_APIS.map((module) => [module.name, module]));
    const specFile = (api: string) => modules.get(api)?.spec ?? (isApiName(api) ? specPath(api) : undefined);
    const outlines = await Promise.all(served.flatMap((api) => {
      const file = specFile(api);
      return file ? [readOutline(api, file)] : [];
    }));
    const keys: KeySource[] = [
      { keys: DEFAULT_KEYS, from: 'built in' },
      { keys: opts.apiKey, from: '--api-key' },
      { keys: envKeys, from: API_KEYS_VARIABLE },
      ...served.flatMap((api) => {
        const module = modules.get(api);
        return module ? [{ keys: module.sampleKeys, from: `${api}'s documentation`, api }] : [];
      }),
    ];
    if (opts.log) {
      const namespaces = Object.fromEntries([...modules.values()].map((module) => [module.name, module.namespaces]));
      logRequests(running, operationNamer(outlines, namespaces, await readOutline('control', specPath('control'))), say);
    }
    // One write: a reader that takes the first line and closes the pipe gets the whole banner,
    // and the server is not stopped by the rest of it failing to arrive (EPIPE, above).
    say([`speechdouble ${VERSION} serving ${served.join(', ')} on ${running.url}`, ...bannerLines({
      url: running.url,
      outlines,
      keys,
      anyKey: opts.anyKey ?? false,
      clock: { ...clock, now: running.emulator.clock.now() },
      strict: opts.strict ?? false,
      log: opts.log ?? false,
      settings: Object.entries(settings).flatMap(([api, values]) => Object.entries(values).map(([name, value]) => `${api}.${name}=${String(value)}`)),
      environment: used,
      control: running.emulator.controlAccess,
      allowFetch: opts.allowFetch,
      allowCallback: opts.allowCallback,
      limits: limitsSet,
      ...(running.emulator.restored && { data: running.emulator.restored }),
    })].join('\n'));
  });
