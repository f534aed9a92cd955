// Snort alert_csv output (`output alert_csv: <file> default`): one quoted-CSV alert per line. The
// column list is configurable as in snort.conf; the default is Snort's `default` order.
import { z } from 'zod';
import { epochMsToIso, parseError } from './common.ts';
import { splitDelimited } from './csv-line.ts';
import { inferYear, localTimeOptions, wallTimeToMs } from './time.ts';
import type { ParseResult, Parser } from './types.ts';

export const SNORT_DEFAULT_COLUMNS = [
  'timestamp',
  'sig_generator',
  'sig_id',
  'sig_rev',
  'msg',
  'proto',
  'src',
  'srcport',
  'dst',
  'dstport',
  'ethsrc',
  'ethdst',
  'ethlen',
  'tcpflags',
  'tcpseq',
  'tcpack',
  'tcplen',
  'tcpwindow',
  'ttl',
  'tos',
  'id',
  'dgmlen',
  'iplen',
  'icmptype',
  'icmpcode',
  'icmpid',
  'icmpseq',
] as const;

export const snortOptions = z
  .object({
    columns: z
      .array(z.string().min(1))
      .min(1)
      .default([...SNORT_DEFAULT_COLUMNS]),
    ...localTimeOptions,
  })
  .strict()
  .refine((o) => o.columns.includes('timestamp'), {
    message: 'columns must include timestamp',
    path: ['columns'],
  });
export type SnortOptions = z.output<typeof snortOptions>;

// MM/DD/YY-hh:mm:ss.uuuuuu (snort -y) or MM/DD-hh:mm:ss.uuuuuu.
const SNORT_TIME = /^(\d{2})\/(\d{2})(?:\/(\d{2,4}))?-(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?$/;

export function parseSnortTime(text: string, opts: { year?: number; timezone?: string }): number {
  const m = SNORT_TIME.exec(text.trim());
  if (m === null) return Number.NaN;
  const month = Number(m[1]) - 1;
  const day = Number(m[2]);
  let year = m[3] === undefined ? inferYear(month, day, opts.year) : Number(m[3]);
  if (year < 100) year += 2000;
  const millis = m[7] === undefined ? 0 : Math.floor(Number(`0.${m[7]}`) * 1000);
  return wallTimeToMs(year, month, day, Number(m[4]), Number(m[5]), Number(m[6]), millis, opts.timezone);
}

export class SnortParser implements Parser {
  readonly format = 'snort-csv';
  private readonly options: SnortOptions;
  constructor(options?: Partial<SnortOptions>) {
    this.options = snortOptions.parse(options ?? {});
  }

  parse(raw: string): ParseResult {
    const values = splitDelimited(raw.endsWith('\r') ? raw.slice(0, -1) : raw);
    if (typeof values === 'string') return parseError(`snort-csv: ${values}`);
    const columns = this.options.columns;
    if (values.length !== columns.length) {
      return parseError(
        `snort-csv: ${values.length} columns; expected ${columns.length} (${columns[0]},...)`,
      );
    }
    const snort: Record<string, string> = {};
    for (let i = 0; i < columns.length; i++) snort[columns[i]!] = values[i]!;
    const iso = epochMsToIso(parseSnortTime(snort.timestamp ?? '', this.options));
    if (iso === undefined) {
      return {
        ok: false,
        kind: 'invalid',
        message: `timestamp: ${JSON.stringify(snort.timestamp)} is not a Snort time; expected MM/DD/YY-hh:mm:ss.uuuuuu`,
      };
    }
    const event: Record<string, unknown> = { '@timestamp': iso, event: { kind: 'alert' } };
    const source: Record<string, unknown> = {};
    const destination: Record<string, unknown> = {};
    if (snort.src) source.ip = snort.src;
    if (snort.srcport) source.port = snort.srcport;
    if (snort.ethsrc) source.mac = snort.ethsrc;
    if (snort.dst) destination.ip = snort.dst;
    if (snort.dstport) destination.port = snort.dstport;
    if (snort.ethdst) destination.mac = snort.ethdst;
    event.source = source;
    event.destination = destination;
    if (snort.proto) event.network = { transport: snort.proto.toLowerCase() };
    const rule: Record<string, unknown> = {};
    if (snort.sig_id) rule.id = snort.sig_id;
    if (snort.sig_rev) rule.version = snort.sig_rev;
    if (snort.msg !== undefined) {
      rule.name = snort.msg;
      event.message = snort.msg;
    }
    if (snort.sig_generator) rule.ruleset = `gid:${snort.sig_generator}`;
    event.rule = rule;
    event.observer = { vendor: 'Snort', product: 'Snort' };
    event.snort = snort;
    return { ok: true, events: [event] };
  }
}
