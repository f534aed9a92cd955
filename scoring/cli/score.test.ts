import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { onnxAnomaly } from '../../models/reference-models.ts';
import { type ModelRegistry, openRegistry } from '../../models/registry.ts';
import { signatureForSchema } from '../../models/signature.ts';
import { ModelHandle } from '../scorer/model-handle.ts';
import { scoreLines } from './score.ts';

const schema = { name: 'demo', version: 1, features: ['a', 'b'] };
let dir: string;
let registry: ModelRegistry;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'vigil-score-cli-'));
  registry = await openRegistry(dir, { featureSchemas: [schema] });
  await registry.register('demo', onnxAnomaly([1, -1], 0), {
    signature: signatureForSchema(schema, 'onnx', { kind: 'anomaly_score' }),
  });
  await registry.register('demo', onnxAnomaly([2, 2], 0), {
    signature: signatureForSchema(schema, 'onnx', { kind: 'anomaly_score' }),
  });
  await registry.setAlias('demo', 'champion', 1);
});
afterEach(async () => {
  await registry.close();
  await rm(dir, { recursive: true, force: true });
});

async function* lines(xs: string[]) {
  yield* xs;
}

const rec = (entity: string, a: unknown, b: unknown) =>
  JSON.stringify({ entity, window: { start: 0, end: 1 }, features: { a, b } });

describe('vigil score', () => {
  it('writes one score per good line, in order, and reports bad lines with their line numbers', async () => {
    const handle = new ModelHandle(registry, 'demo:2');
    await handle.start();
    const out: string[] = [];
    const err: string[] = [];
    const input = [
      rec('x', 0, 0),
      '{bad',
      '',
      rec('y', 1, 'two'),
      rec('z', 1, 1),
      JSON.stringify({ ...JSON.parse(rec('w', 0, 0)), schema: 'other' }),
    ];
    const counts = await scoreLines(
      handle,
      lines(input),
      (l) => out.push(l),
      (l) => err.push(l),
      { batchSize: 1 },
    );
    expect(counts).toEqual({ scored: 2, errors: 2, skipped: 1 });
    const scores = out.map((l) => JSON.parse(l));
    expect(scores.map((s) => [s.entity, s.model.version])).toEqual([
      ['x', 2],
      ['z', 2],
    ]);
    expect(scores[0].score).toBeCloseTo(0.5, 6);
    expect(scores[1].score).toBeCloseTo(1 / (1 + Math.exp(-4)), 6);
    expect(err.map((l) => JSON.parse(l).line)).toEqual([2, 4]);
    expect(JSON.parse(err[1] as string).message).toContain('b="two" (string)');
    await handle.stop();
  });

  it('follows NAME (the champion) by default', async () => {
    const handle = new ModelHandle(registry, 'demo');
    await handle.start();
    const out: string[] = [];
    await scoreLines(
      handle,
      lines([rec('x', 1, 0)]),
      (l) => out.push(l),
      () => {},
    );
    expect(JSON.parse(out[0] as string).model).toEqual({ name: 'demo', version: 1 });
    await handle.stop();
  });
});
