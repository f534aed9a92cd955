import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { NETWORK_SOURCE_FEATURES } from '../features/schema.ts';
import { openRegistry } from '../models/registry.ts';
import { loadRuntime } from '../models/runtime.ts';
import { attackNetworkVectors, benignNetworkVectors, vectorsToRows } from './data/network-vectors.ts';
import { DEFAULT_MODEL_NAME, trainDefaultModel } from './default-model.ts';

const tmp = mkdtempSync(path.join(tmpdir(), 'vigil-default-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('trainDefaultModel', () => {
  it('registers a champion over network.src that flags attack windows and few benign ones', async () => {
    const registry = await openRegistry(path.join(tmp, 'data'));
    try {
      const m = await trainDefaultModel({ registry });
      expect(m.parityMaxAbsDiff).toBeLessThanOrEqual(1e-4);
      expect(m.evaluation.fprAtThreshold).toBeLessThanOrEqual(0.001);
      expect(m.evaluation.auroc).toBeGreaterThan(0.99);
      const champion = await registry.resolve(`${DEFAULT_MODEL_NAME}@champion`);
      expect(champion.version).toBe(m.version!.version);
      expect(champion.signature.inputs.featureSchema).toEqual({ name: 'network.src', version: 1 });
      expect(champion.signature.inputs.features.map((f) => f.name)).toEqual([
        ...NETWORK_SOURCE_FEATURES.features,
      ]);
      expect(champion.lineage.seed).toBe(7);
      expect(champion.threshold.score).toBe(m.threshold);

      // score fresh windows through the models runtime, as the scorer will
      const runtime = await loadRuntime(await registry.readArtifact(champion), champion.signature);
      const benign = await runtime.score(vectorsToRows(benignNetworkVectors(2000, 99)));
      const attacks = await runtime.score(vectorsToRows(attackNetworkVectors(50, 98).map((a) => a.vector)));
      const flagged = (s: Float32Array) => s.filter((v) => v >= m.threshold).length / s.length;
      expect(flagged(benign)).toBeLessThan(0.01);
      expect(flagged(attacks)).toBeGreaterThan(0.9);
      await runtime.dispose();

      // a second start keeps the champion it has
      const again = await trainDefaultModel({
        registry,
        syntheticRows: 2000,
        autoencoderParams: { epochs: 1 },
      });
      expect(again.version!.version).toBe(champion.version + 1);
      expect((await registry.resolve(`${DEFAULT_MODEL_NAME}@champion`)).version).toBe(champion.version);
    } finally {
      await registry.close();
    }
  });

  it('is deterministic for a seed (isolation forest family too)', async () => {
    const a = await trainDefaultModel({
      family: 'isolation-forest',
      syntheticRows: 2000,
      forestParams: { trees: 20 },
    });
    const b = await trainDefaultModel({
      family: 'isolation-forest',
      syntheticRows: 2000,
      forestParams: { trees: 20 },
    });
    expect(Buffer.from(a.onnx).equals(Buffer.from(b.onnx))).toBe(true);
    expect(a.parityMaxAbsDiff).toBeLessThanOrEqual(1e-4);
  });
});
