// Generic JSON (Metron's JSONMap parser): one JSON document per line, optionally wrapped
// (`{"<wrap>": [line]}` for lines holding comma-joined objects) and split by a JSONPath query into
// several events. Fields are mapped to ECS paths by `fields`; the rest are kept under `prefix`
// (or merged at the top level when prefix is empty) or dropped.
import { JSONPath } from 'jsonpath-plus';
import { z } from 'zod';
import { epochMsToIso, getPath, parseError, setPath } from './common.ts';
import { localTimeOptions, parseLooseTimestamp } from './time.ts';
import type { ParseResult, Parser, VigilEvent } from './types.ts';

export const jsonMapOptions = z
  .object({
    /** JSONPath selecting the records; an array result is split into one event per element. */
    query: z.string().min(1).optional(),
    /** Wraps the line as `{"<wrap>": [line]}` before parsing (trailing commas dropped). */
    wrap: z.string().min(1).optional(),
    /** Source field (dotted path into the record) → ECS target path. */
    fields: z.record(z.string().min(1), z.string().min(1)).default({}),
    /** What happens to fields `fields` does not name. */
    unmapped: z.enum(['keep', 'drop']).default('keep'),
    /** Where kept unmapped fields go; '' merges them at the top level. */
    prefix: z.string().default('json'),
    /** Nested objects among kept fields: keep as objects, drop, unfold to `a.b` keys, or reject the line. */
    nested: z.enum(['keep', 'drop', 'unfold', 'error']).default('keep'),
    /** Field holding the event time (epoch s/ms, ISO-8601, syslog or Apache format). */
    timestampField: z.string().min(1).optional(),
    ...localTimeOptions,
  })
  .strict();
export type JsonMapOptions = z.output<typeof jsonMapOptions>;

type Rec = Record<string, unknown>;
const isObject = (v: unknown): v is Rec => v !== null && typeof v === 'object' && !Array.isArray(v);

function unfold(rec: Rec, prefix: string, out: Rec): void {
  for (const [k, v] of Object.entries(rec)) {
    if (isObject(v)) unfold(v, `${prefix}${k}.`, out);
    else out[`${prefix}${k}`] = v;
  }
}

export class JsonMapParser implements Parser {
  readonly format = 'json-map';
  private readonly options: JsonMapOptions;
  private readonly mappedRoots: Set<string>;

  constructor(options?: Partial<JsonMapOptions>) {
    this.options = jsonMapOptions.parse(options ?? {});
    this.mappedRoots = new Set(Object.keys(this.options.fields));
  }

  parse(raw: string): ParseResult {
    const o = this.options;
    let text = raw;
    if (o.wrap !== undefined) text = `{${JSON.stringify(o.wrap)}:[${raw.trim().replace(/,\s*$/, '')}]}`;
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch (err) {
      return parseError(`json-map: not JSON: ${(err as Error).message}`);
    }
    let records: unknown[];
    if (o.query !== undefined) {
      if (doc === null || typeof doc !== 'object')
        return parseError('json-map: the query needs an object or array document');
      const found = JSONPath({ path: o.query, json: doc as object, wrap: true, eval: 'safe' }) as unknown[];
      records = found.flatMap((r) => (Array.isArray(r) ? r : [r]));
      if (records.length === 0) return parseError(`json-map: query ${o.query} matched no records`);
    } else records = [doc];
    const events: VigilEvent[] = [];
    for (const [i, rec] of records.entries()) {
      if (!isObject(rec)) {
        return parseError(
          `json-map: record ${i + 1} is ${Array.isArray(rec) ? 'an array' : typeof rec}; expected an object`,
        );
      }
      const r = this.toEvent(rec);
      if (typeof r === 'string')
        return { ok: false, kind: 'invalid', message: records.length > 1 ? `record ${i + 1}: ${r}` : r };
      events.push(r);
    }
    return { ok: true, events };
  }

  private toEvent(rec: Rec): VigilEvent | string {
    const o = this.options;
    const event: VigilEvent = { event: { kind: 'event' } };
    for (const [from, to] of Object.entries(o.fields)) setPath(event, to, getPath(rec, from));
    if (o.timestampField !== undefined) {
      const v = getPath(rec, o.timestampField);
      if (v === undefined) return `${o.timestampField}: missing; expected the event time`;
      const ms =
        typeof v === 'number'
          ? v < 1e11
            ? v * 1000
            : v
          : parseLooseTimestamp(String(v), { year: o.year, timezone: o.timezone });
      const iso = epochMsToIso(ms);
      if (iso === undefined) return `${o.timestampField}: ${JSON.stringify(v)} is not a recognised time`;
      event['@timestamp'] = iso;
    }
    if (o.unmapped === 'drop') return event;
    let kept: Rec = {};
    for (const [k, v] of Object.entries(rec)) {
      if (this.mappedRoots.has(k) || k === o.timestampField) continue;
      if (isObject(v)) {
        if (o.nested === 'drop') continue;
        if (o.nested === 'error') return `${k}: nested object not allowed (nested: error)`;
      }
      kept[k] = v;
    }
    if (o.nested === 'unfold') {
      const flat: Rec = {};
      unfold(kept, '', flat);
      kept = flat;
    }
    if (o.prefix === '') {
      for (const [k, v] of Object.entries(kept)) if (!(k in event) && k !== '__proto__') event[k] = v;
    } else setPath(event, o.prefix, kept);
    return event;
  }
}
