// The default anomaly model for `vigil serve`: an autoencoder (or, on request, an isolation forest)
// over the built-in `network.src` feature set, trained on benign feature vectors, exported to ONNX and (when a registry is given)
// registered as the champion. Benign vectors come from the caller (e.g. the features topic of a
// replayed benign simulation) or from the seeded generator in data/network-vectors.ts.
// The autoencoder is the default because an isolation forest cannot see past the range of its
// training data: a window with 90% NXDOMAIN answers lands in the same leaf as the most extreme
// benign window, while its reconstruction error keeps growing with the distance.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { NETWORK_SOURCE_FEATURES } from '../features/schema.ts';
import type { ModelRegistry, ModelVersion } from '../models/registry.ts';
import type { ModelSignatureInput } from '../models/signature.ts';
import {
  ATTACK_SHAPES,
  attackNetworkVectors,
  benignNetworkVectors,
  type NetworkVector,
  vectorsToRows,
} from './data/network-vectors.ts';
import { fitStandardizer, standardize } from './data/standardize.ts';
import {
  atThreshold,
  auroc,
  type ScoreDistribution,
  scoreDistribution,
  thresholdForFpr,
} from './eval/metrics.ts';
import { type AutoencoderParams, trainAutoencoder } from './families/autoencoder.ts';
import { type IsolationForestParams, trainIsolationForest } from './families/isolation-forest.ts';
import { type TrainedModel, wrapDense, wrapIsolationForest } from './families/trained-model.ts';
import { matrix } from './matrix.ts';
import { onnxParity } from './onnx/parity.ts';
import { createRng, permutation } from './random.ts';
import { registryQuantiles } from './register.ts';

export const DEFAULT_MODEL_NAME = 'network-src-anomaly';

export interface DefaultModelOptions {
  /** Register the model here and make it `champion` when the name has no champion yet. */
  registry?: ModelRegistry;
  /** Benign `network.src` feature maps to learn from; synthetic ones when absent. */
  vectors?: NetworkVector[];
  /** Where `vectors` came from, recorded in the model's lineage. */
  vectorsLineage?: Record<string, unknown>;
  /** Synthetic benign windows to generate when `vectors` is absent (default 20,000). */
  syntheticRows?: number;
  seed?: number;
  name?: string;
  family?: 'autoencoder' | 'isolation-forest';
  /** Isolation forest parameters (family isolation-forest). */
  forestParams?: Partial<IsolationForestParams>;
  /** Autoencoder parameters (family autoencoder). */
  autoencoderParams?: Partial<AutoencoderParams>;
  /** Target false-positive rate on held-out benign windows for the alert threshold (default 0.001). */
  targetFpr?: number;
  /** Also write model.onnx and model.json here. */
  outDir?: string;
}

export interface DefaultModel {
  name: string;
  onnx: Uint8Array;
  signature: ModelSignatureInput;
  threshold: number;
  scoreDistribution: ScoreDistribution;
  /** Held-out benign windows vs synthetic attack windows. */
  evaluation: { auroc: number; fprAtThreshold: number; recallByShape: Record<string, number> };
  parityMaxAbsDiff: number;
  lineage: Record<string, unknown>;
  version?: ModelVersion;
}

