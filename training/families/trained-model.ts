// A trained model of any family behind one shape: reference scores from raw encoded rows (TS or
// TF.js), the ONNX export, and a JSON-serializable state for the artifact.
import { type Standardizer, standardize } from '../data/standardize.ts';
import type { Matrix } from '../matrix.ts';
import { exportDenseNetwork } from '../onnx/export-dense.ts';
import { type ExportOptions, exportGradientBoosting, exportIsolationForest } from '../onnx/export-trees.ts';
import type { AutoencoderModel } from './autoencoder.ts';
import type { DenseNetwork } from './dense.ts';
import { type GradientBoostingModel, scoreGradientBoosting } from './gradient-boosting.ts';
import { type IsolationForestModel, scoreIsolationForest } from './isolation-forest.ts';
import type { MlpModel } from './mlp.ts';

export type Family = 'isolation-forest' | 'autoencoder' | 'mlp' | 'gradient-boosting';

export interface TrainedModel {
  family: Family;
  standardizer?: Standardizer;
  /** Reference scores (higher = more suspicious) for raw, encoded rows. */
  score(raw: Matrix): Promise<Float64Array>;
  toOnnx(opts?: ExportOptions): Uint8Array;
  /** JSON-serializable parameters (trees or network weights). */
  state(): {
    trees?: IsolationForestModel['trees'] | GradientBoostingModel['trees'];
    sampleSize?: number;
    base?: number;
    network?: DenseNetwork;
  };
  dispose(): void;
}

export function wrapIsolationForest(model: IsolationForestModel): TrainedModel {
  return {
    family: 'isolation-forest',
    score: async (raw) => scoreIsolationForest(model, raw),
    toOnnx: (opts) => exportIsolationForest(model, opts),
    state: () => ({ trees: model.trees, sampleSize: model.sampleSize }),
    dispose: () => {},
  };
}

export function wrapGradientBoosting(model: GradientBoostingModel): TrainedModel {
  return {
    family: 'gradient-boosting',
    score: async (raw) => scoreGradientBoosting(model, raw),
    toOnnx: (opts) => exportGradientBoosting(model, opts),
    state: () => ({ trees: model.trees, base: model.base }),
    dispose: () => {},
  };
}

export function wrapDense(model: MlpModel | AutoencoderModel, standardizer: Standardizer): TrainedModel {
  const kind = model.family === 'mlp' ? 'classifier' : 'autoencoder';
  return {
    family: model.family,
    standardizer,
    score: async (raw) => Float64Array.from(await model.predict(standardize(standardizer, raw))),
    toOnnx: (opts) => exportDenseNetwork(model.network, standardizer, kind, opts),
    state: () => ({ network: model.network }),
    dispose: () => model.dispose(),
  };
}
