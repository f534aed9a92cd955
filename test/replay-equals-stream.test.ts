// Replay equals stream: the profiler's profile and feature records are byte-identical whatever the
// batch boundaries, the interleaving of input partitions, and crash/restore points (snapshot →
// fresh stage → restore). Property-tested over random ECS events with out-of-order times.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseProfilesConfig } from '../features/profile-config.ts';
import { createProfilerStage } from '../features/stage.ts';
import type { LogRecord } from '../ingest/log/types.ts';
import type { StageContext, StageOutput } from '../ingest/pipeline/stage.ts';

const CONFIG = `
allowedLateness: 3s
builtin: [network]
builtinWindow: 10s
profiles:
  - name: every_op
    foreach: source.ip
    onlyif: has(zeek.conn)
    window: { size: 10s, advance: 5s }
    aggregations:
      n: { op: count }
      total: { op: sum, of: source.bytes }
      avg: { op: mean, of: source.bytes }
      var: { op: variance, of: "source.bytes * 0.37" }
      sd: { op: stddev, of: "double(destination.port) / 3.0" }
      lo: { op: min, of: source.bytes }
      hi: { op: max, of: source.bytes }
      first_port: { op: first, of: destination.port }
      last_port: { op: last, of: destination.port }
      ports: { op: distinct, of: destination.port, precision: 4 }
      q: { op: quantile, of: source.bytes, q: [0.5, 0.9] }
      top: { op: topk, of: destination.ip, k: 2, capacity: 3 }
      seen: { op: bloom, of: destination.ip, capacity: 50 }
      gaps: { op: interarrival, stat: cv }
    result: "total / n"
    triage: { when: "n >= 3 && hi > 500.0", severity: high }
`;

const ctx: StageContext = { name: 'profiler', replay: false, countError: () => {} };
const BASE = Date.UTC(2026, 11, 4, 19, 0, 0);
const STATES = ['SF', 'S0', 'REJ', 'SF', 'RSTO'];

interface Gen {
  partition: number;
  dt: number;
  src: number;
  dst: number;
  port: number;
  bytes: number;
  kind: number;
}

function toEvent(g: Gen, t: number): Record<string, unknown> {
  const ev: Record<string, unknown> = {
    '@timestamp': new Date(t).toISOString(),
    event: { kind: 'event', dataset: 'zeek' },
    source: { ip: `10.0.0.${g.src}`, port: 40000 + g.port, bytes: g.bytes, packets: 1 + (g.bytes % 7) },
    destination: {
      ip: `192.168.1.${g.dst}`,
      port: [22, 53, 80, 443, 8080][g.port % 5],
      bytes: g.bytes * 2,
      packets: 2,
    },
  };
  if (g.kind === 0)
    ev.dns = {
      question: { name: `h${g.dst}x${g.bytes % 5}.example.com` },
      response_code: g.bytes % 3 === 0 ? 'NXDOMAIN' : 'NOERROR',
    };
  else if (g.kind === 1) ev.http = { response: { status_code: g.bytes % 4 === 0 ? 404 : 200 } };
  else ev.zeek = { conn: { conn_state: STATES[g.bytes % STATES.length] } };
  return ev;
}

/** Per-partition record lists in offset order; event times drift forward with jitter (out of order). */
function buildPartitions(gens: Gen[], partitions: number, garbageEvery: number): LogRecord[][] {
  const parts: LogRecord[][] = Array.from({ length: partitions }, () => []);
  const clock = new Array(partitions).fill(BASE);
  gens.forEach((g, i) => {
    const p = g.partition % partitions;
    clock[p] += 700;
    const t = clock[p] + g.dt; // dt in [-6000, 1500]: some events arrive after their window closed
    const value = garbageEvery > 0 && i % garbageEvery === 0 ? '{not json' : JSON.stringify(toEvent(g, t));
    parts[p]?.push({
      topic: 'events.enriched',
      partition: p,
      offset: parts[p]?.length ?? 0,
      timestamp: t,
      key: null,
      value: Buffer.from(value),
      headers: {},
    });
  });
  return parts;
}

