// Reads a training source (CSV or Parquet, or a topic range of Vigil's log) through DuckDB, selecting
// and typing only the columns a spec needs. Row order is the file's (or the log's) order (DuckDB
// preserves insertion order), or the timestamp's, or `orderBy`'s.
import path from 'node:path';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { z } from 'zod';
import type { EventLog } from '../../ingest/log/types.ts';
import type { Columns } from './encode.ts';

export const SourceSpecSchema = z
  .object({
    /** CSV or Parquet file (or glob); relative paths resolve against the spec file's directory. */
    path: z.string().min(1).optional(),
    /**
     * Instead of `path`: a DuckDB SELECT (e.g. a UNION of several files); `\${specDir}` in it is
     * replaced by the spec file's directory. Order it explicitly: row order feeds the split.
     */
    sql: z.string().min(1).optional(),
    /**
     * Instead of `path` or `sql`: a topic of Vigil's log (e.g. `events`, after a sensor parsed the
     * raw lines). Each record is a JSON event; a column is read from the event path `fields[column]`,
     * else `fieldPrefix.column`, else `column`. Needs the log (`vigil train --data-dir`).
     */
    topic: z.string().min(1).optional(),
    /** Topic only: first offset (per partition), or an ISO-8601 time (the first record at or after it). */
    from: z.union([z.number().int().nonnegative(), z.iso.datetime({ offset: true })]).optional(),
    /** Topic only: end offset (exclusive, per partition), or an ISO-8601 time (records before it). */
    to: z.union([z.number().int().nonnegative(), z.iso.datetime({ offset: true })]).optional(),
    /** Topic only: keep events whose `event.dataset` (the sensor that parsed them) is this, or one of these. */
    dataset: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).optional(),
    /** Topic only: column name → dotted event path. */
    fields: z.record(z.string().min(1), z.string().min(1)).optional(),
    /** Topic only: path prefix for columns not in `fields` (e.g. `csv` for the CSV parser's kept columns). */
    fieldPrefix: z.string().min(1).optional(),
    format: z.enum(['csv', 'parquet']).optional(),
    /** CSV only: whether the first row names the columns. */
    header: z.boolean().default(true),
    /** CSV only: column names for a file without a header (extra columns keep DuckDB's names). */
    columns: z.array(z.string().min(1)).optional(),
    /** An SQL predicate over the source's columns. */
    where: z.string().optional(),
    /** Columns to order the rows by (row order feeds the split); a spec timestamp orders first. */
    orderBy: z.array(z.string().min(1)).optional(),
    /** Keep only the first N rows (after `where`), e.g. for short CI runs. */
    limit: z.number().int().positive().optional(),
  })
  .refine((s) => [s.path, s.sql, s.topic].filter((v) => v !== undefined).length === 1, {
    message: 'give exactly one of path, sql or topic',
  })
  .refine(
    (s) => s.topic !== undefined || (s.from ?? s.to ?? s.dataset ?? s.fieldPrefix ?? s.fields) === undefined,
    {
      message: 'from, to, dataset, fields and fieldPrefix apply to a topic source only',
    },
  );
export type SourceSpec = z.output<typeof SourceSpecSchema>;

export interface ColumnRequest {
  numeric: string[];
  text: string[];
  /** Ordering column (read as text; parsed by the caller). */
  orderBy?: string;
}

const sqlString = (s: string) => `'${s.replaceAll("'", "''")}'`;
const ident = (s: string) => `"${s.replaceAll('"', '""')}"`;

/** The file a source reads, or its SQL with the spec directory filled in (for lineage). */
export function sourcePath(spec: SourceSpec, baseDir: string): string {
  if (spec.topic !== undefined) {
    const range = `${spec.from ?? 'earliest'}..${spec.to ?? 'latest'}`;
    return `log:${spec.topic}[${range}]${spec.dataset ? ` dataset=${[spec.dataset].flat().join(',')}` : ''}`;
  }
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a literal placeholder in the spec's SQL
  if (spec.sql !== undefined) return spec.sql.replaceAll('${specDir}', baseDir);
  return path.resolve(baseDir, spec.path!);
}

export function sourceRelation(spec: SourceSpec, baseDir: string): string {
  if (spec.sql !== undefined) return `(${sourcePath(spec, baseDir)})`;
  const file = sourcePath(spec, baseDir);
  const format = spec.format ?? (/\.parquet$/i.test(file) ? 'parquet' : 'csv');
  if (format === 'parquet') return `read_parquet(${sqlString(file)})`;
  const opts = [`header=${spec.header}`];
  if (spec.columns) opts.push(`names=[${spec.columns.map(sqlString).join(', ')}]`);
  return `read_csv(${sqlString(file)}, ${opts.join(', ')})`;
}

