// Backtests on simulator data, end to end: simulated Zeek lines → the parse stage → the profiler
// (features topic) → backtests of a model version beside the champion (from the log, and from the
// archived history), and of the triage/Sigma rules over the events. A backtest writes nothing to
// the log and stores its result on the model version.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseProfilesConfig } from '../features/profile-config.ts';
import { createProfilerStage } from '../features/stage.ts';
import { type EmbeddedLog, openEmbeddedLog } from '../ingest/log/embedded/index.ts';
import { runUntilDrained } from '../ingest/pipeline/runner.ts';
import { type ModelRegistry, openRegistry } from '../models/registry.ts';
import { parseFeatureRecord, scoreFeatureRecords } from '../scoring/scorer/score-features.ts';
import { loadScoringModel } from '../scoring/scorer/scoring-model.ts';
import { DEFAULT_ENRICH_CONFIG_PATH } from '../scoring/triage/config.ts';
import { backtest } from '../training/backtest/backtest.ts';
import { DEFAULT_MODEL_NAME, trainDefaultModel } from '../training/default-model.ts';
import { createArchiverStage } from '../training/history/archiver-stage.ts';
import { parseLabelFile } from '../training/labels/label-file.ts';
import { type SimulatedEvents, simulateEvents } from '../training/replay/simulated-events.ts';

const PROFILES = parseProfilesConfig('builtin: [network]\nbuiltinWindow: 5m\n', 'profiles.yaml');
const dir = mkdtempSync(join(tmpdir(), 'vigil-backtest-'));
let log: EmbeddedLog;
let registry: ModelRegistry;
let sim: SimulatedEvents;

async function topicEnds(l: EmbeddedLog): Promise<Record<string, number[]>> {
  const out: Record<string, number[]> = {};
  for (const t of await l.listTopics()) out[t] = (await l.describeTopic(t)).partitions.map((p) => p.latest);
  return out;
}

beforeAll(async () => {
  log = await openEmbeddedLog(join(dir, 'data', 'log'), { fsync: false, retentionCheckMs: 0 });
  sim = await simulateEvents(log, { seed: 11, span: '25m', rate: 12, dgaDir: 'none' });
  await runUntilDrained(log, createProfilerStage({ profiles: PROFILES, inputs: ['events'] }), {
    replay: true,
  });
  registry = await openRegistry(join(dir, 'data'));
  // v1 becomes the champion; v2 is a challenger trained with another seed.
  for (const seed of [7, 8]) {
    await trainDefaultModel({ registry, syntheticRows: 3000, seed, autoencoderParams: { epochs: 6 } });
  }
}, 120_000);

