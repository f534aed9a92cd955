// Compiles a Sigma detection to a predicate over Vigil events. Sigma's matching rules: strings compare
// case-insensitively with `*`/`?` wildcards, a list of values is OR (AND with `|all`), a map is AND of
// its fields, a list of maps is OR, a list of plain values is a keyword search over the raw line, and
// `null` means the field is absent. Anything outside the supported modifiers is an error at compile
// time, so a rule is either fully understood or reported.
import { cachedCidr, cidrContains, parseIp } from '../../kernel/expr/functions/ip.ts';
import { type ConditionNode, parseCondition } from './condition.ts';
import { type FieldGetter, type FieldResolverOptions, fieldGetter } from './field-mapping.ts';

export type EventPredicate = (event: Record<string, unknown>) => boolean;

export class SigmaCompileError extends Error {}

const SUPPORTED = new Set([
  'contains',
  'startswith',
  'endswith',
  'all',
  're',
  'i',
  'm',
  's',
  'cidr',
  'gt',
  'gte',
  'lt',
  'lte',
  'exists',
  'cased',
]);

type ValueTest = (value: unknown) => boolean;

function escapeRegex(s: string): string {
  return s.replace(/[.+^${}()|[\]\\]/g, '\\$&');
}

/** Sigma wildcards: `*` any run, `?` one char, `\*` `\?` `\\` literal. */
function wildcardRegex(pattern: string, anchorStart: boolean, anchorEnd: boolean, cased: boolean): RegExp {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === '\\' && i + 1 < pattern.length && '*?\\'.includes(pattern[i + 1] as string)) {
      out += escapeRegex(pattern[i + 1] as string).replace(/[*?]/g, '\\$&');
      i++;
    } else if (c === '*') out += '.*';
    else if (c === '?') out += '.';
    else out += escapeRegex(c).replace(/[*?]/g, '\\$&');
  }
  return new RegExp(`${anchorStart ? '^' : ''}${out}${anchorEnd ? '$' : ''}`, cased ? 's' : 'is');
}

function hasWildcard(s: string): boolean {
  return /(^|[^\\])[*?]/.test(s);
}

function toText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return String(value);
  return undefined;
}

function stringTest(
  pattern: string,
  mode: 'equals' | 'contains' | 'startswith' | 'endswith',
  cased: boolean,
): ValueTest {
  if (hasWildcard(pattern) || pattern.includes('\\')) {
    const re = wildcardRegex(
      pattern,
      mode === 'equals' || mode === 'startswith',
      mode === 'equals' || mode === 'endswith',
      cased,
    );
    return (v) => {
      const t = toText(v);
      return t !== undefined && re.test(t);
    };
  }
  const p = cased ? pattern : pattern.toLowerCase();
  const norm = (t: string) => (cased ? t : t.toLowerCase());
  switch (mode) {
    case 'equals':
      return (v) => {
        if (v === p) return true; // the common exact-case hit, without lower-casing
        const t = toText(v);
        return t !== undefined && !cased && norm(t) === p;
      };
    case 'contains':
      return (v) => {
        const t = toText(v);
        return t !== undefined && norm(t).includes(p);
      };
    case 'startswith':
      return (v) => {
        const t = toText(v);
        return t !== undefined && norm(t).startsWith(p);
      };
    case 'endswith':
      return (v) => {
        const t = toText(v);
        return t !== undefined && norm(t).endsWith(p);
      };
  }
}

function numberOf(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return undefined;
}

