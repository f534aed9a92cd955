// `npm run bench -- score [--rows N] [--rate R] [--seconds S] [--hidden H]`
// Scorer-stage throughput (JSON feature records in → score records out, through createScorerStage)
// beside a bare onnxruntime-node loop on the same ONNX model at the same batch size, measured in the
// same run; then feature-to-score latency p50/p99 at an offered load of R features/s.
import { mkdtemp, rm } from 'node:fs/promises';
import os, { tmpdir } from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { NETWORK_SOURCE_FEATURES } from '../features/schema.ts';
import { openEmbeddedLog } from '../ingest/log/embedded/index.ts';
import type { LogRecord } from '../ingest/log/types.ts';
import { StageRunner } from '../ingest/pipeline/runner.ts';
import { onnxMlp } from '../models/reference-models.ts';
import { openRegistry } from '../models/registry.ts';
import { signatureForSchema } from '../models/signature.ts';
import { createScorerStage } from '../scoring/scorer/stage.ts';
import { arg, fmt, report } from './_util.ts';

process.env.VIGIL_LOG_LEVEL ??= 'warn';
const rows = arg('rows', 100_000);
const rate = arg('rate', 50_000);
const seconds = arg('seconds', 5);
const hidden = arg('hidden', 64);
const batch = 256;
const names = NETWORK_SOURCE_FEATURES.features;
const width = names.length;

let seed = 7;
const rand = () => {
  seed = (seed * 1664525 + 1013904223) >>> 0;
  return seed / 2 ** 32;
};
function featureRecord(i: number): LogRecord {
  const features = Object.fromEntries(names.map((n) => [n, Math.round(rand() * 1000) / 10]));
  const value = {
    schema: NETWORK_SOURCE_FEATURES.name,
    version: NETWORK_SOURCE_FEATURES.version,
    profile: 'bench',
    entity: `10.0.${(i >> 8) & 255}.${i & 255}`,
    window: { start: i * 1000, end: i * 1000 + 60_000 },
    features,
  };
  return {
    topic: 'features',
    partition: 0,
    offset: i,
    timestamp: i * 1000 + 60_000,
    key: null,
    value: Buffer.from(JSON.stringify(value)),
    headers: {},
  };
}

const dir = await mkdtemp(path.join(tmpdir(), 'vigil-bench-score-'));
const registry = await openRegistry(dir);
const model = onnxMlp(width, hidden, 3);
const quantiles = Array.from({ length: 101 }, (_, i) => ({ q: i / 100, value: 0.3 + (0.4 * i) / 100 }));
const stats = Object.fromEntries(names.map((n) => [n, { mean: 50, std: 29 }]));
await registry.register('bench', model, {
  signature: signatureForSchema(NETWORK_SOURCE_FEATURES, 'onnx', { kind: 'anomaly_score' }),
  scoreDistribution: { quantiles },
  threshold: { severity: 99.5 },
  featureStats: stats,
});
await registry.setAlias('bench', 'champion', 1);
const records = Array.from({ length: rows }, (_, i) => featureRecord(i));
console.log(
  `model: MLP ${width}→${hidden}→${hidden}→1 (ONNX), batch ${batch}, ${fmt(rows)} feature records, 1 intra-op thread`,
);

// Bare onnxruntime-node: pre-vectorized Float32Array, same session options, same batch size.
const session = await ort.InferenceSession.create(model, {
  executionProviders: ['cpu'],
  intraOpNumThreads: 1,
  interOpNumThreads: 1,
  graphOptimizationLevel: 'all',
});
const matrix = new Float32Array(rows * width);
for (const [i, r] of records.entries()) {
  const f = JSON.parse(r.value.toString()).features as Record<string, number>;
  for (let k = 0; k < width; k++) matrix[i * width + k] = f[names[k] as string] as number;
}
interface Rate {
  wall: number;
  cpu: number;
}
/** Rows per wall-clock second and per CPU second (process-wide): the machine is shared, CPU time is steadier. */
async function measure(fn: () => Promise<void>): Promise<Rate> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await fn();
  const wall = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(c0);
  return { wall: rows / wall, cpu: rows / ((c.user + c.system) / 1e6) };
}

