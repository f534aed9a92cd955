import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type EmbeddedLog, openEmbeddedLog } from '../../ingest/log/embedded/index.ts';
import type { EventLog } from '../../ingest/log/types.ts';
import { runUntilDrained, StageRunner } from '../../ingest/pipeline/runner.ts';
import { onnxAnomaly, referenceAnomaly } from '../../models/reference-models.ts';
import { type ModelRegistry, openRegistry } from '../../models/registry.ts';
import { signatureForSchema } from '../../models/signature.ts';
import { createScorerStage } from './stage.ts';

const schema = { name: 'net', version: 1, features: ['conns', 'distinct_ports', 'nxdomain_ratio'] };
const sig = signatureForSchema(schema, 'onnx', { kind: 'anomaly_score' });
const w1 = [0.02, 0.05, 3];
const b1 = -1;
const w2 = [0.01, 0.01, 1];
// Reference distribution: sigmoid scores of typical rows land near the low end.
const quantiles = Array.from({ length: 11 }, (_, i) => ({ q: i / 10, value: 0.1 + (0.8 * i) / 10 }));

let dir: string;
let log: EmbeddedLog;
let registry: ModelRegistry;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'vigil-scorer-'));
  log = await openEmbeddedLog(path.join(dir, 'log'), { fsync: false });
  registry = await openRegistry(dir, { featureSchemas: [schema] });
  await registry.register('net-anomaly', onnxAnomaly(w1, b1), {
    signature: sig,
    scoreDistribution: { quantiles },
    threshold: { severity: 95 },
    featureStats: {
      conns: { mean: 10, std: 5 },
      distinct_ports: { mean: 3, std: 2 },
      nxdomain_ratio: { mean: 0.05, std: 0.05 },
    },
  });
  await registry.register('net-anomaly', onnxAnomaly(w2, -2), {
    signature: sig,
    scoreDistribution: { quantiles },
  });
  await registry.setAlias('net-anomaly', 'champion', 1, { who: 'test' });
  await registry.setAlias('net-anomaly', 'challenger', 2, { who: 'test' });
});
afterEach(async () => {
  await log.close();
  await registry.close();
  await rm(dir, { recursive: true, force: true });
});

function feature(i: number, f: Record<string, unknown> = {}) {
  return {
    entity: `10.0.0.${i % 250}`,
    window: { start: i * 60_000, end: (i + 1) * 60_000 },
    schema_version: 1,
    features: { conns: 5 + (i % 10), distinct_ports: 2, nxdomain_ratio: 0.01, ...f },
  };
}

async function append(l: EventLog, values: unknown[]) {
  await l.ensureTopic('features', { partitions: 1 });
  await l.append(
    'features',
    values.map((v, i) => ({ value: typeof v === 'string' ? v : JSON.stringify(v), timestamp: 1_000 + i })),
  );
}

async function readAll(l: EventLog, topic: string): Promise<Record<string, unknown>[]> {
  const topics = await l.listTopics();
  if (!topics.includes(topic)) return [];
  const out: Record<string, unknown>[] = [];
  for (const p of (await l.describeTopic(topic)).partitions) {
    for (let off = p.earliest; off < p.latest; ) {
      const rs = await l.read(topic, p.partition, off, { maxRecords: 10_000 });
      if (rs.length === 0) break;
      for (const r of rs) out.push(JSON.parse(r.value.toString('utf8')));
      off = (rs.at(-1)?.offset ?? off) + 1;
    }
  }
  return out;
}

