// Scores a matrix with onnxruntime-node and compares against the reference (TS / TF.js) scores:
// the check that an exported model means what the trained one meant.
import * as ort from 'onnxruntime-node';
import type { Matrix } from '../matrix.ts';

export async function onnxScores(
  bytes: Uint8Array,
  x: Matrix,
  opts: { input?: string; output?: string; batch?: number } = {},
): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(bytes);
  try {
    const input = opts.input ?? session.inputNames[0]!;
    const output = opts.output ?? session.outputNames[0]!;
    const batch = opts.batch ?? 4096;
    const out = new Float32Array(x.rows);
    for (let start = 0; start < x.rows; start += batch) {
      const n = Math.min(batch, x.rows - start);
      const data = x.data.slice(start * x.cols, (start + n) * x.cols);
      const result = await session.run({ [input]: new ort.Tensor('float32', data, [n, x.cols]) });
      out.set(result[output]!.data as Float32Array, start);
    }
    return out;
  } finally {
    await session.release();
  }
}

export interface ParityReport {
  rows: number;
  maxAbsDiff: number;
  /** Row with the largest difference, for debugging. */
  worstRow: number;
}

export function compareScores(a: ArrayLike<number>, b: ArrayLike<number>): ParityReport {
  if (a.length !== b.length) throw new Error(`score count differs: ${a.length} vs ${b.length}`);
  let maxAbsDiff = 0;
  let worstRow = -1;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    if (!(d <= maxAbsDiff)) {
      maxAbsDiff = Number.isNaN(d) ? Number.POSITIVE_INFINITY : d;
      worstRow = i;
    }
  }
  return { rows: a.length, maxAbsDiff, worstRow };
}

export async function onnxParity(
  bytes: Uint8Array,
  x: Matrix,
  reference: ArrayLike<number>,
): Promise<ParityReport> {
  return compareScores(await onnxScores(bytes, x), reference);
}
