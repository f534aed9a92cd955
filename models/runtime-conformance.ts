// The conformance suite every ModelRuntime passes (run from onnx-runtime.test.ts and
// tfjs-runtime.test.ts): the same real models, built in each format, must give the same scores with
// the same output semantics and fail the same clear way on bad artifacts and bad input.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { referenceAnomaly, referenceClassifier } from './reference-models.ts';
import { loadRuntime, type ModelRuntime, ModelRuntimeError } from './runtime.ts';
import { type ModelFormat, type ModelSignature, parseSignature } from './signature.ts';

export interface ConformanceSubject {
  format: ModelFormat;
  /** A real model computing sigmoid(x·w + b). */
  buildAnomaly(w: number[], b: number): Promise<Uint8Array> | Uint8Array;
  /** A real model computing softmax(x·W + b); W is [features][classes]. */
  buildClassifier(W: number[][], b: number[]): Promise<Uint8Array> | Uint8Array;
  /** Stores the artifact the way the format lives on disk and returns the path to load. */
  writeToDisk(bytes: Uint8Array, dir: string): Promise<string>;
}

const FEATURES = ['conns', 'bytes_out', 'distinct_ports', 'nxdomain_ratio'];
const w = [0.5, -0.25, 1.5, 2];
const b = -0.75;
const W = [
  [0.2, -0.4, 0.1],
  [-0.3, 0.6, 0.05],
  [1.1, -0.2, 0.3],
  [0.0, 0.7, -0.9],
];
const bc = [0.1, -0.1, 0.05];

function signature(format: ModelFormat, output: unknown, features = FEATURES): ModelSignature {
  return parseSignature({
    format,
    inputs: {
      featureSchema: { name: 'conformance', version: 1 },
      features: features.map((name) => ({ name })),
    },
    output,
  });
}

/** Deterministic pseudo-random rows in [-2, 2). */
function rows(n: number, width: number, seed: number): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: n * width }, () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return (s / 2 ** 32) * 4 - 2;
  });
}

