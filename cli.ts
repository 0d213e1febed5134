// `speechdouble`: the command line. Each command lives with what it drives.
import { Command, CommanderError } from 'commander';
import { conformCommand } from './conformance/conform-command.ts';
import { VERSION } from './emulator/core/package-info.ts';
import { serveCommand } from './emulator/serve-command.ts';

const program = new Command('speechdouble')
  .description('A stateful test double for speech and interpretation APIs, and a conformance runner for them.')
  .version(VERSION)
  .addCommand(serveCommand())
  .addCommand(conformCommand())
  // A usage error exits 2, as README's "Command line" says (commander would exit 1).
  .exitOverride();
for (const command of program.commands) command.exitOverride();

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (!(error instanceof CommanderError)) throw error;
  const ok = ['commander.helpDisplayed', 'commander.version', 'commander.help'].includes(error.code);
  process.exit(ok ? 0 : 2);
}