afterAll(async () => {
  await registry?.close();
  await log?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('backtest', () => {
  it('scores a version beside the champion exactly as the scorer would, writes no live alerts, and records the result', async () => {
    const before = await topicEnds(log);
    const labels = parseLabelFile(
      sim.groundTruth.map((g) => JSON.stringify(g)).join('\n'),
      'ground-truth.jsonl',
    );
    const out = join(dir, 'bt-model');
    const report = await backtest({
      source: { kind: 'features', log },
      model: `${DEFAULT_MODEL_NAME}:2`,
      registry,
      labels,
      out,
      dataset: 'sim-seed-11',
    });
    expect(await topicEnds(log)).toEqual(before);

    expect(report.runs.map((r) => [r.role, r.model?.version])).toEqual([
      ['candidate', 2],
      ['baseline', 1],
    ]);
    for (const run of report.runs) {
      expect(run.inputs).toBeGreaterThan(100);
      expect(Object.values(run.alertsPerHour).reduce((a, b) => a + b, 0)).toBe(run.alerts);
      expect(run.labelled).toBe(true);
      expect(Object.keys(run.scenarios ?? {}).sort()).toEqual(
        [...new Set(sim.groundTruth.map((g) => g.scenario))].sort(),
      );
      expect((run.hits ?? 0) + (run.falseAlerts ?? 0)).toBe(run.alerts);
      expect(
        readFileSync(join(out, `alerts.${run.role}.jsonl`), 'utf8')
          .split('\n')
          .filter(Boolean),
      ).toHaveLength(run.alerts);
    }
    expect(existsSync(join(out, 'report.json'))).toBe(true);

    // The same alerts as the scorer's own code path over every feature record of the topic.
    const values = (await log.read('features', 0, 0, { maxRecords: 1_000_000 })).map((r) => r.value);
    const model = await loadScoringModel(registry, await registry.resolve(`${DEFAULT_MODEL_NAME}:2`));
    const records = values.map((v) => parseFeatureRecord(v)).filter((r) => typeof r !== 'string');
    const outcomes = await scoreFeatureRecords(model, records);
    await model.runtime.dispose();
    expect(report.runs[0]?.alerts).toBe(outcomes.filter((o) => o.ok && o.alert).length);
    expect(report.runs[0]?.inputs).toBe(outcomes.filter((o) => o.ok).length);
    expect(report.runs[0]?.alerts).toBeGreaterThan(0);

    // Stored on both versions under one dataset name, so a promotion policy can compare them.
    const [mine] = (await registry.evaluations(DEFAULT_MODEL_NAME, 2)).filter((e) => e.kind === 'backtest');
    expect(mine?.dataset).toBe('sim-seed-11');
    expect(mine?.metrics.alerts).toBe(report.runs[0]?.alerts);
    expect(mine?.metrics.recall).toBe(report.runs[0]?.recall);
    const [theirs] = (await registry.evaluations(DEFAULT_MODEL_NAME, 1)).filter((e) => e.kind === 'backtest');
    expect(theirs?.metrics.alerts).toBe(report.runs[1]?.alerts);
    const policy = { metric: 'precision', kind: 'backtest' as const, minImprovement: 0 };
    const better = (report.runs[0]?.precision ?? 0) > (report.runs[1]?.precision ?? 0);
    const promotion = registry.promote(DEFAULT_MODEL_NAME, 'champion', 2, {
      who: 'test',
      reason: 'backtest',
      policy,
    });
    if (better) await expect(promotion).resolves.toMatchObject({ toVersion: 2 });
    else await expect(promotion).rejects.toThrow(/does not beat/);
  }, 60_000);

  it('reads the archived history, and a replay of the events, the same as the features topic', async () => {
    const root = join(dir, 'data', 'history');
    await runUntilDrained(log, createArchiverStage({ root, topics: ['features'] }), { replay: true });
    const fromLog = await backtest({
      source: { kind: 'features', log },
      model: `${DEFAULT_MODEL_NAME}:1`,
      registry,
      compareWith: null,
      record: false,
    });
    const fromHistory = await backtest({
      source: { kind: 'history', root },
      model: `${DEFAULT_MODEL_NAME}:1`,
      registry,
      compareWith: null,
      record: false,
    });
    expect(fromHistory.runs[0]?.inputs).toBe(fromLog.runs[0]?.inputs);
    expect(fromHistory.runs[0]?.alerts).toBe(fromLog.runs[0]?.alerts);
    expect(fromHistory.runs[0]?.alertsPerHour).toEqual(fromLog.runs[0]?.alertsPerHour);
    expect(fromHistory.range).toEqual(fromLog.range);
    // and events replayed through the profiler give the features the live stage wrote
    const fromReplay = await backtest({
      source: { kind: 'replay', log, topic: 'events', profiles: PROFILES },
      model: `${DEFAULT_MODEL_NAME}:1`,
      registry,
      compareWith: null,
      record: false,
    });
    expect(fromReplay.runs[0]?.inputs).toBe(fromLog.runs[0]?.inputs);
    expect(fromReplay.runs[0]?.alertsPerHour).toEqual(fromLog.runs[0]?.alertsPerHour);
  }, 60_000);

  it('runs the triage/Sigma rules over events through the enrich stage, detecting labelled scenarios', async () => {
    const before = await topicEnds(log);
    const labels = parseLabelFile(sim.groundTruth.map((g) => JSON.stringify(g)).join('\n'));
    const report = await backtest({
      source: { kind: 'events', log },
      rules: DEFAULT_ENRICH_CONFIG_PATH,
      labels,
    });
    expect(await topicEnds(log)).toEqual(before);
    const run = report.runs[0];
    expect(run?.kind).toBe('rules');
    expect(run?.inputs).toBe(sim.events);
    expect(run?.alerts).toBeGreaterThan(0);
    expect(run?.hits).toBeGreaterThan(0);
    const detected = Object.entries(run?.scenarios ?? {}).filter(([, s]) => s.detected > 0);
    expect(detected.length).toBeGreaterThan(0);
    for (const [, s] of detected) expect(s.timeToDetectMs?.min).toBeGreaterThanOrEqual(0);
  }, 60_000);
});
