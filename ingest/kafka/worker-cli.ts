// `vigil worker --stage S`: one of N processes running a stage in a consumer group over Redpanda,
// Kafka or `vigil broker` (ScaledStageWorker). The composition root registers it with a resolver
// from stage names to stages, since ingest/ knows no later stage.
import { hostname } from 'node:os';
import type { Command } from 'commander';
import { resolveDataDir, runningService } from '../log/open.ts';
import type { Stage } from '../pipeline/stage.ts';
import type { KafkaLogConfig } from './config.ts';
import { openKafkaLog } from './kafka-log.ts';
import { ScaledStageWorker } from './scaled-stage.ts';

export interface WorkerCommandDeps {
  /** Builds the named stage (from the service config); throws for an unknown name. */
  resolveStage(name: string, globals: { config?: string; dataDir?: string }): Promise<Stage> | Stage;
  /** The configured Kafka log, if the service config has `log: {kind: kafka}`. */
  kafkaConfig?(globals: { config?: string; dataDir?: string }): KafkaLogConfig | undefined;
}

interface WorkerOptions {
  stage: string;
  brokers?: string;
  name: string;
  sessionTimeout: string;
}

export function registerWorkerCommand(program: Command, deps: WorkerCommandDeps): void {
  program
    .command('worker')
    .description('run one stage as a scale-out worker in its consumer group (Kafka/Redpanda or vigil broker)')
    .requiredOption('--stage <name>', 'the stage to run')
    .option(
      '--brokers <list>',
      'host:port,... (default: the config log, else the data dir’s vigil broker/serve)',
    )
    .option('--name <id>', 'worker name, unique in the group', `${hostname()}-${process.pid}`)
    .option('--session-timeout <ms>', 'how long a silent worker keeps its partitions', '10000')
    .action(async (opts: WorkerOptions) => {
      const globals = program.opts() as { config?: string; dataDir?: string };
      let base = deps.kafkaConfig?.(globals);
      if (opts.brokers)
        base = { ...(base ?? { kind: 'kafka' }), kind: 'kafka', brokers: opts.brokers.split(',') };
      if (!base) {
        const service = runningService(resolveDataDir(globals.dataDir));
        if (!service?.broker) {
          throw new Error(
            'no Kafka endpoint: pass --brokers, configure log: {kind: kafka}, or start vigil broker',
          );
        }
        base = { kind: 'kafka', brokers: [`${service.broker.host}:${service.broker.port}`] };
      }
      // Each worker its own transactional ids: workers of one group must not fence each other.
      const kafka: KafkaLogConfig = {
        ...base,
        clientId: opts.name,
        transactionalIdPrefix: `vigil-${opts.name}-`,
      };
      const stage = await deps.resolveStage(opts.stage, globals);
      const log = await openKafkaLog(kafka);
      const worker = new ScaledStageWorker({
        log,
        kafka,
        stage,
        sessionTimeoutMs: Number(opts.sessionTimeout),
        onAssignment: (partitions, generation) =>
          process.stdout.write(
            `worker ${opts.name}: generation ${generation}, ${partitions.map((p) => `${p.topic}/${p.partition}`).join(' ') || 'no partitions'}\n`,
          ),
      });
      await worker.start();
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await worker.stop();
      await log.close();
    });
}
