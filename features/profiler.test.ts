import { describe, expect, it } from 'vitest';
import type { LogRecord } from '../ingest/log/types.ts';
import type { StageContext, StageOutput } from '../ingest/pipeline/stage.ts';
import { ConfigError } from '../kernel/config.ts';
import { compileProfiles, parseProfilesConfig } from './profile-config.ts';
import {
  assertFeatureSchema,
  FeatureSchemaMismatch,
  featureArray,
  NETWORK_SOURCE_FEATURES,
} from './schema.ts';
import { createProfilerStage } from './stage.ts';
import { windowStarts } from './windows.ts';

const ctx: StageContext = { name: 'profiler', replay: false, countError: () => {} };
const T0 = Date.UTC(2026, 11, 4, 19, 0, 0); // a multiple of every window size used here

const record = (
  partition: number,
  offset: number,
  t: number,
  fields: Record<string, unknown>,
): LogRecord => ({
  topic: 'events.enriched',
  partition,
  offset,
  timestamp: t,
  key: null,
  value: Buffer.from(JSON.stringify({ '@timestamp': new Date(t).toISOString(), ...fields })),
  headers: {},
});
const values = (out: StageOutput[], topic: string) =>
  out.filter((o) => o.topic === topic).map((o) => JSON.parse(String(o.value)));

const COUNTS = `
allowedLateness: 5s
profiles:
  - name: conns
    foreach: source.ip
    window: { size: 1m }
    aggregations:
      n: { op: count }
      out: { op: sum, of: source.bytes }
    result: "out / n"
    triage: { when: "n >= 3", severity: high, message: busy host }
`;

describe('windows', () => {
  it('tumbling and hopping windows are aligned to the epoch', () => {
    expect(windowStarts(T0 + 61_000, 60_000, 60_000)).toEqual([T0 + 60_000]);
    expect(windowStarts(T0 + 61_000, 120_000, 30_000)).toEqual([T0 + 60_000, T0 + 30_000, T0, T0 - 30_000]);
    expect(windowStarts(-1, 10, 10)).toEqual([-10]);
  });
});

describe('profiles config', () => {
  it('rejects a bad expression with the file line and field', () => {
    const bad = COUNTS.replace('of: source.bytes', 'of: "source.bytes +"');
    expect(() => parseProfilesConfig(bad, 'p.yaml')).toThrow(ConfigError);
    try {
      parseProfilesConfig(bad, 'p.yaml');
    } catch (e) {
      expect((e as Error).message).toMatch(/^p\.yaml:9: profiles\.0\.aggregations\.out\.of: /);
    }
  });

  it('rejects unknown ops, reserved names, hopping advance > size and schema mismatches', () => {
    expect(() => parseProfilesConfig(COUNTS.replace('op: count', 'op: median'), 'p')).toThrow(
      /profiles\.0\.aggregations\.n/,
    );
    expect(() =>
      parseProfilesConfig(COUNTS.replace('n: { op: count }', 'bytes: { op: count }'), 'p'),
    ).toThrow(/reserved/);
    expect(() => parseProfilesConfig(COUNTS.replace('size: 1m', 'size: 1m, advance: 2m'), 'p')).toThrow(
      /advance/,
    );
    expect(() => parseProfilesConfig(`${COUNTS}    schema: network.src\n`, 'p')).toThrow(
      /feature schema network.src/,
    );
  });

  it('the built-in network set matches its versioned schema', () => {
    const set = compileProfiles(parseProfilesConfig('builtin: [network]'));
    expect(set.profiles.map((p) => [p.name, p.featureSchema.name, p.featureSchema.version])).toEqual([
      ['network.src', 'network.src', 1],
      ['network.pair', 'network.pair', 1],
    ]);
    expect(() =>
      assertFeatureSchema(NETWORK_SOURCE_FEATURES, { ...NETWORK_SOURCE_FEATURES, version: 2 }),
    ).toThrow(FeatureSchemaMismatch);
  });
});

