import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfigFile } from '../kernel/config.ts';
import { RegisterMetaSchema, readArtifactSource } from './cli.ts';
import { layersAnomaly, referenceAnomaly } from './reference-models.ts';
import { openRegistry } from './registry.ts';
import { loadRuntime } from './runtime.ts';
import { writeTfjsDirectory } from './tfjs-runtime.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'vigil-models-cli-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('models register inputs', () => {
  it('registers a TF.js model directory from a YAML metadata file and scores with it', async () => {
    const modelDir = await writeTfjsDirectory(await layersAnomaly([1, -2], 0.5), path.join(dir, 'tfjs'));
    const metaFile = path.join(dir, 'meta.yaml');
    await writeFile(
      metaFile,
      [
        'featureSchema: { name: ext, version: 3, features: [a, b] }',
        'signature:',
        '  format: tfjs-layers',
        '  inputs: { featureSchema: { name: ext, version: 3 }, features: [{ name: a }, { name: b }] }',
        '  output: { kind: anomaly_score }',
        'lineage: { data: { source: elsewhere }, seed: 42 }',
      ].join('\n'),
    );
    const meta = loadConfigFile(metaFile, RegisterMetaSchema);
    const registry = await openRegistry(path.join(dir, 'data'));
    try {
      if (meta.featureSchema) await registry.registerFeatureSchema(meta.featureSchema);
      const v = await registry.register('ext', await readArtifactSource(modelDir), meta);
      expect(v).toMatchObject({ version: 1, format: 'tfjs-layers', lineage: { seed: 42 } });
      const rt = await loadRuntime(await registry.readArtifact(v), v.signature);
      expect((await rt.score(Float32Array.of(1, 1)))[0]).toBeCloseTo(
        referenceAnomaly([1, -2], 0.5, [1, 1]),
        5,
      );
      await rt.dispose();
    } finally {
      await registry.close();
    }
  });

  it('points at the field and line of a bad metadata file', async () => {
    const metaFile = path.join(dir, 'bad.yaml');
    await writeFile(
      metaFile,
      'signature:\n  format: pickle\n  inputs: {}\n  output: { kind: anomaly_score }\n',
    );
    expect(() => loadConfigFile(metaFile, RegisterMetaSchema)).toThrow(/bad\.yaml:2: signature\.format/);
  });
});
