// `speechdouble serve`: flags in, a running emulator out. The work is in hosts/ and core/.
import { Command, InvalidArgumentError, Option } from 'commander';
import { startServer } from './compose.ts';
import { STATEFUL_APIS } from './apis/index.ts';
import { VERSION } from './core/package-info.ts';
import { parseSettingAssignment, SettingError, type SettingOverrides } from './core/settings.ts';
import { API_NAMES, isApiName, type ApiName } from '../openapi/specs.ts';

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
}

export const serveCommand = () => new Command('serve')
  .description('Serve the emulated APIs at their vendors\' own paths, with the /__emulator control API.')
  .addOption(new Option('--port <port>', 'port to listen on (0 picks a free one)').default(4010).argParser(parsePort))
  .option('--host <host>', 'address to listen on', '127.0.0.1')
  .addOption(new Option('--api <name>', `serve only this API (repeatable): ${API_NAMES.join(', ')}`).argParser(collectApi).default([]))
  .addOption(new Option('--time-scale <n>', 'run emulated time N times faster than real time').argParser(parseScale).conflicts('manualClock'))
  .option('--manual-clock', 'time moves only through POST /__emulator/clock/advance')
  .addOption(new Option('--seed <n>', 'seed for every id the emulator makes').default(1).argParser(parseSeed))
  .addOption(new Option('--api-key <key>', 'accept this key too (repeatable; also SPEECHDOUBLE_API_KEYS, comma-separated)').argParser((v: string, prev: string[]) => [...prev, v]).default([]))
  .option('--any-key', 'accept any well-formed key')
  .option('--strict', 'check every stateful response against the spec (a mismatch answers 500)')
  .addOption(new Option('--real-time-factor <f>', 'processing takes this share of the audio\'s duration (default 0.5)').argParser(parsePositive))
  .addOption(new Option('--retention-days <d>', 'finished jobs expire after this many days (default 7)').argParser(parsePositive))
  .option('--expired-404', 'expired jobs answer 404 (the retention docs) instead of 410 (the API reference)')
  .addOption(new Option('--max-upload-mb <mb>', 'largest uploaded file, in MiB, for every API (same as --set \'*.max-upload-mb=MB\')').argParser(parsePositive))
  .option('--twilio-auth-token <token>', 'Cadence\'s Twilio add-on checks X-Twilio-Signature with this auth token (same as --set cadence.twilio-auth-token=T)')
  .addOption(new Option('--set <api.name=value>', 'an API\'s setting (repeatable; `*.name` for every API that has it); see below').argParser(collectSetting).default({}))
  .addHelpText('after', () => `\nSettings (--set API.NAME=VALUE):\n${settingsHelp()}`)
  .action(async (opts: ServeFlags) => {
    const envKeys = (process.env.SPEECHDOUBLE_API_KEYS ?? '').split(',').map((k) => k.trim()).filter(Boolean);
    const clock = opts.manualClock ? { mode: 'manual' as const } : opts.timeScale ? { mode: 'scaled' as const, timeScale: opts.timeScale } : { mode: 'real' as const };
    const legacy = legacySettings(opts);
    // Explicit --set wins over the older flags it overlaps.
    const settings = Object.fromEntries([...new Set([...Object.keys(legacy), ...Object.keys(opts.set)])].map((api) => [api, { ...legacy[api], ...opts.set[api] }]));
    let running;
    try {
      running = await startServer({
        port: opts.port, host: opts.host, apis: opts.api, clock, seed: opts.seed,
        apiKeys: [...opts.apiKey, ...envKeys], anyKey: opts.anyKey ?? false, strict: opts.strict ?? false, settings,
      });
    } catch (error) {
      if (!(error instanceof SettingError)) throw error;
      console.error(`speechdouble serve: ${error.message}`);
      process.exit(2);
    }
    console.log(`speechdouble ${VERSION} serving ${running.emulator.apis.join(', ')} on ${running.url}`);
    console.log(`health: ${running.url}/__emulator/health (clock: ${clock.mode}${opts.timeScale ? ` x${opts.timeScale}` : ''})`);
    const stop = (signal: string) => {
      console.log(`${signal}: finishing in-flight requests`);
      running.close().then(() => process.exit(0), () => process.exit(1));
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
