// Training sets by replay on simulator data: simulated Zeek lines → the parse stage → `events`, then
// materializeTrainingSet replays them through the profiler and writes Parquet with joined labels.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseProfilesConfig } from '../../features/profile-config.ts';
import { type EmbeddedLog, openEmbeddedLog } from '../../ingest/log/embedded/index.ts';
import { parseLabelFile } from '../labels/label-file.ts';
import { materializeTrainingSet } from './materialize.ts';
import { type SimulatedEvents, simulateEvents } from './simulated-events.ts';

const PROFILES = parseProfilesConfig('builtin: [network]\nbuiltinWindow: 5m\n', 'profiles.yaml');
const dir = mkdtempSync(join(tmpdir(), 'vigil-dataset-'));
let log: EmbeddedLog;
let sim: SimulatedEvents;

type Row = Record<string, unknown> & {
  entity: string;
  window_start: number;
  window_end: number;
  label: number | null;
  scenario: string | null;
};

async function readParquet(file: string): Promise<Row[]> {
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  try {
    const r = await conn.runAndReadAll(
      `SELECT * REPLACE (CAST(window_start AS DOUBLE) AS window_start, CAST(window_end AS DOUBLE) AS window_end) FROM read_parquet('${file}')`,
    );
    return r.getRowObjectsJS() as Row[];
  } finally {
    conn.closeSync();
    db.closeSync();
  }
}

beforeAll(async () => {
  log = await openEmbeddedLog(join(dir, 'log'), { fsync: false, retentionCheckMs: 0 });
  sim = await simulateEvents(log, { seed: 5, span: '20m', rate: 10, dgaDir: 'none' });
}, 60_000);

afterAll(async () => {
  await log?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('materializeTrainingSet', () => {
  it('writes feature vectors with entity, window and labels joined from ground truth and from analyst verdicts', async () => {
    const truth = parseLabelFile(
      sim.groundTruth.map((g) => JSON.stringify(g)).join('\n'),
      'ground-truth.jsonl',
    );
    const scan = sim.groundTruth.find((g) => g.scenario === 'scan-vertical');
    const exfil = sim.groundTruth.find((g) => g.scenario === 'exfil');
    expect(scan && exfil).toBeTruthy();
    const out = join(dir, 'set.parquet');
    const summary = await materializeTrainingSet({
      log,
      topic: 'events',
      profiles: PROFILES,
      profile: 'network.src',
      labels: [{ kind: 'intervals', intervals: truth }],
      out,
    });
    expect(summary.events).toBe(sim.events);
    expect(summary.featureSchema).toEqual({ name: 'network.src', version: 1 });
    const rows = await readParquet(out);
    expect(rows).toHaveLength(summary.rows);
    expect(summary.columns.slice(0, 6)).toEqual([
      'profile',
      'schema',
      'schema_version',
      'entity',
      'window_start',
      'window_end',
    ]);
    expect(summary.columns).toContain('distinct_dst_ports');
    expect(summary.columns.slice(-2)).toEqual(['label', 'scenario']);
    // every row is labelled (time outside the intervals is benign); attack windows carry their scenario
    expect(rows.every((r) => r.label === 0 || r.label === 1)).toBe(true);
    const scanRows = rows.filter((r) => r.entity === scan?.entities.src[0]);
    expect(scanRows.length).toBeGreaterThan(0);
    expect(scanRows.every((r) => r.label === 1 && r.scenario === 'scan-vertical')).toBe(true);
    expect(Math.max(...scanRows.map((r) => Number(r.distinct_dst_ports)))).toBeGreaterThan(100);
    expect(summary.byScenario['scan-vertical']).toBe(scanRows.length);
    // a workstation's windows are positive only where they overlap its episode
    const exfilStart = Date.parse(exfil?.start as string);
    const exfilEnd = Date.parse(exfil?.end as string);
    for (const r of rows.filter((x) => x.entity === exfil?.entities.src[0])) {
      const overlaps = r.window_start <= exfilEnd && r.window_end > exfilStart;
      if (!overlaps) expect(r.label).toBe(0);
    }
    expect(summary.positives).toBe(rows.filter((r) => r.label === 1).length);
    expect(summary.positives).toBeLessThan(rows.length / 2);

    // verdicts: a verdict labels the window its alert time closes; windows without one are unknown
    const benign = rows.find((r) => r.label === 0) as Row;
    await log.ensureTopic('verdicts');
    await log.append('verdicts', [
      {
        value: JSON.stringify({
          alert_id: 'a1',
          entity: benign.entity,
          ts: benign.window_end,
          verdict: 'true_positive',
        }),
      },
      {
        value: JSON.stringify({
          alert_id: 'a2',
          entity: benign.entity,
          ts: 'not a time',
          verdict: 'true_positive',
        }),
      },
    ]);
    const { readVerdicts } = await import('../labels/verdicts.ts');
    const { verdicts, skipped } = await readVerdicts(log);
    expect(skipped).toBe(1);
    const out2 = join(dir, 'set2.parquet');
    await materializeTrainingSet({
      log,
      topic: 'events',
      profiles: PROFILES,
      labels: [{ kind: 'verdicts', verdicts }],
      out: out2,
    });
    const rows2 = await readParquet(out2);
    const positives = rows2.filter((r) => r.label === 1);
    expect(positives.map((r) => [r.entity, r.window_end])).toEqual([[benign.entity, benign.window_end]]);
    expect(rows2.filter((r) => r.label === null)).toHaveLength(rows2.length - 1);
  }, 60_000);

  it('is point-in-time correct: replaying only up to a row’s window end reproduces that row exactly', async () => {
    const full = join(dir, 'full.parquet');
    await materializeTrainingSet({ log, topic: 'events', profiles: PROFILES, out: full });
    const rows = await readParquet(full);
    const ends = [...new Set(rows.map((r) => r.window_end))].sort((a, b) => a - b);
    expect(ends.length).toBeGreaterThan(2);
    const cut = ends[1] as number; // a window end well before the data ends
    expect(cut).toBeLessThan(sim.endMs);
    const partial = join(dir, 'partial.parquet');
    // Events at or after the window end are left out of the replay entirely.
    await materializeTrainingSet({
      log,
      topic: 'events',
      profiles: PROFILES,
      to: { time: cut },
      out: partial,
    });
    const before = rows.filter((r) => r.window_end <= cut);
    const after = await readParquet(partial);
    const key = (r: Row) => `${r.entity}|${r.window_end}`;
    const truncated = new Map(after.map((r) => [key(r), r]));
    expect(before.length).toBeGreaterThan(10);
    for (const r of before) expect(truncated.get(key(r))).toEqual(r);
    // no window past the cut can exist without the later events
    expect(after.every((r) => r.window_end <= cut)).toBe(true);
    expect(rows.length).toBeGreaterThan(before.length);
  }, 60_000);

  it('labels from a data column use only the window’s own events', async () => {
    const out = join(dir, 'column.parquet');
    const summary = await materializeTrainingSet({
      log,
      topic: 'events',
      profiles: PROFILES,
      labels: [{ kind: 'column', expr: 'zeek.conn.conn_state == "REJ"' }],
      out,
    });
    const rows = await readParquet(out);
    expect(summary.positives).toBeGreaterThan(0);
    // REJ is a failed connection: a positive window always has failures, and no label row is left out
    for (const r of rows.filter((x) => x.label === 1)) expect(Number(r.failed_conn_ratio)).toBeGreaterThan(0);
    expect(rows.every((r) => r.label === 0 || r.label === 1)).toBe(true);
    expect(summary.columns).not.toContain('hits');
  }, 60_000);
});
