// TensorFlow.js models (LayersModel and GraphModel). Uses @tensorflow/tfjs-node when it is installed
// (optional: it can't build everywhere), else @tensorflow/tfjs on the wasm backend.
//
// A TF.js model is several files (model.json + weight shards). The registry stores one artifact per
// version, so a model is packed into one JSON document with the weights inlined as base64; a
// directory in the TF.js layout (model.json + shards) loads too.
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import {
  checkSize,
  DEFAULT_MAX_MODEL_BYTES,
  type LoadOptions,
  type ModelRuntime,
  ModelRuntimeError,
  type ModelSource,
  probe,
  readModelFile,
  rowCount,
  scoresFromOutput,
} from './runtime.ts';
import type { ModelSignature } from './signature.ts';

let backendReady: Promise<string> | undefined;

/** Picks the fastest available backend once per process: tensorflow (tfjs-node), else wasm, else cpu. */
export function ensureTfjsBackend(): Promise<string> {
  backendReady ??= (async () => {
    const nodeBackend = '@tensorflow/tfjs-node';
    try {
      await import(/* @vite-ignore */ nodeBackend);
      if (await tf.setBackend('tensorflow')) return 'tensorflow';
    } catch {
      // optional dependency absent: fall through to wasm
    }
    try {
      await import('@tensorflow/tfjs-backend-wasm');
      if (await tf.setBackend('wasm')) {
        await tf.ready();
        return 'wasm';
      }
    } catch {
      // wasm unavailable: the pure-JS cpu backend still works
    }
    await tf.setBackend('cpu');
    await tf.ready();
    return 'cpu';
  })();
  return backendReady;
}

const PACK_MARK = 'vigil.tfjs-artifact';

interface PackedArtifact {
  kind: typeof PACK_MARK;
  packVersion: 1;
  format: 'layers-model' | 'graph-model';
  modelTopology: unknown;
  weightSpecs: tf.io.WeightsManifestEntry[];
  /** base64 of the concatenated weights. */
  weightData: string;
  signature?: unknown;
  userDefinedMetadata?: Record<string, unknown>;
}

/** Packs TF.js model artifacts (e.g. from model.save(tf.io.withSaveHandler(...))) into one artifact. */
export function packTfjsArtifact(artifacts: tf.io.ModelArtifacts): Uint8Array {
  const format = artifacts.format === 'graph-model' ? 'graph-model' : 'layers-model';
  const weights =
    artifacts.weightData === undefined
      ? new ArrayBuffer(0)
      : tf.io.concatenateArrayBuffers(artifacts.weightData);
  const packed: PackedArtifact = {
    kind: PACK_MARK,
    packVersion: 1,
    format,
    modelTopology: artifacts.modelTopology,
    weightSpecs: artifacts.weightSpecs ?? [],
    weightData: Buffer.from(weights).toString('base64'),
    signature: artifacts.signature,
    userDefinedMetadata: artifacts.userDefinedMetadata as Record<string, unknown> | undefined,
  };
  return new TextEncoder().encode(JSON.stringify(packed));
}

/** Captures a LayersModel's artifacts in memory and packs them. */
export async function packLayersModel(model: tf.LayersModel): Promise<Uint8Array> {
  let captured: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      captured = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  if (!captured) throw new Error('model.save produced no artifacts');
  return packTfjsArtifact(captured);
}

