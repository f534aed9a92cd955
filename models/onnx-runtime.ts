// ONNX models through onnxruntime-node (CPU execution provider; the binaries ship in the package).
import * as ort from 'onnxruntime-node';
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

export class OnnxRuntime implements ModelRuntime {
  readonly format = 'onnx' as const;
  readonly width: number;
  private disposed = false;

  private constructor(
    readonly signature: ModelSignature,
    private readonly session: ort.InferenceSession,
    private readonly inputName: string,
    private readonly outputName: string,
  ) {
    this.width = signature.inputs.features.length;
  }

  static async load(
    source: ModelSource,
    signature: ModelSignature,
    options: LoadOptions = {},
  ): Promise<OnnxRuntime> {
    if (signature.format !== 'onnx') {
      throw new ModelRuntimeError(`signature format is ${signature.format}, not onnx`, 'SIGNATURE_MISMATCH');
    }
    const maxBytes = options.maxBytes ?? DEFAULT_MAX_MODEL_BYTES;
    const bytes = typeof source === 'string' ? await readModelFile(source, maxBytes) : source;
    checkSize(bytes, maxBytes);
    let session: ort.InferenceSession;
    try {
      session = await ort.InferenceSession.create(bytes, {
        executionProviders: ['cpu'],
        intraOpNumThreads: options.threads ?? 1,
        interOpNumThreads: 1,
        graphOptimizationLevel: 'all',
      });
    } catch (err) {
      throw new ModelRuntimeError(`not a loadable ONNX model: ${(err as Error).message}`, 'CORRUPT');
    }
    try {
      const inputName = pick(session.inputNames, signature.inputs.tensor, 'input');
      const outputName = pick(session.outputNames, signature.output.tensor, 'output');
      const meta = session.inputMetadata.find((m) => m.name === inputName);
      if (meta?.isTensor) {
        if (meta.type !== 'float32') {
          throw new ModelRuntimeError(
            `ONNX input "${inputName}" is ${meta.type}, expected float32`,
            'SIGNATURE_MISMATCH',
          );
        }
        const width = meta.shape.at(-1);
        if (
          meta.shape.length !== 2 ||
          (typeof width === 'number' && width !== signature.inputs.features.length)
        ) {
          throw new ModelRuntimeError(
            `ONNX input "${inputName}" has shape [${meta.shape.join(', ')}], but the signature lists ${signature.inputs.features.length} features`,
            'SIGNATURE_MISMATCH',
          );
        }
      }
      const runtime = new OnnxRuntime(signature, session, inputName, outputName);
      await probe(runtime);
      return runtime;
    } catch (err) {
      await session.release().catch(() => undefined);
      throw err;
    }
  }

  async score(rows: Float32Array): Promise<Float32Array> {
    if (this.disposed) throw new ModelRuntimeError('runtime is disposed', 'DISPOSED');
    const n = rowCount(rows, this.width);
    if (n === 0) return new Float32Array(0);
    const input = new ort.Tensor('float32', rows, [n, this.width]);
    let result: ort.InferenceSession.OnnxValueMapType;
    try {
      result = await this.session.run({ [this.inputName]: input }, [this.outputName]);
    } catch (err) {
      throw new ModelRuntimeError(`ONNX inference failed: ${(err as Error).message}`, 'BAD_INPUT');
    }
    const out = result[this.outputName] as ort.Tensor;
    try {
      return scoresFromOutput(out.data as Float32Array, out.dims, n, this.signature);
    } finally {
      for (const t of Object.values(result)) (t as ort.Tensor).dispose?.();
    }
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await this.session.release();
  }
}

function pick(names: readonly string[], wanted: string | undefined, what: string): string {
  if (wanted !== undefined) {
    if (!names.includes(wanted)) {
      throw new ModelRuntimeError(
        `signature names ${what} tensor "${wanted}", the model has ${names.join(', ')}`,
        'SIGNATURE_MISMATCH',
      );
    }
    return wanted;
  }
  const first = names[0];
  if (first === undefined) throw new ModelRuntimeError(`model has no ${what}`, 'SIGNATURE_MISMATCH');
  return first;
}
