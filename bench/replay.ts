// `npm run bench -- replay [--events N] [--rate R]`: replay + feature materialization, events/s.
// N simulated Zeek lines (default 1M) go through the parse stage onto `events` of an embedded log
// (setup, not timed); then, each beside a bare baseline measured in the same run over the same records:
//   1. baseline: read every record of `events` from the log and JSON.parse it;
//   2. replay: the profiler's replay code (features/replay.ts) over the built-in network profiles;
//   3. materialize: replay + label join (simulator ground truth) + Parquet (vigil dataset's code path).
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseProfilesConfig } from '../features/profile-config.ts';
import { replayTopic } from '../features/replay.ts';
import { openEmbeddedLog } from '../ingest/log/embedded/index.ts';
import { parseLabelFile } from '../training/labels/label-file.ts';
import { materializeTrainingSet } from '../training/replay/materialize.ts';
import { simulateEvents } from '../training/replay/simulated-events.ts';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const N = arg('events', 1_000_000);
const RATE = arg('rate', 300);
const rate = (n: number, ms: number) => `${Math.round((n / ms) * 1000).toLocaleString('en-US')} events/s`;

const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-replay-'));
const log = await openEmbeddedLog(join(dir, 'log'), { fsync: false, retentionCheckMs: 0 });
try {
  let t = performance.now();
  const sim = await simulateEvents(log, { seed: 1, span: '7d', rate: RATE, dgaDir: 'none' }, { maxLines: N });
  const events = (await log.describeTopic('events')).partitions.reduce(
    (n, p) => n + p.latest - p.earliest,
    0,
  );
  console.log(
    `setup: ${sim.rawLines.toLocaleString('en-US')} simulated Zeek lines → ${events.toLocaleString('en-US')} events ` +
      `(${new Date(sim.startMs).toISOString()} → ${new Date(sim.endMs).toISOString()}, ${sim.groundTruth.length} labelled episodes) in ${((performance.now() - t) / 1000).toFixed(1)}s`,
  );

  // 1. baseline: read + JSON.parse every record
  t = performance.now();
  let parsed = 0;
  for (const p of (await log.describeTopic('events')).partitions) {
    let at = p.earliest;
    while (at < p.latest) {
      const recs = await log.read('events', p.partition, at, { maxRecords: 5000 });
      if (recs.length === 0) break;
      for (const r of recs) if (JSON.parse(r.value.toString('utf8')) !== null) parsed++;
      at = (recs.at(-1)?.offset ?? at) + 1;
    }
  }
  const baseMs = performance.now() - t;
  console.log(
    `baseline  read + JSON.parse:                  ${rate(parsed, baseMs)} (${(baseMs / 1000).toFixed(2)}s)`,
  );

  const profiles = parseProfilesConfig('builtin: [network]\nbuiltinWindow: 5m\n', 'bench');
  // 2. replay through the profiler (outputs counted, not kept)
  let features = 0;
  const replay = await replayTopic(log, { topic: 'events', profiles }, (outs) => {
    for (const o of outs) if (o.topic === 'features') features++;
  });
  console.log(
    `replay    profiler (network.src + pair):      ${rate(replay.events, replay.elapsedMs)} (${(replay.elapsedMs / 1000).toFixed(2)}s, ${features.toLocaleString('en-US')} feature vectors)`,
  );

  // 3. materialize a labelled training set (Parquet)
  const out = join(dir, 'set.parquet');
  const summary = await materializeTrainingSet({
    log,
    topic: 'events',
    profiles,
    profile: 'network.src',
    labels: [
      {
        kind: 'intervals',
        intervals: parseLabelFile(sim.groundTruth.map((g) => JSON.stringify(g)).join('\n')),
      },
    ],
    out,
  });
  console.log(
    `dataset   replay + labels + Parquet:           ${rate(summary.events, summary.elapsedMs)} (${(summary.elapsedMs / 1000).toFixed(2)}s, ` +
      `${summary.rows.toLocaleString('en-US')} rows, ${summary.positives} positive, ${(statSync(out).size / 1024).toFixed(0)} KiB)`,
  );
  console.log(
    `ratio     dataset / baseline: ${(summary.elapsedMs / baseMs).toFixed(1)}× the time of read + JSON.parse`,
  );
} finally {
  await log.close();
  rmSync(dir, { recursive: true, force: true });
}
