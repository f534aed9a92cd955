// Small helpers every parser shares: building nested ECS objects from dotted paths, time conversion
// and IP/number checks that are cheap enough for the per-line path.
import { isIP } from 'node:net';
import type { ParseResult, VigilEvent } from './types.ts';

/** Sets `obj.a.b.c = value` for path `a.b.c`, creating intermediate objects. Skips undefined. */
export function setPath(obj: Record<string, unknown>, path: string, value: unknown): void {
  if (value === undefined) return;
  let cur = obj;
  let start = 0;
  for (;;) {
    const dot = path.indexOf('.', start);
    if (dot === -1) break;
    const key = path.slice(start, dot);
    let next = cur[key];
    if (next === null || typeof next !== 'object' || Array.isArray(next)) {
      next = {};
      cur[key] = next;
    }
    cur = next as Record<string, unknown>;
    start = dot + 1;
  }
  cur[path.slice(start)] = value;
}

/** Reads `obj.a.b.c` for path `a.b.c`; a key that itself contains dots (`id.orig_h`) is tried first. */
export function getPath(obj: unknown, path: string): unknown {
  if (obj === null || typeof obj !== 'object') return undefined;
  const rec = obj as Record<string, unknown>;
  if (path in rec) return rec[path];
  const dot = path.indexOf('.');
  if (dot === -1) return undefined;
  return getPath(rec[path.slice(0, dot)], path.slice(dot + 1));
}

const PAD2 = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0'));
const PAD3 = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));
let isoDay = Number.NaN;
let isoDayPrefix = '';

/**
 * `new Date(ms).toISOString()` without the Date: ~20x faster, which matters on the per-line path
 * (Date#toISOString costs about half a JSON.parse of a Zeek line). The `YYYY-MM-DDT` prefix is cached
 * per day, since consecutive log lines share it. `ms` must be a finite epoch ms (callers check range).
 */
export function isoFromMs(ms: number): string {
  const day = Math.floor(ms / 86_400_000);
  if (day !== isoDay) {
    isoDay = day;
    isoDayPrefix = new Date(day * 86_400_000).toISOString().slice(0, 11);
  }
  let rem = ms - day * 86_400_000;
  const h = Math.floor(rem / 3_600_000);
  rem -= h * 3_600_000;
  const m = Math.floor(rem / 60_000);
  rem -= m * 60_000;
  const sec = Math.floor(rem / 1000);
  const milli = Math.floor(rem - sec * 1000);
  return `${isoDayPrefix}${PAD2[h]}:${PAD2[m]}:${PAD2[sec]}.${PAD3[milli]}Z`;
}

/**
 * Fractional epoch seconds to whole ms, truncating sub-ms digits (as Metron does). The half-µs nudge
 * undoes binary rounding: 1402307733.473 * 1000 is 1402307733472.9998 in floating point.
 */
export function secondsToMs(seconds: number): number {
  return Math.floor(seconds * 1000 + 0.0005);
}

/** Epoch seconds (possibly fractional, possibly a string) to ISO-8601 UTC with ms. */
export function epochSecondsToIso(seconds: number | string): string | undefined {
  const n = typeof seconds === 'number' ? seconds : Number(seconds);
  if (!Number.isFinite(n) || n < 0 || n > 7_258_118_400) return undefined;
  return isoFromMs(secondsToMs(n));
}

export function epochMsToIso(ms: number): string | undefined {
  if (!Number.isFinite(ms) || ms < 0 || ms > 7_258_118_400_000) return undefined;
  return isoFromMs(Math.floor(ms));
}

export function isIpAddress(v: unknown): v is string {
  return typeof v === 'string' && isIP(v) !== 0;
}

/** A decimal integer string or number to a number; undefined for blanks and junk. */
export function toInt(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isInteger(v) ? v : undefined;
  if (typeof v !== 'string' || v === '' || !/^-?\d+$/.test(v)) return undefined;
  return Number(v);
}

export function toFloat(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v !== 'string' || v.trim() === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}

export const ok = (event: VigilEvent): ParseResult => ({ ok: true, events: [event] });
export const okMany = (events: VigilEvent[]): ParseResult => ({ ok: true, events });
export const parseError = (message: string): ParseResult => ({ ok: false, kind: 'parse', message });
export const invalid = (message: string): ParseResult => ({ ok: false, kind: 'invalid', message });

/** Shortens a raw value for an error message. */
export function preview(v: unknown, max = 60): string {
  const s = typeof v === 'string' ? JSON.stringify(v) : String(v);
  return s.length > max ? `${s.slice(0, max - 3)}...` : s;
}

const IANA_PROTOCOLS: Record<number, string> = {
  1: 'icmp',
  2: 'igmp',
  6: 'tcp',
  17: 'udp',
  41: 'ipv6',
  47: 'gre',
  50: 'esp',
  51: 'ah',
  58: 'ipv6-icmp',
  89: 'ospf',
  132: 'sctp',
};

/** IANA protocol number to its lowercase keyword (`6` → `tcp`), as Metron's IP_PROTOCOL does. */
export function ipProtocolName(n: number): string | undefined {
  return IANA_PROTOCOLS[n];
}

/** Runs a parse body and turns any exception into a parse error, so nothing escapes a parser. */
export function guard(format: string, body: (raw: string) => ParseResult): (raw: string) => ParseResult {
  return (raw: string) => {
    try {
      return body(raw);
    } catch (err) {
      return parseError(`${format}: ${err instanceof Error ? err.message : String(err)}`);
    }
  };
}
