// The `vigil` command line. Each stage's commands live beside that stage and register here.
import { Command } from 'commander';
import { registerReplayCommand } from '../../features/cli.ts';
import { registerBrokerCommand } from '../../ingest/broker/cli.ts';
import { registerIngestCommand } from '../../ingest/cli/ingest.ts';
import { registerLogCommands } from '../../ingest/cli/log-commands.ts';
import { registerParseCommand } from '../../ingest/cli/parse.ts';
import { registerSimulateCommand } from '../../ingest/cli/simulate.ts';
import { registerModelsCommands } from '../../models/cli.ts';
import { registerEnrichCommand } from '../../scoring/cli/enrich.ts';
import { registerScoreCommand } from '../../scoring/cli/score.ts';
import { registerTrainCommands } from '../../training/cli.ts';
import { registerBacktestCommands } from '../../training/cli-backtest.ts';
import { registerQueryCommand } from '../../training/history/cli.ts';
import { registerServeCommand } from '../serve.ts';
import { registerWorker } from '../worker.ts';

const program = new Command('vigil')
  .description('Vigil: security detection on a replayable log')
  .option('--data-dir <dir>', 'data directory (default: $VIGIL_DATA_DIR or ./data)')
  .option('--config <file>', 'vigil config file (YAML/JSON)')
  .showHelpAfterError();

// Command registrations: one line per module (keep this list sorted by module).
const registrations: ((program: Command) => void)[] = [
  registerReplayCommand,
  registerBrokerCommand,
  registerIngestCommand,
  registerLogCommands,
  (p) => registerParseCommand(p),
  registerSimulateCommand,
  registerModelsCommands,
  (p) => registerEnrichCommand(p),
  registerScoreCommand,
  registerTrainCommands,
  registerBacktestCommands,
  registerQueryCommand,
  registerServeCommand,
  registerWorker,
];

for (const register of registrations) register(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  // Expected failures (bad input, a locked data dir, a bad config) print one clear line, no stack.
  const e = err as Error & { code?: string };
  process.stderr.write(`vigil: ${e.message}\n`);
  if (process.env.VIGIL_DEBUG) process.stderr.write(`${e.stack}\n`);
  process.exitCode = e.code === 'commander.invalidArgument' ? 2 : 1;
}
