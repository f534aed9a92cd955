// Wires the stages of `vigil serve` from config, in flow order: sources → parse → enrich/triage →
// profiles/features → scoring. Each stage module owns its config schema; this file only connects.
import type { EventLog } from '../ingest/log/types.ts';
import type { RunnerOptions } from '../ingest/pipeline/runner.ts';
import type { Stage } from '../ingest/pipeline/stage.ts';
import type { AppDeps } from './app.ts';
import type { ServiceConfig } from './config.ts';

export interface PipelineStage {
  stage: Stage;
  options?: RunnerOptions;
  /** One line for the banner: what it reads and writes. */
  summary: string;
}

export interface Pipeline {
  stages: PipelineStage[];
  broker: { host: string; port: number } | null;
  appDeps: Partial<AppDeps>;
  startSources(): Promise<void>;
  /** Bounded runs: let finite sources (files, a simulated span) finish. */
  drainSources(): Promise<void>;
  stopSources(): Promise<void>;
  close(): Promise<void>;
  describe(): string[];
  accessLines(url: string): string[];
}

export interface PipelineContext {
  config: ServiceConfig;
  dataDir: string;
  log: EventLog;
}

export async function buildPipeline(ctx: PipelineContext): Promise<Pipeline> {
  const stages: PipelineStage[] = [];
  void ctx;
  return {
    stages,
    broker: null,
    appDeps: {},
    async startSources() {},
    async drainSources() {},
    async stopSources() {},
    async close() {},
    describe: () => stages.map((s) => `stage      ${s.stage.name}: ${s.summary}`),
    accessLines: () => [],
  };
}
