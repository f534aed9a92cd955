// Dense network → ONNX with the preprocessing baked in, so the model reads raw feature vectors:
// log1p on the flagged columns, (x - mean) / std, optional clip, then MatMul/Add/activation per
// layer. Classifiers end in Sigmoid (P(malicious)); autoencoders end in the per-row mean squared
// reconstruction error.

import type { Standardizer } from '../data/standardize.ts';
import type { DenseNetwork } from '../families/dense.ts';
import { OnnxGraphBuilder } from './builder.ts';
import type { ExportOptions } from './export-trees.ts';

export function exportDenseNetwork(
  net: DenseNetwork,
  standardizer: Standardizer,
  kind: 'classifier' | 'autoencoder',
  opts: ExportOptions = {},
): Uint8Array {
  const inputName = opts.inputName ?? 'features';
  const outputName = opts.outputName ?? 'score';
  const dim = standardizer.mean.length;
  const b = new OnnxGraphBuilder(`vigil_${kind}`);
  b.input(inputName, ['N', dim]);
  let x = inputName;
  if (standardizer.log1p.some(Boolean)) {
    // log(1 + relu(x)) where the mask is set, x elsewhere (Where keeps large x exact)
    const mask = b.bools('log1p_mask', standardizer.log1p, [dim]);
    const one = b.floats('one', [1], [1]);
    const logged = b.node('Log', [b.node('Add', [b.node('Relu', [x]), one])]);
    x = b.node('Where', [mask, logged, x]);
  }
  x = b.node('Div', [
    b.node('Sub', [x, b.floats('mean', standardizer.mean, [dim])]),
    b.floats('std', standardizer.std, [dim]),
  ]);
  if (standardizer.clip !== undefined) {
    const c = standardizer.clip;
    x = b.node('Clip', [x, b.floats('clip_min', [-c], []), b.floats('clip_max', [c], [])]);
  }
  const standardized = x;
  net.layers.forEach((layer, i) => {
    x = b.node('MatMul', [x, b.floats(`W${i}`, layer.kernel, [layer.inputs, layer.units])]);
    x = b.node('Add', [x, b.floats(`b${i}`, layer.bias, [layer.units])]);
    if (layer.activation === 'relu') x = b.node('Relu', [x]);
    else if (layer.activation === 'sigmoid') x = b.node('Sigmoid', [x]);
    else if (layer.activation === 'tanh') x = b.node('Tanh', [x]);
  });
  if (kind === 'classifier') {
    const flat = b.int64s('flat_shape', [-1], [1]);
    b.node('Reshape', [b.node('Sigmoid', [x]), flat], { outputs: [outputName] });
  } else {
    const diff = b.node('Sub', [x, standardized]);
    const mse = b.node('ReduceMean', [b.node('Mul', [diff, diff])], {
      attrs: { axes: { ints: [1] }, keepdims: { int: 0 } },
    });
    b.node('Identity', [mse], { outputs: [outputName] });
  }
  b.output(outputName, ['N']);
  return b.toBytes({
    doc:
      kind === 'classifier'
        ? 'Vigil MLP classifier: P(malicious) from raw features (standardization baked in)'
        : 'Vigil autoencoder: reconstruction MSE from raw features (standardization baked in)',
    metadata: { 'vigil.family': kind === 'classifier' ? 'mlp' : 'autoencoder', ...opts.metadata },
  });
}