describe('scorer stage', () => {
  it('scores features with the champion, normalizes severity, alerts and explains, and keeps bad records', async () => {
    const hot = feature(1, { conns: 400, distinct_ports: 90, nxdomain_ratio: 0.9 });
    await append(log, [
      feature(0),
      hot,
      feature(2, { nxdomain_ratio: null }),
      feature(3, { conns: undefined }),
      'not json',
      { ...feature(4), schema_version: 2 },
      { ...feature(5), schema: 'network.pair' },
      { ...feature(6), schema_version: undefined, schema: 'net', version: 1 },
    ]);
    const stage = createScorerStage({ registry, model: 'net-anomaly@champion' });
    await runUntilDrained(log, stage);
    const scores = await readAll(log, 'scores');
    expect(scores).toHaveLength(3);
    expect((scores[2] as { window: { start: number } }).window.start).toBe(6 * 60_000);
    const [calm, hotScore] = scores as [Record<string, any>, Record<string, any>];
    expect(calm.model).toEqual({ name: 'net-anomaly', version: 1 });
    const f0 = feature(0).features;
    const want = referenceAnomaly(w1, b1, [f0.conns, f0.distinct_ports, f0.nxdomain_ratio]);
    expect(calm.score).toBeCloseTo(want, 5);
    // 0.1 + 0.8 q = score  →  severity = 100 q
    expect(calm.severity).toBeCloseTo((100 * (want - 0.1)) / 0.8, 1);
    expect(calm.alert).toBe(false);
    expect(calm.explanation).toBe('zscore');
    expect(hotScore.severity).toBe(100);
    expect(hotScore.alert).toBe(true);
    expect(hotScore.explanation).toBe('occlusion');
    expect(hotScore.top_features.map((t: { name: string }) => t.name)).toEqual([
      'conns',
      'distinct_ports',
      'nxdomain_ratio',
    ]);

    const alerts = await readAll(log, 'alerts');
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({
      entity: hot.entity,
      kind: 'model',
      model: { name: 'net-anomaly', version: 1 },
    });
    expect(alerts[0]?.id).toMatch(/^[0-9a-f]{32}$/);

    const errors = await readAll(log, 'errors');
    expect(errors.map((e) => e.kind)).toEqual([
      'invalid-features',
      'invalid-features',
      'invalid-record',
      'schema-mismatch',
    ]);
    expect(errors[0]?.message).toContain('nxdomain_ratio=null');
    expect(errors[1]?.message).toContain('conns=missing');
    expect(errors[0]?.raw).toContain('"entity":"10.0.0.2"');
  });

  it('gives the same alert id when a window is scored again (replay)', async () => {
    const hot = feature(1, { conns: 400, distinct_ports: 90, nxdomain_ratio: 0.9 });
    await append(log, [hot, hot]);
    await runUntilDrained(log, createScorerStage({ registry, model: 'net-anomaly' }));
    const alerts = await readAll(log, 'alerts');
    expect(alerts).toHaveLength(2);
    expect(alerts[0]?.id).toBe(alerts[1]?.id);
  });

  it('switches versions when the alias moves, without losing or duplicating an event', async () => {
    const stage = createScorerStage({ registry, model: 'net-anomaly@champion', pollMs: 50 });
    const runner = new StageRunner(log, stage, { pollMs: 20, idleMs: 50, maxBatchRecords: 25 });
    await log.ensureTopic('features', { partitions: 1 });
    await runner.start();
    const total = 400;
    for (let i = 0; i < total; i += 20) {
      await append(
        log,
        Array.from({ length: 20 }, (_, k) => feature(i + k)),
      );
      if (i === 200) {
        await registry.promote('net-anomaly', 'champion', 2, { who: 'test', reason: 'better' });
        await stage.refreshModel();
      }
    }
    for (let t = 0; t < 400 && (await readAll(log, 'scores')).length < total; t++)
      await new Promise((r) => setTimeout(r, 25));
    await runner.stop();
    const scores = await readAll(log, 'scores');
    const windows = scores.map((s) => (s.window as { start: number }).start / 60_000);
    expect(windows).toEqual(Array.from({ length: total }, (_, i) => i));
    const versions = scores.map((s) => (s.model as { version: number }).version);
    const firstV2 = versions.indexOf(2);
    expect(firstV2).toBeGreaterThan(0);
    expect(versions.slice(0, firstV2).every((v) => v === 1)).toBe(true);
    expect(versions.slice(firstV2).every((v) => v === 2)).toBe(true);
    // Every score matches the arithmetic of the version it names.
    for (const [i, s] of scores.entries()) {
      const f = feature(i).features;
      const [w, b] = s.model && (s.model as { version: number }).version === 1 ? [w1, b1] : [w2, -2];
      expect(s.score as number).toBeCloseTo(
        referenceAnomaly(w as number[], b as number, [f.conns, f.distinct_ports, f.nxdomain_ratio]),
        5,
      );
    }
  });

  it('keeps scoring with the old version when the new one is corrupt, and says so', async () => {
    const v3 = await registry.register('net-anomaly', onnxAnomaly([1, 1, 1], 0), { signature: sig });
    await writeFile(registry.artifactPath(v3.sha256), 'corrupted on disk');
    const stage = createScorerStage({ registry, model: 'net-anomaly@champion' });
    await append(log, [feature(0)]);
    await stage.start?.({ name: 'scorer', replay: true, countError() {} });
    await registry.setAlias('net-anomaly', 'champion', 3, { who: 'test' });
    await stage.refreshModel();
    expect(stage.activeVersion).toBe(1);
    await append(log, [feature(1)]);
    const out = await stage.process(await log.read('features', 0, 1), {
      name: 'scorer',
      replay: false,
      countError() {},
    });
    const errs = out.filter((o) => o.topic === 'errors').map((o) => JSON.parse(String(o.value)));
    expect(errs[0]).toMatchObject({ kind: 'load-failed' });
    expect(errs[0].message).toMatch(
      /cannot load net-anomaly:3: artifact of net-anomaly:3 is corrupt.*still scoring with version 1/,
    );
    const scored = out.filter((o) => o.topic === 'scores').map((o) => JSON.parse(String(o.value)));
    expect(scored.map((s) => s.model.version)).toEqual([1]);
    await stage.stop?.();
  });

  it('shadow-scores the challenger to its own topic without alerts', async () => {
    await append(log, [feature(0), feature(1, { conns: 400, distinct_ports: 90, nxdomain_ratio: 0.9 })]);
    await runUntilDrained(
      log,
      createScorerStage({ registry, model: 'net-anomaly', shadow: 'net-anomaly@challenger' }),
    );
    const shadow = await readAll(log, 'scores.shadow');
    expect(shadow.map((s) => (s.model as { version: number }).version)).toEqual([2, 2]);
    expect((await readAll(log, 'alerts')).every((a) => (a.model as { version: number }).version === 1)).toBe(
      true,
    );
  });

  it('holds records across batches until the batch fills, in its committed state', async () => {
    const stage = createScorerStage({ registry, model: 'net-anomaly', maxWaitMs: 60_000, batchSize: 3 });
    await stage.start?.({ name: 'scorer', replay: false, countError() {} });
    await append(log, [feature(0), feature(1), feature(2)]);
    const recs = await log.read('features', 0, 0);
    const ctx = { name: 'scorer', replay: false, countError() {} };
    expect(await stage.process(recs.slice(0, 2), ctx)).toEqual([]);
    const state = stage.snapshot?.() as Buffer;
    const restored = createScorerStage({ registry, model: 'net-anomaly', maxWaitMs: 60_000, batchSize: 3 });
    restored.restore?.(state);
    await restored.start?.(ctx);
    const out = await restored.process(recs.slice(2), ctx);
    expect(out.filter((o) => o.topic === 'scores')).toHaveLength(3);
    await stage.stop?.();
    await restored.stop?.();
  });
});

