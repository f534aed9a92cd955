// `vigil replay` writes the same profile and feature records as the live stage run over the log.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, describe, expect, it } from 'vitest';
import { openLog } from '../ingest/log/open.ts';
import { runUntilDrained } from '../ingest/pipeline/runner.ts';
import { registerReplayCommand } from './cli.ts';
import { loadProfilesConfig } from './profile-config.ts';
import { createProfilerStage } from './stage.ts';

const work = mkdtempSync(join(tmpdir(), 'vigil-replay-cli-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const BASE = Date.UTC(2026, 11, 4, 20, 0, 0);

describe('vigil replay', () => {
  it('emits the live run’s profile and feature records, byte for byte, and honours --from/--to', async () => {
    const dataDir = join(work, 'data');
    const profilesFile = join(work, 'profiles.yaml');
    writeFileSync(profilesFile, 'allowedLateness: 1s\nbuiltin: [network]\nbuiltinWindow: 5s\n');
    const log = await openLog(dataDir);
    await log.createTopic('events.enriched', { partitions: 2 });
    for (let p = 0; p < 2; p++) {
      const records = Array.from({ length: 400 }, (_, i) => {
        const t = BASE + i * 100 + p * 7;
        const event = {
          '@timestamp': new Date(t).toISOString(),
          source: { ip: `10.1.0.${i % 9}`, bytes: i, packets: 1 },
          destination: { ip: `10.2.0.${(i * p) % 4}`, port: 443, bytes: 2 * i, packets: 2 },
          ...(i % 5 === 0
            ? { dns: { question: { name: `x${i % 7}.example` }, response_code: 'NXDOMAIN' } }
            : { zeek: { conn: { conn_state: 'SF' } } }),
        };
        return { value: JSON.stringify(event), timestamp: t, partition: p };
      });
      await log.append('events.enriched', records);
    }
    const stage = createProfilerStage({
      profiles: loadProfilesConfig(profilesFile),
      expectedPartitions: ['events.enriched/0', 'events.enriched/1'],
    });
    await runUntilDrained(log, stage, { maxBatchRecords: 33, defaultPartitions: 1 });
    const live: Record<string, string[]> = {};
    for (const topic of ['profiles', 'features']) {
      const end = await log.latestOffset(topic, 0);
      live[topic] = (await log.read(topic, 0, 0, { maxRecords: end })).map(
        (r) => `${r.key}|${r.timestamp}|${r.value}`,
      );
    }
    await log.close();
    expect(live.profiles?.length).toBeGreaterThan(50);

    const run = async (...args: string[]) => {
      const program = new Command('vigil').option('--data-dir <dir>').exitOverride();
      registerReplayCommand(program);
      const output = join(work, `out-${args.length}.jsonl`);
      await program.parseAsync(
        [
          '--data-dir',
          dataDir,
          'replay',
          '--topic',
          'events.enriched',
          '--profiles',
          profilesFile,
          '--output',
          output,
          ...args,
        ],
        { from: 'user' },
      );
      const lines = readFileSync(output, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      const of = (topic: string) =>
        lines.filter((l) => l.topic === topic).map((l) => `${l.key}|${l.timestamp}|${l.value}`);
      return { profiles: of('profiles'), features: of('features') };
    };
    const replayed = await run('--batch', '7');
    expect(replayed.profiles).toEqual(live.profiles);
    expect(replayed.features).toEqual(live.features);

    const ranged = await run('--from', new Date(BASE + 20_000).toISOString(), '--to', '300');
    const starts = ranged.profiles.map(
      (l) => JSON.parse(l.split('|').slice(2).join('|')).window.start as number,
    );
    expect(Math.min(...starts)).toBe(BASE + 20_000);
    expect(Math.max(...starts)).toBeLessThan(BASE + 30_000);
  });
});
