// Normalization turns a parser's output into a canonical event: it stamps the provenance fields
// (`event.original`, `event.dataset`, `observer.type`, `event.ingested`, a stable `event.id`) and
// checks/coerces the typed fields listed in event.ts. Hand-written checks, not zod: this runs once per
// line on the hot path. A failure names the field, the value and what was expected.
import { hash } from 'node:crypto';
import { isIP } from 'node:net';
import { isoFromMs } from '../parsers/common.ts';
import type { VigilEvent } from '../parsers/types.ts';

export interface NormalizeContext {
  /** Sensor name; becomes `event.dataset` and `observer.type`. */
  sensor: string;
  /** The raw line exactly as received; becomes `event.original`. */
  raw: string;
  /** When Vigil received the line: epoch ms, Date or ISO string. */
  ingestedAt: number | Date | string;
  /** Position of this event among the events one raw line split into (0 for the first or only one). */
  index?: number;
}

export type NormalizeResult =
  | { ok: true; event: VigilEvent }
  | { ok: false; kind: 'invalid'; message: string };

/**
 * Stable event id: a hash of the sensor and the raw line (plus the split index when a line yields
 * several events), so replaying the same record always gives the same id.
 */
export function eventId(sensor: string, raw: string, index = 0): string {
  const key = index === 0 ? `${sensor}\u0000${raw}` : `${sensor}\u0000${raw}\u0000${index}`;
  return hash('sha256', key, 'hex').slice(0, 32);
}

const d2 = (v: string, i: number) => (v.charCodeAt(i) - 48) * 10 + (v.charCodeAt(i + 1) - 48);

/**
 * The year of a canonical `YYYY-MM-DDTHH:MM:SS.mmmZ` string, or -1. Char checks instead of a regex:
 * this runs for every event, and the ISO strings parsers produce all take this path.
 */
function canonicalYear(v: string): number {
  if (v.length !== 24 || v.charCodeAt(23) !== 90 /* Z */) return -1;
  for (let i = 0; i < 23; i++) {
    const c = v.charCodeAt(i);
    const sep = i === 4 || i === 7 ? 45 : i === 10 ? 84 : i === 13 || i === 16 ? 58 : i === 19 ? 46 : 0;
    if (sep !== 0 ? c !== sep : c < 48 || c > 57) return -1;
  }
  const month = d2(v, 5);
  const day = d2(v, 8);
  if (month < 1 || month > 12 || day < 1 || day > 31 || d2(v, 11) > 23 || d2(v, 14) > 59 || d2(v, 17) > 59)
    return -1;
  return d2(v, 0) * 100 + d2(v, 2);
}
const ISO_LIKE = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/;
// Instants past 2200 are almost surely unit mistakes (µs or ns read as ms). Instants near 1970 are
// legal: Zeek logs of replayed captures can carry relative times starting near 0.
const MIN_MS = 0;
const MAX_MS = Date.UTC(2200, 0, 1);

/** Tag on events whose record had no time of its own, so `@timestamp` is the ingest time. */
export const TIMESTAMP_FROM_INGEST = 'timestamp_from_ingest';

let lastIngestedMs = Number.NaN;
let lastIngestedIso = '';

function ingestedIso(at: number | Date | string): string {
  if (typeof at === 'string') return toIsoTimestamp(at) ?? at;
  const ms = typeof at === 'number' ? at : at.getTime();
  if (ms !== lastIngestedMs) {
    lastIngestedMs = ms;
    // An out-of-range clock must not throw on the hot path; toIsoTimestamp bounds it.
    lastIngestedIso = toIsoTimestamp(ms) ?? new Date(0).toISOString();
  }
  return lastIngestedIso;
}

type Obj = Record<string, unknown>;
const asObj = (v: unknown): Obj | undefined =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : undefined;

const show = (v: unknown) => {
  const s = typeof v === 'string' ? JSON.stringify(v) : String(v);
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
};

/** Converts a timestamp-ish value (ISO string, epoch ms number, Date) to canonical ISO, or undefined. */
export function toIsoTimestamp(value: unknown): string | undefined {
  let ms: number;
  if (typeof value === 'string') {
    const year = canonicalYear(value);
    if (year !== -1) return year >= 1970 && year < 2200 ? value : undefined;
    if (!ISO_LIKE.test(value)) return undefined;
    ms = Date.parse(value.includes('T') ? value : value.replace(' ', 'T'));
  } else if (typeof value === 'number') ms = value;
  else if (value instanceof Date) ms = value.getTime();
  else return undefined;
  if (!Number.isFinite(ms) || ms < MIN_MS || ms >= MAX_MS) return undefined;
  return isoFromMs(Math.floor(ms));
}

function toNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'string' && value.trim() !== '') {
    const n = Number(value);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

// The checks below return an error message, or undefined when the field is fine (possibly coerced
// in place). Blank values in typed fields mean "not set" (CSV-like formats emit empty columns).

function checkTimestamp(o: Obj, key: string, path: string): string | undefined {
  const value = o[key];
  if (value === undefined) return undefined;
  const iso = toIsoTimestamp(value);
  if (iso === undefined) {
    return `${path}: ${show(value)} is not a valid timestamp; expected ISO-8601 or epoch ms (1970..2200)`;
  }
  if (iso !== value) o[key] = iso;
  return undefined;
}

function checkIp(o: Obj, key: string, path: string): string | undefined {
  const value = o[key];
  if (value === undefined) return undefined;
  if (value === '' || value === null) {
    delete o[key];
    return undefined;
  }
  if (Array.isArray(value)) {
    for (const v of value) {
      if (typeof v !== 'string' || isIP(v) === 0) return `${path}: ${show(v)} is not an IPv4 or IPv6 address`;
    }
    return undefined;
  }
  if (typeof value !== 'string' || isIP(value) === 0)
    return `${path}: ${show(value)} is not an IPv4 or IPv6 address`;
  return undefined;
}

function checkPort(o: Obj, key: string, path: string): string | undefined {
  const value = o[key];
  if (value === undefined) return undefined;
  if (value === '' || value === null) {
    delete o[key];
    return undefined;
  }
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 65535) return undefined;
  const n = toNumber(value);
  if (n === undefined || !Number.isInteger(n) || n < 0 || n > 65535) {
    return `${path}: ${show(value)} is not a port; expected an integer 0..65535`;
  }
  o[key] = n;
  return undefined;
}

function checkNumber(o: Obj, key: string, path: string, integer: boolean): string | undefined {
  const value = o[key];
  if (value === undefined) return undefined;
  if (value === '' || value === null) {
    delete o[key];
    return undefined;
  }
  const n = toNumber(value);
  if (n === undefined || (integer ? !Number.isInteger(n) : n < 0)) {
    return `${path}: ${show(value)} is not a number; expected ${integer ? 'an integer' : 'a non-negative number'}`;
  }
  if (n !== value) o[key] = n;
  return undefined;
}

function checkEndpoint(ep: Obj | undefined, name: string): string | undefined {
  if (ep === undefined) return undefined;
  return (
    checkIp(ep, 'ip', `${name}.ip`) ??
    checkPort(ep, 'port', `${name}.port`) ??
    checkNumber(ep, 'bytes', `${name}.bytes`, false) ??
    checkNumber(ep, 'packets', `${name}.packets`, false)
  );
}

/** Every typed field of TYPED_FIELDS (event.ts), hand-specialised; the schema tests keep them in step. */
function checkTypedFields(event: Obj): string | undefined {
  const ev = asObj(event.event);
  const net = asObj(event.network);
  const http = asObj(event.http);
  const req = http === undefined ? undefined : asObj(http.request);
  const res = http === undefined ? undefined : asObj(http.response);
  const reqBody = req === undefined ? undefined : asObj(req.body);
  const resBody = res === undefined ? undefined : asObj(res.body);
  const observer = asObj(event.observer);
  const host = asObj(event.host);
  return (
    (ev === undefined
      ? undefined
      : (checkTimestamp(ev, 'created', 'event.created') ??
        checkTimestamp(ev, 'start', 'event.start') ??
        checkTimestamp(ev, 'end', 'event.end') ??
        checkNumber(ev, 'duration', 'event.duration', false))) ??
    checkEndpoint(asObj(event.source), 'source') ??
    checkEndpoint(asObj(event.destination), 'destination') ??
    checkEndpoint(asObj(event.client), 'client') ??
    checkEndpoint(asObj(event.server), 'server') ??
    (observer === undefined ? undefined : checkIp(observer, 'ip', 'observer.ip')) ??
    (host === undefined ? undefined : checkIp(host, 'ip', 'host.ip')) ??
    (net === undefined
      ? undefined
      : (checkNumber(net, 'bytes', 'network.bytes', false) ??
        checkNumber(net, 'packets', 'network.packets', false))) ??
    (req === undefined ? undefined : checkNumber(req, 'bytes', 'http.request.bytes', false)) ??
    (res === undefined
      ? undefined
      : (checkNumber(res, 'bytes', 'http.response.bytes', false) ??
        checkNumber(res, 'status_code', 'http.response.status_code', true))) ??
    (reqBody === undefined ? undefined : checkNumber(reqBody, 'bytes', 'http.request.body.bytes', false)) ??
    (resBody === undefined ? undefined : checkNumber(resBody, 'bytes', 'http.response.body.bytes', false))
  );
}

/** Stamps provenance fields and checks the typed fields; mutates and returns the event. Never throws. */
export function normalizeEvent(event: VigilEvent, ctx: NormalizeContext): NormalizeResult {
  if (event === null || typeof event !== 'object' || Array.isArray(event)) {
    return { ok: false, kind: 'invalid', message: 'event: expected an object' };
  }
  if (event['@timestamp'] === undefined) {
    // The record carries no time (some LEEF/CEF/JSON lines): use when the line reached Vigil,
    // which is the raw record's log timestamp in the stage (so replays agree), and say so.
    event['@timestamp'] = ingestedIso(ctx.ingestedAt);
    const tags = Array.isArray(event.tags) ? (event.tags as unknown[]) : [];
    tags.push(TIMESTAMP_FROM_INGEST);
    event.tags = tags;
  }
  const problem = checkTimestamp(event, '@timestamp', '@timestamp') ?? checkTypedFields(event);
  if (problem !== undefined) return { ok: false, kind: 'invalid', message: problem };
  let ev = asObj(event.event);
  if (ev === undefined) {
    ev = {};
    event.event = ev;
  }
  ev.id = eventId(ctx.sensor, ctx.raw, ctx.index ?? 0);
  ev.dataset = ctx.sensor;
  ev.original = ctx.raw;
  ev.ingested = ingestedIso(ctx.ingestedAt);
  if (ev.kind === undefined) ev.kind = 'event';
  let observer = asObj(event.observer);
  if (observer === undefined) {
    observer = {};
    event.observer = observer;
  }
  observer.type = ctx.sensor;
  return { ok: true, event };
}
