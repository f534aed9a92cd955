// Interop with librdkafka (kcat): produce with every compression codec, consume back, list
// metadata, and consume as a consumer group (-G) whose commits land in the embedded log.
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { producedBatches } from '../ingest/broker/handlers/produce.ts';
import { type RunningBroker, startBroker } from '../ingest/broker/server.ts';
import { type EmbeddedLog, openEmbeddedLog } from '../ingest/log/embedded/index.ts';
import { partitionForKey } from '../ingest/log/partitioner.ts';
import { tempDir } from './helpers/tmp.ts';

const run = promisify(execFile);
const hasKcat = spawnSync('kcat', ['-V'], { stdio: 'ignore' }).status === 0;
if (!hasKcat)
  console.log(
    '[kafka-kcat] skipped: kcat is not installed (apt-get install kcat; listed in .ci/apt-packages)',
  );

let tmp: ReturnType<typeof tempDir>;
let log: EmbeddedLog;
let broker: RunningBroker;
let bootstrap: string;

async function kcat(args: string[], input?: string): Promise<string> {
  const child = run('kcat', ['-b', bootstrap, '-X', 'broker.address.family=v4', ...args], {
    timeout: 30_000,
  });
  if (input !== undefined) {
    child.child.stdin!.end(input);
  }
  const { stdout } = await child;
  return stdout;
}

describe.skipIf(!hasKcat)('kcat (librdkafka) through vigil broker', () => {
  beforeEach(async () => {
    tmp = tempDir('vigil-kcat-');
    log = await openEmbeddedLog(tmp.dir, { fsync: false });
    broker = await startBroker({ log, port: 0 });
    bootstrap = `127.0.0.1:${broker.port}`;
  });

  afterEach(async () => {
    await broker.close();
    await log.close();
    tmp.remove();
  });

  it('produces with none/gzip/snappy/lz4/zstd and consumes every record back', async () => {
    await log.createTopic('codecs', { partitions: 3 });
    const expected: string[] = [];
    for (const codec of ['none', 'gzip', 'snappy', 'lz4', 'zstd']) {
      // Enough repetitive lines that librdkafka really compresses the batch.
      const lines = Array.from(
        { length: 200 },
        (_, i) => `${codec}-${i}:{"event":"conn","codec":"${codec}","n":${i}}`,
      );
      expected.push(...lines.map((l) => l.slice(l.indexOf(':') + 1)));
      await kcat(
        ['-P', '-t', 'codecs', '-K:', '-z', codec, '-X', 'linger.ms=50', '-X', 'partitioner=murmur2_random'],
        `${lines.join('\n')}\n`,
      );
    }
    const batches = await producedBatches.get();
    for (const codec of ['gzip', 'snappy', 'lz4', 'zstd']) {
      expect(batches.values.find((v) => v.labels.compression === codec)?.value ?? 0).toBeGreaterThan(0);
    }
    const stored = [0, 1, 2].flatMap((p) => log.read('codecs', p, 0, { maxRecords: 10_000 }));
    const values = (await Promise.all(stored)).flat().map((r) => r.value.toString());
    expect(values.sort()).toEqual([...expected].sort());
    const out = await kcat(['-C', '-t', 'codecs', '-e', '-q', '-f', '%k\t%s\n']);
    const consumed = out.trim().split('\n');
    expect(consumed).toHaveLength(1000);
    expect(consumed.map((l) => l.split('\t')[1]).sort()).toEqual([...expected].sort());
    // librdkafka's murmur2 (Java-compatible) partitioner placed each key where the embedded log would.
    for (const r of (await Promise.all(stored)).flat()) expect(r.partition).toBe(partitionForKey(r.key!, 3));
  });

  it('lists brokers and topics (-L) and reads records written by kafkajs with headers', async () => {
    const kafka = new Kafka({ brokers: [bootstrap], logLevel: logLevel.NOTHING });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic: 'mixed',
      messages: [{ key: 'a', value: 'from-kafkajs', headers: { src: 'js' } }],
    });
    await producer.disconnect();
    const meta = await kcat(['-L', '-t', 'mixed']);
    expect(meta).toMatch(/1 brokers:/);
    expect(meta).toMatch(/topic "mixed" with 1 partitions/);
    const out = await kcat(['-C', '-t', 'mixed', '-e', '-q', '-f', '%k|%s|%h\n']);
    expect(out.trim()).toBe('a|from-kafkajs|src=js');
  });

  it('consumes as a consumer group (-G): commits reach the log and a second run resumes after them', async () => {
    await log.createTopic('grp', { partitions: 2 });
    await log.append(
      'grp',
      Array.from({ length: 30 }, (_, i) => ({ value: `first-${i}`, partition: i % 2 })),
    );
    const group = ['-G', 'kcat-group', '-X', 'auto.offset.reset=earliest', '-e', '-q', '-f', '%s\n', 'grp'];
    const first = (await kcat(group)).trim().split('\n');
    expect(first.sort()).toEqual(Array.from({ length: 30 }, (_, i) => `first-${i}`).sort());
    const committed = (await log.committedOffsets('kcat-group', 'grp')).sort(
      (a, b) => a.partition - b.partition,
    );
    expect(committed.map((o) => [o.partition, o.offset])).toEqual([
      [0, 15],
      [1, 15],
    ]);
    await log.append(
      'grp',
      Array.from({ length: 4 }, (_, i) => ({ value: `second-${i}`, partition: i % 2 })),
    );
    const second = (await kcat(group)).trim().split('\n');
    expect(second.sort()).toEqual(['second-0', 'second-1', 'second-2', 'second-3']);
  });
});
