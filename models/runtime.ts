// One interface over every model runtime: load an artifact (bytes or a path), expose the signature,
// score a batch of feature rows. ONNX (onnxruntime-node) and TF.js (layers and graph models) implement
// it and pass the same conformance suite (runtime-conformance.ts).
import { readFile, stat } from 'node:fs/promises';
import type { ModelFormat, ModelSignature } from './signature.ts';

export const DEFAULT_MAX_MODEL_BYTES = 256 * 1024 * 1024;

export class ModelRuntimeError extends Error {
  constructor(
    message: string,
    readonly code: 'TOO_LARGE' | 'CORRUPT' | 'SIGNATURE_MISMATCH' | 'BAD_INPUT' | 'UNSUPPORTED' | 'DISPOSED',
  ) {
    super(message);
    this.name = 'ModelRuntimeError';
  }
}

export interface ModelRuntime {
  readonly format: ModelFormat;
  readonly signature: ModelSignature;
  /** Features per row (the signature's input count). */
  readonly width: number;
  /**
   * Scores `rows.length / width` rows laid out row-major. Returns one score per row, oriented so that
   * higher means more suspicious: the anomaly score, or the malicious class's probability.
   */
  score(rows: Float32Array): Promise<Float32Array>;
  dispose(): Promise<void>;
}

export interface LoadOptions {
  /** Refuse artifacts over this many bytes (default 256 MiB). */
  maxBytes?: number;
  /** Threads per ONNX session (default 1: the machine is shared). */
  threads?: number;
}

export type ModelSource = Uint8Array | string;

/** Reads a file source with the size limit applied before the read. */
export async function readModelFile(file: string, maxBytes: number): Promise<Uint8Array> {
  const st = await stat(file).catch((err: Error) => {
    throw new ModelRuntimeError(`cannot read model ${file}: ${err.message}`, 'CORRUPT');
  });
  if (st.size > maxBytes) {
    throw new ModelRuntimeError(
      `model ${file} is ${st.size} bytes, over the ${maxBytes}-byte limit`,
      'TOO_LARGE',
    );
  }
  return readFile(file);
}

export function checkSize(bytes: Uint8Array, maxBytes: number): void {
  if (bytes.byteLength > maxBytes) {
    throw new ModelRuntimeError(
      `model is ${bytes.byteLength} bytes, over the ${maxBytes}-byte limit`,
      'TOO_LARGE',
    );
  }
  if (bytes.byteLength === 0) throw new ModelRuntimeError('model artifact is empty', 'CORRUPT');
}

export function rowCount(rows: Float32Array, width: number): number {
  if (rows.length % width !== 0) {
    throw new ModelRuntimeError(
      `batch of ${rows.length} values is not a whole number of ${width}-feature rows`,
      'BAD_INPUT',
    );
  }
  return rows.length / width;
}

/**
 * Turns a model's output tensor into one score per row following the signature's output semantics.
 * Accepts [n] or [n, 1] for anomaly scores and [n, classes] for probabilities.
 */
export function scoresFromOutput(
  data: ArrayLike<number>,
  dims: readonly number[],
  n: number,
  signature: ModelSignature,
): Float32Array {
  const out = new Float32Array(n);
  const output = signature.output;
  if (output.kind === 'anomaly_score') {
    const cols = dims.length === 1 ? 1 : (dims[1] ?? 0);
    if (dims[0] !== n || cols !== 1 || dims.length > 2) {
      throw new ModelRuntimeError(
        `anomaly-score output has shape [${dims.join(', ')}], expected [${n}] or [${n}, 1]`,
        'SIGNATURE_MISMATCH',
      );
    }
    const sign = output.higherIsAnomalous ? 1 : -1;
    for (let i = 0; i < n; i++) out[i] = sign * (data[i] as number);
    return out;
  }
  const classes = output.classes.length;
  if (dims.length !== 2 || dims[0] !== n || dims[1] !== classes) {
    throw new ModelRuntimeError(
      `class-probability output has shape [${dims.join(', ')}], expected [${n}, ${classes}] (${output.classes.join(', ')})`,
      'SIGNATURE_MISMATCH',
    );
  }
  const k = output.classes.indexOf(output.maliciousClass);
  for (let i = 0; i < n; i++) out[i] = data[i * classes + k] as number;
  return out;
}

/** Runs one all-zero row through a freshly loaded model so shape errors surface at load, not mid-stream. */
export async function probe(runtime: ModelRuntime): Promise<void> {
  const scores = await runtime.score(new Float32Array(runtime.width));
  if (scores.length !== 1) {
    throw new ModelRuntimeError(`model returned ${scores.length} scores for one row`, 'SIGNATURE_MISMATCH');
  }
}

/** Loads an artifact with the runtime its signature names. */
export async function loadRuntime(
  source: ModelSource,
  signature: ModelSignature,
  options: LoadOptions = {},
): Promise<ModelRuntime> {
  if (signature.format === 'onnx') {
    const { OnnxRuntime } = await import('./onnx-runtime.ts');
    return OnnxRuntime.load(source, signature, options);
  }
  const { TfjsRuntime } = await import('./tfjs-runtime.ts');
  return TfjsRuntime.load(source, signature, options);
}
