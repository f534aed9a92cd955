import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openEmbeddedLog } from '../../ingest/log/embedded/index.ts';
import { runUntilDrained } from '../../ingest/pipeline/runner.ts';
import { tempDir } from '../../test/helpers/tmp.ts';
import { archiveFile, createArchiverStage } from './archiver-stage.ts';
import { openHistory } from './history.ts';

describe('history archiver', () => {
  it('archives topics to day-partitioned Parquet that DuckDB views query, once each', async () => {
    const tmp = tempDir();
    try {
      const log = await openEmbeddedLog(join(tmp.dir, 'log'), { fsync: false });
      await log.createTopic('events.enriched', { partitions: 2 });
      await log.createTopic('alerts', { partitions: 1 });
      const day0 = Date.UTC(2026, 10, 30, 23, 0);
      await log.append(
        'events.enriched',
        Array.from({ length: 300 }, (_, i) => ({
          key: `10.0.0.${i % 4}`,
          timestamp: day0 + i * 60_000, // crosses midnight
          value: JSON.stringify({
            '@timestamp': new Date(day0 + i * 60_000).toISOString(),
            source: { ip: `10.0.0.${i % 4}` },
            destination: { port: i % 3 === 0 ? 22 : 443 },
          }),
        })),
      );
      await log.append('alerts', [
        { value: JSON.stringify({ id: 'a', title: 'scan', severity: 80 }), timestamp: day0 },
        { value: 'broken', timestamp: day0 },
      ]);
      const root = join(tmp.dir, 'history');
      // A leftover from a batch that never committed must not survive (nor be counted twice).
      const stale = archiveFile(root, 'events.enriched', '2026-11-30', 0, 5);
      mkdirSync(join(stale, '..'), { recursive: true });
      writeFileSync(stale, 'half-written parquet from a crashed batch');
      const stats = await runUntilDrained(log, createArchiverStage({ root }), { maxBatchRecords: 70 });
      expect(stats.errors).toBe(1);
      expect(existsSync(join(root, 'events.enriched', 'day=2026-11-30'))).toBe(true);
      expect(existsSync(join(root, 'events.enriched', 'day=2026-12-01'))).toBe(true);
      expect(existsSync(stale)).toBe(false);
      // Running again archives nothing new.
      await runUntilDrained(log, createArchiverStage({ root }));
      const history = await openHistory(root);
      const { rows } = await history.query(
        "select day::varchar as day, count(*)::integer as n, count(distinct _offset || '/' || _partition)::integer as distinct_records from events group by 1 order by 1",
      );
      expect(rows.reduce((n, r) => n + Number(r.n), 0)).toBe(300);
      expect(rows.every((r) => r.n === r.distinct_records)).toBe(true);
      expect(rows.map((r) => r.day)).toEqual(['2026-11-30', '2026-12-01']);
      const ssh = await history.query(
        'select count(*)::integer as n from events where destination.port = 22',
      );
      expect(ssh.rows[0]!.n).toBe(100);
      expect((await history.query('select title from alerts')).rows).toEqual([{ title: 'scan' }]);
      history.close();
      const files = readdirSync(join(root, 'events.enriched', 'day=2026-12-01'));
      expect(files.every((f) => f.endsWith('.parquet'))).toBe(true);
      await log.close();
    } finally {
      tmp.remove();
    }
  });
});
