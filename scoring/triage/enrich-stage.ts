// The enrich + triage stage: `events` → `events.enriched` (every event, enriched, with its threat
// score and matched rules) and `alerts`. The config reloads without a restart: a new runtime is
// built off to the side and swapped in between batches, so no event is lost or half-processed, and
// a bad config is rejected while the running one stays. Alert dedup state rides the snapshot.
import { type FSWatcher, watch } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { recordEventError } from '../../ingest/enrich/enricher.ts';
import type { LogRecord } from '../../ingest/log/types.ts';
import type { Stage, StageContext, StageOutput } from '../../ingest/pipeline/stage.ts';
import { logger } from '../../kernel/logger.ts';
import { formatSigmaProblems } from '../sigma/load.ts';
import { AlertDeduplicator } from './alerts.ts';
import {
  DEFAULT_ENRICH_CONFIG_PATH,
  enrichConfigFromData,
  type LoadedEnrichConfig,
  loadEnrichConfigFile,
} from './config.ts';
import { EnrichRuntime, type EnrichRuntimeReport } from './runtime.ts';

export interface EnrichStageOptions {
  /** A loaded config, or the path of a config file (then `reload()` re-reads it). */
  config: LoadedEnrichConfig | string;
  name?: string;
  input?: string;
  output?: string;
  errorsTopic?: string;
  /** Watch the config file and reload on change (only when `config` is a path). */
  watch?: boolean;
}

export interface EnrichStage extends Stage {
  /** Builds a runtime from a new config (or re-reads the file) and swaps it in; throws if it's bad. */
  reload(config?: LoadedEnrichConfig): Promise<EnrichRuntimeReport>;
  /** The report of the config in use (after start). */
  readonly report: EnrichRuntimeReport | undefined;
  /** Reloads applied so far. */
  readonly generation: number;
}

