// IBM WebSphere DataPower syslog, as in Metron's sample: `<PRI>Mmm dd hh:mm:ss HOST [domain][0xCODE]
// [category][level] text`. Login/logout lines yield user, source IP and action; others a process name
// and message.
import { z } from 'zod';
import { parseError } from './common.ts';
import { priFields, readSyslog3164 } from './syslog-header.ts';
import { localTimeOptions } from './time.ts';
import type { ParseResult, Parser } from './types.ts';

export const websphereOptions = z.object({ ...localTimeOptions }).strict();
export type WebsphereOptions = z.infer<typeof websphereOptions>;

const BRACKETS = /^(?:\[([^\]\s]*)\])?\[(0x[0-9a-fA-F]+)\]\[([^\]]*)\]\[([^\]]*)\] ?/;
const LOGIN = /^user\(([^)]*)\): \[([^\]]*)\]: User logged into '([^']*)'/;
const LOGOUT = /^\[([^\]]*)\]: User '([^']*)' logged out from '([^']*)'/;
const PROCESS = /^([A-Za-z][\w-]*)\([^)]*\): (.*)$/;

export class WebsphereParser implements Parser {
  readonly format = 'websphere';
  constructor(private readonly options: WebsphereOptions = {}) {}

  parse(raw: string): ParseResult {
    const h = readSyslog3164(raw, this.options);
    if (h === undefined)
      return parseError('websphere: no syslog header; expected "<PRI>Mmm dd hh:mm:ss host [..]"');
    const b = BRACKETS.exec(h.message);
    if (b === null)
      return parseError('websphere: expected [domain][0xCODE][category][level] after the header');
    const text = h.message.slice(b[0].length);
    const syslog: Record<string, unknown> = h.pri === undefined ? {} : priFields(h.pri);
    syslog.timestamp = h.timestamp.text;
    if (h.hostname !== undefined) syslog.hostname = h.hostname;
    const websphere: Record<string, unknown> = { event_type: b[3], event_code: b[2] };
    if (b[1] !== undefined) websphere.domain = b[1];
    const event: Record<string, unknown> = {
      '@timestamp': new Date(h.timestamp.ms).toISOString(),
      event: { kind: 'event', code: b[2] },
      log: { level: b[4], syslog },
      message: text,
      websphere,
    };
    if (h.hostname !== undefined) event.host = { hostname: h.hostname };
    const login = LOGIN.exec(text);
    const logout = login === null ? LOGOUT.exec(text) : null;
    const proc = login === null && logout === null ? PROCESS.exec(text) : null;
    if (login !== null) {
      event.user = { name: login[1] };
      event.source = { ip: login[2] };
      (event.event as Record<string, unknown>).action = 'login';
      websphere.login_domain = login[3];
    } else if (logout !== null) {
      event.source = { ip: logout[1] };
      event.user = { name: logout[2] };
      (event.event as Record<string, unknown>).action = 'logout';
      websphere.domain ??= logout[3];
    } else if (proc !== null) {
      event.process = { name: proc[1] };
      event.message = proc[2];
    }
    return { ok: true, events: [event] };
  }
}
