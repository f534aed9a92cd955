// The enrichment + triage config (one YAML/JSON document, validated with zod through parseConfig):
// shared resources (geo, assets, intel, Sigma rules), defaults for every sensor, per-sensor
// overrides, and alerting. Example: scoring/triage/default-config.yaml.
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import {
  assetResourceSchema,
  geoResourceSchema,
  intelResourceSchema,
  sensorEnrichmentSchema,
} from '../../ingest/enrich/config.ts';
import { loadConfigFile, parseConfig } from '../../kernel/config.ts';
import { SIGMA_LEVELS } from '../sigma/load.ts';

export const AGGREGATORS = ['MAX', 'MIN', 'SUM', 'MEAN', 'POSITIVE_MEAN'] as const;
export type Aggregator = (typeof AGGREGATORS)[number];

export const triageRuleSchema = z.strictObject({
  name: z.string().min(1),
  comment: z.string().optional(),
  /** CEL predicate over the enriched event. */
  rule: z.string().min(1),
  /** A number, or a CEL expression giving one. Negative scores allow-list (see allowListWins). */
  score: z.union([z.number(), z.string().min(1)]),
  /** CEL expression giving a string, e.g. `"SSH from " + source.ip`. Defaults to the rule's name. */
  reason: z.string().optional(),
});
export type TriageRuleConfig = z.output<typeof triageRuleSchema>;

export const sensorTriageSchema = z.strictObject({
  aggregator: z.enum(AGGREGATORS).optional(),
  /** A matched rule with a negative score sets the event's score to that (most negative) score. */
  allowListWins: z.boolean().optional(),
  /** Events scoring at or over this become alerts. */
  threshold: z.number().optional(),
  rules: z.array(triageRuleSchema).optional(),
  /** Whether the Sigma rules apply to this sensor's events. */
  sigma: z.boolean().optional(),
});
export type SensorTriage = z.output<typeof sensorTriageSchema>;

export const sensorProfileSchema = z.strictObject({
  enrich: sensorEnrichmentSchema.optional(),
  triage: sensorTriageSchema.optional(),
});

export const sigmaConfigSchema = z.strictObject({
  enabled: z.boolean().default(true),
  /** Rule files or folders (relative to the config file). Default: the rules Vigil ships. */
  paths: z.array(z.string()).optional(),
  /** Sigma field → Vigil dotted path, over the built-in mapping. */
  fieldMapping: z.record(z.string(), z.string()).default({}),
  levelScores: z.partialRecord(z.enum(SIGMA_LEVELS), z.number()).default({}),
  /** `reject`: a rule Vigil can't honour rejects the config; `skip`: it is reported and left out. */
  onUnsupported: z.enum(['reject', 'skip']).default('skip'),
});

export const alertsConfigSchema = z.strictObject({
  topic: z.string().default('alerts'),
  /** Repeats with the same dedup key within this much event time become one alert. 0 disables. */
  dedupWindowMs: z.number().int().min(0).default(600_000),
  /** CEL string expression; default: the matched rule names with source and destination IPs. */
  dedupKey: z.string().optional(),
  /** Dedup keys remembered at most (oldest dropped first). */
  maxKeys: z.number().int().positive().default(100_000),
});

export const enrichConfigSchema = z.strictObject({
  geo: geoResourceSchema.optional(),
  assets: assetResourceSchema.optional(),
  intel: intelResourceSchema.optional(),
  sigma: sigmaConfigSchema.prefault({}),
  defaults: sensorProfileSchema.prefault({}),
  sensors: z.record(z.string(), sensorProfileSchema).default({}),
  alerts: alertsConfigSchema.prefault({}),
});
export type EnrichConfig = z.output<typeof enrichConfigSchema>;

/** A validated config with the folder its relative paths resolve against. */
export interface LoadedEnrichConfig {
  config: EnrichConfig;
  baseDir: string;
  source: string;
}

export function parseEnrichConfig(
  text: string,
  source = '<config>',
  baseDir = process.cwd(),
): LoadedEnrichConfig {
  return { config: parseConfig(text, enrichConfigSchema, source), baseDir, source };
}

export function loadEnrichConfigFile(path: string): LoadedEnrichConfig {
  return { config: loadConfigFile(path, enrichConfigSchema), baseDir: dirname(resolve(path)), source: path };
}

/** Validates an already-parsed object (e.g. the `enrichment` section of the service config). */
export function enrichConfigFromData(
  data: unknown,
  baseDir = process.cwd(),
  source = '<config>',
): LoadedEnrichConfig {
  const result = enrichConfigSchema.safeParse(data ?? {});
  if (!result.success) {
    const lines = result.error.issues.map((i) => `${source}: ${i.path.join('.')}: ${i.message}`);
    throw new Error(lines.join('\n'));
  }
  return { config: result.data, baseDir, source };
}

const here = dirname(fileURLToPath(import.meta.url));
/** The Sigma rules Vigil ships. */
export const DEFAULT_SIGMA_RULES_DIR = resolve(here, '../sigma/rules');
/** The built-in enrichment + triage config (geo, DGA features, default rules, shipped Sigma rules). */
export const DEFAULT_ENRICH_CONFIG_PATH = resolve(here, 'default-config.yaml');