export function createEnrichStage(options: EnrichStageOptions): EnrichStage {
  const name = options.name ?? 'enrich';
  const input = options.input ?? 'events';
  const output = options.output ?? 'events.enriched';
  const errorsTopic = options.errorsTopic ?? 'errors';
  const log = logger.child({ stage: name });
  let runtime: EnrichRuntime | undefined;
  let generation = 0;
  let watchers: FSWatcher[] = [];
  let reloadTimer: NodeJS.Timeout | undefined;
  let dedup: AlertDeduplicator | undefined;
  let pendingState: Buffer | undefined;

  const readConfig = (): LoadedEnrichConfig =>
    typeof options.config === 'string' ? loadEnrichConfigFile(options.config) : options.config;

  const install = (next: EnrichRuntime) => {
    const { dedupWindowMs, maxKeys } = next.config.alerts;
    if (dedup === undefined) {
      dedup = new AlertDeduplicator(dedupWindowMs, maxKeys);
      if (pendingState !== undefined) dedup.restore(pendingState);
    } else {
      dedup.windowMs = dedupWindowMs;
      dedup.maxKeys = maxKeys;
    }
    runtime = next;
    for (const line of formatSigmaProblems(next.report.sigma.problems))
      log.warn(`sigma rule not loaded: ${line}`);
    for (const line of next.report.enrichment.intel?.problems ?? []) log.warn(`intel: ${line}`);
  };

  // Watches the config file and the files it names (intel, assets, geo, Sigma folders); a change
  // reloads after a short pause (editors write in several steps). Re-armed after every reload, since
  // the set of files may have changed and editors often replace files rather than write them.
  const watchInputs = () => {
    for (const w of watchers) w.close();
    watchers = [];
    const files = [
      ...(typeof options.config === 'string' ? [options.config] : []),
      ...(runtime?.inputFiles() ?? []),
    ];
    for (const file of files) {
      try {
        watchers.push(
          watch(file, () => {
            clearTimeout(reloadTimer);
            reloadTimer = setTimeout(() => {
              stage.reload().then(
                () => log.info({ generation, file }, 'config reloaded'),
                (error: Error) => log.error(`config rejected, the running one stays: ${error.message}`),
              );
            }, 200);
          }),
        );
      } catch (error) {
        log.warn(`cannot watch ${file}: ${(error as Error).message}`);
      }
    }
  };

  const errorRecord = (rec: LogRecord, kind: string, message: string): StageOutput => ({
    topic: errorsTopic,
    key: rec.key,
    timestamp: rec.timestamp,
    value: JSON.stringify({
      stage: name,
      sensor: null,
      kind,
      message,
      raw: rec.value.toString('utf8'),
      source: { topic: rec.topic, partition: rec.partition, offset: rec.offset },
    }),
  });

  const stage: EnrichStage = {
    name,
    inputs: [input],
    outputs: [output, 'alerts', errorsTopic],
    get report() {
      return runtime?.report;
    },
    get generation() {
      return generation;
    },

    async start() {
      if (runtime === undefined) install(await EnrichRuntime.load(readConfig()));
      if (options.watch) watchInputs();
    },

    async reload(config?: LoadedEnrichConfig) {
      const next = await EnrichRuntime.load(config ?? readConfig());
      install(next);
      generation++;
      if (options.watch) watchInputs();
      return next.report;
    },

    process(batch: LogRecord[], ctx: StageContext): StageOutput[] {
      const rt = runtime;
      const dd = dedup;
      if (rt === undefined || dd === undefined) throw new Error(`${name}: process() before start()`);
      const alertsTopic = rt.config.alerts.topic;
      const out: StageOutput[] = [];
      rt.withProviders(() => {
        for (const rec of batch) {
          let event: Record<string, unknown>;
          try {
            const parsed = JSON.parse(rec.value.toString('utf8')) as unknown;
            if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
              throw new Error('expected a JSON object');
            }
            event = parsed as Record<string, unknown>;
          } catch (error) {
            ctx.countError();
            out.push(errorRecord(rec, 'invalid-event', (error as Error).message));
            continue;
          }
          let alert: StageOutput | undefined;
          try {
            const outcome = rt.process(event, rec.timestamp, dd);
            if (outcome.alert !== undefined) {
              alert = {
                topic: alertsTopic,
                key: outcome.alert.id,
                timestamp: rec.timestamp,
                value: JSON.stringify(outcome.alert),
              };
            }
          } catch (error) {
            // A bug, not bad data: keep the event flowing with the failure on it.
            recordEventError(event, { step: 'enrich', message: (error as Error).message });
          }
          out.push({
            topic: output,
            key: rec.key,
            timestamp: rec.timestamp,
            headers: rec.headers,
            value: JSON.stringify(event),
          });
          if (alert !== undefined) out.push(alert);
        }
      });
      return out;
    },

    snapshot() {
      return dedup?.snapshot() ?? Buffer.from('{"v":1,"maxTs":null,"open":[]}');
    },

    restore(state: Buffer) {
      if (dedup !== undefined) dedup.restore(state);
      else pendingState = state;
    },

    stop() {
      for (const w of watchers) w.close();
      watchers = [];
      clearTimeout(reloadTimer);
    },
  };
  return stage;
}

/**
 * The stage's config from the service config's `enrichment` section: absent → the built-in
 * default-config.yaml; a string → that file (relative to the service config; reloadable by
 * watching it); an object → the config inline.
 */
export function enrichStageConfig(section: unknown, serviceConfigPath?: string): LoadedEnrichConfig | string {
  const baseDir = serviceConfigPath === undefined ? process.cwd() : dirname(resolve(serviceConfigPath));
  if (section === undefined || section === null) return DEFAULT_ENRICH_CONFIG_PATH;
  if (typeof section === 'string') return resolve(baseDir, section);
  return enrichConfigFromData(section, baseDir, `${serviceConfigPath ?? '<config>'}: enrichment`);
}
