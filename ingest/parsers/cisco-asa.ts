// Cisco ASA syslog: `<PRI>Mmm dd hh:mm:ss host %ASA-<level>-<id>: text` (or the `Mmm dd yyyy
// hh:mm:ss:` variant). The body is parsed by a grok pattern per message ID (grok/cisco-asa.grok);
// an ID without a pattern still gives an event with the header fields and the message text.
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { parseError, setPath } from './common.ts';
import { type CompiledGrok, compileGrok, matchGrok, parsePatternText } from './grok.ts';
import { priFields, readSyslog3164 } from './syslog-header.ts';
import { localTimeOptions } from './time.ts';
import type { ParseResult, Parser } from './types.ts';

export const ciscoAsaOptions = z.object({ ...localTimeOptions }).strict();
export type CiscoAsaOptions = z.infer<typeof ciscoAsaOptions>;

const TAG = /%(ASA|FTD|PIX|FWSM)-(?:[a-z]+-)?(\d)-(\d{6}): ?/;

let patterns: Map<string, CompiledGrok> | undefined;
function messagePatterns(): Map<string, CompiledGrok> {
  if (patterns !== undefined) return patterns;
  const library = parsePatternText(readFileSync(new URL('./grok/cisco-asa.grok', import.meta.url), 'utf8'));
  patterns = new Map();
  for (const name of Object.keys(library)) {
    const id = /^ASA_(\d{6})$/.exec(name)?.[1];
    if (id !== undefined) patterns.set(id, compileGrok(`^%{${name}}`, library));
  }
  return patterns;
}

/** Message IDs with a body pattern. */
export function ciscoAsaMessageIds(): string[] {
  return [...messagePatterns().keys()].sort();
}

const LOWER = new Set(['event.action', 'network.transport', 'network.direction']);

export class CiscoAsaParser implements Parser {
  readonly format = 'cisco-asa';
  private readonly patterns = messagePatterns();
  constructor(private readonly options: CiscoAsaOptions = {}) {}

  parse(raw: string): ParseResult {
    const h = readSyslog3164(raw, this.options);
    if (h === undefined)
      return parseError('cisco-asa: no syslog header; expected "<PRI>Mmm dd hh:mm:ss host %ASA-..."');
    const tag = TAG.exec(h.message);
    if (tag === null) return parseError('cisco-asa: no %ASA-<level>-<id> tag in the message');
    const [tagText, product, level, id] = tag as unknown as [string, string, string, string];
    const body = h.message.slice(tag.index + tagText.length);
    const syslog: Record<string, unknown> = h.pri === undefined ? {} : priFields(h.pri);
    syslog.timestamp = h.timestamp.text;
    const event: Record<string, unknown> = {
      '@timestamp': new Date(h.timestamp.ms).toISOString(),
      event: { kind: 'event', code: id, severity: Number(level) },
      observer: { vendor: 'Cisco', product },
      log: { syslog },
      message: body,
      cisco: { asa: { tag: tagText.slice(1).replace(/: ?$/, ''), message_id: id } },
    };
    if (h.hostname !== undefined) {
      syslog.hostname = h.hostname;
      event.host = { hostname: h.hostname };
    }
    const pattern = this.patterns.get(id);
    const values = pattern === undefined ? undefined : matchGrok(pattern, body);
    if (values !== undefined) {
      for (const [path, value] of values) {
        setPath(event, path, LOWER.has(path) && typeof value === 'string' ? value.toLowerCase() : value);
      }
    }
    return { ok: true, events: [event] };
  }
}