/** One value of a field condition under its modifiers. */
function valueTest(raw: unknown, mods: string[], where: string): ValueTest {
  const cased = mods.includes('cased');
  if (mods.includes('re')) {
    if (typeof raw !== 'string') throw new SigmaCompileError(`${where}: |re needs a string pattern`);
    const flags = `${mods.includes('i') ? 'i' : ''}${mods.includes('m') ? 'm' : ''}${mods.includes('s') ? 's' : ''}`;
    let re: RegExp;
    try {
      re = new RegExp(raw, flags);
    } catch (error) {
      throw new SigmaCompileError(`${where}: bad regular expression: ${(error as Error).message}`);
    }
    return (v) => {
      const t = toText(v);
      return t !== undefined && re.test(t);
    };
  }
  if (mods.includes('cidr')) {
    const cidr = typeof raw === 'string' ? cachedCidr(raw) : undefined;
    if (cidr === undefined) throw new SigmaCompileError(`${where}: not a CIDR block: ${JSON.stringify(raw)}`);
    return (v) => {
      const ip = typeof v === 'string' ? parseIp(v) : undefined;
      return ip !== undefined && cidrContains(cidr, ip);
    };
  }
  const cmp = mods.find((m) => m === 'gt' || m === 'gte' || m === 'lt' || m === 'lte');
  if (cmp !== undefined) {
    const n = numberOf(raw);
    if (n === undefined)
      throw new SigmaCompileError(`${where}: |${cmp} needs a number, got ${JSON.stringify(raw)}`);
    const ops = {
      gt: (x: number) => x > n,
      gte: (x: number) => x >= n,
      lt: (x: number) => x < n,
      lte: (x: number) => x <= n,
    };
    const op = ops[cmp];
    return (v) => {
      const x = numberOf(v);
      return x !== undefined && op(x);
    };
  }
  if (raw === null) return (v) => v === undefined || v === null;
  if (typeof raw === 'number' || typeof raw === 'boolean') {
    const text = String(raw);
    // Same-typed values compare directly; a string field ("22") still matches the number 22.
    return (v) => v === raw || (typeof v === 'string' && v.toLowerCase() === text);
  }
  if (typeof raw !== 'string')
    throw new SigmaCompileError(`${where}: value must be a string, number, boolean or null`);
  const mode = mods.includes('contains')
    ? 'contains'
    : mods.includes('startswith')
      ? 'startswith'
      : mods.includes('endswith')
        ? 'endswith'
        : 'equals';
  return stringTest(raw, mode, cased);
}

/**
 * The common case, a list of plain values without modifiers (ports, states, names): one hash lookup
 * per event instead of one comparison per value. Same semantics as valueTest's equality: strings
 * case-insensitive, numbers equal to their decimal text.
 */
function plainValueSet(values: unknown[], mods: string[]): ValueTest | undefined {
  if (mods.length > 0 || values.length < 2) return undefined;
  const strings = new Set<string>();
  const numbers = new Set<number>();
  for (const v of values) {
    if (typeof v === 'number') numbers.add(v);
    else if (typeof v === 'string' && !hasWildcard(v) && !v.includes('\\')) strings.add(v.toLowerCase());
    else return undefined;
  }
  return (v) => {
    if (typeof v === 'number') return numbers.has(v) || (strings.size > 0 && strings.has(String(v)));
    if (typeof v !== 'string') return false;
    if (strings.has(v) || strings.has(v.toLowerCase())) return true;
    return numbers.size > 0 && v.trim() !== '' && numbers.has(Number(v));
  };
}

interface CompileContext {
  logsource: { product?: string; service?: string };
  fields: FieldResolverOptions;
  /** Where keyword searches look (the raw line). */
  keywordFields: FieldGetter[];
}

function fieldCondition(key: string, value: unknown, ctx: CompileContext, where: string): EventPredicate {
  const [field, ...mods] = key.split('|');
  for (const m of mods) {
    if (!SUPPORTED.has(m)) throw new SigmaCompileError(`${where}: modifier |${m} is not supported`);
  }
  const values = Array.isArray(value) ? value : [value];
  const getter: FieldGetter =
    field === '' || field === undefined
      ? (e) => ctx.keywordFields.map((g) => g(e))
      : fieldGetter(field, ctx.logsource, ctx.fields).getter;
  if (mods.includes('exists')) {
    if (typeof value !== 'boolean') throw new SigmaCompileError(`${where}: |exists needs true or false`);
    return (e) => {
      const v = getter(e);
      const present = v !== undefined && v !== null && !(Array.isArray(v) && v.every((x) => x === undefined));
      return present === value;
    };
  }
  if (values.length === 0) throw new SigmaCompileError(`${where}: empty value list`);
  const set = plainValueSet(values, mods);
  if (set !== undefined) {
    return (e) => {
      const v = getter(e);
      return Array.isArray(v) ? v.some(set) : set(v);
    };
  }
  const tests = values.map((v, i) => valueTest(v, mods, values.length > 1 ? `${where}[${i}]` : where));
  const all = mods.includes('all');
  // A field holding a list (dns answers) matches when any element does.
  const matchOne = (test: ValueTest, v: unknown) => (Array.isArray(v) ? v.some((x) => test(x)) : test(v));
  if (tests.length === 1) {
    const t = tests[0] as ValueTest;
    return (e) => matchOne(t, getter(e));
  }
  return all
    ? (e) => tests.every((t) => matchOne(t, getter(e)))
    : (e) => tests.some((t) => matchOne(t, getter(e)));
}

