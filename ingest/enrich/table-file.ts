// Reads the tabular files enrichment data comes in: CSV with a header row (csv-parse), or YAML/JSON
// holding a list of objects. Rows come back as plain objects; each caller validates its own columns.
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { parse as parseYaml } from 'yaml';

export type TableRow = Record<string, unknown>;

export function parseTable(text: string, format: 'csv' | 'yaml', source: string): TableRow[] {
  if (format === 'csv') {
    return parseCsv(text, {
      columns: (header: string[]) => header.map((h) => h.trim().toLowerCase()),
      comment: '#',
      skip_empty_lines: true,
      trim: true,
      relax_column_count: true,
    }) as TableRow[];
  }
  const data = parseYaml(text) as unknown;
  const list = Array.isArray(data) ? data : (data as { entries?: unknown })?.entries;
  if (!Array.isArray(list)) throw new Error(`${source}: expected a list of entries (or {entries: [...]})`);
  return list as TableRow[];
}

export function readTableFile(path: string): TableRow[] {
  const ext = extname(path).toLowerCase();
  const format = ext === '.csv' || ext === '.tsv' ? 'csv' : 'yaml';
  return parseTable(readFileSync(path, 'utf8'), format, path);
}
