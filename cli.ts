// `speechdouble`: the command line. Each command lives with what it drives, and its module is
// loaded only when that command runs: `speechdouble --help` or `conform` must not pay for the
// emulator (the core, the specs, the engine), nor `serve` for the conformance runner's recordings.
import { Command, CommanderError } from 'commander';
import { VERSION } from './emulator/core/package-info.ts';

interface CommandEntry {
  name: string;
  /** For the command list in `speechdouble --help`; the command's own module says the same (cli.test.ts checks). */
  description: string;
  load(): Promise<Command>;
}

const COMMANDS: readonly CommandEntry[] = [
  {
    name: 'serve',
    description: 'Serve the emulated APIs at their vendors\' own paths, with the /__emulator control API.',
    load: async () => (await import('./emulator/serve-command.ts')).serveCommand(),
  },
  {
    name: 'conform',
    description: 'Check a live implementation of an API against its spec: every exchange, generated negative cases, and stateful journeys.',
    load: async () => (await import('./conformance/conform-command.ts')).conformCommand(),
  },
];

/** The command the arguments run (`help serve` runs serve's help): the first word that is not an option. */
function commandNamed(args: readonly string[]): string | undefined {
  const words = args.filter((arg) => !arg.startsWith('-'));
  return words[0] === 'help' ? words[1] : words[0];
}

async function main(argv: readonly string[]): Promise<void> {
  const wanted = commandNamed(argv.slice(2));
  const program = new Command('speechdouble')
    .description('A stateful test double for speech and interpretation APIs, and a conformance runner for them.')
    .version(VERSION)
    // A usage error exits 2, as README's "Command line" says (commander would exit 1).
    .exitOverride();
  // The command being run is the real one; the others are listed by name and description only.
  for (const entry of COMMANDS) program.addCommand(entry.name === wanted ? await entry.load() : new Command(entry.name).description(entry.description));
  for (const command of program.commands) command.exitOverride();
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    const ok = ['commander.helpDisplayed', 'commander.version', 'commander.help'].includes(error.code);
    process.exit(ok ? 0 : 2);
  }
}

await main(process.argv);
