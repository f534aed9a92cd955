// Simulator throughput: lines/s generated as Zeek JSON and TSV, beside a bare JSON.stringify of the
// same records (the floor any JSON writer pays); and lines/s the fast-mode SimulatorSource appends to
// an embedded log, beside bare log.append of the same lines in same-size batches, all in this run.
// Usage: npm run bench -- simulate [--span-min 60] [--rate 300] [--batch 2000]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openEmbeddedLog } from '../ingest/log/embedded/index.ts';
import { Simulation, simulate } from '../ingest/simulator/simulate.ts';
import { SimulatorSource } from '../ingest/simulator/source.ts';
import { arg, fmt, report, time, timeAsync } from './_util.ts';

const spanMin = arg('span-min', 60);
const rate = arg('rate', 300);
const batch = arg('batch', 2000);
const config = { seed: 1, span: `${spanMin}m`, rate, start: '2026-11-30T09:00:00Z' };

// Records prebuilt once, for the JSON.stringify baseline.
const sim = new Simulation(config);
const records: unknown[] = [];
for (let b = 0; sim.bucketStartUs(b) < sim.endUs; b++)
  for (const l of sim.bucketLines(b)) if (l.rec) records.push(l.rec);

const stringify = time(() => {
  let n = 0;
  for (const r of records) n += JSON.stringify(r).length;
  return n;
});
const json = time(() => {
  let n = 0;
  for (const e of simulate(config, 'json')) n += e.line.length > 0 ? 1 : 0;
  return n;
});
const tsv = time(() => {
  let n = 0;
  for (const e of simulate(config, 'tsv')) n += e.line.length > 0 ? 1 : 0;
  return n;
});
const lines = [...simulate(config, 'envelope')].map((e) => ({
  key: 'simulator',
  value: e.line,
  timestamp: Math.floor(e.ts),
}));

const dirA = mkdtempSync(join(tmpdir(), 'vigil-bench-sim-'));
const dirB = mkdtempSync(join(tmpdir(), 'vigil-bench-sim-'));
const bare = await timeAsync(async () => {
  const log = await openEmbeddedLog(dirA);
  await log.ensureTopic('raw.zeek');
  for (let i = 0; i < lines.length; i += batch) await log.append('raw.zeek', lines.slice(i, i + batch));
  await log.close();
});
const source = await timeAsync(async () => {
  const log = await openEmbeddedLog(dirB);
  const s = new SimulatorSource(log, config, { mode: 'fast', batchLines: batch });
  await s.start();
  await s.done;
  await log.close();
  return s.stats.appended;
});
rmSync(dirA, { recursive: true, force: true });
rmSync(dirB, { recursive: true, force: true });

console.log(`simulator: ${spanMin} min of event time at peak rate ${rate}/s, ${records.length} Zeek lines`);
report([
  {
    name: 'generate Zeek JSON lines',
    value: `${fmt(json.result / json.seconds)} lines/s`,
    baseline: `${fmt(records.length / stringify.seconds)} lines/s JSON.stringify of the same records`,
    ratio: `${((json.result / json.seconds / (records.length / stringify.seconds)) * 100).toFixed(0)}%`,
  },
  { name: 'generate Zeek TSV lines', value: `${fmt(tsv.result / tsv.seconds)} lines/s` },
  {
    name: 'SimulatorSource fast → embedded log',
    value: `${fmt(source.result / source.seconds)} lines/s`,
    baseline: `${fmt(lines.length / bare.seconds)} lines/s bare log.append, batches of ${batch}`,
    ratio: `${((source.result / source.seconds / (lines.length / bare.seconds)) * 100).toFixed(0)}%`,
  },
  { name: 'event time per wall second (fast)', value: `${fmt((spanMin * 60) / source.seconds)}x` },
]);
