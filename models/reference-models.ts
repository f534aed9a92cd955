// Small real models with known weights, built in each format: the conformance suite checks every
// runtime against the same arithmetic, and the scoring benchmark uses the MLP.
//   anomaly:    score = sigmoid(x·w + b)
//   classifier: p = softmax(x·W + b) over classes
import * as tf from '@tensorflow/tfjs';
import { encodeOnnxModel } from './onnx-proto.ts';
import { ensureTfjsBackend, packLayersModel, packTfjsArtifact } from './tfjs-runtime.ts';

export function referenceAnomaly(w: number[], b: number, row: ArrayLike<number>): number {
  let z = b;
  for (let i = 0; i < w.length; i++) z += (w[i] as number) * (row[i] as number);
  return 1 / (1 + Math.exp(-z));
}

export function referenceClassifier(W: number[][], b: number[], row: ArrayLike<number>): number[] {
  const z = b.map((bc, c) => W.reduce((s, wr, i) => s + (wr[c] as number) * (row[i] as number), bc));
  const m = Math.max(...z);
  const e = z.map((v) => Math.exp(v - m));
  const sum = e.reduce((a, v) => a + v, 0);
  return e.map((v) => v / sum);
}

// ---- ONNX ----

export function onnxAnomaly(w: number[], b: number): Uint8Array {
  return encodeOnnxModel({
    inputs: [{ name: 'features', shape: ['batch', w.length] }],
    outputs: [{ name: 'score', shape: ['batch', 1] }],
    nodes: [
      { opType: 'MatMul', inputs: ['features', 'W'], outputs: ['z0'] },
      { opType: 'Add', inputs: ['z0', 'b'], outputs: ['z'] },
      { opType: 'Sigmoid', inputs: ['z'], outputs: ['score'] },
    ],
    initializers: [
      { name: 'W', dims: [w.length, 1], values: w },
      { name: 'b', dims: [1], values: [b] },
    ],
  });
}

export function onnxClassifier(W: number[][], b: number[]): Uint8Array {
  return encodeOnnxModel({
    inputs: [{ name: 'features', shape: ['batch', W.length] }],
    outputs: [{ name: 'probabilities', shape: ['batch', b.length] }],
    nodes: [
      { opType: 'MatMul', inputs: ['features', 'W'], outputs: ['z0'] },
      { opType: 'Add', inputs: ['z0', 'b'], outputs: ['z'] },
      { opType: 'Softmax', inputs: ['z'], outputs: ['probabilities'], attributes: [{ name: 'axis', i: 1 }] },
    ],
    initializers: [
      { name: 'W', dims: [W.length, b.length], values: W.flat() },
      { name: 'b', dims: [b.length], values: b },
    ],
  });
}

/** A seeded MLP (width → hidden → hidden → 1, ReLU, sigmoid): a realistic size for benchmarks. */
export function onnxMlp(width: number, hidden: number, seed = 1): Uint8Array {
  let s = seed >>> 0;
  const rand = () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return (s / 2 ** 32 - 0.5) * 0.2;
  };
  const mat = (r: number, c: number) => Array.from({ length: r * c }, rand);
  return encodeOnnxModel({
    inputs: [{ name: 'features', shape: ['batch', width] }],
    outputs: [{ name: 'score', shape: ['batch', 1] }],
    nodes: [
      { opType: 'Gemm', inputs: ['features', 'W1', 'b1'], outputs: ['h1'] },
      { opType: 'Relu', inputs: ['h1'], outputs: ['a1'] },
      { opType: 'Gemm', inputs: ['a1', 'W2', 'b2'], outputs: ['h2'] },
      { opType: 'Relu', inputs: ['h2'], outputs: ['a2'] },
      { opType: 'Gemm', inputs: ['a2', 'W3', 'b3'], outputs: ['z'] },
      { opType: 'Sigmoid', inputs: ['z'], outputs: ['score'] },
    ],
    initializers: [
      { name: 'W1', dims: [width, hidden], values: mat(width, hidden) },
      { name: 'b1', dims: [hidden], values: mat(1, hidden) },
      { name: 'W2', dims: [hidden, hidden], values: mat(hidden, hidden) },
      { name: 'b2', dims: [hidden], values: mat(1, hidden) },
      { name: 'W3', dims: [hidden, 1], values: mat(hidden, 1) },
      { name: 'b3', dims: [1], values: [0] },
    ],
  });
}

// ---- TF.js LayersModel ----

export async function layersAnomaly(w: number[], b: number): Promise<Uint8Array> {
  await ensureTfjsBackend();
  const model = tf.sequential({
    layers: [tf.layers.dense({ units: 1, inputShape: [w.length], activation: 'sigmoid' })],
  });
  model.setWeights([tf.tensor2d(w, [w.length, 1]), tf.tensor1d([b])]);
  const bytes = await packLayersModel(model);
  model.dispose();
  return bytes;
}

export async function layersClassifier(W: number[][], b: number[]): Promise<Uint8Array> {
  await ensureTfjsBackend();
  const model = tf.sequential({
    layers: [tf.layers.dense({ units: b.length, inputShape: [W.length], activation: 'softmax' })],
  });
  model.setWeights([tf.tensor2d(W.flat(), [W.length, b.length]), tf.tensor1d(b)]);
  const bytes = await packLayersModel(model);
  model.dispose();
  return bytes;
}

// ---- TF.js GraphModel (a TensorFlow GraphDef in the converter's JSON form) ----

const float = { type: 'DT_FLOAT' };
const dims = (d: number[]) => ({ dim: d.map((size) => ({ size: String(size) })) });

function graphModel(
  width: number,
  W: number[],
  wShape: number[],
  b: number[],
  activation: 'Sigmoid' | 'Softmax',
): Uint8Array {
  const topology = {
    node: [
      { name: 'features', op: 'Placeholder', attr: { dtype: float, shape: { shape: dims([-1, width]) } } },
      {
        name: 'W',
        op: 'Const',
        attr: { dtype: float, value: { tensor: { dtype: 'DT_FLOAT', tensorShape: dims(wShape) } } },
      },
      {
        name: 'b',
        op: 'Const',
        attr: { dtype: float, value: { tensor: { dtype: 'DT_FLOAT', tensorShape: dims([b.length]) } } },
      },
      {
        name: 'matmul',
        op: 'MatMul',
        input: ['features', 'W'],
        attr: { T: float, transpose_a: { b: false }, transpose_b: { b: false } },
      },
      {
        name: 'logits',
        op: 'BiasAdd',
        input: ['matmul', 'b'],
        attr: { T: float, data_format: { s: btoa('NHWC') } },
      },
      { name: 'output', op: activation, input: ['logits'], attr: { T: float } },
    ],
    library: {},
    versions: { producer: 1286 },
  };
  const weights = new Float32Array([...W, ...b]);
  return packTfjsArtifact({
    format: 'graph-model',
    modelTopology: topology,
    weightSpecs: [
      { name: 'W', shape: wShape, dtype: 'float32' },
      { name: 'b', shape: [b.length], dtype: 'float32' },
    ],
    weightData: weights.buffer,
  });
}

export function graphAnomaly(w: number[], b: number): Uint8Array {
  return graphModel(w.length, w, [w.length, 1], [b], 'Sigmoid');
}

export function graphClassifier(W: number[][], b: number[]): Uint8Array {
  return graphModel(W.length, W.flat(), [W.length, b.length], b, 'Softmax');
}