async function bare(): Promise<void> {
  for (let off = 0; off < rows; off += batch) {
    const n = Math.min(batch, rows - off);
    const x = new ort.Tensor('float32', matrix.subarray(off * width, (off + n) * width), [n, width]);
    await session.run({ features: x });
  }
}

// The same loop plus the unavoidable cost of records on a log: JSON-decode each feature record and
// JSON-encode a minimal score. The stage's own overhead is measured against this.
async function bareJson(): Promise<void> {
  const x = new Float32Array(batch * width);
  for (let off = 0; off < rows; off += batch) {
    const n = Math.min(batch, rows - off);
    const decoded = [];
    for (let i = 0; i < n; i++) {
      const rec = JSON.parse((records[off + i] as LogRecord).value.toString('utf8'));
      decoded.push(rec);
      for (let k = 0; k < width; k++) x[i * width + k] = rec.features[names[k] as string];
    }
    const out = await session.run({
      features: new ort.Tensor('float32', x.subarray(0, n * width), [n, width]),
    });
    const scores = out.score?.data as Float32Array;
    for (let i = 0; i < n; i++) {
      Buffer.from(JSON.stringify({ entity: decoded[i].entity, window: decoded[i].window, score: scores[i] }));
    }
  }
}

const ctx = { name: 'scorer', replay: false, countError() {} };
const stage = createScorerStage({ registry, model: 'bench@champion', batchSize: batch });
await stage.start?.(ctx);
const plainStage = createScorerStage({ registry, model: 'bench@champion', batchSize: batch, topK: 0 });
await plainStage.start?.(ctx);
const stagedWith = (s: typeof stage) => async (): Promise<void> => {
  let outputs = 0;
  for (let off = 0; off < rows; off += batch)
    outputs += (await s.process(records.slice(off, off + batch), ctx)).length;
  if (outputs < rows) throw new Error(`stage emitted ${outputs} outputs for ${rows} records`);
};
const staged = stagedWith(stage);
const stagedPlain = stagedWith(plainStage);

// Warm up, then alternate so background load on the shared machine hits all alike; keep the best run.
await measure(bare);
await measure(bareJson);
await measure(staged);
await measure(stagedPlain);
const runs: Record<'bare' | 'json' | 'stage' | 'plain', Rate[]> = {
  bare: [],
  json: [],
  stage: [],
  plain: [],
};
for (let i = 0; i < 3; i++) {
  runs.bare.push(await measure(bare));
  runs.json.push(await measure(bareJson));
  runs.stage.push(await measure(staged));
  runs.plain.push(await measure(stagedPlain));
}
const best = (xs: Rate[], k: keyof Rate) => Math.max(...xs.map((x) => x[k]));
const pct = (a: number, b: number) => `${((100 * a) / b).toFixed(0)}%`;
console.log(
  `load average ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')} on ${os.cpus().length} cores`,
);
for (const k of ['wall', 'cpu'] as const) {
  const unit = k === 'wall' ? 'rows/s' : 'rows/CPU-s';
  report([
    { name: `[${k}] bare onnxruntime-node loop`, value: `${fmt(best(runs.bare, k))} ${unit}` },
    { name: `[${k}] bare loop + JSON decode/encode`, value: `${fmt(best(runs.json, k))} ${unit}` },
    {
      name: `[${k}] scorer stage (JSON in → scores out)`,
      value: `${fmt(best(runs.stage, k))} ${unit}`,
      ratio: `${pct(best(runs.stage, k), best(runs.bare, k))} of bare, ${pct(best(runs.stage, k), best(runs.json, k))} of bare+JSON; aim ≥ 70%`,
    },
    {
      name: `[${k}] scorer stage, no explanations (topK 0)`,
      value: `${fmt(best(runs.plain, k))} ${unit}`,
      ratio: `${pct(best(runs.plain, k), best(runs.bare, k))} of bare, ${pct(best(runs.plain, k), best(runs.json, k))} of bare+JSON`,
    },
  ]);
}

