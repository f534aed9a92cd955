// `npm run bench -- profile [--events N] [--entities N]`: the profiler's throughput and memory, each
// beside a bare baseline measured in the same run.
//   1. live: events/s through 5 profiles over N Zeek-conn ECS events (JSON in, windows out), vs
//      JSON.parse + plain-Map count/sum for the same 5 entity keys;
//   2. replay: events/s of `vigil replay`'s code path over the same events on an embedded log, vs
//      reading the same records + JSON.parse + the Map baseline;
//   3. memory of open state for M distinct entities (count, sum, mean, distinct), vs a plain Map;
//   4. sketch libraries: bloom-filters' HyperLogLog and BloomFilter vs the hand-written ones.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import bloomFilters from 'bloom-filters';
import { createAggregation } from '../features/aggregations/index.ts';
import { parseProfilesConfig } from '../features/profile-config.ts';
import { replayTopic } from '../features/replay.ts';
import { createProfilerStage } from '../features/stage.ts';
import { openEmbeddedLog } from '../ingest/log/embedded/index.ts';
import type { LogRecord } from '../ingest/log/types.ts';
import type { StageContext } from '../ingest/pipeline/stage.ts';

const { BloomFilter, HyperLogLog } = bloomFilters; // CommonJS package: named imports don't resolve under ESM
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const N = arg('events', 1_000_000);
const ENTITIES = arg('entities', 1_000_000);
// Event time the N events cover. At a live rate of 200k events/s, 1M events span 5 s; the default
// (10 min, ~1.7k events/s of event time) is a mid-size network, with few events per entity-window.
const SPAN_MS = arg('span-minutes', 10) * 60_000;
const PARTITIONS = 4;
const BATCH = 2000;
const BASE = Date.UTC(2026, 11, 4, 12, 0, 0);
const STATES = ['SF', 'SF', 'SF', 'S0', 'REJ', 'RSTO', 'SH', 'OTH'];

// Deterministic pseudo-random numbers (xorshift32) so every run measures the same input.
let seed = 2463534242;
const rnd = () => {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return (seed >>> 0) / 2 ** 32;
};

/**
 * A Zeek conn event, as the parser emits it (ECS + zeek.conn): 20k sources over ~1 h; each source
 * talks mostly (80%) to 8 usual destinations of its own, otherwise to any of 5k.
 */
function connEvent(i: number): string {
  const t = BASE + Math.floor((i * SPAN_MS) / N) + Math.floor(rnd() * 2000); // out of order by ≤2 s
  const s = Math.floor(rnd() * 20_000);
  const src = `10.${s >> 12}.${(s >> 6) & 63}.${s & 63}`;
  const d = rnd() < 0.8 ? (s * 31 + Math.floor(rnd() * 8)) % 5000 : Math.floor(rnd() * 5000);
  const dst = `172.16.${d >> 8}.${d & 255}`;
  const port = [22, 53, 80, 443, 445, 3389, 8080][Math.floor(rnd() * 7)];
  const ob = Math.floor(rnd() * 5000);
  const rb = Math.floor(rnd() * 50000);
  const state = STATES[Math.floor(rnd() * STATES.length)];
  return JSON.stringify({
    '@timestamp': new Date(t).toISOString(),
    event: {
      kind: 'event',
      module: 'zeek',
      provider: 'conn',
      dataset: 'zeek',
      duration: Math.floor(rnd() * 1e9),
    },
    source: { ip: src, port: 30000 + Math.floor(rnd() * 30000), bytes: ob, packets: 1 + (ob >> 9) },
    destination: { ip: dst, port, bytes: rb, packets: 1 + (rb >> 10) },
    network: { transport: 'tcp', bytes: ob + rb, packets: 2 + (ob >> 9) + (rb >> 10) },
    zeek: { conn: { conn_state: state, history: 'ShADadFf', uid: `C${i.toString(36)}` } },
  });
}

const PROFILES = `
allowedLateness: 5s
builtin: [network]
builtinWindow: 5m
profiles:
  - name: dst.fanin
    foreach: destination.ip
    window: { size: 5m }
    aggregations:
      conns: { op: count }
      sources: { op: distinct, of: source.ip }
  - name: src.bytes
    foreach: source.ip
    window: { size: 10m, advance: 5m }
    aggregations:
      out_q: { op: quantile, of: source.bytes, q: [0.5, 0.95, 0.99] }
      out_max: { op: max, of: source.bytes }
      out_sd: { op: stddev, of: source.bytes }
  - name: port.usage
    foreach: string(destination.port)
    window: { size: 5m }
    aggregations:
      conns: { op: count }
      bytes_in: { op: sum, of: destination.bytes }
      top_src: { op: topk, of: source.ip, k: 5 }
`;

const ctx: StageContext = { name: 'bench', replay: false, countError: () => {} };
const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
const rate = (n: number, ms: number) => `${Math.round((n / ms) * 1000).toLocaleString('en-US')} events/s`;
// On a shared machine wall time mostly measures the neighbours; CPU time (user + system, all of this
// process's threads) is printed beside it.
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const cpuRate = (n: number, ms: number) =>
  `${Math.round((n / ms) * 1000).toLocaleString('en-US')} events/CPU-s`;

