// History: DuckDB views over the archived Parquet files — `events`, `features`, `scores`, `alerts`
// (each with the hive `day` column and the log coordinates _topic, _partition, _offset, _ts).
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';

export const HISTORY_VIEWS: Record<string, string> = {
  events: 'events.enriched',
  features: 'features',
  scores: 'scores',
  alerts: 'alerts',
};

export function historyRoot(dataDir: string): string {
  return join(dataDir, 'history');
}

export interface History {
  conn: DuckDBConnection;
  views: string[];
  query(sql: string): Promise<{ columns: string[]; rows: Record<string, unknown>[] }>;
  close(): void;
}

function hasParquet(dir: string): boolean {
  if (!existsSync(dir)) return false;
  return readdirSync(dir).some((day) => readdirSync(join(dir, day)).some((f) => f.endsWith('.parquet')));
}

export async function openHistory(root: string): Promise<History> {
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  const views: string[] = [];
  for (const [view, topic] of Object.entries(HISTORY_VIEWS)) {
    const dir = join(root, topic);
    if (!hasParquet(dir)) continue;
    const glob = join(dir, '*', '*.parquet').replaceAll("'", "''");
    await conn.run(
      `create view "${view}" as select * from read_parquet('${glob}', hive_partitioning = true, union_by_name = true)`,
    );
    views.push(view);
  }
  return {
    conn,
    views,
    async query(sql) {
      const reader = await conn.runAndReadAll(sql);
      return { columns: reader.columnNames(), rows: reader.getRowObjectsJson() as Record<string, unknown>[] };
    },
    close() {
      conn.closeSync();
      instance.closeSync();
    },
  };
}
