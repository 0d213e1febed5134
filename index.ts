// The package's public entry: `import { startEmulator } from 'speechdouble'`. The emulator on a
// port for test setup files; see docs/programmatic-api.md. (`speechdouble/msw` is the
// in-process host; the `speechdouble` binary is cli.ts.)
export { startEmulator, EmulatorControlError } from './emulator/start-emulator.ts';
export type {
  StartEmulatorOptions,
  RunningEmulator,
  EmulatorClock,
  ClockOption,
  ClockMode,
  ClockAdvanced,
  CallbackFilter,
  RequestFilter,
  CallbackAttempt,
  JournalEntry,
  FaultRequest,
  Fault,
  ApiName,
  SettingOverrides,
} from './emulator/start-emulator.ts';
