// Dense networks trained with TF.js: shared by the MLP classifier and the autoencoder. Training is
// deterministic for a seed: initializers are seeded, batches are shuffled by our own seeded RNG (fit's
// shuffle uses Math.random), and no dropout is used. The trained weights are copied out into a plain
// `DenseNetwork` that the ONNX exporter writes and the artifact stores.
import type * as tfTypes from '@tensorflow/tfjs';
import { z } from 'zod';
import { type Matrix, matrix } from '../matrix.ts';
import { createRng, permutation } from '../random.ts';
import { loadTf } from './tf.ts';

export const Activation = z.enum(['relu', 'sigmoid', 'tanh', 'linear']);
export type Activation = z.infer<typeof Activation>;

export interface DenseLayer {
  /** Row-major [inputs, units], as TF.js stores a Dense kernel. */
  kernel: number[];
  bias: number[];
  inputs: number;
  units: number;
  activation: Activation;
}

export interface DenseNetwork {
  layers: DenseLayer[];
}

export interface FitOptions {
  epochs: number;
  batchSize: number;
  learningRate: number;
  seed: number;
  /** sigmoidCrossEntropy treats the network's (linear) output as logits. */
  loss: 'sigmoidCrossEntropy' | 'meanSquaredError';
  /** Weight of positive rows in the loss (class imbalance); 1 = unweighted. */
  positiveWeight?: number;
  onEpoch?: (epoch: number, loss: number) => void;
}

export async function buildDenseModel(
  inputDim: number,
  layers: { units: number; activation: Activation }[],
  seed: number,
): Promise<tfTypes.Sequential> {
  const tf = await loadTf();
  const rng = createRng(seed);
  const model = tf.sequential();
  layers.forEach((l, i) => {
    model.add(
      tf.layers.dense({
        units: l.units,
        activation: l.activation,
        inputShape: i === 0 ? [inputDim] : undefined,
        kernelInitializer: tf.initializers.glorotUniform({ seed: rng.seed() }),
        biasInitializer: 'zeros',
      }),
    );
  });
  return model;
}

/** Mini-batch Adam over rows shuffled by a seeded permutation each epoch. */
export async function fitDense(
  model: tfTypes.Sequential,
  x: Matrix,
  y: Matrix,
  opts: FitOptions,
): Promise<number[]> {
  const tf = await loadTf();
  const rng = createRng(opts.seed);
  const optimizer = tf.train.adam(opts.learningRate);
  const losses: number[] = [];
  const pw = opts.positiveWeight ?? 1;
  for (let epoch = 0; epoch < opts.epochs; epoch++) {
    const order = permutation(x.rows, rng);
    let total = 0;
    for (let start = 0; start < x.rows; start += opts.batchSize) {
      const idx = order.subarray(start, Math.min(x.rows, start + opts.batchSize));
      const bx = new Float32Array(idx.length * x.cols);
      const by = new Float32Array(idx.length * y.cols);
      for (let k = 0; k < idx.length; k++) {
        bx.set(x.data.subarray(idx[k]! * x.cols, (idx[k]! + 1) * x.cols), k * x.cols);
        by.set(y.data.subarray(idx[k]! * y.cols, (idx[k]! + 1) * y.cols), k * y.cols);
      }
      const loss = tf.tidy(() => {
        const xt = tf.tensor2d(bx, [idx.length, x.cols]);
        const yt = tf.tensor2d(by, [idx.length, y.cols]);
        const cost = optimizer.minimize(() => {
          const pred = model.apply(xt) as tfTypes.Tensor2D;
          if (opts.loss === 'meanSquaredError') return tf.losses.meanSquaredError(yt, pred) as tfTypes.Scalar;
          const weights = pw === 1 ? undefined : yt.mul(pw - 1).add(1);
          return tf.losses.sigmoidCrossEntropy(yt, pred, weights) as tfTypes.Scalar;
        }, true);
        return cost!.dataSync()[0]!;
      });
      total += loss * idx.length;
    }
    losses.push(total / x.rows);
    opts.onEpoch?.(epoch, total / x.rows);
  }
  optimizer.dispose();
  return losses;
}

/** Forward pass through TF.js in chunks (the reference the ONNX export is checked against). */
export async function predictDense(model: tfTypes.Sequential, x: Matrix, chunk = 8192): Promise<Matrix> {
  const tf = await loadTf();
  const outDim = (model.outputs[0]!.shape[1] as number) ?? 1;
  const out = new Float32Array(x.rows * outDim);
  for (let start = 0; start < x.rows; start += chunk) {
    const n = Math.min(chunk, x.rows - start);
    const values = tf.tidy(() => {
      const xt = tf.tensor2d(x.data.subarray(start * x.cols, (start + n) * x.cols), [n, x.cols]);
      return (model.predict(xt) as tfTypes.Tensor).dataSync() as Float32Array;
    });
    out.set(values, start * outDim);
  }
  return matrix(x.rows, outDim, out);
}

/** Copies the weights out of a TF.js model. */
export function toDenseNetwork(model: tfTypes.Sequential): DenseNetwork {
  return {
    layers: model.layers.map((layer) => {
      const [kernel, bias] = layer.getWeights();
      const [inputs, units] = kernel!.shape as [number, number];
      const config = layer.getConfig() as { activation?: string };
      return {
        kernel: Array.from(kernel!.dataSync()),
        bias: Array.from(bias!.dataSync()),
        inputs,
        units,
        activation: Activation.parse(config.activation ?? 'linear'),
      };
    }),
  };
}
