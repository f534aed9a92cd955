// IBM QRadar LEEF 1.0/2.0: `[syslog header ]LEEF:Version|Vendor|Product|Version|EventID|[Delimiter|]
// key=value<delim>key=value...`. The delimiter defaults to tab; LEEF 2.0 may name it (`^`, `x09`,
// `0x7C`). Values are kept as written (no unescaping, as Metron did) under `leef.attributes`.
import { z } from 'zod';
import { copyToEcs, parseCefExtension } from './cef.ts';
import { parseError } from './common.ts';
import { applySyslogPrefix } from './syslog-header.ts';
import { localTimeOptions } from './time.ts';
import type { ParseResult, Parser } from './types.ts';

export const leefOptions = z.object({ ...localTimeOptions }).strict();
export type LeefOptions = z.infer<typeof leefOptions>;

function delimiterFrom(field: string): string | undefined {
  if (field.length === 1) return field;
  const hex = /^(?:0?x)([0-9a-fA-F]{2,4})$/.exec(field);
  return hex === null ? undefined : String.fromCharCode(Number.parseInt(hex[1]!, 16));
}

const EMBEDDED_PAIR = /\s[A-Za-z_][\w.-]*=/;

export class LeefParser implements Parser {
  readonly format = 'leef';
  constructor(private readonly options: LeefOptions = {}) {}

  parse(raw: string): ParseResult {
    const at = raw.indexOf('LEEF:');
    if (at === -1)
      return parseError(
        'leef: no "LEEF:" marker; expected LEEF:Version|Vendor|Product|Version|EventID|attributes',
      );
    const body = raw.slice(at + 5);
    const header: string[] = [];
    let pos = 0;
    for (let k = 0; k < 5; k++) {
      const bar = body.indexOf('|', pos);
      if (bar === -1) return parseError(`leef: header has ${k} of 5 "|"-separated fields`);
      header.push(body.slice(pos, bar));
      pos = bar + 1;
    }
    const [version, vendor, product, devVersion, eventId] = header as [
      string,
      string,
      string,
      string,
      string,
    ];
    let delimiter = '\t';
    if (version.startsWith('2')) {
      const bar = body.indexOf('|', pos);
      const candidate = bar === -1 ? undefined : body.slice(pos, bar);
      const d = candidate !== undefined && !candidate.includes('=') ? delimiterFrom(candidate) : undefined;
      if (d !== undefined) {
        delimiter = d;
        pos = bar + 1;
      }
    }
    const attributes: Record<string, string> = {};
    for (const token of body.slice(pos).split(delimiter)) {
      const eq = token.indexOf('=');
      if (eq <= 0) continue;
      const key = token.slice(0, eq);
      const value = token.slice(eq + 1);
      // Some producers mix space-separated pairs into one tab token (`sev=8 cn1=37`): split those.
      if (delimiter !== ' ' && EMBEDDED_PAIR.test(value)) {
        Object.assign(attributes, parseCefExtension(token));
      } else attributes[key] = value;
    }
    const event: Record<string, unknown> = {
      event: { kind: 'event', code: eventId },
      observer: { vendor, product, version: devVersion },
      leef: { version, event_id: eventId, attributes },
    };
    applySyslogPrefix(event, raw.slice(0, at).trimEnd(), this.options);
    copyToEcs(event, attributes, this.options);
    return { ok: true, events: [event] };
  }
}
