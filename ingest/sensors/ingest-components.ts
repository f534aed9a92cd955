// Everything `vigil serve` needs from ingestion, built from the service config file in one call:
// the sensor registry (reloaded when its file changes), the parse stage, and the sources.
import type { EventLog } from '../log/types.ts';
import type { Stage } from '../pipeline/stage.ts';
import { createSources, startSources, stopSources } from '../sources/config.ts';
import type { Source } from '../sources/source.ts';
import { loadSensors, loadSources } from './load.ts';
import { createParseStage } from './parse-stage.ts';
import type { SensorRegistry } from './registry.ts';

export interface IngestComponents {
  sensors: SensorRegistry;
  parseStage: Stage;
  sources: Source[];
  /** Starts the sources and the config watcher. */
  start(): Promise<void>;
  /** Resolves when the bounded sources (files read once, stdin) have appended all their input. */
  drain(): Promise<void>;
  stop(): Promise<void>;
  describe(): string[];
}

export interface IngestOptions {
  log: EventLog;
  /** The service config file; none means built-in sensors and no sources. */
  configPath?: string;
  /** Reload sensors when their file changes (default true). */
  watch?: boolean;
  watchIntervalMs?: number;
}

/** Throws ConfigError (file:line: field) when the sensors or sources sections are invalid. */
export function createIngest(options: IngestOptions): IngestComponents {
  const { registry, file } = loadSensors(options.configPath);
  const sourcesConfig = loadSources(options.configPath);
  const sources = createSources(sourcesConfig, options.log, {
    rawTopicOf: (sensor) => registry.current.get(sensor)?.rawTopic,
  });
  const parseStage = createParseStage({ sensors: registry });
  let unwatch: (() => void) | null = null;
  return {
    sensors: registry,
    parseStage,
    sources,
    async start() {
      await startSources(sources);
      if (file !== null && options.watch !== false) {
        unwatch = registry.watchFile(file, { intervalMs: options.watchIntervalMs });
      }
    },
    async drain() {
      const bounded = sourcesConfig.sources
        .map((c, i) => ({ c, s: sources[i]! }))
        .filter(({ c }) => c.type === 'stdin' || (c.type === 'file' && !c.follow));
      await Promise.all(bounded.map(({ s }) => s.done));
    },
    async stop() {
      unwatch?.();
      await stopSources(sources);
    },
    describe() {
      return [
        ...registry.current.sensors.map(
          (s) => `sensor     ${s.name}: ${s.rawTopic} → ${s.config.parser.format} → ${s.outputTopic}`,
        ),
        ...sourcesConfig.sources.map((c) => {
          const where =
            c.type === 'file'
              ? `${c.path}${c.follow ? ' (follow)' : ''}`
              : c.type === 'stdin'
                ? 'stdin'
                : `port ${c.port}`;
          return `source     ${c.type} ${where} → sensor ${c.sensor}`;
        }),
      ];
    },
  };
}
