// Syslog RFC 5424: `<PRI>1 TIMESTAMP HOST APP PROCID MSGID [SD-ID k="v"...] MSG`. `-` is the NILVALUE
// and leaves the field out. Structured data lands in `log.syslog.structured_data.<SD-ID>.<name>`.
import { z } from 'zod';
import { parseError } from './common.ts';
import { priFields, readPri } from './syslog-header.ts';
import type { ParseResult, Parser } from './types.ts';

export const syslog5424Options = z.object({}).strict();

type SD = Record<string, Record<string, string>>;

/** Parses STRUCTURED-DATA starting at `pos`; returns the data and the index after it, or an error. */
function readStructuredData(raw: string, pos: number): { sd?: SD; end: number } | string {
  if (raw[pos] === '-') return { end: pos + 1 };
  const sd: SD = {};
  while (raw[pos] === '[') {
    let i = pos + 1;
    const idEnd = raw.slice(i).search(/[ \]]/);
    if (idEnd <= 0) return 'syslog-5424: structured data element without an SD-ID';
    const id = raw.slice(i, i + idEnd);
    i += idEnd;
    const params: Record<string, string> = {};
    while (raw[i] === ' ') {
      i++;
      const eq = raw.indexOf('=', i);
      if (eq === -1 || raw[eq + 1] !== '"') return `syslog-5424: SD-PARAM in [${id}] needs name="value"`;
      const name = raw.slice(i, eq);
      let j = eq + 2;
      let value = '';
      for (; j < raw.length; j++) {
        const c = raw[j];
        if (c === '\\' && (raw[j + 1] === '"' || raw[j + 1] === '\\' || raw[j + 1] === ']')) {
          value += raw[j + 1];
          j++;
        } else if (c === '"') break;
        else value += c;
      }
      if (j >= raw.length) return `syslog-5424: unterminated value of ${name} in [${id}]`;
      params[name] = value;
      i = j + 1;
    }
    if (raw[i] !== ']') return `syslog-5424: expected "]" to close [${id}] at column ${i + 1}`;
    sd[id] = params;
    pos = i + 1;
  }
  if (pos < raw.length && raw[pos] !== ' ')
    return 'syslog-5424: structured data must be "-" or [SD-ID ...] elements';
  return { sd, end: pos };
}

export class Syslog5424Parser implements Parser {
  readonly format = 'syslog-5424';

  parse(raw: string): ParseResult {
    const p = readPri(raw);
    if (p === undefined)
      return parseError(
        'syslog-5424: missing <PRI>; expected "<PRI>1 TIMESTAMP HOST APP PROCID MSGID SD MSG"',
      );
    const fields: string[] = [];
    let pos = p.end;
    for (let k = 0; k < 6; k++) {
      const sp = raw.indexOf(' ', pos);
      if (sp === -1)
        return parseError(
          `syslog-5424: header has ${k} of 6 fields; expected VERSION TIMESTAMP HOST APP PROCID MSGID`,
        );
      fields.push(raw.slice(pos, sp));
      pos = sp + 1;
    }
    const [version, ts, host, app, procid, msgid] = fields as [
      string,
      string,
      string,
      string,
      string,
      string,
    ];
    if (!/^\d{1,2}$/.test(version))
      return parseError(`syslog-5424: version ${JSON.stringify(version)}; expected 1`);
    const ms = ts === '-' ? Number.NaN : Date.parse(ts);
    if (Number.isNaN(ms))
      return parseError(`syslog-5424: timestamp ${JSON.stringify(ts)}; expected RFC 3339`);
    const sdResult = readStructuredData(raw, pos);
    if (typeof sdResult === 'string') return parseError(sdResult);
    let message = sdResult.end < raw.length ? raw.slice(sdResult.end + 1) : undefined;
    if (message?.startsWith('\uFEFF')) message = message.slice(1);
    const syslog: Record<string, unknown> = { ...priFields(p.pri), version: Number(version), timestamp: ts };
    const event: Record<string, unknown> = {
      '@timestamp': new Date(ms).toISOString(),
      event: { kind: 'event' },
      log: { syslog },
    };
    if (host !== '-') {
      syslog.hostname = host;
      event.host = { hostname: host };
    }
    if (app !== '-') syslog.appname = app;
    if (procid !== '-') syslog.procid = procid;
    if (msgid !== '-') syslog.msgid = msgid;
    if (app !== '-' || procid !== '-') {
      const proc: Record<string, unknown> = {};
      if (app !== '-') proc.name = app;
      if (/^\d+$/.test(procid)) proc.pid = Number(procid);
      event.process = proc;
    }
    if (sdResult.sd !== undefined) syslog.structured_data = sdResult.sd;
    if (message !== undefined) event.message = message;
    return { ok: true, events: [event] };
  }
}
