// Kafka-protocol endpoint throughput: produce and consume N records (~300 bytes, batches of 1000)
// through `vigil broker` with kafkajs and with kcat (librdkafka), beside the in-process embedded
// log measured in the same run on the same kind of data dir (the baseline: what the protocol costs).
// Usage: npm run bench -- kafka [--records 200000] [--batch 1000] [--fsync]
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { startBroker } from '../ingest/broker/server.ts';
import { openKafkaLog } from '../ingest/kafka/index.ts';
import { openEmbeddedLog } from '../ingest/log/embedded/index.ts';
import { arg, fmt, report, timeAsync } from './_util.ts';

const N = arg('records', 200_000);
const BATCH = arg('batch', 1000);
const fsync = process.argv.includes('--fsync');

const payload = (i: number) =>
  `{"ts":${1_700_000_000 + i},"uid":"C${i.toString(36)}","id.orig_h":"10.0.${(i >> 8) & 255}.${i & 255}","id.orig_p":${40000 + (i % 20000)},"id.resp_h":"192.168.1.${i % 200}","id.resp_p":443,"proto":"tcp","service":"ssl","duration":0.${i % 1000},"orig_bytes":${i % 9000},"resp_bytes":${i % 70000},"conn_state":"SF","history":"ShADadfF"}`;
const values = Array.from({ length: N }, (_, i) => Buffer.from(payload(i)));
const bytes = values.reduce((n, v) => n + v.length, 0);
const rate = (seconds: number) => `${fmt(N / seconds)} rec/s ${(bytes / seconds / 1e6).toFixed(1)} MB/s`;

const dirs: string[] = [];
const freshDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'vigil-bench-kafka-'));
  dirs.push(d);
  return d;
};

console.log(
  `${N} records of ~${Math.round(bytes / N)} B, batches of ${BATCH}, fsync ${fsync ? 'on' : 'off'}`,
);

// Baseline: the embedded log in-process.
const embedded = await openEmbeddedLog(freshDir(), { fsync });
await embedded.createTopic('bench', { partitions: 1 });
const embAppend = await timeAsync(async () => {
  for (let i = 0; i < N; i += BATCH) {
    await embedded.append(
      'bench',
      values.slice(i, i + BATCH).map((value, j) => ({ value, timestamp: 1_700_000_000_000 + i + j })),
    );
  }
});
const embRead = await timeAsync(async () => {
  let offset = 0;
  while (offset < N) offset += (await embedded.read('bench', 0, offset, { maxRecords: BATCH * 10 })).length;
});
await embedded.close();

// kafkajs through the endpoint.
const log = await openEmbeddedLog(freshDir(), { fsync });
const broker = await startBroker({ log, port: 0 });
const kafka = new Kafka({
  brokers: [`127.0.0.1:${broker.port}`],
  clientId: 'bench',
  logLevel: logLevel.NOTHING,
});
await log.createTopic('bench', { partitions: 1 });
const producer = kafka.producer();
await producer.connect();
const jsProduce = await timeAsync(async () => {
  for (let i = 0; i < N; i += BATCH) {
    await producer.send({
      topic: 'bench',
      acks: -1,
      messages: values.slice(i, i + BATCH).map((value) => ({ value, partition: 0 })),
    });
  }
});
await producer.disconnect();
const consumer = kafka.consumer({ groupId: 'bench', maxBytes: 16 * 1024 * 1024, maxWaitTimeInMs: 100 });
await consumer.connect();
await consumer.subscribe({ topic: 'bench', fromBeginning: true });
const jsConsume = await timeAsync(
  () =>
    new Promise<void>((resolve) => {
      let seen = 0;
      void consumer.run({
        eachBatchAutoResolve: true,
        eachBatch: async ({ batch }) => {
          seen += batch.messages.length;
          if (seen >= N) resolve();
        },
      });
    }),
);
await consumer.disconnect();

