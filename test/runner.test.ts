import { describe, expect, it } from 'vitest';
import { openEmbeddedLog } from '../ingest/log/embedded/index.ts';
import type { EventLog } from '../ingest/log/types.ts';
import { runUntilDrained, StageRunner } from '../ingest/pipeline/runner.ts';
import type { Stage } from '../ingest/pipeline/stage.ts';
import { fillNumbers, summingStage } from './fixtures/summing-stage.ts';
import { exited, spawnTs } from './helpers/child.ts';
import { tempDir } from './helpers/tmp.ts';

async function topicContents(log: EventLog, topic: string): Promise<string[][]> {
  const info = await log.describeTopic(topic);
  const out: string[][] = [];
  for (const p of info.partitions) {
    const values: string[] = [];
    let offset = p.earliest;
    while (offset < p.latest) {
      const batch = await log.read(topic, p.partition, offset, { maxRecords: 5000 });
      values.push(...batch.map((r) => `${r.key?.toString()}|${r.value.toString()}|${r.timestamp}`));
      offset = batch[batch.length - 1]!.offset + 1;
    }
    out.push(values);
  }
  return out;
}

describe('stage runner', () => {
  it('processes every input once and commits outputs with offsets and state', async () => {
    const tmp = tempDir();
    try {
      const log = await openEmbeddedLog(tmp.dir, { fsync: false });
      await fillNumbers(log, 1000);
      const stats = await runUntilDrained(log, summingStage(), { maxBatchRecords: 100 });
      expect(stats.recordsIn).toBe(1000);
      const sums = (await topicContents(log, 'sums')).flat();
      expect(sums).toHaveLength(1000);
      expect((await topicContents(log, 'milestones')).flat()).toHaveLength(100);
      // Running again finds nothing new: offsets were committed.
      const again = await runUntilDrained(log, summingStage());
      expect(again.recordsIn).toBe(0);
      await log.close();
    } finally {
      tmp.remove();
    }
  });

  it('gives the same outputs as an uninterrupted run when SIGKILLed and restarted many times', async () => {
    const reference = tempDir();
    const crashed = tempDir();
    try {
      const refLog = await openEmbeddedLog(reference.dir, { fsync: false });
      await fillNumbers(refLog, 6000);
      await runUntilDrained(refLog, summingStage(), { maxBatchRecords: 37 });
      const expected = {
        sums: await topicContents(refLog, 'sums'),
        milestones: await topicContents(refLog, 'milestones'),
      };
      await refLog.close();

      const seedLog = await openEmbeddedLog(crashed.dir, { fsync: false });
      await fillNumbers(seedLog, 6000);
      await seedLog.close();
      let kills = 0;
      for (let attempt = 0; attempt < 40; attempt++) {
        const child = spawnTs('test/fixtures/runner-child.ts', [crashed.dir, '37']);
        let output = '';
        child.stdout!.on('data', (d: Buffer) => {
          output += d.toString();
        });
        child.stderr!.on('data', (d: Buffer) => {
          output += d.toString();
        });
        await new Promise<void>((resolve) => {
          const onData = () => {
            if (output.includes('started')) {
              child.stdout!.off('data', onData);
              resolve();
            }
          };
          child.stdout!.on('data', onData);
          child.once('exit', () => resolve());
        });
        if (attempt < 6) {
          await new Promise((r) => setTimeout(r, 50 + ((attempt * 97) % 300)));
          if (child.exitCode === null) {
            child.kill('SIGKILL');
            kills++;
          }
        }
        const code = await exited(child);
        if (code === 0) break;
        expect(code, output).toBe('SIGKILL');
      }
      expect(kills).toBeGreaterThanOrEqual(3);
      const log = await openEmbeddedLog(crashed.dir, { fsync: false });
      expect(await topicContents(log, 'sums')).toEqual(expected.sums);
      expect(await topicContents(log, 'milestones')).toEqual(expected.milestones);
      await log.close();
    } finally {
      reference.remove();
      crashed.remove();
    }
  });

  it('keeps a batch that makes the stage throw on the errors topic and carries on', async () => {
    const tmp = tempDir();
    try {
      const log = await openEmbeddedLog(tmp.dir, { fsync: false });
      await log.createTopic('in', { partitions: 1 });
      await log.append('in', [{ value: 'ok' }, { value: 'boom' }, { value: 'ok2' }]);
      const stage: Stage = {
        name: 'fragile',
        inputs: ['in'],
        outputs: ['out'],
        process(batch) {
          if (batch.some((r) => r.value.toString() === 'boom')) throw new Error('cannot handle boom');
          return batch.map((r) => ({ topic: 'out', value: r.value }));
        },
      };
      const stats = await runUntilDrained(log, stage, { maxBatchRecords: 1 });
      expect(stats.errors).toBe(1);
      expect((await topicContents(log, 'out')).flat().map((v) => v.split('|')[1])).toEqual(['ok', 'ok2']);
      const [error] = (await log.read('errors', 0, 0)).map((r) => JSON.parse(r.value.toString()));
      expect(error).toMatchObject({
        stage: 'fragile',
        kind: 'stage-exception',
        raw: 'boom',
        source: { topic: 'in', offset: 1 },
      });
      expect(error.message).toMatch(/cannot handle boom/);
      await log.close();
    } finally {
      tmp.remove();
    }
  });

  it('stops gracefully: the batch in flight is committed and the runner resumes after it', async () => {
    const tmp = tempDir();
    try {
      const log = await openEmbeddedLog(tmp.dir, { fsync: false });
      await fillNumbers(log, 300);
      const runner = new StageRunner(log, summingStage(), { maxBatchRecords: 10, pollMs: 20 });
      await runner.start();
      while (runner.stats.recordsIn < 300) await new Promise((r) => setTimeout(r, 10));
      await log.append('numbers', [{ key: 'k1', value: '5', timestamp: 1 }]);
      while (runner.stats.recordsIn < 301) await new Promise((r) => setTimeout(r, 10));
      await runner.stop();
      expect(runner.stats.running).toBe(false);
      expect((await topicContents(log, 'sums')).flat()).toHaveLength(301);
      await log.close();
    } finally {
      tmp.remove();
    }
  });
});