export function runtimeConformance(subject: ConformanceSubject): void {
  describe(`ModelRuntime conformance: ${subject.format}`, () => {
    const anomalySig = signature(subject.format, { kind: 'anomaly_score' });
    const classSig = signature(subject.format, {
      kind: 'class_probabilities',
      classes: ['benign', 'scan', 'c2'],
      maliciousClass: 'c2',
    });
    let anomalyBytes: Uint8Array;
    let classBytes: Uint8Array;
    let anomaly: ModelRuntime;
    let dir: string;

    beforeAll(async () => {
      dir = await mkdtemp(path.join(tmpdir(), `vigil-conf-${subject.format}-`));
      anomalyBytes = await subject.buildAnomaly(w, b);
      classBytes = await subject.buildClassifier(W, bc);
      anomaly = await loadRuntime(anomalyBytes, anomalySig);
    });
    afterAll(async () => {
      await anomaly?.dispose();
      await rm(dir, { recursive: true, force: true });
    });

    it('loads from bytes and exposes its signature and width', () => {
      expect(anomaly.format).toBe(subject.format);
      expect(anomaly.signature).toEqual(anomalySig);
      expect(anomaly.width).toBe(FEATURES.length);
    });

    it('scores anomaly models like the reference arithmetic, for batch sizes 1, 7 and 256', async () => {
      for (const n of [1, 7, 256]) {
        const x = rows(n, FEATURES.length, n);
        const scores = await anomaly.score(x);
        expect(scores).toBeInstanceOf(Float32Array);
        expect(scores.length).toBe(n);
        for (let i = 0; i < n; i++) {
          const want = referenceAnomaly(w, b, x.subarray(i * FEATURES.length, (i + 1) * FEATURES.length));
          expect(Math.abs((scores[i] as number) - want)).toBeLessThan(1e-5);
        }
      }
    });

    it('scores a row the same alone as inside a batch', async () => {
      const x = rows(32, FEATURES.length, 99);
      const batch = await anomaly.score(x);
      for (const i of [0, 13, 31]) {
        const [alone] = await anomaly.score(x.slice(i * FEATURES.length, (i + 1) * FEATURES.length));
        expect(Math.abs((alone as number) - (batch[i] as number))).toBeLessThan(1e-6);
      }
    });

    it('handles concurrent score calls', async () => {
      const xs = [1, 2, 3, 4].map((s) => rows(64, FEATURES.length, s));
      const results = await Promise.all(xs.map((x) => anomaly.score(x)));
      for (const [k, x] of xs.entries()) {
        expect(Array.from(results[k] as Float32Array)).toEqual(Array.from(await anomaly.score(x)));
      }
    });

    it('flips the sign when lower raw scores are more anomalous', async () => {
      const flipped = await loadRuntime(
        anomalyBytes,
        signature(subject.format, { kind: 'anomaly_score', higherIsAnomalous: false }),
      );
      const x = rows(5, FEATURES.length, 5);
      const a = await anomaly.score(x);
      const f = await flipped.score(x);
      for (let i = 0; i < 5; i++) expect(f[i]).toBeCloseTo(-(a[i] as number), 6);
      await flipped.dispose();
    });

    it('returns the malicious class probability of classifiers', async () => {
      const rt = await loadRuntime(classBytes, classSig);
      const x = rows(50, FEATURES.length, 7);
      const scores = await rt.score(x);
      for (let i = 0; i < 50; i++) {
        const p = referenceClassifier(W, bc, x.subarray(i * FEATURES.length, (i + 1) * FEATURES.length));
        expect(Math.abs((scores[i] as number) - (p[2] as number))).toBeLessThan(1e-5);
      }
      await rt.dispose();
      const scanSig = signature(subject.format, {
        kind: 'class_probabilities',
        classes: ['benign', 'scan', 'c2'],
        maliciousClass: 'scan',
      });
      const scan = await loadRuntime(classBytes, scanSig);
      const p0 = referenceClassifier(W, bc, x.subarray(0, FEATURES.length));
      expect((await scan.score(x.subarray(0, FEATURES.length)))[0]).toBeCloseTo(p0[1] as number, 5);
      await scan.dispose();
    });

    it('loads the same model from disk', async () => {
      const file = await subject.writeToDisk(anomalyBytes, path.join(dir, 'anomaly'));
      const rt = await loadRuntime(file, anomalySig);
      const x = rows(10, FEATURES.length, 3);
      expect(Array.from(await rt.score(x))).toEqual(Array.from(await anomaly.score(x)));
      await rt.dispose();
    });

    it('returns no scores for an empty batch and rejects ragged batches', async () => {
      expect((await anomaly.score(new Float32Array(0))).length).toBe(0);
      const err = await anomaly.score(new Float32Array(FEATURES.length + 1)).catch((e) => e);
      expect(err).toBeInstanceOf(ModelRuntimeError);
      expect(err.code).toBe('BAD_INPUT');
    });

    it('refuses corrupt, truncated and oversized artifacts with clear errors', async () => {
      for (const bad of [
        new TextEncoder().encode('not a model at all'),
        anomalyBytes.slice(0, anomalyBytes.length >> 1),
      ]) {
        const err = await loadRuntime(bad, anomalySig).catch((e) => e);
        expect(err).toBeInstanceOf(ModelRuntimeError);
        expect(err.code).toBe('CORRUPT');
      }
      const big = await loadRuntime(anomalyBytes, anomalySig, { maxBytes: 16 }).catch((e) => e);
      expect(big.code).toBe('TOO_LARGE');
      expect(big.message).toMatch(/over the 16-byte limit/);
      const bigFile = path.join(dir, 'big.bin');
      await writeFile(bigFile, anomalyBytes);
      expect((await loadRuntime(bigFile, anomalySig, { maxBytes: 16 }).catch((e) => e)).code).toBe(
        'TOO_LARGE',
      );
    });

    it('refuses a signature that disagrees with the model', async () => {
      const wider = signature(subject.format, { kind: 'anomaly_score' }, [...FEATURES, 'extra']);
      const err = await loadRuntime(anomalyBytes, wider).catch((e) => e);
      expect(err).toBeInstanceOf(ModelRuntimeError);
      expect(err.code).toBe('SIGNATURE_MISMATCH');
      // A classifier read as an anomaly scorer has the wrong output shape.
      const wrongKind = await loadRuntime(classBytes, anomalySig).catch((e) => e);
      expect(wrongKind.code).toBe('SIGNATURE_MISMATCH');
      const twoClasses = signature(subject.format, {
        kind: 'class_probabilities',
        classes: ['a', 'b'],
        maliciousClass: 'b',
      });
      expect((await loadRuntime(classBytes, twoClasses).catch((e) => e)).code).toBe('SIGNATURE_MISMATCH');
    });

    it('refuses to score after dispose', async () => {
      const rt = await loadRuntime(anomalyBytes, anomalySig);
      await rt.dispose();
      expect((await rt.score(new Float32Array(FEATURES.length)).catch((e) => e)).code).toBe('DISPOSED');
    });
  });
}
