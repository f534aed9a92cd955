// Short versions of the real-data runs (full figures: `npm run bench -- train -- --full` or
// `vigil train --spec training/specs/<spec>.yaml`). Each trains from its committed spec with fewer
// epochs, checks ONNX parity on the whole test set, registers the model, and scores the registered
// artifact through the models runtime. Skipped when ../shared/data is absent (a fresh clone).
// About 10–15 s each on an idle 2-core machine; the timeouts leave room for a machine shared by many.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { openRegistry } from '../models/registry.ts';
import { loadRuntime } from '../models/runtime.ts';
import { encode } from './data/encode.ts';
import { evaluateOnnxModel } from './evaluate-model.ts';
import { registerTrainingResult } from './register.ts';
import { loadTrainingSpec } from './spec.ts';
import { loadDataset, runTraining } from './train.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const shared = path.resolve(repoRoot, '../shared/data');
const hasData =
  existsSync(path.join(shared, 'nsl-kdd/KDDTrain+.txt')) &&
  existsSync(path.join(shared, 'dga/dga-1000-labeled.csv'));
if (!hasData) console.warn(`real-data training tests skipped: ${shared} is absent`);
const spec = (name: string) => path.join(repoRoot, 'training/specs', name);
const tmp = mkdtempSync(path.join(tmpdir(), 'vigil-real-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe.skipIf(!hasData)('real data (short runs)', { timeout: 180_000 }, () => {
  it('NSL-KDD supervised MLP: KDDTrain+ → KDDTest+, above the J48 baseline, ONNX parity, registry round trip', async () => {
    const loaded = loadTrainingSpec(spec('nsl-kdd-mlp.yaml'));
    if (loaded.spec.model.family === 'mlp') loaded.spec.model.params.epochs = 3;
    const data = await loadDataset(loaded);
    const r = await runTraining(loaded, { data });
    expect(r.rows.test).toBe(22_544);
    expect(r.parity.maxAbsDiff).toBeLessThanOrEqual(1e-4);
    expect(r.evaluation!.atThreshold.accuracy).toBeGreaterThan(0.8105); // J48, Tavallaee et al. 2009
    expect(r.evaluation!.auroc).toBeGreaterThan(0.88);

    const registry = await openRegistry(path.join(tmp, 'data'));
    try {
      const v = await registerTrainingResult(registry, r, { alias: 'champion' });
      const resolved = await registry.resolve('nsl-kdd-mlp@champion');
      expect(resolved.version).toBe(v.version);
      expect((await registry.evaluations(v.name, v.version))[0]!.metrics.accuracy).toBeCloseTo(
        r.evaluation!.atThreshold.accuracy,
        9,
      );
      // `vigil eval` on the registered artifact reproduces the training-time evaluation
      const artifact = await registry.readArtifact(resolved);
      const names = resolved.signature.inputs.features.map((f) => f.name);
      const again = await evaluateOnnxModel(loaded, artifact, names, {
        kind: 'fixed',
        value: r.threshold.value,
      });
      expect(again.evaluation.atThreshold.confusion).toEqual(r.evaluation!.atThreshold.confusion);
      // and the models runtime (what the scorer uses) gives the trainer's scores
      const runtime = await loadRuntime(artifact, resolved.signature);
      const x = encode(data.test.columns, r.encoding, data.test.rows.slice(0, 512));
      const viaRuntime = await runtime.score(x.data);
      const reference = await r.model.score(x);
      for (let i = 0; i < 512; i++)
        expect(Math.abs(viaRuntime[i]! - reference[i]!)).toBeLessThanOrEqual(1e-4);
      await runtime.dispose();
    } finally {
      await registry.close();
      r.model.dispose();
    }
  });

  it('NSL-KDD autoencoder on normal training rows: AUROC on KDDTest+, ONNX parity', async () => {
    const loaded = loadTrainingSpec(spec('nsl-kdd-autoencoder.yaml'));
    if (loaded.spec.model.family === 'autoencoder') loaded.spec.model.params.epochs = 2;
    const r = await runTraining(loaded);
    expect(r.rows.train).toBeLessThan(67_343); // normal rows only
    expect(r.parity.maxAbsDiff).toBeLessThanOrEqual(1e-4);
    expect(r.evaluation!.auroc).toBeGreaterThan(0.93);
    r.model.dispose();
  });

  it('DGA vs benign, character n-gram MLP exported to ONNX', async () => {
    const loaded = loadTrainingSpec(spec('dga-char-mlp.yaml'));
    if (loaded.spec.model.family === 'mlp') loaded.spec.model.params.epochs = 3;
    const r = await runTraining(loaded);
    expect(r.rows.test).toBe(3800);
    expect(r.parity.maxAbsDiff).toBeLessThanOrEqual(1e-4);
    expect(r.evaluation!.auroc).toBeGreaterThan(0.95);
    r.model.dispose();
  });
});