export function unpackTfjsArtifact(bytes: Uint8Array): tf.io.ModelArtifacts {
  let packed: PackedArtifact;
  try {
    packed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (err) {
    throw new ModelRuntimeError(`not a TF.js artifact (JSON expected): ${(err as Error).message}`, 'CORRUPT');
  }
  if (packed?.kind !== PACK_MARK || packed.packVersion !== 1 || typeof packed.weightData !== 'string') {
    throw new ModelRuntimeError(
      'not a packed TF.js artifact (missing kind/packVersion/weightData)',
      'CORRUPT',
    );
  }
  if (
    !Array.isArray(packed.weightSpecs) ||
    typeof packed.modelTopology !== 'object' ||
    packed.modelTopology === null
  ) {
    throw new ModelRuntimeError('packed TF.js artifact lacks modelTopology or weightSpecs', 'CORRUPT');
  }
  const buf = Buffer.from(packed.weightData, 'base64');
  return {
    format: packed.format,
    modelTopology: packed.modelTopology as tf.io.ModelArtifacts['modelTopology'],
    weightSpecs: packed.weightSpecs,
    weightData: buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength),
    signature: packed.signature as tf.io.ModelArtifacts['signature'],
    userDefinedMetadata: packed.userDefinedMetadata as tf.io.ModelArtifacts['userDefinedMetadata'],
  };
}

/** Writes a packed artifact as a TF.js model directory (model.json + one weights shard). */
export async function writeTfjsDirectory(bytes: Uint8Array, dir: string): Promise<string> {
  const a = unpackTfjsArtifact(bytes);
  await mkdir(dir, { recursive: true });
  const weights = Buffer.from(tf.io.concatenateArrayBuffers(a.weightData ?? new ArrayBuffer(0)));
  await writeFile(path.join(dir, 'group1-shard1of1.bin'), weights);
  const modelJson = {
    format: a.format,
    generatedBy: 'vigil',
    modelTopology: a.modelTopology,
    weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights: a.weightSpecs ?? [] }],
    signature: a.signature,
    userDefinedMetadata: a.userDefinedMetadata,
  };
  await writeFile(path.join(dir, 'model.json'), JSON.stringify(modelJson));
  return dir;
}

/** Reads a TF.js model directory (model.json + shards named in its manifest), within the size limit. */
export async function readTfjsDirectory(dir: string, maxBytes: number): Promise<tf.io.ModelArtifacts> {
  const jsonBytes = await readModelFile(path.join(dir, 'model.json'), maxBytes);
  let json: tf.io.ModelJSON;
  try {
    json = JSON.parse(Buffer.from(jsonBytes).toString('utf8'));
  } catch (err) {
    throw new ModelRuntimeError(`model.json in ${dir} is not JSON: ${(err as Error).message}`, 'CORRUPT');
  }
  if (!Array.isArray(json.weightsManifest))
    throw new ModelRuntimeError(`model.json in ${dir} has no weightsManifest`, 'CORRUPT');
  const root = path.resolve(dir);
  const shards: Buffer[] = [];
  let total = jsonBytes.byteLength;
  const specs: tf.io.WeightsManifestEntry[] = [];
  for (const group of json.weightsManifest) {
    for (const p of group.paths) {
      const file = path.resolve(root, p);
      // A hostile manifest must not read files outside the model directory.
      if (!file.startsWith(root + path.sep))
        throw new ModelRuntimeError(`weight path "${p}" escapes ${dir}`, 'CORRUPT');
      const st = await stat(file).catch(() => null);
      if (!st) throw new ModelRuntimeError(`weight shard "${p}" is missing from ${dir}`, 'CORRUPT');
      total += st.size;
      if (total > maxBytes)
        throw new ModelRuntimeError(`model in ${dir} is over the ${maxBytes}-byte limit`, 'TOO_LARGE');
      shards.push(await readFile(file));
    }
    specs.push(...group.weights);
  }
  const weights = Buffer.concat(shards);
  return {
    format: json.format,
    modelTopology: json.modelTopology,
    weightSpecs: specs,
    weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength),
    signature: json.signature,
    userDefinedMetadata: json.userDefinedMetadata,
  };
}

async function artifactsFrom(source: ModelSource, maxBytes: number): Promise<tf.io.ModelArtifacts> {
  if (typeof source !== 'string') {
    checkSize(source, maxBytes);
    return unpackTfjsArtifact(source);
  }
  const st = await stat(source).catch(() => null);
  if (!st) throw new ModelRuntimeError(`no model at ${source}`, 'CORRUPT');
  if (st.isDirectory()) return readTfjsDirectory(source, maxBytes);
  return unpackTfjsArtifact(await readModelFile(source, maxBytes));
}

