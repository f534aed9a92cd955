// Wires the stages of `vigil serve` from config, in flow order:
//   simulator/sources → raw.* → parse → events → enrich/triage → events.enriched (+ alerts)
//   → profiler → profiles, features (+ alerts) → scorer → scores (+ alerts)
//   plus the profile store, the archiver (history) and, in serve.ts, the analysts' alert store.
// Each stage module owns its config schema; this file only connects them.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ProfilesConfigSchema } from '../features/profile-config.ts';
import { createProfileStoreStage, installProfileProvider, ProfileStore } from '../features/profile-store.ts';
import { profileRetention } from '../features/reload.ts';
import { createProfilerStage } from '../features/stage.ts';
import type { EventLog } from '../ingest/log/types.ts';
import type { RunnerOptions } from '../ingest/pipeline/runner.ts';
import type { Stage } from '../ingest/pipeline/stage.ts';
import { createIngest } from '../ingest/sensors/ingest-components.ts';
import {
  liveDemoConfig,
  resolveSimulatorConfig,
  type SimulatorConfig,
  simulatorConfigSchema,
} from '../ingest/simulator/config.ts';
import { SimulatorSource } from '../ingest/simulator/source.ts';
import { parseConfig } from '../kernel/config.ts';
import { logger } from '../kernel/logger.ts';
import { openRegistry } from '../models/registry.ts';
import { createConfiguredScorer } from '../scoring/scorer/config.ts';
import { DEFAULT_ENRICH_CONFIG_PATH } from '../scoring/triage/config.ts';
import { createEnrichStage, enrichStageConfig } from '../scoring/triage/enrich-stage.ts';
import { DEFAULT_MODEL_NAME, trainDefaultModel } from '../training/default-model.ts';
import { trainDefaultModelOnSimulation } from '../training/default-model-on-simulation.ts';
import { createArchiverStage } from '../training/history/archiver-stage.ts';
import { historyRoot } from '../training/history/history.ts';
import type { AppDeps } from './app.ts';
import type { ServiceConfig } from './config.ts';
import { BacktestRuns } from './routes/backtests.ts';
import {
  configText,
  enrichmentConfigStore,
  profilesConfigStore,
  sensorsConfigStore,
} from './routes/config.ts';
import { TrainingRuns } from './routes/training.ts';

export interface PipelineStage {
  stage: Stage;
  options?: RunnerOptions;
  /** Start the stage only once this resolves (e.g. its model is trained and registered). */
  startAfter?: Promise<void>;
  /** One line for the banner: what it reads and writes. */
  summary: string;
}

export interface Pipeline {
  stages: PipelineStage[];
  /** The built-in telemetry simulator, when configured (its ground truth scores detections). */
  simulator: SimulatorSource | null;
  broker: { host: string; port: number } | null;
  appDeps: Partial<AppDeps>;
  startSources(): Promise<void>;
  /** Called once the service is up: begins deferred work (first-start model training). */
  afterStart(): void;
  /** Bounded runs: let finite sources (files, a simulated span) finish. */
  drainSources(): Promise<void>;
  stopSources(): Promise<void>;
  close(): Promise<void>;
  describe(): string[];
  accessLines(url: string): string[];
}

export interface PipelineContext {
  config: ServiceConfig;
  /** The service config file (for line numbers in errors and relative paths); null for built-ins. */
  configPath: string | null;
  dataDir: string;
  log: EventLog;
}

const here = dirname(fileURLToPath(import.meta.url));
export const DEFAULT_SERVICE_CONFIG = join(here, 'defaults', 'vigil.yaml');
export const repoRoot = resolve(here, '..');

const simulatorSectionSchema = z.looseObject({
  enabled: z.boolean().default(true),
  mode: z.enum(['live', 'fast']).default('live'),
  /** The early-and-often attack schedule for a first look (live). */
  demo: z.boolean().default(false),
});

function simulatorFrom(
  section: unknown,
  log: EventLog,
  source: string,
): { source: SimulatorSource; config: SimulatorConfig } | null {
  if (section === undefined || section === null) return null;
  const { enabled, mode, demo, ...rest } = simulatorSectionSchema.parse(section);
  if (!enabled) return null;
  const parsed = parseConfig(JSON.stringify(rest), simulatorConfigSchema, `${source}: simulator`);
  const config = demo ? liveDemoConfig(rest as never) : resolveSimulatorConfig(parsed);
  return { source: new SimulatorSource(log, config, { mode }), config };
}

