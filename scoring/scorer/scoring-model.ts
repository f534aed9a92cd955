// A registered model version made ready to score: its runtime, its severity scale and alert threshold,
// and per-feature baselines for explanations. Loading checks the artifact's sha256 and the size limit.
import type { ModelRegistry, ModelVersion } from '../../models/registry.ts';
import { loadRuntime, type ModelRuntime } from '../../models/runtime.ts';
import { type SeverityScale, severityScale, severityThreshold } from './severity.ts';

export interface ScoringModel {
  readonly version: ModelVersion;
  readonly runtime: ModelRuntime;
  readonly severity: SeverityScale;
  /** Severity at or over which a score becomes an alert. */
  readonly threshold: number;
  /** Per-feature reference value (training mean, else 0) substituted to measure a feature's effect. */
  readonly baseline: Float32Array;
  /** Training mean/std per feature, when the version recorded them. */
  readonly stats: { mean: Float32Array; std: Float32Array } | null;
}

export interface ScoringModelOptions {
  maxBytes?: number;
  threads?: number;
  /** Severity threshold for versions that record none. */
  defaultThreshold?: number;
}

export async function loadScoringModel(
  registry: ModelRegistry,
  version: ModelVersion,
  options: ScoringModelOptions = {},
): Promise<ScoringModel> {
  const bytes = await registry.readArtifact(version);
  const runtime = await loadRuntime(bytes, version.signature, {
    maxBytes: options.maxBytes ?? registry.maxArtifactBytes,
    threads: options.threads,
  });
  return prepareScoringModel(version, runtime, options);
}

export function prepareScoringModel(
  version: ModelVersion,
  runtime: ModelRuntime,
  options: ScoringModelOptions = {},
): ScoringModel {
  const names = version.signature.inputs.features.map((f) => f.name);
  const fs = version.featureStats;
  const stats =
    fs && names.every((n) => fs[n])
      ? {
          mean: Float32Array.from(names, (n) => fs[n]?.mean ?? 0),
          std: Float32Array.from(names, (n) => fs[n]?.std ?? 0),
        }
      : null;
  const severity = severityScale(version.scoreDistribution);
  return {
    version,
    runtime,
    severity,
    threshold: severityThreshold(version.threshold, severity, options.defaultThreshold),
    baseline: stats ? stats.mean : new Float32Array(names.length),
    stats,
  };
}