/** One interleaving of the partitions (each in offset order), cut into batches. */
function schedule(parts: LogRecord[][], picks: number[], cuts: number[]): LogRecord[][] {
  const pos = parts.map(() => 0);
  const order: LogRecord[] = [];
  let k = 0;
  const total = parts.reduce((n, p) => n + p.length, 0);
  while (order.length < total) {
    const live = parts.map((_, i) => i).filter((i) => (pos[i] as number) < (parts[i] as LogRecord[]).length);
    const i = live[(picks[k++ % Math.max(1, picks.length)] ?? 0) % live.length] as number;
    order.push((parts[i] as LogRecord[])[(pos[i] as number)++] as LogRecord);
  }
  const batches: LogRecord[][] = [];
  let at = 0;
  k = 0;
  while (at < order.length) {
    const size = 1 + ((cuts[k++ % Math.max(1, cuts.length)] ?? 7) % 40);
    batches.push(order.slice(at, at + size));
    at += size;
  }
  return batches;
}

const config = parseProfilesConfig(CONFIG, 'test-profiles.yaml');
const expectedPartitions = (n: number) => Array.from({ length: n }, (_, i) => `events.enriched/${i}`);

/** Runs the batches through a stage; at `restoreAt` (a batch index) it "crashes" and restores. */
async function run(batches: LogRecord[][], partitions: number, restoreAt = -1): Promise<StageOutput[]> {
  let stage = createProfilerStage({ profiles: config, expectedPartitions: expectedPartitions(partitions) });
  const out: StageOutput[] = [];
  for (let b = 0; b < batches.length; b++) {
    if (b === restoreAt) {
      const state = stage.snapshot?.() as Buffer;
      stage = createProfilerStage({ profiles: config, expectedPartitions: expectedPartitions(partitions) });
      stage.restore?.(state);
    }
    out.push(...(await stage.process(batches[b] as LogRecord[], ctx)));
  }
  out.push(...(await (stage.onIdle as NonNullable<typeof stage.onIdle>)(ctx, { final: true })));
  return out;
}

const canonical = (outs: StageOutput[], topics: string[]) =>
  outs
    .filter((o) => topics.includes(o.topic))
    .map((o) => `${o.topic}|${String(o.key)}|${o.timestamp}|${String(o.value)}`);

const gen = fc.record({
  partition: fc.nat(7),
  dt: fc.integer({ min: -6000, max: 1500 }),
  src: fc.nat(4),
  dst: fc.nat(6),
  port: fc.nat(9),
  bytes: fc.integer({ min: 0, max: 1000 }),
  kind: fc.nat(4),
});

describe('replay equals stream', () => {
  it('profile, feature and alert records are identical for any batching, interleaving and restore point', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(gen, { minLength: 1, maxLength: 300 }),
        fc.integer({ min: 1, max: 3 }),
        fc.array(fc.nat(), { maxLength: 30 }),
        fc.array(fc.nat(), { maxLength: 30 }),
        fc.array(fc.nat(), { maxLength: 30 }),
        fc.nat(),
        async (gens, partitions, picksA, picksB, cuts, restore) => {
          const parts = buildPartitions(gens, partitions, 37);
          // "replay": one batch per partition, partitions one after another
          const replay = await run([...parts.filter((p) => p.length > 0)], partitions);
          const batchesB = schedule(parts, picksB, cuts);
          const live = await run(schedule(parts, picksA, [...cuts].reverse()), partitions);
          const restored = await run(batchesB, partitions, restore % (batchesB.length + 1));
          const topics = ['profiles', 'features', 'alerts'];
          const expected = canonical(replay, topics);
          expect(canonical(live, topics)).toEqual(expected);
          expect(canonical(restored, topics)).toEqual(expected);
          // late and error records: the same set (their order follows the partition interleaving)
          const side = (o: StageOutput[]) => canonical(o, ['late', 'errors']).sort();
          expect(side(live)).toEqual(side(replay));
          expect(side(restored)).toEqual(side(replay));
        },
      ),
      { numRuns: 100 },
    );
  });

  it('emits something to compare: profiles, features, late events and errors all occur', async () => {
    const gens: Gen[] = Array.from({ length: 300 }, (_, i) => ({
      partition: i % 3,
      dt: i % 11 === 0 ? -6000 : (i * 37) % 1500,
      src: i % 4,
      dst: i % 6,
      port: i % 9,
      bytes: (i * 97) % 1000,
      kind: i % 4,
    }));
    const out = await run([buildPartitions(gens, 3, 50).flat()], 3);
    const topics = new Set(out.map((o) => o.topic));
    expect([...topics].sort()).toEqual(['alerts', 'errors', 'features', 'late', 'profiles']);
    const vector = JSON.parse(
      String(out.find((o) => o.topic === 'features' && String(o.value).includes('"network.src"'))?.value),
    );
    expect(Object.keys(vector.features)).toHaveLength(18);
    expect(vector.version).toBe(1);
  });
});
