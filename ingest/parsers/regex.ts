// Regex/grok parser: a line matched against grok expressions (first match wins) or plain regexes
// with named groups. Captures are dotted ECS paths (`%{IP:source.ip}`; in plain regexes `source__ip`).
// The capture named by `timestampField` becomes `@timestamp`.
import { z } from 'zod';
import { epochMsToIso, parseError, setPath } from './common.ts';
import { type CompiledGrok, compileGrok, matchGrok } from './grok.ts';
import { localTimeOptions, parseLooseTimestamp } from './time.ts';
import type { ParseResult, Parser } from './types.ts';

export const regexOptions = z
  .object({
    /** Grok expressions, tried in order. */
    grok: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).optional(),
    /** Plain JS regexes with named groups (`__` in a group name stands for `.`). */
    regex: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).optional(),
    /** Extra grok patterns, NAME → expression. */
    patterns: z.record(z.string().regex(/^\w+$/), z.string()).optional(),
    /** Capture holding the event time. */
    timestampField: z.string().default('timestamp'),
    /** Fixed fields added to every event, dotted path → value. */
    constants: z.record(z.string(), z.unknown()).optional(),
    ...localTimeOptions,
  })
  .strict()
  .refine((o) => o.grok !== undefined || o.regex !== undefined, {
    message: 'set grok or regex',
    path: ['grok'],
  })
  .superRefine((o, ctx) => {
    const asList = (v: string | string[] | undefined) => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
    for (const [i, g] of asList(o.grok).entries()) {
      try {
        compileGrok(g, o.patterns);
      } catch (err) {
        ctx.addIssue({ code: 'custom', path: ['grok', i], message: (err as Error).message });
      }
    }
    for (const [i, r] of asList(o.regex).entries()) {
      try {
        new RegExp(r);
      } catch (err) {
        ctx.addIssue({ code: 'custom', path: ['regex', i], message: (err as Error).message });
      }
    }
  });
export type RegexOptions = z.output<typeof regexOptions>;

function fromRegex(source: string): CompiledGrok {
  const regex = new RegExp(source);
  const names = [...source.matchAll(/\(\?<([A-Za-z_]\w*)>/g)].map((m) => m[1]!);
  return {
    regex,
    fields: names.map((group) => ({ group, path: group.replaceAll('__', '.'), type: 'string' })),
  };
}

export class RegexParser implements Parser {
  readonly format: string = 'regex';
  private readonly compiled: CompiledGrok[];

  constructor(private readonly options: RegexOptions) {
    const list = (v: string | string[] | undefined) => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
    this.compiled = [
      ...list(options.grok).map((g) => compileGrok(g, options.patterns)),
      ...list(options.regex).map(fromRegex),
    ];
  }

  parse(raw: string): ParseResult {
    for (const c of this.compiled) {
      const values = matchGrok(c, raw);
      if (values === undefined) continue;
      const event: Record<string, unknown> = { event: { kind: 'event' } };
      for (const [path, value] of values) {
        if (path === this.options.timestampField) {
          const ms = typeof value === 'number' ? value : parseLooseTimestamp(String(value), this.options);
          const iso = epochMsToIso(ms);
          if (iso === undefined) {
            return {
              ok: false,
              kind: 'invalid',
              message: `${path}: ${JSON.stringify(value)} is not a recognised time`,
            };
          }
          event['@timestamp'] = iso;
        } else setPath(event, path, value);
      }
      if (this.options.constants !== undefined) {
        for (const [path, value] of Object.entries(this.options.constants)) setPath(event, path, value);
      }
      return { ok: true, events: [event] };
    }
    return parseError(`${this.format}: line matches none of the ${this.compiled.length} pattern(s)`);
  }
}
