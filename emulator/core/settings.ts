// Settings per API: each API declares what can be set, with its default and how to read
// it from text; `--set speechmatics.retention-days=3` (or `*.processing=reads:2` for every
// API that has the setting) overrides it. Unknown names and bad values fail at start-up.
import { parseProgression, type Progression } from './lifecycle.ts';

export interface Setting<T> {
  default: T;
  /** What the setting means, for `--help` and errors. */
  describe: string;
  /** Reads the setting's text form; throws RangeError with the reason when it is not valid. */
  parse(text: string): T;
}

export type SettingsSchema = Record<string, Setting<unknown>>;
export type SettingValues<S extends SettingsSchema> = { readonly [K in keyof S]: S[K] extends Setting<infer T> ? T : never };

/** Overrides as given: by API, then setting name; `*` applies to every API that has the name. */
export type SettingOverrides = Record<string, Record<string, string | number | boolean>>;

export class SettingError extends Error {
  override readonly name = 'SettingError';
}

export function resolveSettings<S extends SettingsSchema>(api: string, schema: S, overrides: SettingOverrides = {}): SettingValues<S> {
  const values: Record<string, unknown> = Object.fromEntries(Object.entries(schema).map(([name, setting]) => [name, setting.default]));
  const apply = (given: Record<string, string | number | boolean> | undefined, wildcard: boolean) => {
    for (const [name, raw] of Object.entries(given ?? {})) {
      const setting = schema[name];
      if (!setting) {
        if (wildcard) continue;
        throw new SettingError(`${api} has no setting "${name}"; it has: ${Object.keys(schema).join(', ') || 'none'}`);
      }
      try {
        values[name] = setting.parse(String(raw));
      } catch (error) {
        throw new SettingError(`${api}.${name}=${raw}: ${(error as Error).message}`);
      }
    }
  };
  apply(overrides['*'], true);
  apply(overrides[api], false);
  return values as SettingValues<S>;
}

/** `api.name=value`, as `--set` takes it. */
export function parseSettingAssignment(text: string, overrides: SettingOverrides = {}): SettingOverrides {
  const match = /^([\w*-]+)\.([\w-]+)=(.*)$/.exec(text);
  if (!match) throw new SettingError(`"${text}" is not api.setting=value (for example speechmatics.retention-days=3)`);
  const [, api, name, value] = match as unknown as [string, string, string, string];
  return { ...overrides, [api]: { ...overrides[api], [name]: value } };
}

// Readers for the kinds of setting the APIs have.
const positive = (text: string) => {
  const n = Number(text);
  if (!(n > 0) || !Number.isFinite(n)) throw new RangeError('a number greater than 0');
  return n;
};

export const numberSetting = (defaultValue: number, describe: string): Setting<number> => ({ default: defaultValue, describe, parse: positive });

export function choiceSetting<T extends string | number>(defaultValue: T, choices: readonly T[], describe: string): Setting<T> {
  return {
    default: defaultValue,
    describe,
    parse(text) {
      const found = choices.find((choice) => String(choice) === text);
      if (found === undefined) throw new RangeError(`one of ${choices.join(', ')}`);
      return found;
    },
  };
}

/** How long work takes (see lifecycle.ts); `minSeconds` is the floor a bare `share:F` gets. */
export const progressionSetting = (defaultValue: string, minSeconds: number, describe: string): Setting<Progression> => ({
  default: parseProgression(defaultValue, minSeconds),
  describe,
  parse: (text) => parseProgression(text, minSeconds),
});

/** The largest upload, set in MiB, held in bytes. */
export const uploadLimitSetting = (defaultMb: number, describe: string): Setting<number> => ({
  default: Math.round(defaultMb * 2 ** 20),
  describe,
  parse: (text) => Math.round(positive(text) * 2 ** 20),
});

/** Free text, checked by `check` (which throws RangeError saying what it wants); '' means unset. */
export const textSetting = (defaultValue: string, describe: string, check: (text: string) => void = () => {}): Setting<string> => ({
  default: defaultValue,
  describe,
  parse(text) {
    if (text !== '') check(text);
    return text;
  },
});