// Latency at an offered load: records "arrive" on a fixed schedule (rate/s); each loop turn the
// stage takes everything that has arrived (up to 2000, the runner's default batch) and scores it.
// Latency = time its score was emitted − its arrival time.
const total = Math.min(rows, Math.round(rate * seconds));
const latencies = new Float64Array(total);
const start = performance.now();
let next = 0;
while (next < total) {
  const now = performance.now();
  const arrived = Math.min(total, Math.floor(((now - start) / 1000) * rate));
  if (arrived <= next) {
    await new Promise((r) => setImmediate(r));
    continue;
  }
  const upto = Math.min(arrived, next + 2000);
  await stage.process(records.slice(next, upto), ctx);
  const done = performance.now();
  for (let i = next; i < upto; i++) latencies[i] = done - (start + (i / rate) * 1000);
  next = upto;
}
const elapsed = (performance.now() - start) / 1000;
const sorted = Array.from(latencies).sort((a, b) => a - b);
const quantile = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] as number;
report([
  {
    name: `offered load`,
    value: `${fmt(rate)} features/s`,
    ratio: `achieved ${fmt(total / elapsed)}/s over ${elapsed.toFixed(1)} s`,
  },
  { name: 'feature→score latency p50', value: `${quantile(0.5).toFixed(2)} ms` },
  { name: 'feature→score latency p99', value: `${quantile(0.99).toFixed(2)} ms`, ratio: 'aim < 50 ms' },
]);

// End to end through the embedded log and the stage runner, as `vigil serve` runs it: features are
// appended on the same schedule (stamped with their append time), scores are read back as they land.
const log = await openEmbeddedLog(path.join(dir, 'log'), { fsync: false });
await log.ensureTopic('features', { partitions: 1 });
const e2eStage = createScorerStage({ registry, model: 'bench@champion', batchSize: batch });
const runner = new StageRunner(log, e2eStage, { pollMs: 5 });
await runner.start();
const t0 = Date.now();
let sent = 0;
const producer = (async () => {
  while (sent < total) {
    const due = Math.min(total, Math.floor(((Date.now() - t0) / 1000) * rate));
    if (due > sent) {
      const now = Date.now();
      await log.append(
        'features',
        records.slice(sent, due).map((r) => ({ value: r.value, timestamp: now })),
      );
      sent = due;
    }
    await new Promise((r) => setTimeout(r, 2));
  }
})();
const e2e: number[] = [];
let offset = 0;
const deadline = Date.now() + (seconds * 6 + 20) * 1000;
while (e2e.length < total && Date.now() < deadline) {
  const rs = await log.read('scores', 0, offset, { maxRecords: 5000, maxWaitMs: 20 });
  const now = Date.now();
  for (const r of rs) e2e.push(now - r.timestamp);
  const last = rs.at(-1);
  if (last) offset = last.offset + 1;
}
await producer;
const e2eElapsed = (Date.now() - t0) / 1000;
await runner.stop();
await log.close();
e2e.sort((a, b) => a - b);
const q2 = (p: number) => e2e[Math.min(e2e.length - 1, Math.floor(p * e2e.length))] as number;
report([
  {
    name: 'end to end (embedded log + runner)',
    value: `${fmt(e2e.length)} scores`,
    ratio: `of ${fmt(total)} features, ${fmt(e2e.length / e2eElapsed)}/s over ${e2eElapsed.toFixed(1)} s`,
  },
  { name: 'feature→score latency p50 (e2e)', value: `${q2(0.5).toFixed(1)} ms` },
  { name: 'feature→score latency p99 (e2e)', value: `${q2(0.99).toFixed(1)} ms`, ratio: 'aim < 50 ms' },
]);

await stage.stop?.();
await plainStage.stop?.();
await session.release();
await registry.close();
await rm(dir, { recursive: true, force: true });