// The Kafka-backed EventLog (what stages use on Redpanda) through the endpoint.
const kafkaLog = await openKafkaLog({
  kind: 'kafka',
  brokers: [`127.0.0.1:${broker.port}`],
  clientId: 'bench-log',
});
await kafkaLog.createTopic('bench-log', { partitions: 1 });
const klAppend = await timeAsync(async () => {
  for (let i = 0; i < N; i += BATCH) {
    await kafkaLog.append(
      'bench-log',
      values.slice(i, i + BATCH).map((value) => ({ value, partition: 0 })),
    );
  }
});
const klRead = await timeAsync(async () => {
  let offset = 0;
  while (offset < N)
    offset += (await kafkaLog.read('bench-log', 0, offset, { maxRecords: BATCH * 10 })).length;
});
await kafkaLog.close();

// kcat (librdkafka) through the endpoint, when installed.
const rows = [
  { name: 'embedded append (in-process)', value: rate(embAppend.seconds) },
  { name: 'embedded read (in-process)', value: rate(embRead.seconds) },
  {
    name: 'kafkajs produce via endpoint',
    value: rate(jsProduce.seconds),
    baseline: rate(embAppend.seconds),
    ratio: `${(embAppend.seconds / jsProduce.seconds).toFixed(2)}x of embedded`,
  },
  {
    name: 'kafkajs consume via endpoint',
    value: rate(jsConsume.seconds),
    baseline: rate(embRead.seconds),
    ratio: `${(embRead.seconds / jsConsume.seconds).toFixed(2)}x of embedded`,
  },
  {
    name: 'KafkaEventLog append via endpoint',
    value: rate(klAppend.seconds),
    baseline: rate(embAppend.seconds),
    ratio: `${(embAppend.seconds / klAppend.seconds).toFixed(2)}x of embedded`,
  },
  {
    name: 'KafkaEventLog read via endpoint',
    value: rate(klRead.seconds),
    baseline: rate(embRead.seconds),
    ratio: `${(embRead.seconds / klRead.seconds).toFixed(2)}x of embedded`,
  },
];

if (spawnSync('kcat', ['-V'], { stdio: 'ignore' }).status === 0) {
  await log.createTopic('bench-kcat', { partitions: 1 });
  const bootstrap = `127.0.0.1:${broker.port}`;
  const input = Buffer.concat(values.flatMap((v) => [v, Buffer.from('\n')]));
  const run = (args: string[], stdin?: Buffer) =>
    new Promise<number>((resolve, reject) => {
      const child = spawn('kcat', ['-b', bootstrap, ...args], {
        stdio: [stdin ? 'pipe' : 'ignore', 'pipe', 'inherit'],
      });
      let lines = 0;
      child.stdout!.on('data', (d: Buffer) => {
        for (const byte of d) if (byte === 10) lines++;
      });
      child.on('error', reject);
      child.on('exit', () => resolve(lines));
      if (stdin) child.stdin!.end(stdin);
    });
  const kcatProduce = await timeAsync(() =>
    run(['-P', '-t', 'bench-kcat', '-p', '0', '-X', 'linger.ms=5'], input),
  );
  const kcatConsume = await timeAsync(() => run(['-C', '-t', 'bench-kcat', '-o', 'beginning', '-e', '-q']));
  if (kcatConsume.result !== N) throw new Error(`kcat consumed ${kcatConsume.result} of ${N}`);
  rows.push(
    {
      name: 'kcat produce via endpoint',
      value: rate(kcatProduce.seconds),
      baseline: rate(embAppend.seconds),
      ratio: `${(embAppend.seconds / kcatProduce.seconds).toFixed(2)}x of embedded`,
    },
    {
      name: 'kcat consume via endpoint',
      value: rate(kcatConsume.seconds),
      baseline: rate(embRead.seconds),
      ratio: `${(embRead.seconds / kcatConsume.seconds).toFixed(2)}x of embedded`,
    },
  );
} else {
  console.log('kcat not installed: kcat rows skipped (apt-get install kcat)');
}

await broker.close();
await log.close();
for (const d of dirs) rmSync(d, { recursive: true, force: true });
report(rows);
