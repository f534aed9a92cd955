// ArcSight CEF: `[syslog header ]CEF:0|Vendor|Product|Version|ClassId|Name|Severity|k=v k2=v two...`.
// Header fields unescape `\|` and `\\`; extension values may hold spaces (a value runs to the next
// ` key=`) and unescape `\=`, `\\`, `\n`, `\r`. Every extension is kept under `cef.extensions`;
// well-known keys are also copied to ECS fields when their values have the right type.
import { z } from 'zod';
import { epochMsToIso, isIpAddress, parseError, setPath, toInt } from './common.ts';
import { applySyslogPrefix } from './syslog-header.ts';
import { localTimeOptions, parseLooseTimestamp } from './time.ts';
import type { ParseResult, Parser } from './types.ts';

export const cefOptions = z.object({ ...localTimeOptions }).strict();
export type CefOptions = z.infer<typeof cefOptions>;

type Kind = 'ip' | 'port' | 'int' | 'string' | 'time';
/** CEF/LEEF key → ECS path and the type its value must have to be copied there. */
const EXTENSION_TO_ECS: Record<string, [string, Kind]> = {
  act: ['event.action', 'string'],
  app: ['network.protocol', 'string'],
  dhost: ['destination.domain', 'string'],
  dmac: ['destination.mac', 'string'],
  dpt: ['destination.port', 'port'],
  dst: ['destination.ip', 'ip'],
  duser: ['destination.user.name', 'string'],
  dvc: ['observer.ip', 'ip'],
  dvchost: ['observer.hostname', 'string'],
  end: ['event.end', 'time'],
  fname: ['file.name', 'string'],
  filePath: ['file.path', 'string'],
  fsize: ['file.size', 'int'],
  in: ['source.bytes', 'int'],
  out: ['destination.bytes', 'int'],
  msg: ['message', 'string'],
  proto: ['network.transport', 'string'],
  reason: ['event.reason', 'string'],
  request: ['url.original', 'string'],
  requestMethod: ['http.request.method', 'string'],
  requestClientApplication: ['user_agent.original', 'string'],
  shost: ['source.domain', 'string'],
  smac: ['source.mac', 'string'],
  spt: ['source.port', 'port'],
  src: ['source.ip', 'ip'],
  start: ['event.start', 'time'],
  suser: ['source.user.name', 'string'],
  usrName: ['user.name', 'string'],
  sev: ['event.severity', 'int'],
  devTime: ['@timestamp', 'time'],
  rt: ['@timestamp', 'time'],
};

/** Copies well-known extension keys to ECS paths when the value has the expected type. */
export function copyToEcs(
  event: Record<string, unknown>,
  ext: Record<string, string>,
  opts: { year?: number; timezone?: string },
): void {
  for (const key in ext) {
    const target = EXTENSION_TO_ECS[key];
    const value = ext[key]!;
    if (target === undefined || value === '') continue;
    const [path, kind] = target;
    if (kind === 'ip') {
      if (isIpAddress(value)) setPath(event, path, value);
    } else if (kind === 'port') {
      const n = toInt(value);
      if (n !== undefined && n >= 0 && n <= 65535) setPath(event, path, n);
    } else if (kind === 'int') {
      const n = toInt(value);
      if (n !== undefined && n >= 0) setPath(event, path, n);
    } else if (kind === 'time') {
      const iso = epochMsToIso(parseLooseTimestamp(value, opts));
      if (iso !== undefined) setPath(event, path, iso);
    } else setPath(event, path, value);
  }
}

/** Splits a header on unescaped `|`, at most `max` fields; the last holds the rest. */
function splitHeader(text: string, max: number): string[] {
  const out: string[] = [];
  let cur = '';
  let i = 0;
  for (; i < text.length && out.length < max - 1; i++) {
    const c = text[i];
    if (c === '\\' && (text[i + 1] === '|' || text[i + 1] === '\\')) {
      cur += text[i + 1];
      i++;
    } else if (c === '|') {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur + text.slice(i));
  return out;
}

const KEY_START = /(?:^|\s)([A-Za-z_][\w.[\]-]*)=/g;

/** Parses a CEF extension into key → value. */
export function parseCefExtension(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const starts: { key: string; keyAt: number; valueAt: number }[] = [];
  KEY_START.lastIndex = 0;
  for (let m = KEY_START.exec(text); m !== null; m = KEY_START.exec(text)) {
    // `\=` inside a value is escaped, not a new key.
    if (text[m.index + m[0].length - 2] === '\\') continue;
    const keyAt = m.index + m[0].length - m[1]!.length - 1;
    starts.push({ key: m[1]!, keyAt, valueAt: m.index + m[0].length });
  }
  for (let i = 0; i < starts.length; i++) {
    const s = starts[i]!;
    const end = i + 1 < starts.length ? starts[i + 1]!.keyAt : text.length;
    const value = text.slice(s.valueAt, end).replace(/\s+$/, '');
    out[s.key] = value.replace(/\\([=\\nr])/g, (_m, c: string) => (c === 'n' ? '\n' : c === 'r' ? '\r' : c));
  }
  return out;
}

export class CefParser implements Parser {
  readonly format = 'cef';
  constructor(private readonly options: CefOptions = {}) {}

  parse(raw: string): ParseResult {
    const at = raw.indexOf('CEF:');
    if (at === -1)
      return parseError(
        'cef: no "CEF:" marker; expected CEF:Version|Vendor|Product|Version|ClassId|Name|Severity|Extension',
      );
    const parts = splitHeader(raw.slice(at + 4), 8);
    if (parts.length < 8) return parseError(`cef: header has ${parts.length - 1} of 7 "|"-separated fields`);
    const [version, vendor, product, devVersion, classId, name, severity, extText] = parts as string[];
    const ext = parseCefExtension(extText!);
    const event: Record<string, unknown> = {
      event: { kind: 'event', code: classId },
      observer: { vendor, product, version: devVersion },
      cef: {
        version: toInt(version) ?? version,
        device_event_class_id: classId,
        name,
        severity,
        extensions: ext,
        header: raw.slice(0, at + 4 + (version?.length ?? 0)),
      },
    };
    const sev = toInt(severity);
    if (sev !== undefined) (event.event as Record<string, unknown>).severity = sev;
    applySyslogPrefix(event, raw.slice(0, at).trimEnd(), this.options);
    copyToEcs(event, ext, this.options);
    // Custom fields: csN/cnN/cfpN/... paired with their csNLabel name.
    const custom: Record<string, string> = {};
    for (const key in ext) {
      if (!key.endsWith('Label')) continue;
      const base = key.slice(0, -5);
      const label = ext[key]!.replace(/^"(.*)"$/, '$1');
      if (label !== '' && base in ext) custom[label] = ext[base]!;
    }
    (event.cef as Record<string, unknown>).custom = custom;
    return { ok: true, events: [event] };
  }
}
