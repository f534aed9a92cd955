// Zeek TSV logs (`#separator`, `#fields`, `#types` headers, then one tab-separated record per line).
// Stateful per stream: a parser instance remembers the header lines it has seen, so give each file or
// stream its own instance. Header lines yield no event; a record before any `#fields` is a parse error.
import { z } from 'zod';
import { parseError } from './common.ts';
import type { ParseResult, Parser } from './types.ts';
import { zeekRecordToEvent } from './zeek-mapping.ts';

export const zeekTsvOptions = z
  .object({
    /** Field names, for streams that arrive without headers. */
    fields: z.array(z.string().min(1)).min(1).optional(),
    /** Zeek types of those fields (`time`, `addr`, `port`, `count`, `set[string]`, ...). */
    types: z.array(z.string().min(1)).min(1).optional(),
    /** Log type (`conn`, `dns`, ...) when no `#path` header arrives. */
    path: z.string().min(1).optional(),
  })
  .strict()
  .refine((o) => o.types === undefined || (o.fields !== undefined && o.types.length === o.fields.length), {
    message: 'types needs fields, one type per field',
    path: ['types'],
  });
export type ZeekTsvOptions = z.infer<typeof zeekTsvOptions>;

type Convert = (v: string) => unknown;

const unescapeZeek = (v: string) =>
  v.includes('\\x')
    ? v.replace(/\\x([0-9a-fA-F]{2})/g, (_, h: string) => String.fromCharCode(Number.parseInt(h, 16)))
    : v;

function scalarConverter(type: string): Convert {
  switch (type) {
    case 'time':
    case 'interval':
    case 'double':
      return (v) => {
        const n = Number(v);
        return Number.isFinite(n) ? n : v;
      };
    case 'count':
    case 'int':
    case 'port':
      return (v) => {
        const n = Number(v);
        return Number.isInteger(n) ? n : v;
      };
    case 'bool':
      return (v) => (v === 'T' ? true : v === 'F' ? false : v);
    default:
      return unescapeZeek;
  }
}

interface Column {
  name: string;
  convert: Convert;
  container: boolean;
}

export class ZeekTsvParser implements Parser {
  readonly format = 'zeek-tsv';
  private separator = '\t';
  private setSeparator = ',';
  private emptyField = '(empty)';
  private unsetField = '-';
  private path: string;
  private fieldNames: string[] | undefined;
  private columns: Column[] | undefined;

  constructor(options: ZeekTsvOptions = {}) {
    this.path = options.path ?? 'unknown';
    this.fieldNames = options.fields;
    if (options.fields !== undefined) this.setColumns(options.types ?? options.fields.map(() => 'string'));
  }

  private setColumns(types: string[]): void {
    const names = this.fieldNames ?? [];
    this.columns = names.map((name, i) => {
      const type = types[i] ?? 'string';
      const m = /^(?:set|vector|table)\[(.+)\]$/.exec(type);
      if (m === null) return { name, convert: scalarConverter(type), container: false };
      const inner = scalarConverter(m[1]!);
      return { name, convert: inner, container: true };
    });
  }

  private header(raw: string): ParseResult {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.startsWith('#separator')) {
      // `#separator \x09`: the value is escaped and follows a space.
      const value = line.slice('#separator'.length).trim();
      this.separator = unescapeZeek(value) || '\t';
      return { ok: true, events: [] };
    }
    const parts = line.split(this.separator);
    const key = parts[0];
    const rest = parts.slice(1);
    switch (key) {
      case '#set_separator':
        this.setSeparator = unescapeZeek(rest[0] ?? ',');
        break;
      case '#empty_field':
        this.emptyField = rest[0] ?? '(empty)';
        break;
      case '#unset_field':
        this.unsetField = rest[0] ?? '-';
        break;
      case '#path':
        this.path = rest[0] || this.path;
        break;
      case '#fields':
        // A header is data: never let a field name reach Object.prototype.
        this.fieldNames = rest.map((n) => (n === '__proto__' ? '_proto_' : n));
        this.setColumns(rest.map(() => 'string'));
        break;
      case '#types':
        if (this.fieldNames === undefined || rest.length !== this.fieldNames.length) {
          return parseError(
            `zeek-tsv: #types has ${rest.length} entries but #fields has ${this.fieldNames?.length ?? 0}; expected one type per field`,
          );
        }
        this.setColumns(rest);
        break;
      default:
        break; // #open, #close and comments carry nothing a record needs
    }
    return { ok: true, events: [] };
  }

  parse(raw: string): ParseResult {
    if (raw.startsWith('#')) return this.header(raw);
    const columns = this.columns;
    if (columns === undefined) {
      return parseError('zeek-tsv: record before any #fields header; expected the log header lines first');
    }
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    const values = line.split(this.separator);
    if (values.length !== columns.length) {
      return parseError(`zeek-tsv: record has ${values.length} fields but #fields lists ${columns.length}`);
    }
    const rec: Record<string, unknown> = {};
    for (let i = 0; i < columns.length; i++) {
      const v = values[i]!;
      if (v === this.unsetField) continue;
      const col = columns[i]!;
      if (col.container) {
        rec[col.name] = v === this.emptyField ? [] : v.split(this.setSeparator).map(col.convert);
      } else {
        rec[col.name] = v === this.emptyField ? '' : col.convert(v);
      }
    }
    const event = zeekRecordToEvent(this.path, rec);
    if (typeof event === 'string')
      return { ok: false, kind: 'invalid', message: event.replace('zeek ', 'zeek-tsv ') };
    return { ok: true, events: [event] };
  }
}