// The bare baseline: parse each event and keep count + byte sum per entity for the same 5 keys.
function baselineProcess(batch: LogRecord[], maps: Map<string, { n: number; bytes: number }>[]): void {
  for (const r of batch) {
    const e = JSON.parse(r.value.toString('utf8')) as {
      source: { ip: string; bytes: number };
      destination: { ip: string; port: number; bytes: number };
    };
    const keys = [
      e.source.ip,
      `${e.source.ip}>${e.destination.ip}`,
      e.destination.ip,
      e.source.ip,
      String(e.destination.port),
    ];
    for (let k = 0; k < 5; k++) {
      const m = maps[k] as Map<string, { n: number; bytes: number }>;
      const key = keys[k] as string;
      const s = m.get(key);
      if (s === undefined) m.set(key, { n: 1, bytes: e.source.bytes });
      else {
        s.n++;
        s.bytes += e.source.bytes;
      }
    }
  }
}

console.log(
  `profile bench: ${N.toLocaleString('en-US')} conn events over ${SPAN_MS / 60_000} min of event time, ${PARTITIONS} partitions, batches of ${BATCH}`,
);
let t0 = performance.now();
const records: LogRecord[] = [];
const offsets = new Array(PARTITIONS).fill(0);
for (let i = 0; i < N; i++) {
  const p = i % PARTITIONS;
  records.push({
    topic: 'events.enriched',
    partition: p,
    offset: offsets[p]++,
    timestamp: 0,
    key: null,
    value: Buffer.from(connEvent(i)),
    headers: {},
  });
}
console.log(`  generated in ${((performance.now() - t0) / 1000).toFixed(1)}s`);

// 1. live
{
  const config = parseProfilesConfig(PROFILES, 'bench-profiles');
  const maps = Array.from({ length: 5 }, () => new Map<string, { n: number; bytes: number }>());
  t0 = performance.now();
  let c0 = cpuMs();
  for (let i = 0; i < N; i += BATCH) baselineProcess(records.slice(i, i + BATCH), maps);
  const baseMs = performance.now() - t0;
  const baseCpu = cpuMs() - c0;

  const stage = createProfilerStage({
    profiles: config,
    expectedPartitions: Array.from({ length: PARTITIONS }, (_, p) => `events.enriched/${p}`),
  });
  let outputs = 0;
  t0 = performance.now();
  c0 = cpuMs();
  for (let i = 0; i < N; i += BATCH)
    outputs += (stage.process(records.slice(i, i + BATCH), ctx) as unknown[]).length;
  outputs += ((await stage.onIdle?.(ctx, { final: true })) ?? []).length;
  const ms = performance.now() - t0;
  const cpu = cpuMs() - c0;
  console.log(`live (5 profiles: ${config.profiles.map((p) => p.name).join(', ')}):`);
  console.log(
    `  profiler          ${rate(N, ms)}  ${cpuRate(N, cpu)}  (${outputs.toLocaleString('en-US')} output records, ${stage.profiler.lateCount} late)`,
  );
  console.log(
    `  baseline Map      ${rate(N, baseMs)}  ${cpuRate(N, baseCpu)}  (JSON.parse + count/sum in 5 Maps)`,
  );
  const snapT = performance.now();
  const size = stage.snapshot?.().length ?? 0;
  console.log(
    `  snapshot of the (flushed) state: ${size} bytes in ${(performance.now() - snapT).toFixed(1)} ms`,
  );
}

