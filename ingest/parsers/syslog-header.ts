// Syslog framing shared by the syslog, ASA, WebSphere and CEF/LEEF parsers: the `<PRI>` part and
// the RFC 3164 header (`Mmm dd hh:mm:ss host`), including the variants Cisco devices write
// (`Mmm dd yyyy hh:mm:ss:` with no host).
import { inferYear, MONTHS, wallTimeToMs } from './time.ts';

export const FACILITIES = [
  'kern',
  'user',
  'mail',
  'daemon',
  'auth',
  'syslog',
  'lpr',
  'news',
  'uucp',
  'cron',
  'authpriv',
  'ftp',
  'ntp',
  'security',
  'console',
  'solaris-cron',
  'local0',
  'local1',
  'local2',
  'local3',
  'local4',
  'local5',
  'local6',
  'local7',
];
export const SEVERITIES = ['emerg', 'alert', 'crit', 'err', 'warn', 'notice', 'info', 'debug'];

export interface SyslogPri {
  priority: number;
  facility: number;
  severity: number;
}

/** Reads `<PRI>` at the start; returns the PRI and where the rest begins, or undefined. */
export function readPri(raw: string): { pri: SyslogPri; end: number } | undefined {
  if (raw.charCodeAt(0) !== 60 /* < */) return undefined;
  const close = raw.indexOf('>', 1);
  if (close < 2 || close > 4) return undefined;
  const text = raw.slice(1, close);
  if (!/^\d{1,3}$/.test(text)) return undefined;
  const priority = Number(text);
  if (priority > 191) return undefined;
  return { pri: { priority, facility: priority >> 3, severity: priority & 7 }, end: close + 1 };
}

/** ECS `log.syslog` object for a PRI. */
export function priFields(pri: SyslogPri): Record<string, unknown> {
  return {
    priority: pri.priority,
    facility: { code: pri.facility, name: FACILITIES[pri.facility] },
    severity: { code: pri.severity, name: SEVERITIES[pri.severity] },
  };
}

// `Jan  5 08:52:35` or `Aug 05 2016 01:02:25` (Cisco), optional `.mmm`, optional trailing colon.
const BSD_TIME =
  /^([A-Z][a-z]{2}) {1,2}(\d{1,2})(?: (\d{4}))? (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?(:)?(?: |$)/;

export interface BsdTimestamp {
  ms: number;
  text: string;
  /** Index just past the timestamp and its following space. */
  end: number;
  /** True when the timestamp ended with `:` (Cisco style: no hostname follows). */
  colon: boolean;
}

/** Reads an RFC 3164 timestamp at `from`. Year from the text, else `year`, else inferred. */
export function readBsdTimestamp(
  raw: string,
  from: number,
  opts: { year?: number; timezone?: string },
): BsdTimestamp | undefined {
  const m = BSD_TIME.exec(from === 0 ? raw : raw.slice(from));
  if (m === null) return undefined;
  const month = MONTHS[m[1]!];
  if (month === undefined) return undefined;
  const day = Number(m[2]);
  const year = m[3] !== undefined ? Number(m[3]) : inferYear(month, day, opts.year);
  const millis = m[7] !== undefined ? Math.floor(Number(`0.${m[7]}`) * 1000) : 0;
  const ms = wallTimeToMs(year, month, day, Number(m[4]), Number(m[5]), Number(m[6]), millis, opts.timezone);
  if (Number.isNaN(ms)) return undefined;
  const text = m[0].trimEnd().replace(/:$/, '');
  return { ms, text, end: from + m[0].length, colon: m[8] !== undefined };
}

export interface Syslog3164 {
  pri?: SyslogPri;
  timestamp: BsdTimestamp;
  hostname?: string;
  /** Everything after the header (TAG and content). */
  message: string;
  messageStart: number;
}

/** Parses `<PRI>TIMESTAMP HOST MSG` (PRI optional; HOST absent after a Cisco `:` timestamp). */
export function readSyslog3164(
  raw: string,
  opts: { year?: number; timezone?: string },
): Syslog3164 | undefined {
  const p = readPri(raw);
  const start = p?.end ?? 0;
  const ts = readBsdTimestamp(raw, start, opts);
  if (ts === undefined) return undefined;
  let hostname: string | undefined;
  let pos = ts.end;
  if (!ts.colon) {
    const sp = raw.indexOf(' ', pos);
    const word = sp === -1 ? raw.slice(pos) : raw.slice(pos, sp);
    // A word ending in ':' is a TAG (no hostname was written), not a host.
    if (word !== '' && !word.endsWith(':') && !word.startsWith('%')) {
      hostname = word;
      pos = sp === -1 ? raw.length : sp + 1;
    }
  }
  return { pri: p?.pri, timestamp: ts, hostname, message: raw.slice(pos), messageStart: pos };
}

/**
 * CEF and LEEF may arrive behind an RFC 3164 syslog header (`<PRI>TIMESTAMP HOST CEF:...`): take the
 * event time, priority and host from it onto the event.
 */
export function applySyslogPrefix(
  event: Record<string, unknown>,
  prefix: string,
  opts: { year?: number; timezone?: string },
): void {
  if (prefix === '') return;
  const h = readSyslog3164(`${prefix} `, opts);
  if (h === undefined) return;
  event['@timestamp'] = new Date(h.timestamp.ms).toISOString();
  const syslog: Record<string, unknown> = h.pri === undefined ? {} : priFields(h.pri);
  if (h.hostname !== undefined) {
    syslog.hostname = h.hostname;
    event.host = { hostname: h.hostname };
  }
  event.log = { syslog };
}
