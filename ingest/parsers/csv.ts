// Delimited text with a fixed column list (Metron's CSVParser): `columns` names the columns in order,
// `fields` maps column names to ECS paths, other non-empty columns are kept under `csv.<name>`.
import { z } from 'zod';
import { epochMsToIso, parseError, setPath } from './common.ts';
import { splitDelimited } from './csv-line.ts';
import { localTimeOptions, parseLooseTimestamp } from './time.ts';
import type { ParseResult, Parser } from './types.ts';

export const csvOptions = z
  .object({
    columns: z.array(z.string().min(1)).min(1),
    delimiter: z.string().min(1).default(','),
    quote: z.string().length(1).default('"'),
    /** Column name → ECS path. */
    fields: z.record(z.string(), z.string().min(1)).default({}),
    /** Column holding the event time. */
    timestampField: z.string().min(1).optional(),
    /** Lines that are the column header itself are skipped (no event, no error). */
    skipHeader: z.boolean().default(true),
    /** Lines with fewer columns are padded with empty values instead of rejected. */
    allowShortLines: z.boolean().default(false),
    ...localTimeOptions,
  })
  .strict()
  .superRefine((o, ctx) => {
    for (const k of Object.keys(o.fields)) {
      if (!o.columns.includes(k))
        ctx.addIssue({ code: 'custom', path: ['fields', k], message: `not one of the columns` });
    }
    if (o.timestampField !== undefined && !o.columns.includes(o.timestampField)) {
      ctx.addIssue({ code: 'custom', path: ['timestampField'], message: 'not one of the columns' });
    }
  });
export type CsvOptions = z.output<typeof csvOptions>;

export class CsvParser implements Parser {
  readonly format = 'csv';
  private readonly options: CsvOptions;
  private readonly headerLine: string;

  constructor(options: Partial<CsvOptions> & { columns: string[] }) {
    this.options = csvOptions.parse(options);
    this.headerLine = this.options.columns.join(this.options.delimiter);
  }

  parse(raw: string): ParseResult {
    const o = this.options;
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (o.skipHeader && line === this.headerLine) return { ok: true, events: [] };
    const values = splitDelimited(line, o.delimiter, o.quote);
    if (typeof values === 'string') return parseError(`csv: ${values}`);
    if (values.length > o.columns.length || (values.length < o.columns.length && !o.allowShortLines)) {
      return parseError(`csv: ${values.length} columns; expected ${o.columns.length}`);
    }
    const event: Record<string, unknown> = { event: { kind: 'event' } };
    const kept: Record<string, string> = {};
    for (let i = 0; i < o.columns.length; i++) {
      const name = o.columns[i]!;
      const value = values[i] ?? '';
      if (value === '') continue;
      if (name === o.timestampField) {
        const iso = epochMsToIso(parseLooseTimestamp(value, o));
        if (iso === undefined)
          return {
            ok: false,
            kind: 'invalid',
            message: `${name}: ${JSON.stringify(value)} is not a recognised time`,
          };
        event['@timestamp'] = iso;
        continue;
      }
      const target = o.fields[name];
      if (target !== undefined) setPath(event, target, value);
      else if (name !== '__proto__') kept[name] = value;
    }
    event.csv = kept;
    return { ok: true, events: [event] };
  }
}
