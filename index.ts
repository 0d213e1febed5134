// The package's public entry: `import { startEmulator } from 'speechdouble'`. The emulator on a
// port for test setup files, or mounted in an app of the caller's (`app.use(speechdouble.express())`,
// which loads no express of its own); README's "From a test setup file". (`speechdouble/msw` is the
// in-process host; the `speechdouble` binary is cli.ts.)
export { startEmulator, EmulatorControlError, expressMiddleware as express } from './emulator/start-emulator.ts';
export type {
  StartEmulatorOptions,
  ExpressMiddlewareOptions,
  EmulatorMiddleware,
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
