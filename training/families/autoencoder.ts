// Autoencoder anomaly detector with TF.js: trained to reconstruct (standardized) benign rows; the
// anomaly score is the mean squared reconstruction error per row.
import { z } from 'zod';
import type { Matrix } from '../matrix.ts';
import { buildDenseModel, type DenseNetwork, fitDense, predictDense, toDenseNetwork } from './dense.ts';

export const AutoencoderParamsSchema = z.object({
  /** Encoder and decoder widths; the output layer (linear, input width) is added. */
  hidden: z.array(z.number().int().positive()).default([32, 8, 32]),
  epochs: z.number().int().positive().default(10),
  batchSize: z.number().int().positive().default(256),
  learningRate: z.number().positive().default(0.001),
});
export type AutoencoderParams = z.output<typeof AutoencoderParamsSchema>;

export interface AutoencoderModel {
  family: 'autoencoder';
  network: DenseNetwork;
  /** Reconstruction MSE per standardized row, computed with TF.js. */
  predict(x: Matrix): Promise<Float32Array>;
  dispose(): void;
}

export async function trainAutoencoder(
  x: Matrix,
  params: AutoencoderParams,
  seed: number,
  onEpoch?: (epoch: number, loss: number) => void,
): Promise<AutoencoderModel> {
  const layers = [
    ...params.hidden.map((units) => ({ units, activation: 'relu' as const })),
    { units: x.cols, activation: 'linear' as const },
  ];
  const model = await buildDenseModel(x.cols, layers, seed);
  await fitDense(model, x, x, {
    epochs: params.epochs,
    batchSize: params.batchSize,
    learningRate: params.learningRate,
    seed: seed ^ 0x5bd1e995,
    loss: 'meanSquaredError',
    onEpoch,
  });
  return {
    family: 'autoencoder',
    network: toDenseNetwork(model),
    async predict(input) {
      const recon = await predictDense(model, input);
      const out = new Float32Array(input.rows);
      for (let i = 0; i < input.rows; i++) {
        let s = 0;
        for (let j = 0; j < input.cols; j++) {
          const d = recon.data[i * input.cols + j]! - input.data[i * input.cols + j]!;
          s += d * d;
        }
        out[i] = s / input.cols;
      }
      return out;
    },
    dispose: () => model.dispose(),
  };
}
