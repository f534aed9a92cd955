import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { onnxAnomaly } from './reference-models.ts';
import { type ModelRegistry, openRegistry, parseModelRef, RegistryError } from './registry.ts';
import { signatureForSchema } from './signature.ts';

const schema = { name: 'net', version: 1, features: ['conns', 'bytes_out', 'distinct_ports'] };
const sig = signatureForSchema(schema, 'onnx', { kind: 'anomaly_score' });
// Real (tiny) ONNX models, distinct per label, so registration's load check passes.
const models: Record<string, Uint8Array> = {};
const bytes = (s: string) => {
  models[s] ??= onnxAnomaly([1, 2, s.length + s.charCodeAt(s.length - 1) / 100], 0);
  return models[s] as Uint8Array;
};
const text = (b: Uint8Array) => Buffer.from(b).toString('base64');

let dir: string;
let reg: ModelRegistry;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'vigil-registry-'));
  reg = await openRegistry(dir, { featureSchemas: [schema], maxArtifactBytes: 4096 });
});
afterEach(async () => {
  await reg.close();
  await rm(dir, { recursive: true, force: true });
});

describe('model registry', () => {
  it('registers immutable, content-addressed versions with lineage, tags and metrics', async () => {
    const v1 = await reg.register('anom', bytes('model-a'), {
      signature: sig,
      lineage: { data: { topic: 'features', timeRange: { start: 0, end: 10 } }, seed: 7, codeVersion: 'abc' },
      metrics: { auroc: 0.9 },
      tags: { family: 'iforest' },
      description: 'first',
    });
    const v2 = await reg.register('anom', bytes('model-b'), { signature: sig });
    expect([v1.version, v2.version]).toEqual([1, 2]);
    expect(v1.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(text(await readFile(reg.artifactPath(v1.sha256)))).toBe(text(bytes('model-a')));
    const got = await reg.get('anom', 1);
    expect(got.lineage.seed).toBe(7);
    expect(got.tags).toEqual({ family: 'iforest' });
    expect(got.metrics).toEqual({ auroc: 0.9 });
    expect(text(await reg.readArtifact(got))).toBe(text(bytes('model-a')));
    expect((await reg.list()).map((m) => [m.name, m.versions, m.latest])).toEqual([['anom', 2, 2]]);
    expect((await reg.featureSchemas()).map((s) => `${s.name}@${s.version}`)).toEqual([
      'net@1',
      'network.pair@1',
      'network.src@1',
    ]);
  });

  it('persists across reopen', async () => {
    await reg.register('anom', bytes('model-a'), { signature: sig });
    await reg.setAlias('anom', 'champion', 1, { who: 't' });
    await reg.close();
    reg = await openRegistry(dir);
    expect((await reg.resolve('anom@champion')).version).toBe(1);
  });

  it('rejects a signature that disagrees with its feature schema, naming the features', async () => {
    const bad = {
      ...sig,
      inputs: {
        ...sig.inputs,
        features: [
          { name: 'conns', type: 'float32' as const },
          { name: 'bogus', type: 'float32' as const },
        ],
      },
    };
    const err = await reg.register('anom', bytes('x'), { signature: bad }).catch((e) => e);
    expect(err).toBeInstanceOf(RegistryError);
    expect(err.code).toBe('SIGNATURE_MISMATCH');
    expect(err.message).toContain('missing features: bytes_out, distinct_ports');
    expect(err.message).toContain('features not in the schema: bogus');
    const reordered = { ...sig, inputs: { ...sig.inputs, features: [...sig.inputs.features].reverse() } };
    const err2 = await reg.register('anom', bytes('x'), { signature: reordered }).catch((e) => e);
    expect(err2.message).toContain(
      'out of order: distinct_ports (at 0, schema has it at 2), conns (at 2, schema has it at 0)',
    );
    const unknown = { ...sig, inputs: { ...sig.inputs, featureSchema: { name: 'net', version: 9 } } };
    expect(
      (await reg.register('anom', bytes('x'), { signature: unknown }).catch((e) => e)).message,
    ).toContain('unknown feature schema net@9');
  });

  it('rejects oversized and empty artifacts and bad names', async () => {
    await expect(reg.register('anom', new Uint8Array(5000), { signature: sig })).rejects.toThrow(
      /over the 4096-byte limit/,
    );
    await expect(reg.register('anom', new Uint8Array(0), { signature: sig })).rejects.toThrow(/empty/);
    await expect(reg.register('../evil', bytes('x'), { signature: sig })).rejects.toThrow(/bad model name/);
  });

  it('refuses artifacts its runtime cannot load, or whose shape disagrees with the signature', async () => {
    const garbage = await reg
      .register('anom', new TextEncoder().encode('not onnx'), { signature: sig })
      .catch((e) => e);
    expect(garbage.code).toBe('INVALID');
    expect(garbage.message).toMatch(/model artifact rejected: not a loadable ONNX model/);
    const wrongWidth = await reg.register('anom', onnxAnomaly([1, 2], 0), { signature: sig }).catch((e) => e);
    expect(wrongWidth.code).toBe('SIGNATURE_MISMATCH');
    expect(wrongWidth.message).toMatch(/signature lists 3 features/);
    expect(await reg.list()).toEqual([]);
  });

  it('detects a tampered artifact', async () => {
    const v = await reg.register('anom', bytes('model-a'), { signature: sig });
    await writeFile(reg.artifactPath(v.sha256), 'evil');
    await expect(reg.readArtifact(v)).rejects.toThrow(/corrupt/);
  });

  it('gates promotion on an evaluation that beats the champion, logs it, and rolls back', async () => {
    for (const m of ['a', 'b', 'c']) await reg.register('anom', bytes(m), { signature: sig });
    const policy = { metric: 'auroc' };
    await expect(reg.promote('anom', 'champion', 1, { who: 'ann', reason: 'first', policy })).rejects.toThrow(
      /no recorded evaluation or backtest with metric "auroc"/,
    );
    await reg.recordEvaluation('anom', 1, { metrics: { auroc: 0.8 }, dataset: 'd1' });
    await reg.promote('anom', 'champion', 1, { who: 'ann', reason: 'first', policy });
    await reg.recordEvaluation('anom', 2, { metrics: { auroc: 0.75 }, dataset: 'd1' });
    const rejected = await reg
      .promote('anom', 'champion', 2, { who: 'bob', reason: 'try', policy })
      .catch((e) => e);
    expect(rejected.code).toBe('POLICY_REJECTED');
    expect(rejected.message).toContain('auroc=0.75 does not beat the current anom:1 auroc=0.8');
    await reg.recordEvaluation('anom', 3, { metrics: { auroc: 0.85 }, dataset: 'd1', kind: 'backtest' });
    const changes: number[] = [];
    reg.onAliasChange((c) => changes.push(c.toVersion));
    const p = await reg.promote('anom', 'champion', 3, { who: 'bob', reason: 'better', policy });
    expect(p).toMatchObject({
      fromVersion: 1,
      toVersion: 3,
      who: 'bob',
      reason: 'better',
      action: 'promote',
    });
    expect(p.metrics.auroc).toBe(0.85);
    const rb = await reg.rollback('anom', 'champion', { who: 'cy', reason: 'noisy' });
    expect(rb).toMatchObject({ action: 'rollback', fromVersion: 3, toVersion: 1 });
    expect((await reg.resolve('anom')).version).toBe(1);
    await expect(reg.rollback('anom', 'champion', { who: 'cy', reason: 'again' })).rejects.toThrow(
      /no earlier version/,
    );
    expect(changes).toEqual([3, 1]);
    const log = await reg.promotionLog('anom');
    expect(log.map((e) => [e.action, e.fromVersion, e.toVersion])).toEqual([
      ['promote', null, 1],
      ['promote', 1, 3],
      ['rollback', 3, 1],
    ]);
  });

  it('parses model references', () => {
    expect(parseModelRef('m')).toEqual({ name: 'm', alias: 'champion' });
    expect(parseModelRef('m@challenger')).toEqual({ name: 'm', alias: 'challenger' });
    expect(parseModelRef('m:3')).toEqual({ name: 'm', version: 3 });
    expect(() => parseModelRef('m:x')).toThrow(/bad model version/);
  });
});
