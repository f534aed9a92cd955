// Grok: regexes built from named patterns (`%{IPV4:source.ip}`, `%{INT:source.port:int}`), as in
// Logstash and Metron. The pattern library is data (grok/*.grok); sensors may add their own.
import { readFileSync } from 'node:fs';

export type GrokType = 'int' | 'long' | 'float' | 'double' | 'string' | 'boolean';

export interface GrokField {
  group: string;
  path: string;
  type: GrokType;
}

export interface CompiledGrok {
  regex: RegExp;
  fields: GrokField[];
}

/** Parses `NAME regex` lines (blank lines and `#` comments skipped). */
export function parsePatternText(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const t = line.trim();
    if (t === '' || t.startsWith('#')) continue;
    const sp = t.search(/\s/);
    if (sp === -1) throw new Error(`grok pattern line without a regex: ${JSON.stringify(t)}`);
    out[t.slice(0, sp)] = t.slice(sp).trim();
  }
  return out;
}

let base: Record<string, string> | undefined;
/** The built-in library (grok/base.grok). */
export function basePatterns(): Record<string, string> {
  base ??= parsePatternText(readFileSync(new URL('./grok/base.grok', import.meta.url), 'utf8'));
  return base;
}

const REF = /%\{(\w+)(?::([^:}]+))?(?::(int|long|float|double|string|boolean))?\}/g;

/**
 * Expands a grok expression into a JS regex. Captures become `g<n>` groups mapped to field paths
 * (JS group names cannot hold dots). Throws on unknown pattern names or recursion.
 */
export function compileGrok(
  expression: string,
  extra: Record<string, string> = {},
  flags = '',
): CompiledGrok {
  const library = { ...basePatterns(), ...extra };
  const fields: GrokField[] = [];
  const expand = (expr: string, depth: number): string => {
    if (depth > 40) throw new Error('grok: pattern references nest too deep (a cycle?)');
    return expr.replace(REF, (_m, name: string, field?: string, type?: GrokType) => {
      const body = library[name];
      if (body === undefined) throw new Error(`grok: unknown pattern %{${name}}`);
      const inner = expand(body, depth + 1);
      if (field === undefined) return `(?:${inner})`;
      const group = `g${fields.length}`;
      fields.push({ group, path: field, type: type ?? 'string' });
      return `(?<${group}>${inner})`;
    });
  };
  const source = expand(expression, 0);
  return { regex: new RegExp(source, flags), fields };
}

/** Applies a compiled grok; returns path → typed value for the captured fields, or undefined. */
export function matchGrok(g: CompiledGrok, text: string): Map<string, unknown> | undefined {
  const m = g.regex.exec(text);
  if (m === null) return undefined;
  const out = new Map<string, unknown>();
  const groups = m.groups ?? {};
  for (const f of g.fields) {
    const v = groups[f.group];
    if (v === undefined) continue;
    out.set(f.path, convert(v, f.type));
  }
  return out;
}

function convert(v: string, type: GrokType): unknown {
  switch (type) {
    case 'int':
    case 'long': {
      const n = Number.parseInt(v, 10);
      return Number.isNaN(n) ? v : n;
    }
    case 'float':
    case 'double': {
      const n = Number(v);
      return Number.isFinite(n) ? n : v;
    }
    case 'boolean':
      return v === 'true' || v === 'T' || v === '1';
    default:
      return v;
  }
}
