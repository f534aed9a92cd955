// Registers a training result in the model registry: the feature schema its inputs form, the ONNX
// artifact with its signature, lineage, threshold and score distribution, then its evaluation.
import type { ModelRegistry, ModelVersion } from '../models/registry.ts';
import type { ScoreDistribution } from './eval/metrics.ts';
import { flatMetrics, type TrainingResult } from './train.ts';

/** The registry's quantile form of a score distribution (non-decreasing, strictly increasing q). */
export function registryQuantiles(dist: ScoreDistribution): { q: number; value: number }[] {
  const out: { q: number; value: number }[] = [];
  dist.percentiles.forEach((value, i) => {
    const prev = out[out.length - 1];
    out.push({ q: i / 100, value: prev && value < prev.value ? prev.value : value });
  });
  return out;
}

export async function registerTrainingResult(
  registry: ModelRegistry,
  r: TrainingResult,
  opts: { name?: string; alias?: string; who?: string } = {},
): Promise<ModelVersion> {
  const schema = r.spec.featureSchema ?? { name: r.spec.name, version: 1 };
  await registry.registerFeatureSchema({ ...schema, features: r.encoding.featureNames });
  const metrics = flatMetrics(r);
  const version = await registry.register(opts.name ?? r.spec.name, r.onnx, {
    signature: {
      format: 'onnx',
      inputs: {
        featureSchema: schema,
        features: r.encoding.featureNames.map((name) => ({ name, type: 'float32' as const })),
        tensor: 'features',
      },
      output: { kind: 'anomaly_score', tensor: 'score', higherIsAnomalous: true },
    },
    lineage: { ...r.lineage, featureSchema: schema, seed: r.spec.seed },
    metrics,
    tags: { family: r.model.family },
    description: r.spec.description,
    scoreDistribution: {
      quantiles: registryQuantiles(r.scoreDistribution),
      count: r.scoreDistribution.count,
    },
    threshold: { score: r.threshold.value },
    featureStats: r.model.standardizer
      ? Object.fromEntries(
          r.encoding.featureNames.map((n, i) => [
            n,
            { mean: r.model.standardizer!.mean[i]!, std: r.model.standardizer!.std[i]! },
          ]),
        )
      : undefined,
    who: opts.who ?? 'vigil train',
  });
  if (r.evaluation) {
    await registry.recordEvaluation(version.name, version.version, {
      metrics,
      kind: 'evaluation',
      dataset: r.lineage.data ? JSON.stringify(r.lineage.data) : undefined,
      details: { ...r.evaluation, threshold: r.threshold, parity: r.parity },
      who: opts.who ?? 'vigil train',
    });
  }
  if (opts.alias) {
    await registry.setAlias(version.name, opts.alias, version.version, {
      who: opts.who ?? 'vigil train',
      reason: 'trained',
    });
  }
  return version;
}
