// `vigil dataset` and `vigil backtest` in-process on a data dir holding simulated, parsed and
// profiled events, a registered model, and the simulator's ground truth as a label file.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parseProfilesConfig } from '../features/profile-config.ts';
import { createProfilerStage } from '../features/stage.ts';
import { openEmbeddedLog } from '../ingest/log/embedded/index.ts';
import { runUntilDrained } from '../ingest/pipeline/runner.ts';
import { openRegistry } from '../models/registry.ts';
import { DEFAULT_ENRICH_CONFIG_PATH } from '../scoring/triage/config.ts';
import { registerBacktestCommands } from './cli-backtest.ts';
import { DEFAULT_MODEL_NAME, trainDefaultModel } from './default-model.ts';
import { simulateEvents } from './replay/simulated-events.ts';

const dir = mkdtempSync(join(tmpdir(), 'vigil-backtest-cli-'));
const dataDir = join(dir, 'data');
const labels = join(dir, 'ground-truth.jsonl');

beforeAll(async () => {
  const log = await openEmbeddedLog(join(dataDir, 'log'), { fsync: false, retentionCheckMs: 0 });
  const sim = await simulateEvents(log, { seed: 21, span: '15m', rate: 8, dgaDir: 'none' });
  writeFileSync(labels, sim.groundTruth.map((g) => `${JSON.stringify(g)}\n`).join(''));
  const profiles = parseProfilesConfig('builtin: [network]\n', 'profiles.yaml');
  await runUntilDrained(log, createProfilerStage({ profiles, inputs: ['events'] }), { replay: true });
  await log.close();
  const registry = await openRegistry(dataDir);
  await trainDefaultModel({ registry, syntheticRows: 2000, autoencoderParams: { epochs: 4 } });
  await registry.close();
}, 90_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(args: string[]): Promise<string> {
  const program = new Command('vigil').option('--data-dir <dir>').exitOverride();
  registerBacktestCommands(program);
  let out = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  try {
    await program.parseAsync(['node', 'vigil', '--data-dir', dataDir, ...args]);
  } finally {
    spy.mockRestore();
  }
  return out;
}

describe('vigil dataset / vigil backtest', () => {
  it('materializes a labelled training set with --json', async () => {
    const out = join(dir, 'set.parquet');
    const summary = JSON.parse(
      await run(['dataset', '--topic', 'events', '--labels', labels, '--out', out, '--json']),
    );
    expect(existsSync(out)).toBe(true);
    expect(summary.rows).toBeGreaterThan(0);
    expect(summary.positives).toBeGreaterThan(0);
    expect(summary.featureSchema).toEqual({ name: 'network.src', version: 1 });
  }, 40_000);

  it('backtests the champion from the log and records it; a table without --json', async () => {
    const out = join(dir, 'bt');
    const report = JSON.parse(
      await run([
        'backtest',
        '--model',
        `${DEFAULT_MODEL_NAME}@champion`,
        '--labels',
        labels,
        '--out',
        out,
        '--json',
      ]),
    );
    expect(report.runs).toHaveLength(1); // the champion is the candidate: nothing beside it
    expect(report.runs[0].model).toEqual({ name: DEFAULT_MODEL_NAME, version: 1 });
    expect(report.runs[0].labelled).toBe(true);
    expect(existsSync(join(out, 'report.json'))).toBe(true);
    const registry = await openRegistry(dataDir);
    try {
      expect(
        (await registry.evaluations(DEFAULT_MODEL_NAME, 1)).filter((e) => e.kind === 'backtest'),
      ).toHaveLength(1);
    } finally {
      await registry.close();
    }
    const table = await run([
      'backtest',
      '--rules',
      DEFAULT_ENRICH_CONFIG_PATH,
      '--labels',
      labels,
      '--out',
      join(dir, 'bt2'),
    ]);
    expect(table).toMatch(/^run\s+inputs\s+alerts/m);
    expect(table).toMatch(/per scenario/);
    expect(table).toMatch(/alerts per hour/);
  }, 40_000);

  it('refuses both --model and --rules', async () => {
    await expect(run(['backtest', '--model', 'x', '--rules', 'y'])).rejects.toThrow(
      /exactly one of --model or --rules/,
    );
  });
});