export async function trainDefaultModel(opts: DefaultModelOptions = {}): Promise<DefaultModel> {
  const seed = opts.seed ?? 7;
  const name = opts.name ?? DEFAULT_MODEL_NAME;
  const features = NETWORK_SOURCE_FEATURES.features;
  const benign = opts.vectors ?? benignNetworkVectors(opts.syntheticRows ?? 20_000, seed);
  if (benign.length < 10) throw new Error(`need at least 10 benign feature vectors, got ${benign.length}`);

  // hold out 20% of the benign windows to set the threshold and the severity reference
  const order = permutation(benign.length, createRng(seed));
  const nCal = Math.max(1, Math.floor(benign.length * 0.2));
  const cal = Array.from(order.subarray(0, nCal), (i) => benign[i]!);
  const fit = Array.from(order.subarray(nCal), (i) => benign[i]!);
  const xFit = matrix(fit.length, features.length, vectorsToRows(fit, features));
  const family = opts.family ?? 'autoencoder';
  let model: TrainedModel;
  if (family === 'isolation-forest') {
    model = wrapIsolationForest(
      trainIsolationForest(xFit, { trees: 100, sampleSize: 256, ...opts.forestParams }, seed),
    );
  } else {
    // counts, bytes and inter-arrival statistics are heavy-tailed: log1p them before z-scoring
    const log1p = features.map((f) => !/ratio|entropy/.test(f));
    const standardizer = fitStandardizer(xFit, log1p, 10);
    const params = {
      hidden: [16, 6, 16],
      epochs: 15,
      batchSize: 128,
      learningRate: 0.002,
      ...opts.autoencoderParams,
    };
    model = wrapDense(await trainAutoencoder(standardize(standardizer, xFit), params, seed), standardizer);
  }

  const xCal = matrix(cal.length, features.length, vectorsToRows(cal, features));
  const calScores = await model.score(xCal);
  const threshold = thresholdForFpr(calScores, new Uint8Array(cal.length), opts.targetFpr ?? 0.001);

  const attacks = attackNetworkVectors(200, seed + 1);
  const xAtk = matrix(
    attacks.length,
    features.length,
    vectorsToRows(
      attacks.map((a) => a.vector),
      features,
    ),
  );
  const atkScores = await model.score(xAtk);
  const recallByShape = Object.fromEntries(
    ATTACK_SHAPES.map((shape) => {
      const idx = attacks.flatMap((a, i) => (a.shape === shape ? [i] : []));
      return [shape, idx.filter((i) => atkScores[i]! >= threshold).length / idx.length];
    }),
  );
  const allScores = [...calScores, ...atkScores];
  const allLabels = [...new Array(cal.length).fill(0), ...new Array(attacks.length).fill(1)];

  const onnx = model.toOnnx({
    metadata: {
      'vigil.model': name,
      'vigil.featureSchema': `${NETWORK_SOURCE_FEATURES.name}@${NETWORK_SOURCE_FEATURES.version}`,
    },
  });
  const parity = await onnxParity(onnx, xCal, calScores);
  const signature: ModelSignatureInput = {
    format: 'onnx',
    inputs: {
      featureSchema: { name: NETWORK_SOURCE_FEATURES.name, version: NETWORK_SOURCE_FEATURES.version },
      features: features.map((f) => ({ name: f, type: 'float32' as const })),
      tensor: 'features',
    },
    output: { kind: 'anomaly_score', tensor: 'score', higherIsAnomalous: true },
  };
  const dist = scoreDistribution(calScores);
  const lineage = {
    data: {
      source: opts.vectors
        ? 'caller-supplied benign network.src vectors'
        : 'synthetic benign network.src vectors (training/data/network-vectors.ts)',
      rows: benign.length,
      generatorSeed: opts.vectors ? undefined : seed,
      ...(opts.vectorsLineage ?? {}),
    },
    featureSchema: { name: NETWORK_SOURCE_FEATURES.name, version: NETWORK_SOURCE_FEATURES.version },
    parameters: { family, targetFpr: opts.targetFpr ?? 0.001 },
    seed,
    trainer: 'vigil/training trainDefaultModel',
  };
  const evaluation = {
    auroc: auroc(allScores, allLabels),
    fprAtThreshold: atThreshold(calScores, new Uint8Array(cal.length), threshold).fpr,
    recallByShape,
  };
  const result: DefaultModel = {
    name,
    onnx,
    signature,
    threshold,
    scoreDistribution: dist,
    evaluation,
    parityMaxAbsDiff: parity.maxAbsDiff,
    lineage,
  };

  if (opts.outDir) {
    await mkdir(opts.outDir, { recursive: true });
    await writeFile(path.join(opts.outDir, 'model.onnx'), onnx);
    const { onnx: _bytes, version: _v, ...meta } = result;
    await writeFile(
      path.join(opts.outDir, 'model.json'),
      JSON.stringify({ ...meta, standardizer: model.standardizer, state: model.state() }, null, 1),
    );
  }

  if (opts.registry) {
    const reg = opts.registry;
    await reg.registerFeatureSchema({ ...NETWORK_SOURCE_FEATURES, features: [...features] });
    const metrics = {
      auroc: evaluation.auroc,
      fpr: evaluation.fprAtThreshold,
      threshold,
      onnxMaxAbsDiff: parity.maxAbsDiff,
    };
    const version = await reg.register(name, onnx, {
      signature,
      lineage,
      metrics,
      tags: { family, default: 'true' },
      description: `Default anomaly model: ${family} over network.src features of benign traffic`,
      scoreDistribution: { quantiles: registryQuantiles(dist), count: dist.count },
      threshold: { score: threshold },
      who: 'vigil',
    });
    await reg.recordEvaluation(name, version.version, {
      metrics,
      dataset: 'synthetic benign hold-out vs synthetic attack windows',
      details: evaluation,
      who: 'vigil',
    });
    const aliases = await reg.aliases(name);
    if (aliases.champion === undefined) {
      await reg.setAlias(name, 'champion', version.version, {
        who: 'vigil',
        reason: 'default model at first start',
      });
    }
    result.version = version;
  }
  model.dispose();
  return result;
}