/** Records read from the log per call. */
const LOG_READ_BATCH = 5000;

function atPath(event: unknown, parts: readonly string[]): unknown {
  let v = event;
  for (const p of parts) {
    if (typeof v !== 'object' || v === null) return undefined;
    v = (v as Record<string, unknown>)[p];
  }
  return v;
}

async function offsetBound(
  log: EventLog,
  topic: string,
  partition: number,
  bound: number | string | undefined,
  fallback: number,
): Promise<number> {
  if (bound === undefined) return fallback;
  if (typeof bound === 'number') return bound;
  return log.offsetForTimestamp(topic, partition, Date.parse(bound));
}

/**
 * Materializes a topic range into a DuckDB table `log_source` of VARCHAR columns (one per requested
 * column), so `where`, the casts and the limit behave exactly as for a file. Partitions are read in
 * order one after the other: a one-partition topic keeps the order the sensor read its lines in.
 */
async function materializeTopic(
  conn: DuckDBConnection,
  spec: SourceSpec,
  log: EventLog,
  columns: string[],
): Promise<void> {
  const topic = spec.topic!;
  const info = await log.describeTopic(topic).catch((e: unknown) => {
    throw new Error(`training source topic ${topic}: ${e instanceof Error ? e.message : String(e)}`);
  });
  await conn.run(`CREATE TABLE log_source (${columns.map((c) => `${ident(c)} VARCHAR`).join(', ')})`);
  const paths = columns.map((c) =>
    (spec.fields?.[c] ?? (spec.fieldPrefix ? `${spec.fieldPrefix}.${c}` : c)).split('.'),
  );
  const datasets = spec.dataset === undefined ? undefined : new Set([spec.dataset].flat());
  const appender = await conn.createAppender('log_source');
  try {
    for (const p of info.partitions) {
      const start = Math.max(p.earliest, await offsetBound(log, topic, p.partition, spec.from, p.earliest));
      const end = Math.min(p.latest, await offsetBound(log, topic, p.partition, spec.to, p.latest));
      for (let offset = start; offset < end; ) {
        const records = await log.read(topic, p.partition, offset, {
          maxRecords: Math.min(LOG_READ_BATCH, end - offset),
        });
        if (records.length === 0) break;
        for (const r of records) {
          if (r.offset >= end) break;
          let event: unknown;
          try {
            event = JSON.parse(r.value.toString('utf8'));
          } catch (e) {
            throw new Error(
              `training source ${topic}/${r.partition}@${r.offset}: not a JSON event (${(e as Error).message})`,
            );
          }
          if (datasets !== undefined && !datasets.has(atPath(event, ['event', 'dataset']) as string))
            continue;
          for (const parts of paths) {
            const v = atPath(event, parts);
            if (v === undefined || v === null) appender.appendNull();
            else appender.appendVarchar(typeof v === 'string' ? v : JSON.stringify(v));
          }
          appender.endRow();
        }
        offset = records[records.length - 1]!.offset + 1;
      }
    }
    appender.flushSync();
  } finally {
    appender.closeSync();
  }
}

/**
 * Loads the requested columns: numeric ones as DOUBLE, the rest as VARCHAR. A topic source needs
 * the log it reads.
 */
export async function loadSource(
  spec: SourceSpec,
  baseDir: string,
  req: ColumnRequest,
  log?: EventLog,
): Promise<Columns> {
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  try {
    const select = [
      ...req.numeric.map((c) => `TRY_CAST(${ident(c)} AS DOUBLE) AS ${ident(c)}`),
      ...req.text.map((c) => `CAST(${ident(c)} AS VARCHAR) AS ${ident(c)}`),
    ];
    let relation: string;
    if (spec.topic !== undefined) {
      if (log === undefined)
        throw new Error(
          `training source reads topic ${spec.topic} of Vigil's log, but no log was opened (give the data dir)`,
        );
      // columns named in `fields` are kept too, so `where` can filter on them
      const wanted = [
        ...new Set([...req.numeric, ...req.text, ...Object.keys(spec.fields ?? {}), ...(spec.orderBy ?? [])]),
      ];
      await materializeTopic(conn, spec, log, wanted);
      relation = 'log_source';
    } else relation = sourceRelation(spec, baseDir);
    let sql = `SELECT ${select.join(', ')} FROM ${relation}`;
    if (spec.where) sql += ` WHERE ${spec.where}`;
    const order = [...(req.orderBy ? [req.orderBy] : []), ...(spec.orderBy ?? [])];
    if (order.length > 0) sql += ` ORDER BY ${order.map(ident).join(', ')}`;
    if (spec.limit) sql += ` LIMIT ${spec.limit}`;
    const reader = await conn.runAndReadAll(sql);
    return reader.getColumnsObjectJS() as Columns;
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}
