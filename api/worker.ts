// `vigil worker --stage S`: the stateless stages a scale-out worker can run, built from the service
// config. Stateful stages (profiler, scorer) keep their state per consumer group and run as one
// worker (see ingest/kafka/README.md).
import type { Command } from 'commander';
import type { KafkaLogConfig } from '../ingest/kafka/config.ts';
import { registerWorkerCommand } from '../ingest/kafka/worker-cli.ts';
import { loadSensors } from '../ingest/sensors/load.ts';
import { createParseStage } from '../ingest/sensors/parse-stage.ts';
import { createEnrichStage, enrichStageConfig } from '../scoring/triage/enrich-stage.ts';
import { loadServiceConfig, resolveConfigPath } from './config.ts';
import { DEFAULT_SERVICE_CONFIG } from './pipeline.ts';

export const WORKER_STAGES = ['parse', 'enrich'] as const;

export function registerWorker(program: Command): void {
  registerWorkerCommand(program, {
    resolveStage(name, globals) {
      const configPath = resolveConfigPath(globals.config, DEFAULT_SERVICE_CONFIG);
      if (name === 'parse') return createParseStage({ sensors: loadSensors(configPath).registry });
      if (name === 'enrich') {
        const config = loadServiceConfig(configPath);
        return createEnrichStage({ config: enrichStageConfig(config.enrichment, configPath) });
      }
      throw new Error(`no stage '${name}' for a scale-out worker; use one of ${WORKER_STAGES.join(', ')}`);
    },
    kafkaConfig(globals) {
      const config = loadServiceConfig(resolveConfigPath(globals.config, DEFAULT_SERVICE_CONFIG));
      return config.log.kind === 'kafka' ? (config.log as KafkaLogConfig) : undefined;
    },
  });
}
