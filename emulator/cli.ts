// `speechdouble`: the command line. Parsing only; the work is in hosts/ and core/.
import { Command, InvalidArgumentError, Option } from 'commander';
import { startServer } from './hosts/http-server.ts';
import { VERSION } from './core/package-info.ts';
import { API_NAMES, isApiName, type ApiName } from './core/specs.ts';

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InvalidArgumentError('a port is an integer from 0 to 65535');
  return port;
}

function collectApi(value: string, previous: ApiName[]): ApiName[] {
  if (!isApiName(value)) throw new InvalidArgumentError(`one of ${API_NAMES.join(', ')}`);
  return [...previous, value];
}

const program = new Command('speechdouble')
  .description('A stateful test double for speech and interpretation APIs.')
  .version(VERSION);

program
  .command('serve')
  .description('Serve the emulated APIs at their vendors\' own paths, with the /__emulator control API.')
  .addOption(new Option('--port <port>', 'port to listen on (0 picks a free one)').default(4010).argParser(parsePort))
  .option('--host <host>', 'address to listen on', '127.0.0.1')
  .addOption(new Option('--api <name>', `serve only this API (repeatable): ${API_NAMES.join(', ')}`).argParser(collectApi).default([]))
  .action(async (opts: { port: number; host: string; api: ApiName[] }) => {
    const running = await startServer({ port: opts.port, host: opts.host, apis: opts.api });
    console.log(`speechdouble ${VERSION} serving ${running.emulator.apis.join(', ')} on ${running.url}`);
    console.log(`health: ${running.url}/__emulator/health`);
    const stop = (signal: string) => {
      console.log(`${signal}: finishing in-flight requests`);
      running.close().then(() => process.exit(0), () => process.exit(1));
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });

await program.parseAsync(process.argv);