// 2. replay from an embedded log
if (process.env.LIVE_ONLY !== '1') {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-profile-'));
  try {
    const log = await openEmbeddedLog(dir, { fsync: false, retentionCheckMs: 0 } as Parameters<
      typeof openEmbeddedLog
    >[1]);
    await log.createTopic('events.enriched', { partitions: PARTITIONS });
    t0 = performance.now();
    for (let p = 0; p < PARTITIONS; p++) {
      const mine = records.filter((r) => r.partition === p);
      for (let i = 0; i < mine.length; i += 5000) {
        await log.append(
          'events.enriched',
          mine.slice(i, i + 5000).map((r) => ({ value: r.value, partition: p, timestamp: BASE })),
        );
      }
    }
    console.log(`replay (embedded log, written in ${((performance.now() - t0) / 1000).toFixed(1)}s):`);
    const config = parseProfilesConfig(PROFILES, 'bench-profiles');
    let outputs = 0;
    let c0 = cpuMs();
    const stats = await replayTopic(log, { topic: 'events.enriched', profiles: config }, (o) => {
      outputs += o.length;
    });
    const cpu = cpuMs() - c0;
    const maps = Array.from({ length: 5 }, () => new Map<string, { n: number; bytes: number }>());
    t0 = performance.now();
    c0 = cpuMs();
    for (let p = 0; p < PARTITIONS; p++) {
      const end = await log.latestOffset('events.enriched', p);
      for (let off = 0; off < end; ) {
        const batch = await log.read('events.enriched', p, off, { maxRecords: 5000 });
        baselineProcess(batch, maps);
        off = (batch[batch.length - 1] as LogRecord).offset + 1;
      }
    }
    const baseMs = performance.now() - t0;
    const baseCpu = cpuMs() - c0;
    console.log(
      `  replay            ${rate(stats.events, stats.elapsedMs)}  ${cpuRate(stats.events, cpu)}  (${outputs.toLocaleString('en-US')} output records)`,
    );
    console.log(
      `  baseline Map      ${rate(N, baseMs)}  ${cpuRate(N, baseCpu)}  (log.read + JSON.parse + count/sum in 5 Maps)`,
    );
    await log.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
records.length = 0;

// 3. memory for many distinct entities
if (process.env.LIVE_ONLY !== '1') {
  const MEM = `
allowedLateness: 1m
profiles:
  - name: per.host
    foreach: source.ip
    window: { size: 1h }
    aggregations:
      conns: { op: count }
      out: { op: sum, of: source.bytes }
      avg: { op: mean, of: source.bytes }
      ports: { op: distinct, of: destination.port }
`;
  const events = (i: number) => ({
    timestamp: BASE + (i % 1000),
    source: { ip: `h${i}`, bytes: i % 5000 },
    destination: { port: 80 + (i % 3) },
  });
  gc();
  let before = process.memoryUsage().heapUsed;
  const map = new Map<string, { n: number; bytes: number; ports: Set<number> }>();
  for (let i = 0; i < ENTITIES; i++) {
    const e = events(i);
    map.set(e.source.ip, { n: 1, bytes: e.source.bytes, ports: new Set([e.destination.port]) });
  }
  gc();
  const baseBytes = process.memoryUsage().heapUsed - before;
  if (map.size !== ENTITIES) throw new Error('baseline map lost entries');
  map.clear();
  gc();
  const stage = createProfilerStage({ profiles: parseProfilesConfig(MEM, 'mem-profiles') });
  before = process.memoryUsage().heapUsed;
  for (let i = 0; i < ENTITIES; i++) {
    const e = events(i);
    stage.profiler.add('events/0', e.timestamp, e);
  }
  gc();
  const used = process.memoryUsage().heapUsed - before;
  if (stage.profiler.openStates() !== ENTITIES) throw new Error('profiler lost entities');
  console.log(
    `memory, ${ENTITIES.toLocaleString('en-US')} distinct entities open (count, sum, mean, distinct):`,
  );
  console.log(
    `  profiler state    ${mb(used)}  (${stage.profiler.openStates().toLocaleString('en-US')} states, ${Math.round(used / ENTITIES)} B/entity)`,
  );
  console.log(`  baseline Map      ${mb(baseBytes)}  ({count, sum, Set of ports} per entity)`);
  // The runner commits a snapshot with every batch: its cost grows with the open state.
  const snapT = performance.now();
  const snapshot = stage.snapshot?.() ?? Buffer.alloc(0);
  console.log(
    `  snapshot of that state: ${mb(snapshot.length)} in ${Math.round(performance.now() - snapT)} ms`,
  );
}

// 4. sketch libraries
if (process.env.LIVE_ONLY !== '1') {
  const M = 20_000; // bloom-filters' HyperLogLog manages ~1k updates/s here; more would take minutes
  const values = Array.from({ length: M }, (_, i) => `10.${i % 256}.${(i >> 8) % 256}.${i % 97}`);
  const lib = new HyperLogLog(2048);
  t0 = performance.now();
  for (const v of values) lib.update(v);
  const libMs = performance.now() - t0;
  const mine = createAggregation({ op: 'distinct', precision: 11 });
  let s = mine.init();
  t0 = performance.now();
  for (let i = 0; i < M; i++) s = mine.add(s, values[i], i);
  const mineMs = performance.now() - t0;
  console.log(`distinct count, ${M.toLocaleString('en-US')} updates, 2048 registers:`);
  console.log(`  bloom-filters HyperLogLog  ${rate(M, libMs)}  estimate ${lib.count(true)}`);
  console.log(
    `  features DistinctCount     ${rate(M, mineMs)}  estimate ${mine.result(s)}  (Uint8Array registers: 2 KiB vs ${lib._registers.length} JS numbers)`,
  );
  const bf = BloomFilter.create(M, 0.01);
  t0 = performance.now();
  for (const v of values) bf.add(v);
  const bfMs = performance.now() - t0;
  const myBloom = createAggregation({ op: 'bloom', capacity: M, fpr: 0.01 });
  let b = myBloom.init();
  t0 = performance.now();
  for (let i = 0; i < M; i++) b = myBloom.add(b, values[i], i);
  const myMs = performance.now() - t0;
  console.log(`bloom membership, ${M.toLocaleString('en-US')} adds at 1% fpr:`);
  console.log(`  bloom-filters BloomFilter  ${rate(M, bfMs)}`);
  console.log(`  features bloom             ${rate(M, myMs)}`);
}