export class TfjsRuntime implements ModelRuntime {
  readonly width: number;
  private disposed = false;

  private constructor(
    readonly format: 'tfjs-layers' | 'tfjs-graph',
    readonly signature: ModelSignature,
    private readonly model: tf.LayersModel | tf.GraphModel,
  ) {
    this.width = signature.inputs.features.length;
  }

  static async load(
    source: ModelSource,
    signature: ModelSignature,
    options: LoadOptions = {},
  ): Promise<TfjsRuntime> {
    if (signature.format !== 'tfjs-layers' && signature.format !== 'tfjs-graph') {
      throw new ModelRuntimeError(
        `signature format is ${signature.format}, not a TF.js format`,
        'SIGNATURE_MISMATCH',
      );
    }
    await ensureTfjsBackend();
    const artifacts = await artifactsFrom(source, options.maxBytes ?? DEFAULT_MAX_MODEL_BYTES);
    const isGraph = artifacts.format === 'graph-model';
    if (isGraph !== (signature.format === 'tfjs-graph')) {
      throw new ModelRuntimeError(
        `artifact is a ${artifacts.format ?? 'layers-model'}, the signature says ${signature.format}`,
        'SIGNATURE_MISMATCH',
      );
    }
    let model: tf.LayersModel | tf.GraphModel;
    try {
      model = isGraph
        ? await tf.loadGraphModel(tf.io.fromMemory(artifacts))
        : await tf.loadLayersModel(tf.io.fromMemory(artifacts));
    } catch (err) {
      throw new ModelRuntimeError(`not a loadable TF.js model: ${(err as Error).message}`, 'CORRUPT');
    }
    const runtime = new TfjsRuntime(signature.format, signature, model);
    try {
      const inputShape = isGraph
        ? (model as tf.GraphModel).inputs[0]?.shape
        : ((model as tf.LayersModel).inputs[0]?.shape as (number | null)[] | undefined);
      const width = inputShape?.at(-1);
      if (typeof width === 'number' && width > 0 && width !== runtime.width) {
        throw new ModelRuntimeError(
          `TF.js model input has shape [${inputShape?.join(', ')}], but the signature lists ${runtime.width} features`,
          'SIGNATURE_MISMATCH',
        );
      }
      await probe(runtime);
    } catch (err) {
      await runtime.dispose();
      throw err;
    }
    return runtime;
  }

  async score(rows: Float32Array): Promise<Float32Array> {
    if (this.disposed) throw new ModelRuntimeError('runtime is disposed', 'DISPOSED');
    const n = rowCount(rows, this.width);
    if (n === 0) return new Float32Array(0);
    const output = tf.tidy(() => {
      const x = tf.tensor2d(rows, [n, this.width], 'float32');
      const inputName = this.signature.inputs.tensor;
      const outputName = this.signature.output.tensor;
      if (this.model instanceof tf.GraphModel) {
        const inputs = inputName ? { [inputName]: x } : x;
        const y = outputName ? this.model.execute(inputs, outputName) : this.model.predict(inputs);
        return pickTensor(y);
      }
      return pickTensor(this.model.predict(x));
    });
    try {
      const data = await output.data();
      return scoresFromOutput(data as Float32Array, output.shape, n, this.signature);
    } finally {
      output.dispose();
    }
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    this.model.dispose();
  }
}

function pickTensor(y: tf.Tensor | tf.Tensor[] | tf.NamedTensorMap): tf.Tensor {
  if (y instanceof tf.Tensor) return y;
  const first = Array.isArray(y) ? y[0] : Object.values(y)[0];
  if (!first) throw new ModelRuntimeError('TF.js model produced no output', 'SIGNATURE_MISMATCH');
  return first;
}