describe('profiler stage', () => {
  it('closes windows when the slowest partition passes them, emits profiles, features and triage alerts', () => {
    const stage = createProfilerStage({
      profiles: parseProfilesConfig(COUNTS),
      expectedPartitions: ['events.enriched/0', 'events.enriched/1'],
    });
    const a = { source: { ip: '10.0.0.1', bytes: 100 } };
    let out = stage.process(
      [
        record(0, 0, T0 + 1000, a),
        record(0, 1, T0 + 2000, a),
        record(0, 2, T0 + 3000, a),
        record(0, 3, T0 + 70_000, a),
      ],
      ctx,
    ) as StageOutput[];
    expect(out).toEqual([]); // partition 1 has not delivered: nothing may close yet
    out = stage.process(
      [record(1, 0, T0 + 66_000, { source: { ip: '10.0.0.2', bytes: 5 } })],
      ctx,
    ) as StageOutput[];
    const [profile] = values(out, 'profiles');
    expect(profile).toEqual({
      profile: 'conns',
      entity: '10.0.0.1',
      window: { start: T0, end: T0 + 60_000 },
      value: 100,
      aggregates: { n: 3, out: 300 },
    });
    const [vector] = values(out, 'features');
    expect(vector).toMatchObject({
      schema: 'profile.conns',
      profile: 'conns',
      entity: '10.0.0.1',
      features: { n: 3, out: 300 },
    });
    expect(
      featureArray({ name: vector.schema, version: vector.version, features: ['n', 'out'] }, vector),
    ).toEqual([3, 300]);
    expect(values(out, 'alerts')).toMatchObject([
      { profile: 'conns', entity: '10.0.0.1', severity: 'high', message: 'busy host' },
    ]);
    expect(out.find((o) => o.topic === 'profiles')?.timestamp).toBe(T0 + 60_000);
  });

  it('sends events for closed windows to the late topic and counts them', () => {
    const stage = createProfilerStage({ profiles: parseProfilesConfig(COUNTS) });
    const a = { source: { ip: '10.0.0.1', bytes: 1 } };
    stage.process([record(0, 0, T0 + 1000, a), record(0, 1, T0 + 90_000, a)], ctx);
    const out = stage.process(
      [record(0, 2, T0 + 2000, a), record(0, 3, T0 + 86_000, a)],
      ctx,
    ) as StageOutput[];
    const late = values(out, 'late');
    expect(late).toHaveLength(1);
    expect(late[0]).toMatchObject({
      profile: 'conns',
      entity: '10.0.0.1',
      windows: [T0],
      eventTime: T0 + 2000,
      source: { partition: 0, offset: 2 },
    });
    expect(stage.profiler.lateCount).toBe(1);
  });

  it('an idle partition does not stall closing once the idle timeout fires', async () => {
    const stage = createProfilerStage({
      profiles: parseProfilesConfig(COUNTS),
      expectedPartitions: ['events.enriched/0', 'events.enriched/1'],
    });
    const a = { source: { ip: '10.0.0.1', bytes: 1 } };
    expect(stage.process([record(0, 0, T0 + 1000, a), record(0, 1, T0 + 70_000, a)], ctx)).toEqual([]);
    const out = (await stage.onIdle?.(ctx, { final: false })) as StageOutput[];
    expect(values(out, 'profiles').map((p) => p.window.start)).toEqual([T0]);
  });

  it('bad input becomes an error record, never an exception', () => {
    const stage = createProfilerStage({ profiles: parseProfilesConfig(COUNTS) });
    const bad = { ...record(0, 0, T0, {}), value: Buffer.from('not json') };
    const out = stage.process(
      [bad, { ...bad, offset: 1, value: Buffer.from('[1,2]') }],
      ctx,
    ) as StageOutput[];
    expect(values(out, 'errors').map((e) => [e.kind, e.raw, e.source.offset])).toEqual([
      ['parse', 'not json', 0],
      ['parse', '[1,2]', 1],
    ]);
  });

  it('aggregations over the same input share one state and still give their own results', async () => {
    const config = parseProfilesConfig(`profiles:
  - name: shared
    foreach: source.ip
    window: { size: 1m }
    aggregations:
      m: { op: mean, of: source.bytes }
      v: { op: variance, of: source.bytes }
      sd: { op: stddev, of: source.bytes }
      q50: { op: quantile, of: source.bytes, q: 0.5 }
      q99: { op: quantile, of: source.bytes, q: 0.99 }
      gap: { op: interarrival, stat: mean }
      gapvar: { op: interarrival, stat: variance }
`);
    expect(compileProfiles(config).profiles[0]?.aggregations.map((a) => a.stateOf)).toEqual([
      0, 0, 0, 3, 3, 5, 5,
    ]);
    const stage = createProfilerStage({ profiles: config });
    const bytes = [2, 4, 4, 4, 5, 5, 7, 9];
    stage.process(
      bytes.map((b, i) => record(0, i, T0 + i * 1000, { source: { ip: 'h', bytes: b } })),
      ctx,
    );
    const [p] = values((await stage.onIdle?.(ctx, { final: true })) ?? [], 'profiles');
    expect(p.aggregates.m).toBe(5);
    expect(p.aggregates.v).toBeCloseTo(32 / 7, 12);
    expect(p.aggregates.sd).toBeCloseTo(Math.sqrt(32 / 7), 12);
    expect(Math.abs(p.aggregates.q50 - 4) / 4).toBeLessThan(0.02);
    // DDSketch's rank is q·(n−1) = 6.93 with the lower value: the 7th smallest, 7
    expect(Math.abs(p.aggregates.q99 - 7) / 7).toBeLessThan(0.02);
    expect([p.aggregates.gap, p.aggregates.gapvar]).toEqual([1000, 0]);
  });

  it('reload keeps open windows of unchanged profiles and starts changed ones afresh', () => {
    const other = (agg: string) =>
      `  - name: other\n    foreach: source.ip\n    window: { size: 1m }\n    aggregations:\n      x: ${agg}\n`;
    const stage = createProfilerStage({ profiles: parseProfilesConfig(COUNTS + other('{ op: count }')) });
    stage.process([record(0, 0, T0 + 1000, { source: { ip: '10.0.0.1', bytes: 7 } })], ctx);
    stage.reload(parseProfilesConfig(COUNTS + other('{ op: sum, of: source.bytes }')));
    const out = stage.onIdle?.(ctx, { final: true }) as StageOutput[];
    expect(values(out, 'profiles').map((p) => [p.profile, p.aggregates])).toEqual([
      ['conns', { n: 1, out: 7 }],
    ]);
  });
});
