// Reads a training source (CSV or Parquet) through DuckDB, selecting and typing only the columns a
// spec needs. Row order is the file's order (DuckDB preserves insertion order), or the timestamp's.
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { z } from 'zod';
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
    format: z.enum(['csv', 'parquet']).optional(),
    /** CSV only: whether the first row names the columns. */
    header: z.boolean().default(true),
    /** CSV only: column names for a file without a header (extra columns keep DuckDB's names). */
    columns: z.array(z.string().min(1)).optional(),
    /** An SQL predicate over the source's columns. */
    where: z.string().optional(),
    /** Keep only the first N rows (after `where`), e.g. for short CI runs. */
    limit: z.number().int().positive().optional(),
  })
  .refine((s) => (s.path === undefined) !== (s.sql === undefined), {
    message: 'give exactly one of path or sql',
  });
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

/** Loads the requested columns: numeric ones as DOUBLE, the rest as VARCHAR. */
export async function loadSource(spec: SourceSpec, baseDir: string, req: ColumnRequest): Promise<Columns> {
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  try {
    const select = [
      ...req.numeric.map((c) => `TRY_CAST(${ident(c)} AS DOUBLE) AS ${ident(c)}`),
      ...req.text.map((c) => `CAST(${ident(c)} AS VARCHAR) AS ${ident(c)}`),
    ];
    let sql = `SELECT ${select.join(', ')} FROM ${sourceRelation(spec, baseDir)}`;
    if (spec.where) sql += ` WHERE ${spec.where}`;
    if (req.orderBy) sql += ` ORDER BY ${ident(req.orderBy)}`;
    if (spec.limit) sql += ` LIMIT ${spec.limit}`;
    const reader = await conn.runAndReadAll(sql);
    return reader.getColumnsObjectJS() as Columns;
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}
