// Supervised MLP classifier (binary: malicious vs benign) with TF.js. The network outputs a logit;
// the score is its sigmoid, P(malicious).
import { z } from 'zod';
import { type Matrix, matrix } from '../matrix.ts';
import { buildDenseModel, type DenseNetwork, fitDense, predictDense, toDenseNetwork } from './dense.ts';

export const MlpParamsSchema = z.object({
  hidden: z.array(z.number().int().positive()).default([64, 32]),
  epochs: z.number().int().positive().default(10),
  batchSize: z.number().int().positive().default(256),
  learningRate: z.number().positive().default(0.001),
  /** Loss weight of positive rows; 'balanced' = negatives / positives in the training rows. */
  positiveWeight: z.union([z.number().positive(), z.literal('balanced')]).default(1),
});
export type MlpParams = z.output<typeof MlpParamsSchema>;

export interface MlpModel {
  family: 'mlp';
  network: DenseNetwork;
  /** Scores P(malicious) for standardized rows with TF.js. */
  predict(x: Matrix): Promise<Float32Array>;
  dispose(): void;
}

export async function trainMlp(
  x: Matrix,
  labels: Uint8Array,
  params: MlpParams,
  seed: number,
  onEpoch?: (epoch: number, loss: number) => void,
): Promise<MlpModel> {
  const layers = [
    ...params.hidden.map((units) => ({ units, activation: 'relu' as const })),
    { units: 1, activation: 'linear' as const },
  ];
  const model = await buildDenseModel(x.cols, layers, seed);
  const y = matrix(labels.length, 1, Float32Array.from(labels));
  let pos = 0;
  for (const l of labels) pos += l;
  const positiveWeight =
    params.positiveWeight === 'balanced' ? (labels.length - pos) / Math.max(1, pos) : params.positiveWeight;
  await fitDense(model, x, y, {
    epochs: params.epochs,
    batchSize: params.batchSize,
    learningRate: params.learningRate,
    seed: seed ^ 0x5bd1e995,
    loss: 'sigmoidCrossEntropy',
    positiveWeight,
    onEpoch,
  });
  const network = toDenseNetwork(model);
  return {
    family: 'mlp',
    network,
    async predict(input) {
      const logits = await predictDense(model, input);
      return logits.data.map((z) => 1 / (1 + Math.exp(-z)));
    },
    dispose: () => model.dispose(),
  };
}
