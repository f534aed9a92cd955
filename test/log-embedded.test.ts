import {
  closeSync,
  existsSync,
  ftruncateSync,
  openSync,
  readdirSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type EmbeddedLog, openEmbeddedLog } from '../ingest/log/embedded/index.ts';
import type { EventLog, LogRecord } from '../ingest/log/types.ts';
import { exited, spawnTs } from './helpers/child.ts';
import { tempDir } from './helpers/tmp.ts';
import { runLogConformance } from './log-conformance.ts';

runLogConformance(
  'embedded',
  async () => {
    const tmp = tempDir();
    let log: EventLog = await openEmbeddedLog(tmp.dir, { maxRecordBytes: 64 * 1024 });
    return {
      get log() {
        return log;
      },
      reopen: async () => {
        await log.close();
        log = await openEmbeddedLog(tmp.dir, { maxRecordBytes: 64 * 1024 });
        return log;
      },
      cleanup: async () => {
        await log.close();
        tmp.remove();
      },
    };
  },
  { maxRecordBytes: 64 * 1024 },
);

async function readAll(log: EventLog, topic: string, partition: number): Promise<LogRecord[]> {
  const out: LogRecord[] = [];
  let offset = await log.earliestOffset(topic, partition);
  for (;;) {
    const batch = await log.read(topic, partition, offset, { maxRecords: 5000 });
    if (!batch.length) return out;
    out.push(...batch);
    offset = batch[batch.length - 1]!.offset + 1;
  }
}

