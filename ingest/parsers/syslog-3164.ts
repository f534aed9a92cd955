// Syslog RFC 3164 (BSD syslog): `<PRI>Mmm dd hh:mm:ss HOST TAG[PID]: MSG`. The timestamp has no year
// or zone: the `year` and `timezone` options supply them.
import { z } from 'zod';
import { parseError } from './common.ts';
import { priFields, readSyslog3164 } from './syslog-header.ts';
import { localTimeOptions } from './time.ts';
import type { ParseResult, Parser } from './types.ts';

export const syslog3164Options = z.object({ ...localTimeOptions }).strict();
export type Syslog3164Options = z.infer<typeof syslog3164Options>;

const TAG = /^([^\s:[\]]{1,64})(?:\[(\d+)\])?: ?/;

export class Syslog3164Parser implements Parser {
  readonly format = 'syslog-3164';
  constructor(private readonly options: Syslog3164Options = {}) {}

  parse(raw: string): ParseResult {
    const h = readSyslog3164(raw, this.options);
    if (h === undefined) {
      return parseError('syslog-3164: no RFC 3164 header; expected "<PRI>Mmm dd hh:mm:ss host message"');
    }
    const syslog: Record<string, unknown> = h.pri === undefined ? {} : priFields(h.pri);
    syslog.timestamp = h.timestamp.text;
    const event: Record<string, unknown> = {
      '@timestamp': new Date(h.timestamp.ms).toISOString(),
      event: { kind: 'event' },
      log: { syslog },
      message: h.message,
    };
    if (h.hostname !== undefined) {
      syslog.hostname = h.hostname;
      event.host = { hostname: h.hostname };
    }
    const tag = TAG.exec(h.message);
    if (tag !== null) {
      syslog.appname = tag[1];
      const proc: Record<string, unknown> = { name: tag[1] };
      if (tag[2] !== undefined) {
        syslog.procid = tag[2];
        proc.pid = Number(tag[2]);
      }
      event.process = proc;
    }
    return { ok: true, events: [event] };
  }
}
