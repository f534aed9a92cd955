// Benchmark: the parse stage and the file source, each beside a baseline measured in the same run.
//   npx tsx ingest/sensors/parse-stage.bench.ts [--lines 200000]
// Input: real Zeek JSON conn records (../shared/data/zeek/stratosphere/002-.../conn.log) repeated.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { openEmbeddedLog } from '../log/embedded/index.ts';
import type { LogRecord } from '../log/types.ts';
import { parseLine } from '../parsers/parse-line.ts';
import { runUntilDrained } from '../pipeline/runner.ts';
import { FileSource } from '../sources/file-source.ts';
import { appendRawLines } from '../sources/raw-lines.ts';
import { createParseStage } from './parse-stage.ts';
import { SensorRegistry } from './registry.ts';

const argIndex = process.argv.indexOf('--lines');
const N = argIndex >= 0 ? Number(process.argv[argIndex + 1]) : 200_000;
const DATA = resolve(
  import.meta.dirname,
  '../../../shared/data/zeek/stratosphere/002-zeek-scenario-port-scanning/conn.log',
);
if (!existsSync(DATA)) {
  console.error(`skipped: ${DATA} is absent`);
  process.exit(0);
}
const sample = readFileSync(DATA, 'utf8')
  .split('\n')
  .filter((l) => l.startsWith('{'));
const lines = Array.from({ length: N }, (_, i) => sample[i % sample.length]!);
const rate = (n: number, s: number) => `${Math.round(n / s).toLocaleString('en')} lines/s`;
const seconds = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e9;

const sensors = SensorRegistry.fromText('sensors:\n  - name: bro\n    parser: zeek-json\n');
const sensor = sensors.current.get('bro')!;
const rows: [string, string][] = [];

// Baseline: the parser and normalizer alone (what `vigil parse` does per line).
{
  const parser = sensor.newParser();
  const t = process.hrtime.bigint();
  for (const raw of lines) parseLine(parser, raw, { sensor: 'bro', ingestedAt: 0 });
  rows.push(['baseline: parseLine (parser + normalize)', rate(N, seconds(t))]);
}

// The stage's process(): plus stream lookup, output key, event-time timestamp, JSON.stringify.
{
  const stage = createParseStage({ sensors });
  const ctx = { name: 'parse', replay: true, countError() {} };
  const records: LogRecord[] = lines.map((raw, offset) => ({
    topic: 'raw.bro',
    partition: 0,
    offset,
    timestamp: 0,
    key: null,
    value: Buffer.from(raw),
    headers: {},
  }));
  const t = process.hrtime.bigint();
  for (let i = 0; i < records.length; i += 2000) stage.process(records.slice(i, i + 2000), ctx);
  rows.push(['parse stage process() (no log)', rate(N, seconds(t))]);
}

const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-parse-'));
try {
  const log = await openEmbeddedLog(join(dir, 'log'), { fsync: false, retentionCheckMs: 0 });
  await log.ensureTopic('raw.bro');
  // Baseline for the file source: appending the same lines straight from memory.
  let t = process.hrtime.bigint();
  await appendRawLines(log, 'raw.bro', lines, 'bench');
  rows.push(['baseline: appendRawLines from memory', rate(N, seconds(t))]);

  const path = join(dir, 'conn.json.log');
  writeFileSync(path, `${lines.join('\n')}\n`);
  await log.ensureTopic('raw.file');
  t = process.hrtime.bigint();
  const file = new FileSource({ log, sensor: 'bro', topic: 'raw.file', path });
  await file.start();
  await file.done;
  rows.push(['file source (read once, position committed per 1 MiB)', rate(N, seconds(t))]);

  // The whole stage on the embedded log: read, process, transact outputs + offsets + state.
  t = process.hrtime.bigint();
  const stats = await runUntilDrained(log, { ...createParseStage({ sensors }), inputs: ['raw.bro'] });
  rows.push([
    `parse stage through the runner (embedded log, fsync off, ${stats.recordsIn} in)`,
    rate(N, seconds(t)),
  ]);
  await log.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const w = Math.max(...rows.map(([name]) => name.length));
console.log(`${N.toLocaleString('en')} Zeek JSON conn lines, one core`);
for (const [name, value] of rows) console.log(`${name.padEnd(w)}  ${value.padStart(18)}`);
