// The archiver: copies topics (events, features, scores, alerts) into Parquet files partitioned by
// day, for DuckDB here and DuckDB/Spark/Trino on object storage at scale.
//
// Exactly once: a file is named by its topic, day, partition and first offset. The stage's state
// (committed with the offsets) holds how far each partition was archived, so at restart any file that
// starts at or past that point came from a batch that never committed, and is removed before the
// batch is written again.
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import type { LogRecord } from '../../ingest/log/types.ts';
import { errorRecord } from '../../ingest/pipeline/runner.ts';
import type { Stage } from '../../ingest/pipeline/stage.ts';

export const ARCHIVED_TOPICS = ['events.enriched', 'features', 'scores', 'alerts'] as const;

/** Where a topic's files live: <root>/<topic>/day=YYYY-MM-DD/p<partition>-<first offset>.parquet */
export function archiveFile(
  root: string,
  topic: string,
  day: string,
  partition: number,
  firstOffset: number,
): string {
  return join(root, topic, `day=${day}`, `p${partition}-${String(firstOffset).padStart(12, '0')}.parquet`);
}

const dayOf = (ts: number) => new Date(ts).toISOString().slice(0, 10);

export function createArchiverStage(options: { root: string; topics?: readonly string[] }): Stage {
  const topics = options.topics ?? ARCHIVED_TOPICS;
  /** topic/partition → the next offset to archive (what has been committed). */
  let archived: Record<string, number> = {};
  let db: DuckDBInstance | null = null;

  const removeUncommitted = () => {
    for (const topic of topics) {
      let days: string[] = [];
      try {
        days = readdirSync(join(options.root, topic));
      } catch {
        continue;
      }
      for (const day of days) {
        for (const file of readdirSync(join(options.root, topic, day))) {
          const m = /^p(\d+)-(\d+)\.parquet(\.tmp\.ndjson)?$/.exec(file);
          if (!m) continue;
          const next = archived[`${topic}/${m[1]}`] ?? 0;
          if (m[3] || Number(m[2]) >= next) rmSync(join(options.root, topic, day, file), { force: true });
        }
      }
    }
  };

  return {
    name: 'archiver',
    inputs: [...topics],
    snapshot: () => Buffer.from(JSON.stringify(archived)),
    restore: (state) => {
      archived = JSON.parse(state.toString());
    },
    async start() {
      mkdirSync(options.root, { recursive: true });
      removeUncommitted();
      db = await DuckDBInstance.create(':memory:');
    },
    async process(batch, ctx) {
      const conn = await db!.connect();
      const errors = [];
      try {
        // Group by topic, partition and day; each group becomes one file named by its first offset.
        const groups = new Map<
          string,
          { topic: string; partition: number; day: string; records: LogRecord[] }
        >();
        for (const r of batch) {
          const day = dayOf(r.timestamp);
          const key = `${r.topic}\u0000${r.partition}\u0000${day}`;
          let g = groups.get(key);
          if (!g) {
            g = { topic: r.topic, partition: r.partition, day, records: [] };
            groups.set(key, g);
          }
          g.records.push(r);
        }
        for (const g of groups.values()) {
          const lines: string[] = [];
          for (const r of g.records) {
            let value: unknown;
            try {
              value = JSON.parse(r.value.toString());
            } catch (err) {
              ctx.countError();
              errors.push(errorRecord('archiver', r, 'invalid', `not JSON: ${(err as Error).message}`));
              continue;
            }
            if (value === null || typeof value !== 'object' || Array.isArray(value)) {
              ctx.countError();
              errors.push(errorRecord('archiver', r, 'invalid', 'archived records must be JSON objects'));
              continue;
            }
            lines.push(
              JSON.stringify({
                _topic: g.topic,
                _partition: r.partition,
                _offset: r.offset,
                _ts: r.timestamp,
                _key: r.key?.toString() ?? null,
                ...value,
              }),
            );
          }
          if (!lines.length) continue;
          const file = archiveFile(options.root, g.topic, g.day, g.partition, g.records[0]!.offset);
          mkdirSync(join(file, '..'), { recursive: true });
          const tmp = `${file}.tmp.ndjson`;
          writeFileSync(tmp, `${lines.join('\n')}\n`);
          const q = (s: string) => `'${s.replaceAll("'", "''")}'`;
          await conn.run(
            `copy (select * from read_json_auto(${q(tmp)}, format = 'newline_delimited', sample_size = -1, union_by_name = true)) to ${q(file)} (format parquet, compression zstd)`,
          );
          rmSync(tmp, { force: true });
        }
        for (const r of batch) {
          const k = `${r.topic}/${r.partition}`;
          archived[k] = Math.max(archived[k] ?? 0, r.offset + 1);
        }
      } finally {
        conn.closeSync();
      }
      return errors;
    },
    async stop() {
      db?.closeSync();
      db = null;
    },
  };
}
