// Wall-time helpers for formats that write local times without a zone or year (syslog 3164, Snort,
// YAF, ASA). The sensor config supplies the IANA timezone and, for replays of old logs, the year.
import { z } from 'zod';

export const MONTHS: Record<string, number> = {
  Jan: 0,
  Feb: 1,
  Mar: 2,
  Apr: 3,
  May: 4,
  Jun: 5,
  Jul: 6,
  Aug: 7,
  Sep: 8,
  Oct: 9,
  Nov: 10,
  Dec: 11,
};

/** Options shared by parsers of zone-less times. */
export const localTimeOptions = {
  /** IANA zone the device writes local times in (default UTC). */
  timezone: z
    .string()
    .refine(isValidTimeZone, { message: 'expected an IANA time zone such as UTC or Europe/Prague' })
    .optional(),
  /** Year for formats without one (RFC 3164); default: the current year, minus one for dates far ahead. */
  year: z.number().int().min(1970).max(2200).optional(),
};

export function isValidTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Offset of `tz` from UTC at instant `ms`, in ms (positive east of Greenwich). */
function zoneOffsetMs(tz: string, ms: number): number {
  let f = formatters.get(tz);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(tz, f);
  }
  const p: Record<string, number> = {};
  for (const part of f.formatToParts(new Date(ms)))
    if (part.type !== 'literal') p[part.type] = Number(part.value);
  const asUtc = Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!);
  return asUtc - Math.floor(ms / 1000) * 1000;
}

/** Epoch ms of a wall-clock time in zone `tz` (UTC when absent). NaN for impossible dates. */
export function wallTimeToMs(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
  millis: number,
  tz?: string,
): number {
  if (month < 0 || month > 11 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60)
    return Number.NaN;
  const guess = Date.UTC(year, month, day, hour, minute, second, millis);
  if (tz === undefined || tz === 'UTC' || tz === 'Etc/UTC') return guess;
  const first = guess - zoneOffsetMs(tz, guess);
  // Re-check at the corrected instant: the offset differs across a DST change.
  return guess - zoneOffsetMs(tz, first);
}

/**
 * Year for a month/day written without one: the configured year, else the current one, stepping back
 * a year when that would put the date more than a month in the future (a December log read in January).
 */
export function inferYear(month: number, day: number, configured?: number, now = Date.now()): number {
  if (configured !== undefined) return configured;
  const y = new Date(now).getUTCFullYear();
  return Date.UTC(y, month, day) - now > 31 * 86_400_000 ? y - 1 : y;
}

const HTTPDATE = /^(\d{1,2})\/([A-Z][a-z]{2})\/(\d{4}):(\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2})$/;
const BSD = /^([A-Z][a-z]{2}) +(\d{1,2})(?: (\d{4}))? (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?$/;
const LOCAL_ISO = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d{1,9}))?$/;

/**
 * Reads the time formats log lines commonly carry: ISO-8601 (zone-less ones read in `timezone`),
 * epoch seconds or ms, syslog `Mmm dd hh:mm:ss`, and Apache `dd/Mmm/yyyy:hh:mm:ss +zzzz`.
 * Returns epoch ms or NaN.
 */
export function parseLooseTimestamp(text: string, opts: { year?: number; timezone?: string } = {}): number {
  const t = text.trim();
  if (/^\d{9,10}(\.\d+)?$/.test(t)) return Math.floor(Number(t) * 1000 + 0.0005);
  if (/^\d{12,13}$/.test(t)) return Number(t);
  let m = LOCAL_ISO.exec(t);
  if (m !== null) {
    const frac = m[7] === undefined ? 0 : Math.floor(Number(`0.${m[7]}`) * 1000);
    return wallTimeToMs(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!, frac, opts.timezone);
  }
  if (/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}/.test(t)) return Date.parse(t.replace(' ', 'T'));
  m = BSD.exec(t);
  if (m !== null) {
    const month = MONTHS[m[1]!];
    if (month === undefined) return Number.NaN;
    const day = +m[2]!;
    const year = m[3] !== undefined ? +m[3] : inferYear(month, day, opts.year);
    const frac = m[7] === undefined ? 0 : Math.floor(Number(`0.${m[7]}`) * 1000);
    return wallTimeToMs(year, month, day, +m[4]!, +m[5]!, +m[6]!, frac, opts.timezone);
  }
  m = HTTPDATE.exec(t);
  if (m !== null) {
    const month = MONTHS[m[2]!];
    if (month === undefined) return Number.NaN;
    const utc = Date.UTC(+m[3]!, month, +m[1]!, +m[4]!, +m[5]!, +m[6]!);
    const offset = (+m[8]! * 60 + +m[9]!) * 60_000;
    return m[7] === '+' ? utc - offset : utc + offset;
  }
  return Number.NaN;
}
