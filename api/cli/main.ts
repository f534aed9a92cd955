// The `vigil` command line. Each stage's commands live beside that stage and register here.
import { Command } from 'commander';
import { registerLogCommands } from '../../ingest/cli/log-commands.ts';
import { registerQueryCommand } from '../../training/history/cli.ts';
import { registerServeCommand } from '../serve.ts';

const program = new Command('vigil')
  .description('Vigil: security detection on a replayable log')
  .option('--data-dir <dir>', 'data directory (default: $VIGIL_DATA_DIR or ./data)')
  .option('--config <file>', 'vigil config file (YAML/JSON)')
  .showHelpAfterError();

// Command registrations: one line per module (keep this list sorted by module).
const registrations: ((program: Command) => void)[] = [registerLogCommands, registerQueryCommand, registerServeCommand];

for (const register of registrations) register(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  // Expected failures (bad input, a locked data dir, a bad config) print one clear line, no stack.
  const e = err as Error & { code?: string };
  process.stderr.write(`vigil: ${e.message}\n`);
  process.exitCode = e.code === 'commander.invalidArgument' ? 2 : 1;
}
