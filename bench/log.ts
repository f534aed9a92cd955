// Embedded log throughput: append (fsync per batch) and sequential read of N records of ~300 bytes
// in batches of 1000, beside bare filesystem baselines measured in the same run (writeSync+fdatasync
// of the same bytes; readSync of the same file).
// Usage: npm run bench -- log [--records 1000000] [--batch 1000] [--no-fsync]
import {
  closeSync,
  fdatasyncSync,
  mkdtempSync,
  openSync,
  readSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openEmbeddedLog } from '../ingest/log/embedded/index.ts';
import { arg, fmt, report, time, timeAsync } from './_util.ts';

const N = arg('records', 1_000_000);
const BATCH = arg('batch', 1000);
const fsync = !process.argv.includes('--no-fsync');
const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-log-'));

const payload = (i: number) =>
  `{"ts":${1_700_000_000 + i},"uid":"C${i.toString(36)}","id.orig_h":"10.0.${(i >> 8) & 255}.${i & 255}","id.orig_p":${40000 + (i % 20000)},"id.resp_h":"192.168.1.${i % 200}","id.resp_p":443,"proto":"tcp","service":"ssl","duration":0.${i % 1000},"orig_bytes":${i % 9000},"resp_bytes":${i % 70000},"conn_state":"SF","history":"ShADadfF","orig_pkts":12,"resp_pkts":14}`;
const batches: { key: string; value: Buffer; timestamp: number }[][] = [];
for (let b = 0; b < N / BATCH; b++) {
  batches.push(
    Array.from({ length: BATCH }, (_, j) => ({
      key: `10.0.0.${j % 250}`,
      value: Buffer.from(payload(b * BATCH + j)),
      timestamp: 1_700_000_000_000 + b * BATCH + j,
    })),
  );
}
const bytes = batches.reduce((n, b) => n + b.reduce((m, r) => m + r.value.length, 0), 0);
console.log(
  `${fmt(N)} records, ${(bytes / N).toFixed(0)} bytes each on average, batches of ${BATCH}, fsync per batch: ${fsync}`,
);

// Baseline: the same bytes written with one writeSync + fdatasync per batch, no framing or CRC.
const rawPath = join(dir, 'raw.bin');
const rawBufs = batches.map((b) => Buffer.concat(b.map((r) => r.value)));
const rawWrite = time(() => {
  const fd = openSync(rawPath, 'w');
  for (const buf of rawBufs) {
    writeSync(fd, buf);
    if (fsync) fdatasyncSync(fd);
  }
  closeSync(fd);
});
const rawRead = time(() => {
  const fd = openSync(rawPath, 'r');
  const buf = Buffer.allocUnsafe(4 << 20);
  let pos = 0;
  const size = statSync(rawPath).size;
  while (pos < size) pos += readSync(fd, buf, 0, buf.length, pos);
  closeSync(fd);
});

const log = await openEmbeddedLog(join(dir, 'log'), { fsync });
await log.createTopic('bench', { partitions: 1 });
const append = await timeAsync(async () => {
  for (const b of batches) await log.append('bench', b);
});
const read = await timeAsync(async () => {
  let offset = 0;
  let n = 0;
  while (offset < N) {
    const records = await log.read('bench', 0, offset, { maxRecords: 10_000 });
    n += records.length;
    offset = records[records.length - 1]!.offset + 1;
  }
  return n;
});
if (read.result !== N) throw new Error(`read ${read.result} records, expected ${N}`);
await log.close();
rmSync(dir, { recursive: true, force: true });

const mb = bytes / 1e6;
report([
  {
    name: 'append',
    value: `${fmt(N / append.seconds)} rec/s`,
    baseline: `bare write+fdatasync ${fmt(N / rawWrite.seconds)} rec/s`,
    ratio: `${(mb / append.seconds).toFixed(0)} MB/s vs ${(mb / rawWrite.seconds).toFixed(0)} MB/s`,
  },
  {
    name: 'sequential read',
    value: `${fmt(N / read.seconds)} rec/s`,
    baseline: `bare readSync ${fmt(N / rawRead.seconds)} rec/s`,
    ratio: `${(mb / read.seconds).toFixed(0)} MB/s vs ${(mb / rawRead.seconds).toFixed(0)} MB/s`,
  },
]);
