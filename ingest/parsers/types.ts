// A Parser turns one raw line (bytes) into zero or more events, or an error that says what was wrong.
// One module per format under ingest/parsers/, each with its own tests and sample lines.

/** A Vigil event: ECS-shaped nested JSON (`source.ip` is `{source: {ip}}`), see ingest/schema. */
export type VigilEvent = Record<string, unknown>;

export type ParseResult =
  | { ok: true; events: VigilEvent[] }
  | { ok: false; kind: 'parse' | 'invalid'; message: string };

export interface Parser {
  /** Format name, e.g. `zeek-json`, `snort-csv`. */
  readonly format: string;
  /** Parses one raw line. Never throws: a bad line returns `{ok: false}` with a message. */
  parse(raw: string): ParseResult;
}

export interface ParserFactory<O = unknown> {
  readonly format: string;
  create(options: O): Parser;
}
