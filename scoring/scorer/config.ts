// The scorer's configuration (the `scoring` section of the Vigil config), validated with zod so a bad
// value is rejected with its file, line and field (kernel/config.ts).
import { z } from 'zod';
import type { RunnerOptions } from '../../ingest/pipeline/runner.ts';
import { parseConfig } from '../../kernel/config.ts';
import type { ModelRegistry } from '../../models/registry.ts';
import { createScorerStage, type ScorerStage } from './stage.ts';

export const ScorerConfigSchema = z
  .object({
    /** NAME, NAME@ALIAS or NAME:VERSION; bare NAME follows @champion. */
    model: z.string().min(1),
    /** Challenger reference scored into the shadow topic. */
    shadow: z.string().min(1).optional(),
    input: z.string().default('features'),
    scoresTopic: z.string().default('scores'),
    alertsTopic: z.string().default('alerts'),
    shadowTopic: z.string().default('scores.shadow'),
    batchSize: z.number().int().positive().max(65_536).default(256),
    maxWaitMs: z.number().int().nonnegative().default(0),
    pollMs: z.number().int().positive().default(2000),
    explain: z.enum(['alerts', 'all']).default('alerts'),
    topK: z.number().int().nonnegative().max(64).default(3),
    defaultThreshold: z.number().min(0).max(100).default(99),
    maxModelBytes: z.number().int().positive().optional(),
    threads: z.number().int().positive().max(64).default(1),
  })
  .strict();
export type ScorerConfig = z.output<typeof ScorerConfigSchema>;

/** Validates an already-parsed config section (e.g. `config.scoring`). */
export function scorerConfig(section: unknown, source = 'scoring'): ScorerConfig {
  return parseConfig(JSON.stringify(section ?? {}), ScorerConfigSchema, source);
}

/** The scorer stage as `vigil serve` runs it: the stage, runner options that fit it, a banner line. */
export function createConfiguredScorer(
  registry: ModelRegistry,
  section: unknown,
): { stage: ScorerStage; options: RunnerOptions; summary: string } {
  const config = scorerConfig(section);
  const stage = createScorerStage({ registry, ...config });
  // Held records must flush within maxWaitMs even when input stops: the runner's idle tick does it.
  const options: RunnerOptions = config.maxWaitMs > 0 ? { idleMs: Math.max(1, config.maxWaitMs) } : {};
  const shadow = config.shadow ? `, shadow ${config.shadow} → ${config.shadowTopic}` : '';
  return {
    stage,
    options,
    summary: `${config.input} → ${config.scoresTopic}, ${config.alertsTopic} with ${config.model}${shadow}`,
  };
}
