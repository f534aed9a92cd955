// STIX 2.1 bundles: `indicator` objects whose STIX patterns compare one observable to a value,
// e.g. [ipv4-addr:value = '198.51.100.7'], [domain-name:value = 'evil.example'],
// [file:hashes.'SHA-256' = '…'], [ipv4-addr:value ISSUBSET '203.0.113.0/24'], joined by OR.
// Anything else (AND, FOLLOWEDBY, other objects or operators) can't be a single indicator: it is
// reported, never silently dropped.
import type { IndicatorRecord, IndicatorType } from './store.ts';

export interface StixLoadResult {
  indicators: IndicatorRecord[];
  /** Indicators skipped, each with its id and why. */
  unsupported: { id: string; reason: string }[];
}

const OBJECT_TYPES: Record<string, IndicatorType> = {
  'ipv4-addr:value': 'ip',
  'ipv6-addr:value': 'ip',
  'domain-name:value': 'domain',
  'url:value': 'url',
};

// One comparison: object-path, operator, quoted value ('' escapes as \').
const COMPARISON = /^\s*([a-z0-9-]+:[a-z0-9_.'"-]+)\s*(=|ISSUBSET)\s*'((?:[^'\\]|\\.)*)'\s*$/i;

function typeFor(path: string, op: string): IndicatorType | undefined {
  if (/^file:hashes\./i.test(path)) return op === '=' ? 'hash' : undefined;
  const t = OBJECT_TYPES[path.toLowerCase()];
  if (t === undefined) return undefined;
  if (op.toUpperCase() === 'ISSUBSET') return t === 'ip' ? 'cidr' : undefined;
  return t;
}

/** Splits a pattern into its comparisons when it is a disjunction of single comparisons. */
export function parseStixPattern(
  pattern: string,
): { comparisons: { type: IndicatorType; value: string }[] } | { error: string } {
  // Observation expressions `[...]` joined by OR, each holding comparisons joined by OR.
  const text = pattern.trim();
  const observations = text.split(/\]\s+OR\s+\[/i);
  const comparisons: { type: IndicatorType; value: string }[] = [];
  for (let obs of observations) {
    obs = obs.replace(/^\[/, '').replace(/\]$/, '');
    if (/\b(AND|FOLLOWEDBY|WITHIN|REPEATS|START|STOP|NOT)\b/.test(obs.replace(/'(?:[^'\\]|\\.)*'/g, "''"))) {
      return { error: 'only OR of single comparisons is supported (AND/FOLLOWEDBY/qualifiers are not)' };
    }
    for (const part of obs.split(/\s+OR\s+/i)) {
      const m = COMPARISON.exec(part);
      if (m === null) return { error: `unsupported comparison: ${part.trim()}` };
      const [, path, op, raw] = m as unknown as [string, string, string, string];
      const type = typeFor(path, op);
      if (type === undefined) return { error: `unsupported object path or operator: ${path} ${op}` };
      comparisons.push({ type, value: raw.replace(/\\(.)/g, '$1') });
    }
  }
  return { comparisons };
}

export function parseStixBundle(json: string, source: string): StixLoadResult {
  const bundle = JSON.parse(json) as { type?: string; objects?: Record<string, unknown>[] };
  if (bundle.type !== 'bundle' || !Array.isArray(bundle.objects)) {
    throw new Error(`${source}: not a STIX 2.1 bundle (expected {"type": "bundle", "objects": [...]})`);
  }
  const indicators: IndicatorRecord[] = [];
  const unsupported: StixLoadResult['unsupported'] = [];
  for (const obj of bundle.objects) {
    if (obj.type !== 'indicator' || obj.revoked === true) continue;
    const id = String(obj.id ?? '?');
    if ((obj.pattern_type ?? 'stix') !== 'stix' || typeof obj.pattern !== 'string') {
      unsupported.push({ id, reason: `pattern_type ${String(obj.pattern_type)} is not supported` });
      continue;
    }
    const parsed = parseStixPattern(obj.pattern);
    if ('error' in parsed) {
      unsupported.push({ id, reason: parsed.error });
      continue;
    }
    for (const c of parsed.comparisons) {
      const record: IndicatorRecord = { indicator: c.value, type: c.type, source, id };
      if (typeof obj.name === 'string') record.threat = obj.name;
      if (typeof obj.confidence === 'number') record.confidence = obj.confidence;
      if (typeof obj.description === 'string') record.description = obj.description;
      if (Array.isArray(obj.indicator_types)) record.indicator_types = obj.indicator_types;
      if (typeof obj.valid_until === 'string') record.valid_until = obj.valid_until;
      indicators.push(record);
    }
  }
  return { indicators, unsupported };
}
