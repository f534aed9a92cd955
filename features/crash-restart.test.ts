// Crash/restart: a profiler stage run by the StageRunner over the embedded log is SIGKILLed mid-run
// and restarted; its profiles/features topics end up byte-identical to an uninterrupted run's (no
// lost and no duplicated windows), because outputs, offsets and state commit as one transaction.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openEmbeddedLog } from '../ingest/log/embedded/index.ts';
import type { EventLog } from '../ingest/log/types.ts';
import { runUntilDrained } from '../ingest/pipeline/runner.ts';
import { parseProfilesConfig } from './profile-config.ts';
import { createProfilerStage } from './stage.ts';

const repoRoot = resolve(import.meta.dirname, '..');
const work = mkdtempSync(join(tmpdir(), 'vigil-profiler-crash-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const PROFILES = `
allowedLateness: 2s
builtin: [network]
builtinWindow: 10s
profiles:
  - name: fanin
    foreach: destination.ip
    window: { size: 20s, advance: 10s }
    aggregations:
      conns: { op: count }
      sources: { op: distinct, of: source.ip }
      bytes_q: { op: quantile, of: source.bytes, q: [0.5, 0.9] }
`;
const PARTITIONS = 3;
const EVENTS = 3000;
const BASE = Date.UTC(2026, 11, 4, 18, 0, 0);

async function fill(dir: string): Promise<void> {
  const log = await openEmbeddedLog(dir, { fsync: false });
  await log.createTopic('events.enriched', { partitions: PARTITIONS });
  for (let p = 0; p < PARTITIONS; p++) {
    const records = [];
    for (let i = 0; i < EVENTS / PARTITIONS; i++) {
      const n = i * PARTITIONS + p;
      const t = BASE + n * 50 - (n % 13 === 0 ? 4000 : 0); // some out of order, some late
      const event = {
        '@timestamp': new Date(t).toISOString(),
        source: { ip: `10.0.0.${n % 17}`, bytes: (n * 37) % 900, packets: 1 + (n % 5) },
        destination: { ip: `10.9.0.${n % 5}`, port: [22, 80, 443][n % 3], bytes: n % 300, packets: 2 },
        zeek: { conn: { conn_state: ['SF', 'S0', 'REJ'][n % 3] } },
      };
      records.push({ value: JSON.stringify(event), timestamp: t, partition: p });
    }
    await log.append('events.enriched', records);
  }
  await log.close();
}

async function topicContents(log: EventLog, topic: string): Promise<string[]> {
  const out: string[] = [];
  const info = await log.describeTopic(topic);
  for (const p of info.partitions) {
    for (let off = p.earliest; off < p.latest; ) {
      const batch = await log.read(topic, p.partition, off, { maxRecords: 1000 });
      for (const r of batch)
        out.push(`${p.partition}|${r.key?.toString()}|${r.timestamp}|${r.value.toString()}`);
      off = (batch[batch.length - 1]?.offset ?? off) + 1;
    }
  }
  return out;
}

const stageFor = () =>
  createProfilerStage({
    profiles: parseProfilesConfig(PROFILES, 'crash-profiles'),
    expectedPartitions: Array.from({ length: PARTITIONS }, (_, p) => `events.enriched/${p}`),
  });

describe('profiler crash/restart', () => {
  it('a SIGKILL mid-run and a restart give the same profiles and features as an uninterrupted run', async () => {
    const reference = join(work, 'reference');
    const crashed = join(work, 'crashed');
    await fill(reference);
    await fill(crashed);

    let log = await openEmbeddedLog(reference, { fsync: false });
    await runUntilDrained(log, stageFor(), { replay: true, maxBatchRecords: 97, defaultPartitions: 2 });
    const expected = {
      profiles: await topicContents(log, 'profiles'),
      features: await topicContents(log, 'features'),
    };
    await log.close();
    expect(expected.profiles.length).toBeGreaterThan(100);

    // The child runs the stage live in small batches; we kill it once it has committed some of them.
    const child = join(work, 'child.mts');
    writeFileSync(
      child,
      `import { openEmbeddedLog } from ${JSON.stringify(join(repoRoot, 'ingest/log/embedded/index.ts'))};
import { StageRunner } from ${JSON.stringify(join(repoRoot, 'ingest/pipeline/runner.ts'))};
import { parseProfilesConfig } from ${JSON.stringify(join(repoRoot, 'features/profile-config.ts'))};
import { createProfilerStage } from ${JSON.stringify(join(repoRoot, 'features/stage.ts'))};
const log = await openEmbeddedLog(${JSON.stringify(crashed)}, { fsync: false });
const stage = createProfilerStage({ profiles: parseProfilesConfig(${JSON.stringify(PROFILES)}), expectedPartitions: [0, 1, 2].map((p) => 'events.enriched/' + p) });
const runner = new StageRunner(log, stage, { maxBatchRecords: 13, pollMs: 20, idleMs: 600000, defaultPartitions: 2 });
await runner.start();
setInterval(() => process.stdout.write(runner.stats.recordsIn + '\\n'), 5);
`,
    );
    const proc = spawn(process.execPath, ['--import', 'tsx', child], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((done, fail) => {
      proc.stdout.on('data', (chunk: Buffer) => {
        const last = Number(chunk.toString().trim().split('\n').pop());
        if (last >= EVENTS / 3) proc.kill('SIGKILL');
      });
      proc.on('exit', (_code, signal) =>
        signal === 'SIGKILL' ? done() : fail(new Error(`child exited without being killed (${signal})`)),
      );
    });

    log = await openEmbeddedLog(crashed, { fsync: false });
    const partial = await topicContents(log, 'profiles');
    expect(partial.length).toBeLessThan(expected.profiles.length); // it really stopped mid-way
    await runUntilDrained(log, stageFor(), { replay: true, maxBatchRecords: 61, defaultPartitions: 2 });
    expect(await topicContents(log, 'profiles')).toEqual(expected.profiles);
    expect(await topicContents(log, 'features')).toEqual(expected.features);
    await log.close();
  }, 120_000);
});