export async function buildPipeline(ctx: PipelineContext): Promise<Pipeline> {
  const { config, dataDir, log } = ctx;
  const configPath = ctx.configPath ?? undefined;
  const source = configPath ?? '<built-in config>';
  const stages: PipelineStage[] = [];
  const closers: (() => Promise<void> | void)[] = [];
  try {
    // Sources: the simulator (when configured) and the sensors' sources.
    const sim = simulatorFrom(config.simulator, log, source);
    const simulator = sim?.source ?? null;
    const ingest = createIngest({ log, configPath });
    stages.push({ stage: ingest.parseStage, summary: 'raw.<sensor> → events, errors' });

    // Enrichment and triage; the simulator's threat-intel indicators join the intel sources.
    let enrichConfig = enrichStageConfig(config.enrichment, configPath);
    if (simulator) {
      const intelPath = join(dataDir, 'intel', 'simulator.csv');
      mkdirSync(dirname(intelPath), { recursive: true });
      writeFileSync(intelPath, simulator.intelCsv());
      if (typeof enrichConfig === 'string' && enrichConfig === DEFAULT_ENRICH_CONFIG_PATH) {
        const data = parseYaml(readFileSync(DEFAULT_ENRICH_CONFIG_PATH, 'utf8')) as Record<string, unknown>;
        data.intel = { sources: [{ path: intelPath }] };
        enrichConfig = enrichStageConfig(data, DEFAULT_ENRICH_CONFIG_PATH);
      }
    }
    const enrichText =
      typeof enrichConfig === 'string'
        ? readFileSync(enrichConfig, 'utf8')
        : configText(config.enrichment ?? {});
    const enrich = createEnrichStage({ config: enrichConfig });
    stages.push({
      stage: enrich,
      summary: 'events → events.enriched, alerts (geo, assets, intel, triage rules, Sigma)',
    });

    // Profiles and features (event time), and the store that serves profile() lookups.
    const profiles = parseConfig(
      JSON.stringify(config.profiles ?? { builtin: ['network'] }),
      ProfilesConfigSchema,
      `${source}: profiles`,
    );
    // Windows close only once every input partition has delivered, so a late-starting partition's
    // first events are never judged late.
    await log.ensureTopic('events.enriched', { partitions: config.partitions });
    const expectedPartitions = (await log.describeTopic('events.enriched')).partitions.map(
      (p) => `events.enriched/${p.partition}`,
    );
    const profiler = createProfilerStage({ profiles, expectedPartitions });
    stages.push({
      stage: profiler,
      // Its snapshot grows with open windows: commit bigger batches less often.
      options: { maxBatchRecords: 10_000 },
      summary: `events.enriched → profiles, features, alerts (${profiles.profiles.length} profiles)`,
    });
    mkdirSync(join(dataDir, 'profiles'), { recursive: true });
    const profileStore = await ProfileStore.open(join(dataDir, 'profiles', 'profiles.duckdb'));
    profileStore.setRetention(profileRetention(profiles));
    closers.push(() => profileStore.close());
    installProfileProvider(profileStore);
    stages.push({
      stage: createProfileStoreStage(profileStore),
      summary: 'profiles → the profile store (profile() lookups)',
    });

    // Scoring with the registry's champion; a first start trains and registers the default model.
    const registry = await openRegistry(dataDir);
    closers.push(() => registry.close());
    const scoringSection = (config.scoring ?? { model: `${DEFAULT_MODEL_NAME}@champion` }) as {
      model?: string;
    };
    // First start: train the default model while the rest of the pipeline already runs; the scorer
    // starts once it is registered and reads the features topic from its beginning (nothing lost).
    let modelReady: Promise<void> | undefined;
    let beginTraining: () => void = () => {};
    const usesDefaultModel = (scoringSection.model ?? '').startsWith(`${DEFAULT_MODEL_NAME}@`);
    const defaultModel = usesDefaultModel
      ? (await registry.list()).find((m) => m.name === DEFAULT_MODEL_NAME)
      : undefined;
    if (defaultModel && defaultModel.aliases.champion === undefined) {
      // Killed between registering the default model and naming it champion (two registry
      // transactions): finish that first start, or the scorer would have no model at all.
      const registered = (await registry.versions(DEFAULT_MODEL_NAME)).filter(
        (v) => v.tags.default === 'true',
      );
      const latest = registered[registered.length - 1];
      if (latest) {
        await registry.setAlias(DEFAULT_MODEL_NAME, 'champion', latest.version, {
          who: 'vigil',
          reason: 'default model at first start (completed after a restart)',
        });
      }
    }
    if (usesDefaultModel && !defaultModel) {
      const srcProfile = profiles.profiles.find((p) => p.name === 'network.src');
      const train = async () => {
        let trained: Awaited<ReturnType<typeof trainDefaultModel>>;
        if (sim && srcProfile) {
          logger.info(
            'first start: training the default anomaly model on a benign simulation (about a minute)',
          );
          trained = await trainDefaultModelOnSimulation({
            registry,
            rate: sim.config.rate,
            windowMs: srcProfile.window.size,
          });
        } else {
          logger.info('first start: training the default anomaly model on benign synthetic windows');
          trained = await trainDefaultModel({ registry });
        }
        logger.info(
          { auroc: trained.evaluation.auroc, version: trained.version?.version },
          'default model registered as champion; scoring starts',
        );
      };
      // Training is CPU-bound on the service's own thread: begin it once the service is up
      // (afterStart), so the console, the sources and the other stages start at once.
      modelReady = new Promise<void>((resolve) => {
        beginTraining = resolve;
      }).then(train);
      // A failure is reported where the scorer waits for it; don't let it go unhandled meanwhile.
      modelReady.catch(() => {});
    }
    const scorer = createConfiguredScorer(registry, scoringSection);
    stages.push({
      stage: scorer.stage,
      options: scorer.options,
      summary: scorer.summary,
      startAfter: modelReady,
    });

    // History: every analytic topic archived to Parquet by day.
    stages.push({
      stage: createArchiverStage({ root: historyRoot(dataDir) }),
      options: { maxBatchRecords: 20_000, idleMs: 5_000 },
      summary: `events.enriched, features, scores, alerts → Parquet in ${historyRoot(dataDir)}`,
    });

    const sensorsText = configPath ? sectionText(configPath, 'sensors') : configText({ sensors: [] });
    const training = new TrainingRuns({
      baseDir: dataDir,
      allowedRoots: [dataDir, resolve(repoRoot, '..', 'shared', 'data')],
      registry,
    });
    closers.push(() => training.idle());
    const backtests = new BacktestRuns({
      log,
      registry,
      historyRoot: historyRoot(dataDir),
      outDir: join(dataDir, 'backtests'),
    });
    closers.push(() => backtests.idle());
    const appDeps: Partial<AppDeps> = {
      models: { registry },
      configs: {
        sensors: sensorsConfigStore(ingest.sensors, sensorsText),
        enrichment: enrichmentConfigStore(
          enrich,
          enrichText,
          typeof enrichConfig === 'string' ? dirname(enrichConfig) : dataDir,
        ),
        profiles: profilesConfigStore(
          profiler,
          configText(config.profiles ?? { builtin: ['network'] }),
          profileStore,
        ),
      },
      ingest: { sensors: ingest.sensors },
      profiles: { store: profileStore, names: () => profiler.profiler.profiles.profiles.map((p) => p.name) },
      training,
      backtests,
    };

    return {
      stages,
      simulator,
      broker: null,
      appDeps,
      async startSources() {
        await ingest.start();
        await simulator?.start();
      },
      afterStart() {
        beginTraining();
      },
      async drainSources() {
        await ingest.drain();
        await simulator?.done;
      },
      async stopSources() {
        await simulator?.stop();
        await ingest.stop();
      },
      async close() {
        for (const close of closers.reverse()) await close();
      },
      describe: () => [
        ...(simulator
          ? [
              `simulator  ${config.log.kind === 'embedded' ? 'live Zeek telemetry of a small org' : 'Zeek telemetry'} → raw.zeek`,
            ]
          : []),
        ...ingest.describe(),
        ...stages.map((s) => `stage      ${s.stage.name}: ${s.summary}`),
      ],
      accessLines: () => [],
    };
  } catch (err) {
    for (const close of closers.reverse()) await Promise.resolve(close()).catch(() => {});
    throw err;
  }
}

/** The text of one section of the service config file, for the config API's "current" view. */
function sectionText(configPath: string, section: string): string {
  const data = parseYaml(readFileSync(configPath, 'utf8')) as Record<string, unknown>;
  return configText({ [section]: data?.[section] ?? [] });
}
