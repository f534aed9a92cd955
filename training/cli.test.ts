// `vigil train` and `vigil eval` in-process: train from a spec file with --json, register, evaluate
// the registered version with a target FPR and record it.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { openRegistry } from '../models/registry.ts';
import { registerTrainCommands } from './cli.ts';
import { createRng } from './random.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'vigil-train-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function writeData() {
  const rng = createRng(9);
  const lines = ['ts,bytes,conns,label'];
  for (let i = 0; i < 1500; i++) {
    const bad = rng.next() < 0.15;
    lines.push(
      `${1_700_000_000_000 + i * 600_000},${Math.round((bad ? 10 : 5000) * (1 + rng.next()))},${Math.round((bad ? 300 : 8) * (1 + rng.next()))},${bad ? 1 : 0}`,
    );
  }
  writeFileSync(path.join(dir, 'rows.csv'), `${lines.join('\n')}\n`);
  writeFileSync(
    path.join(dir, 'spec.yaml'),
    [
      'name: cli-forest',
      'source: { path: rows.csv }',
      'timestamp: ts',
      'features: { numeric: [bytes, conns] }',
      'label: { column: label, positive: ["1"] }',
      'trainOn: negatives',
      'model: { family: isolation-forest, params: { trees: 30, sampleSize: 64 } }',
      'threshold: { kind: fpr, target: 0.02 }',
      'seed: 5',
    ].join('\n'),
  );
}

async function run(args: string[]): Promise<string> {
  const program = new Command('vigil').option('--data-dir <dir>').exitOverride();
  registerTrainCommands(program);
  let out = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  try {
    await program.parseAsync(['node', 'vigil', '--data-dir', path.join(dir, 'data'), ...args]);
  } finally {
    spy.mockRestore();
  }
  return out;
}

describe('vigil train / vigil eval', () => {
  it('trains, registers with an alias, writes artifacts, and evaluates the registered version', async () => {
    writeData();
    const trained = JSON.parse(
      await run([
        'train',
        '--spec',
        path.join(dir, 'spec.yaml'),
        '--alias',
        'challenger',
        '--out',
        path.join(dir, 'out'),
        '--json',
      ]),
    );
    expect(trained.registered).toMatchObject({ name: 'cli-forest', version: 1 });
    expect(trained.parity.maxAbsDiff).toBeLessThanOrEqual(1e-4);
    expect(trained.metrics.auroc).toBeGreaterThan(0.95);
    expect(trained.files.onnx).toBe(path.join(dir, 'out', 'model.onnx'));

    const evaluated = JSON.parse(
      await run([
        'eval',
        '--spec',
        path.join(dir, 'spec.yaml'),
        '--model',
        'cli-forest@challenger',
        '--target-fpr',
        '0.05',
        '--record',
        '--json',
      ]),
    );
    expect(evaluated.model).toEqual({ name: 'cli-forest', version: 1 });
    expect(evaluated.threshold.policy).toEqual({ kind: 'fpr', target: 0.05 });
    expect(evaluated.evaluation.auroc).toBeCloseTo(trained.metrics.auroc, 6);

    // the ONNX file on disk evaluates the same
    const fromFile = JSON.parse(
      await run([
        'eval',
        '--spec',
        path.join(dir, 'spec.yaml'),
        '--onnx',
        path.join(dir, 'out', 'model.onnx'),
        '--json',
      ]),
    );
    expect(fromFile.evaluation.auroc).toBeCloseTo(trained.metrics.auroc, 6);

    const registry = await openRegistry(path.join(dir, 'data'));
    try {
      const evals = await registry.evaluations('cli-forest', 1);
      expect(evals).toHaveLength(2); // one from training, one recorded by eval
      expect((await registry.aliases('cli-forest')).challenger).toBe(1);
    } finally {
      await registry.close();
    }
  });
});