describe('embedded log storage', () => {
  it('reads across many rolled segments and reopens from persisted indexes', async () => {
    const tmp = tempDir();
    try {
      let log = await openEmbeddedLog(tmp.dir, { fsync: false });
      await log.createTopic('roll', { partitions: 1, segmentBytes: 8 * 1024 });
      for (let b = 0; b < 50; b++) {
        await log.append(
          'roll',
          Array.from({ length: 20 }, (_, i) => ({
            value: `${b}:${i}:${'y'.repeat(40)}`,
            timestamp: b * 100 + i,
          })),
        );
      }
      const segments = readdirSync(join(tmp.dir, 'topics', 'roll', '0')).filter((f) => f.endsWith('.log'));
      expect(segments.length).toBeGreaterThan(5);
      const before = await readAll(log, 'roll', 0);
      expect(before.map((r) => r.offset)).toEqual(before.map((_, i) => i));
      expect(await log.offsetForTimestamp('roll', 0, 2510)).toBe(510);
      await log.close();
      log = await openEmbeddedLog(tmp.dir, { fsync: false });
      const after = await readAll(log, 'roll', 0);
      expect(after.map((r) => r.value.toString())).toEqual(before.map((r) => r.value.toString()));
      expect(await log.offsetForTimestamp('roll', 0, 2510)).toBe(510);
      await log.close();
    } finally {
      tmp.remove();
    }
  });

  it('a read stopped by maxBytes inside a segment goes on from there, not from the next segment', async () => {
    const tmp = tempDir();
    try {
      const log = await openEmbeddedLog(tmp.dir, { fsync: false });
      await log.createTopic('big', { partitions: 1, segmentBytes: 64 * 1024 });
      for (let b = 0; b < 6; b++) {
        await log.append(
          'big',
          Array.from({ length: 40 }, (_, i) => ({ value: `${b}:${i}:${'z'.repeat(1000)}` })),
        );
      }
      const segments = readdirSync(join(tmp.dir, 'topics', 'big', '0')).filter((f) => f.endsWith('.log'));
      expect(segments.length).toBeGreaterThan(1);
      const offsets: number[] = [];
      for (let offset = 0; ; ) {
        const batch = await log.read('big', 0, offset, { maxRecords: 1000, maxBytes: 8 * 1024 });
        if (!batch.length) break;
        offsets.push(...batch.map((r) => r.offset));
        offset = batch[batch.length - 1]!.offset + 1;
      }
      expect(offsets).toEqual(Array.from({ length: 240 }, (_, i) => i));
      await log.close();
    } finally {
      tmp.remove();
    }
  });

  it('applies size and age retention to sealed segments', async () => {
    const tmp = tempDir();
    try {
      const log = await openEmbeddedLog(tmp.dir, { fsync: false, retentionCheckMs: 0 });
      await log.createTopic('sized', { partitions: 1, segmentBytes: 4096, retention: { bytes: 16 * 1024 } });
      await log.createTopic('aged', { partitions: 1, segmentBytes: 4096, retention: { ms: 60_000 } });
      for (let b = 0; b < 40; b++) {
        await log.append(
          'sized',
          Array.from({ length: 10 }, () => ({ value: 'z'.repeat(100) })),
        );
      }
      const now = Date.now();
      await log.append(
        'aged',
        Array.from({ length: 100 }, (_, i) => ({ value: 'old'.repeat(30), timestamp: now - 3_600_000 + i })),
      );
      await log.append(
        'aged',
        Array.from({ length: 5 }, (_, i) => ({ value: 'new', timestamp: now + i })),
      );
      log.enforceRetention(now);
      const sized = await log.describeTopic('sized');
      expect(sized.partitions[0]!.earliest).toBeGreaterThan(0);
      expect(sized.partitions[0]!.latest).toBe(400);
      const kept = await readAll(log, 'sized', 0);
      expect(kept.length).toBeLessThan(400);
      expect(kept[0]!.offset).toBe(sized.partitions[0]!.earliest);
      // Everything old is gone; the 5 new records stay.
      const aged = await readAll(log, 'aged', 0);
      expect(aged.map((r) => r.value.toString())).toEqual(['new', 'new', 'new', 'new', 'new']);
      await expect(log.read('aged', 0, 0)).rejects.toThrow(/out of range/);
      await log.close();
    } finally {
      tmp.remove();
    }
  });

  it('cuts a torn tail at open and never serves a corrupt record', async () => {
    const tmp = tempDir();
    try {
      let log = await openEmbeddedLog(tmp.dir);
      await log.createTopic('torn', { partitions: 1 });
      for (let b = 0; b < 10; b++)
        await log.append(
          'torn',
          Array.from({ length: 10 }, (_, i) => ({ value: `${b}-${i}` })),
        );
      await log.close();
      const segment = join(tmp.dir, 'topics', 'torn', '0', `${'0'.padStart(20, '0')}.log`);
      const size = statSync(segment).size;
      const fd = openSync(segment, 'r+');
      ftruncateSync(fd, size - 17); // mid-record of the last batch
      closeSync(fd);
      log = await openEmbeddedLog(tmp.dir);
      expect((log as EmbeddedLog).recovered).toEqual([
        { topic: 'torn', partition: 0, bytes: expect.any(Number) },
      ]);
      const records = await readAll(log, 'torn', 0);
      expect(records).toHaveLength(90);
      expect(records.at(-1)!.value.toString()).toBe('8-9');
      // Appends continue at the right offset after recovery.
      await log.append('torn', [{ value: 'after' }]);
      expect((await log.read('torn', 0, 90)).map((r) => r.value.toString())).toEqual(['after']);
      await log.close();
    } finally {
      tmp.remove();
    }
  });

  it('detects a flipped byte inside the last batch and drops that batch', async () => {
    const tmp = tempDir();
    try {
      let log = await openEmbeddedLog(tmp.dir);
      await log.createTopic('flip', { partitions: 1 });
      await log.append('flip', [{ value: 'first' }]);
      await log.append('flip', [{ value: 'second' }]);
      await log.close();
      const segment = join(tmp.dir, 'topics', 'flip', '0', `${'0'.padStart(20, '0')}.log`);
      // Flip a byte inside the second batch's value: its CRC no longer matches.
      const fd = openSync(segment, 'r+');
      writeSync(fd, Buffer.from([0x21]), 0, 1, statSync(segment).size - 4);
      closeSync(fd);
      log = await openEmbeddedLog(tmp.dir);
      expect((await readAll(log, 'flip', 0)).map((r) => r.value.toString())).toEqual(['first']);
      await log.close();
    } finally {
      tmp.remove();
    }
  });

  it('refuses a directory that is not a Vigil log, or of another format version', async () => {
    const tmp = tempDir();
    try {
      writeFileSync(join(tmp.dir, 'photo.jpg'), 'not a log');
      await expect(openEmbeddedLog(tmp.dir)).rejects.toThrow(/not a Vigil log directory/);
      const other = tempDir();
      writeFileSync(
        join(other.dir, 'vigil-log.json'),
        JSON.stringify({ format: 'vigil-embedded-log', version: 99 }),
      );
      await expect(openEmbeddedLog(other.dir)).rejects.toThrow(/version 99/);
      other.remove();
    } finally {
      tmp.remove();
    }
  });

  it('lets one process write a data dir: a second gets an error naming the holder pid', async () => {
    const tmp = tempDir();
    const child = spawnTs('test/fixtures/log-writer.ts', [tmp.dir]);
    try {
      await new Promise<void>((resolve) => child.stdout!.once('data', () => resolve()));
      await expect(openEmbeddedLog(tmp.dir)).rejects.toThrow(new RegExp(`pid ${child.pid}`));
    } finally {
      child.kill('SIGKILL');
      await exited(child);
    }
    // The holder died: its stale lock no longer blocks.
    const log = await openEmbeddedLog(tmp.dir);
    await log.close();
    tmp.remove();
  });

  it('keeps every acknowledged batch and no partial batch when the writer is SIGKILLed', async () => {
    const tmp = tempDir();
    try {
      let nextBatch = 0;
      for (let round = 0; round < 4; round++) {
        const child = spawnTs('test/fixtures/log-writer.ts', [tmp.dir, String(nextBatch)]);
        let lastAck = -1;
        let out = '';
        child.stdout!.on('data', (d: Buffer) => {
          out += d.toString();
          const acks = out.match(/ack (\d+)\n/g);
          if (acks) lastAck = Number(acks[acks.length - 1]!.slice(4));
        });
        // Kill at a moment that varies by round, counted from the writer's first acknowledged batch.
        for (let i = 0; i < 300 && lastAck < nextBatch; i++) await new Promise((r) => setTimeout(r, 100));
        await new Promise((r) => setTimeout(r, 50 + round * 120));
        child.kill('SIGKILL');
        await exited(child);
        expect(lastAck).toBeGreaterThanOrEqual(nextBatch);
        const log = await openEmbeddedLog(tmp.dir);
        const seen = new Map<number, number>();
        for (const p of [0, 1]) {
          for (const r of await readAll(log, 'crash', p)) {
            const { batch } = JSON.parse(r.value.toString());
            seen.set(batch, (seen.get(batch) ?? 0) + 1);
          }
        }
        await log.close();
        for (let b = 0; b <= lastAck; b++) expect(seen.get(b), `acknowledged batch ${b}`).toBe(100);
        for (const count of seen.values()) expect(count).toBe(100);
        nextBatch = Math.max(...seen.keys()) + 1;
      }
    } finally {
      tmp.remove();
    }
  });

  it('keeps no lock file behind after close', async () => {
    const tmp = tempDir();
    const log = await openEmbeddedLog(tmp.dir);
    await log.close();
    expect(existsSync(join(tmp.dir, 'LOCK'))).toBe(false);
    tmp.remove();
  });
});
