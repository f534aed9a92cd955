// The parser registry: format name → factory with a zod schema for its options. Sensors name a
// format and options in config; createParser validates the options and builds a fresh instance
// (stateful parsers such as zeek-tsv need one instance per stream).
import type { z } from 'zod';
import { CefParser, cefOptions } from './cef.ts';
import { CiscoAsaParser, ciscoAsaOptions } from './cisco-asa.ts';
import { CsvParser, csvOptions } from './csv.ts';
import { JsonMapParser, jsonMapOptions } from './json-map.ts';
import { LeefParser, leefOptions } from './leef.ts';
import { RegexParser, regexOptions } from './regex.ts';
import { SnortParser, snortOptions } from './snort.ts';
import { SquidParser, squidOptions } from './squid.ts';
import { SuricataEveParser, suricataEveOptions } from './suricata-eve.ts';
import { Syslog3164Parser, syslog3164Options } from './syslog-3164.ts';
import { Syslog5424Parser, syslog5424Options } from './syslog-5424.ts';
import type { ParseResult, Parser } from './types.ts';
import { WebsphereParser, websphereOptions } from './websphere.ts';
import { YafParser, yafOptions } from './yaf.ts';
import { ZeekJsonParser, zeekJsonOptions } from './zeek-json.ts';
import { ZeekTsvParser, zeekTsvOptions } from './zeek-tsv.ts';

interface RegisteredParser {
  readonly format: string;
  readonly description: string;
  readonly options: z.ZodType;
  create(options: any): Parser;
}

const define = <S extends z.ZodType>(
  format: string,
  description: string,
  options: S,
  create: (options: z.output<S>) => Parser,
): RegisteredParser => ({ format, description, options, create });

const PARSERS: RegisteredParser[] = [
  define('cef', 'ArcSight CEF, with or without a syslog header', cefOptions, (o) => new CefParser(o)),
  define(
    'cisco-asa',
    'Cisco ASA syslog, message bodies by ID (grok/cisco-asa.grok)',
    ciscoAsaOptions,
    (o) => new CiscoAsaParser(o),
  ),
  define(
    'csv',
    'Delimited text with a column list and column→ECS mapping',
    csvOptions,
    (o) => new CsvParser(o),
  ),
  define(
    'json-map',
    'Generic JSON with field mapping and a JSONPath query that can split a line',
    jsonMapOptions,
    (o) => new JsonMapParser(o),
  ),
  define('leef', 'IBM QRadar LEEF 1.0/2.0', leefOptions, (o) => new LeefParser(o)),
  define('regex', 'Grok expressions or regexes with named groups', regexOptions, (o) => new RegexParser(o)),
  define('snort-csv', 'Snort alert_csv', snortOptions, (o) => new SnortParser(o)),
  define('squid', 'Squid native access.log', squidOptions, () => new SquidParser()),
  define(
    'suricata-eve',
    'Suricata EVE JSON (alert, flow, dns, http, tls, fileinfo, ...)',
    suricataEveOptions,
    () => new SuricataEveParser(),
  ),
  define('syslog-3164', 'BSD syslog (RFC 3164)', syslog3164Options, (o) => new Syslog3164Parser(o)),
  define(
    'syslog-5424',
    'Syslog RFC 5424 with structured data',
    syslog5424Options,
    () => new Syslog5424Parser(),
  ),
  define('websphere', 'IBM WebSphere DataPower syslog', websphereOptions, (o) => new WebsphereParser(o)),
  define('yaf', 'YAF flows, pipe-delimited as Metron ingests them', yafOptions, (o) => new YafParser(o)),
  define(
    'zeek-json',
    'Zeek/Bro JSON logs, bare or in Metron\'s {"<log_type>": {...}} envelope',
    zeekJsonOptions,
    (o) => new ZeekJsonParser(o),
  ),
  define(
    'zeek-tsv',
    'Zeek/Bro TSV logs with #fields/#types headers (stateful per stream)',
    zeekTsvOptions,
    (o) => new ZeekTsvParser(o),
  ),
];

const BY_FORMAT = new Map(PARSERS.map((p) => [p.format, p]));
/** Alternative names users reach for (Metron's sensor names). */
const ALIASES: Record<string, string> = {
  asa: 'cisco-asa',
  bro: 'zeek-json',
  grok: 'regex',
  jsonMap: 'json-map',
  snort: 'snort-csv',
  suricata: 'suricata-eve',
  syslog3164: 'syslog-3164',
  syslog5424: 'syslog-5424',
  zeek: 'zeek-json',
};

export class ParserConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ParserConfigError';
  }
}

/** Alias → format (Metron's sensor names are accepted as formats). */
export function parserAliases(): Record<string, string> {
  return { ...ALIASES };
}

/** Format names createParser accepts, sorted (aliases excluded). */
export function parserFormats(): string[] {
  return PARSERS.map((p) => p.format).sort();
}

/** One-line description per format, for `--help` and the API. */
export function parserDescriptions(): { format: string; description: string }[] {
  return PARSERS.map(({ format, description }) => ({ format, description })).sort((a, b) =>
    a.format.localeCompare(b.format),
  );
}

/** The zod schema of a format's options (for the sensor config schema and docs). */
export function parserOptionsSchema(format: string): z.ZodType | undefined {
  return BY_FORMAT.get(ALIASES[format] ?? format)?.options;
}

/**
 * Builds a parser. Throws ParserConfigError for an unknown format or options that fail the format's
 * schema (message names each bad field).
 */
export function createParser(format: string, options?: unknown): Parser {
  return guarded(createUnguardedParser(format, options));
}

/** As createParser, without the exception safety net: for tests that prove parsers never throw. */
export function createUnguardedParser(format: string, options?: unknown): Parser {
  const entry = BY_FORMAT.get(ALIASES[format] ?? format);
  if (entry === undefined) {
    throw new ParserConfigError(
      `unknown parser format ${JSON.stringify(format)}; expected one of: ${parserFormats().join(', ')}`,
    );
  }
  const result = entry.options.safeParse(options ?? {});
  if (!result.success) {
    const detail = result.error.issues
      .map((i) => `${i.path.length > 0 ? i.path.join('.') : '(options)'}: ${i.message}`)
      .join('; ');
    throw new ParserConfigError(`bad options for parser ${entry.format}: ${detail}`);
  }
  return entry.create(result.data);
}

/**
 * Safety net: a parser bug that throws still yields a parse error for that line, never an exception
 * out of a stage. (try/catch costs nothing on V8's fast path.)
 */
function guarded(inner: Parser): Parser {
  return {
    format: inner.format,
    parse(raw: string): ParseResult {
      try {
        return inner.parse(raw);
      } catch (err) {
        return {
          ok: false,
          kind: 'parse',
          message: `${inner.format}: ${err instanceof Error ? err.message : String(err)}`,
        };
      }
    },
  };
}