describe('scorer limits and config', () => {
  it('keeps the old version when the new one is over the size limit', async () => {
    const { onnxMlp } = await import('../../models/reference-models.ts');
    const big = onnxMlp(3, 64, 1);
    const v3 = await registry.register('net-anomaly', big, { signature: sig });
    const stage = createScorerStage({ registry, model: 'net-anomaly@champion', maxModelBytes: 4096 });
    const ctx = { name: 'scorer', replay: false, countError() {} };
    await stage.start?.(ctx);
    await registry.setAlias('net-anomaly', 'champion', v3.version, { who: 'test' });
    await stage.refreshModel();
    await append(log, [feature(0)]);
    const out = await stage.process(await log.read('features', 0, 0), ctx);
    const err = out.find((o) => o.topic === 'errors');
    expect(JSON.parse(String(err?.value)).message).toMatch(
      /over the 4096-byte limit; still scoring with version 1/,
    );
    expect(
      out.filter((o) => o.topic === 'scores').map((o) => JSON.parse(String(o.value)).model.version),
    ).toEqual([1]);
    await stage.stop?.();
  });

  it('validates scorer config with field names', async () => {
    const { scorerConfig } = await import('./config.ts');
    expect(scorerConfig({ model: 'm' }).batchSize).toBe(256);
    expect(() => scorerConfig({ model: 'm', batchSize: 0 })).toThrow(/batchSize/);
    expect(() => scorerConfig({ model: 'm', bogus: 1 })).toThrow(/bogus/);
  });
});

describe('scorer with TF.js models', () => {
  it('switches from an ONNX champion to a TF.js challenger and scores like the reference', async () => {
    const { layersAnomaly } = await import('../../models/reference-models.ts');
    const tfSig = signatureForSchema(schema, 'tfjs-layers', { kind: 'anomaly_score' });
    const w3 = [0.03, -0.02, 2];
    const v = await registry.register('net-anomaly', await layersAnomaly(w3, 0.25), { signature: tfSig });
    const stage = createScorerStage({ registry, model: 'net-anomaly@champion' });
    const ctx = { name: 'scorer', replay: false, countError() {} };
    await stage.start?.(ctx);
    await registry.promote('net-anomaly', 'champion', v.version, { who: 'test', reason: 'tfjs' });
    await stage.refreshModel();
    await append(log, [feature(0), feature(1)]);
    const out = await stage.process(await log.read('features', 0, 0), ctx);
    const scores = out.filter((o) => o.topic === 'scores').map((o) => JSON.parse(String(o.value)));
    expect(scores.map((s) => s.model.version)).toEqual([v.version, v.version]);
    for (const [i, s] of scores.entries()) {
      const f = feature(i).features;
      expect(s.score).toBeCloseTo(
        referenceAnomaly(w3, 0.25, [f.conns, f.distinct_ports, f.nxdomain_ratio]),
        5,
      );
    }
    await stage.stop?.();
  });
});
