// `vigil broker`: serve the data dir's embedded log over the Kafka protocol, so kafkajs, librdkafka
// (kcat), Vector, Fluent Bit, Filebeat or Zeek's Kafka plugin write into Vigil as into Redpanda.
// The broker owns the data dir while it runs; CLI commands beside it go through the endpoint.
import { mkdirSync } from 'node:fs';
import { type Command, InvalidArgumentError } from 'commander';
import { openEmbeddedLog } from '../log/embedded/index.ts';
import { logDir, resolveDataDir, runningService, writeServiceInfo } from '../log/open.ts';
import { startBroker } from './server.ts';

interface BrokerCommandOptions {
  port: number;
  host: string;
  advertisedHost?: string;
  partitions: number;
  autoCreate: boolean;
  fsync: boolean;
}

const int = (name: string, min: number) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > 65535)
    throw new InvalidArgumentError(`${name} must be a whole number >= ${min}`);
  return n;
};

export function registerBrokerCommand(program: Command): void {
  program
    .command('broker')
    .description('serve the log over the Kafka protocol (produce, fetch, consumer groups, transactions)')
    .option('--port <n>', 'TCP port (0 picks a free one)', int('--port', 0), 9092)
    .option('--host <addr>', 'address to listen on', '127.0.0.1')
    .option(
      '--advertised-host <host>',
      'host clients are told to reconnect to (default: the address they dialled)',
    )
    .option('--partitions <n>', 'partitions of topics created on first use', int('--partitions', 1), 1)
    .option('--no-auto-create', 'answer UNKNOWN_TOPIC for unknown topics instead of creating them')
    .option('--no-fsync', 'do not fdatasync each append (faster, loses the tail on power loss)')
    .action(async (opts: BrokerCommandOptions) => {
      const globals = program.opts() as { dataDir?: string };
      const dataDir = resolveDataDir(globals.dataDir);
      const owner = runningService(dataDir);
      if (owner) {
        const where = owner.broker
          ? ` (its Kafka endpoint is ${owner.broker.host}:${owner.broker.port})`
          : '';
        throw new Error(`${dataDir} is owned by pid ${owner.pid}${where}; one owner per data dir`);
      }
      mkdirSync(dataDir, { recursive: true });
      const log = await openEmbeddedLog(logDir(dataDir), { fsync: opts.fsync });
      const broker = await startBroker({
        log,
        host: opts.host,
        port: opts.port,
        advertisedHost: opts.advertisedHost,
        autoCreateTopics: opts.autoCreate,
        defaultPartitions: opts.partitions,
      });
      const reachable =
        opts.advertisedHost ?? (['0.0.0.0', '::'].includes(broker.host) ? '127.0.0.1' : broker.host);
      const removeServiceInfo = writeServiceInfo(dataDir, {
        pid: process.pid,
        broker: { host: reachable, port: broker.port },
        startedAt: new Date().toISOString(),
      });
      process.stdout.write(
        `vigil broker: Kafka protocol on ${reachable}:${broker.port} over ${logDir(dataDir)} (Ctrl-C stops)\n`,
      );
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      removeServiceInfo();
      await broker.close();
      await log.close();
    });
}