function searchPredicate(name: string, search: unknown, ctx: CompileContext): EventPredicate {
  const where = `detection.${name}`;
  if (search !== null && typeof search === 'object' && !Array.isArray(search)) {
    const parts = Object.entries(search).map(([k, v]) => fieldCondition(k, v, ctx, `${where}.${k}`));
    if (parts.length === 0) throw new SigmaCompileError(`${where}: empty selection`);
    return parts.length === 1 ? (parts[0] as EventPredicate) : (e) => parts.every((p) => p(e));
  }
  if (Array.isArray(search)) {
    if (search.length === 0) throw new SigmaCompileError(`${where}: empty list`);
    if (search.every((x) => x !== null && typeof x === 'object' && !Array.isArray(x))) {
      const alts = search.map((m, i) => searchPredicate(`${name}[${i}]`, m, ctx));
      return (e) => alts.some((p) => p(e));
    }
    if (search.every((x) => typeof x === 'string' || typeof x === 'number')) {
      // Keywords: any value anywhere in the raw line (Sigma's full-text search), case-insensitive.
      const tests = search.map((k) => stringTest(`*${String(k)}*`, 'equals', false));
      return (e) => ctx.keywordFields.some((g) => tests.some((t) => t(g(e))));
    }
    throw new SigmaCompileError(`${where}: a list must hold only maps or only keywords`);
  }
  throw new SigmaCompileError(`${where}: must be a map of fields or a list`);
}

function conditionPredicate(node: ConditionNode, searches: Map<string, EventPredicate>): EventPredicate {
  switch (node.op) {
    case 'ref':
      return searches.get(node.name) as EventPredicate;
    case 'not': {
      const inner = conditionPredicate(node.arg, searches);
      return (e) => !inner(e);
    }
    case 'and': {
      const args = node.args.map((a) => conditionPredicate(a, searches));
      return (e) => args.every((p) => p(e));
    }
    case 'or': {
      const args = node.args.map((a) => conditionPredicate(a, searches));
      return (e) => args.some((p) => p(e));
    }
    case 'of': {
      const args = node.names.map((n) => searches.get(n) as EventPredicate);
      return node.quantifier === 'all' ? (e) => args.every((p) => p(e)) : (e) => args.some((p) => p(e));
    }
  }
}

export interface DetectionOptions {
  logsource?: { product?: string; service?: string; category?: string };
  fields?: FieldResolverOptions;
}

/** Compiles a rule's `detection` block; throws SigmaCompileError naming what is unsupported or wrong. */
export function compileDetection(detection: unknown, options: DetectionOptions = {}): EventPredicate {
  if (detection === null || typeof detection !== 'object' || Array.isArray(detection)) {
    throw new SigmaCompileError('detection must be a map');
  }
  const { condition, timeframe, ...searchDefs } = detection as Record<string, unknown>;
  if (timeframe !== undefined)
    throw new SigmaCompileError('detection.timeframe (aggregation over time) is not supported');
  const ctx: CompileContext = {
    logsource: options.logsource ?? {},
    fields: options.fields ?? {},
    keywordFields: [(e) => (e.event as { original?: unknown } | undefined)?.original, (e) => e.message],
  };
  const searches = new Map<string, EventPredicate>();
  for (const [name, def] of Object.entries(searchDefs)) searches.set(name, searchPredicate(name, def, ctx));
  const conditions = Array.isArray(condition) ? condition : [condition];
  if (conditions.length === 0 || conditions.some((c) => typeof c !== 'string')) {
    throw new SigmaCompileError('detection.condition must be a string (or a list of strings)');
  }
  const preds = conditions.map((c) => {
    try {
      return conditionPredicate(parseCondition(c as string, [...searches.keys()]), searches);
    } catch (error) {
      throw new SigmaCompileError(`detection.condition: ${(error as Error).message}`);
    }
  });
  return preds.length === 1 ? (preds[0] as EventPredicate) : (e) => preds.some((p) => p(e));
}
