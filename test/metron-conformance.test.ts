// Conformance with Apache Metron: every raw sample line of each Metron sensor goes through the Vigil
// parser (configured from ingest/parsers/metron-mapping.yaml) and every field of Metron's expected
// output must be found in the Vigil event under its mapped name with the same value.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { getPath } from '../ingest/parsers/common.ts';
import { parseLine } from '../ingest/parsers/parse-line.ts';
import { createParser } from '../ingest/parsers/registry.ts';
import type { VigilEvent } from '../ingest/parsers/types.ts';
import { parseConfig } from '../kernel/config.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const samplesDir = path.join(path.resolve(repoRoot, '../shared/data'), 'metron-samples');
const haveSamples = existsSync(samplesDir);

const fieldSpec = z.union([
  z.string(),
  z
    .object({
      path: z.string().optional(),
      compare: z.enum(['equal', 'instant', 'ignoreCase', 'trim']).default('equal'),
      nil: z.string().optional(),
      map: z.record(z.string(), z.unknown()).optional(),
      differs: z.string().optional(),
    })
    .strict()
    .refine((f) => f.path !== undefined || f.differs !== undefined, { message: 'needs path or differs' }),
]);
const mappingSchema = z
  .object({
    version: z.literal(1),
    common: z.record(z.string(), fieldSpec),
    sensors: z.record(
      z.string(),
      z
        .object({
          sensor: z.string().optional(),
          format: z.string(),
          options: z.record(z.string(), z.unknown()).optional(),
          fields: z.record(z.string(), fieldSpec).default({}),
          prefixes: z.record(z.string(), z.string()).default({}),
          rest: z.string().optional(),
        })
        .strict(),
    ),
  })
  .strict();
type FieldSpec = z.output<typeof fieldSpec>;

const mapping = parseConfig(
  readFileSync(path.join(repoRoot, 'ingest/parsers/metron-mapping.yaml'), 'utf8'),
  mappingSchema,
  'ingest/parsers/metron-mapping.yaml',
);

function readRecords(file: string): Record<string, unknown>[] {
  const text = readFileSync(file, 'utf8');
  if (file.endsWith('.json')) return [JSON.parse(text)];
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l));
}

const sameScalar = (expected: unknown, actual: unknown): boolean => {
  if (expected === actual) return true;
  // Numbers compare as numbers: Metron writes Snort ports as "22", Vigil as 22.
  if (typeof expected === 'number' || typeof actual === 'number') {
    const a = Number(actual);
    const e = Number(expected);
    return actual !== '' && expected !== '' && actual !== null && Number.isFinite(a) && a === e;
  }
  return false;
};

function sameValue(expected: unknown, actual: unknown): boolean {
  if (Array.isArray(expected)) {
    return (
      Array.isArray(actual) &&
      actual.length === expected.length &&
      expected.every((e, i) => sameValue(e, actual[i]))
    );
  }
  if (expected !== null && typeof expected === 'object') {
    if (actual === null || typeof actual !== 'object') return false;
    return Object.entries(expected).every(([k, v]) => sameValue(v, (actual as Record<string, unknown>)[k]));
  }
  return sameScalar(expected, actual);
}

function compare(spec: Exclude<FieldSpec, string>, expected: unknown, actual: unknown): boolean {
  if (spec.nil !== undefined && expected === spec.nil) return actual === undefined;
  if (spec.map !== undefined && typeof expected === 'string' && expected in spec.map) {
    return sameValue(spec.map[expected], actual);
  }
  switch (spec.compare) {
    case 'instant': {
      const toMs = (v: unknown) => (typeof v === 'number' ? v : Date.parse(String(v)));
      return actual !== undefined && toMs(expected) === toMs(actual);
    }
    case 'ignoreCase':
      return typeof actual === 'string' && String(expected).toLowerCase() === actual.toLowerCase();
    case 'trim':
      return typeof actual === 'string' && String(expected).trim() === actual.trim();
    default:
      return sameValue(expected, actual);
  }
}

/** Reads a dotted path where keys may themselves hold dots (`zeek.x509.certificate.subject`). */
function resolve(event: VigilEvent, dotted: string): unknown {
  return getPath(event, dotted);
}

interface Tally {
  lines: number;
  parsed: number;
  events: number;
  expected: number;
  compared: number;
  matched: number;
  deliberate: number;
  misses: string[];
  errors: string[];
}

function runSensor(name: string): Tally {
  const cfg = mapping.sensors[name]!;
  const sensor = cfg.sensor ?? name;
  const dir = path.join(samplesDir, name);
  const rawFiles = readdirSync(path.join(dir, 'raw')).map((f) => path.join(dir, 'raw', f));
  const parsedFiles = readdirSync(path.join(dir, 'parsed')).map((f) => path.join(dir, 'parsed', f));
  const parser = createParser(cfg.format, cfg.options);
  const tally: Tally = {
    lines: 0,
    parsed: 0,
    events: 0,
    expected: 0,
    compared: 0,
    matched: 0,
    deliberate: 0,
    misses: [],
    errors: [],
  };
  const events: VigilEvent[] = [];
  for (const file of rawFiles) {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      if (line.trim() === '') continue;
      tally.lines++;
      const r = parseLine(parser, line, { sensor, ingestedAt: Date.UTC(2026, 0, 1) });
      if (r.ok) {
        tally.parsed++;
        events.push(...r.events);
      } else tally.errors.push(`${r.kind}: ${r.message} <- ${line.slice(0, 120)}`);
    }
  }
  tally.events = events.length;
  const expectedRecords = parsedFiles.flatMap(readRecords);
  tally.expected = expectedRecords.length;
  expectedRecords.forEach((expected, i) => {
    const event = events[i];
    for (const [field, value] of Object.entries(expected)) {
      const raw = cfg.fields[field] ?? mapping.common[field];
      let spec: Exclude<FieldSpec, string>;
      if (raw !== undefined) spec = typeof raw === 'string' ? { path: raw, compare: 'equal' } : raw;
      else {
        const prefix = Object.keys(cfg.prefixes).find((p) => field.startsWith(p));
        const target =
          prefix !== undefined
            ? cfg.prefixes[prefix]! + field.slice(prefix.length)
            : (cfg.rest ?? '') + field;
        spec = { path: target, compare: 'equal' };
      }
      if (spec.differs !== undefined) {
        tally.deliberate++;
        continue;
      }
      tally.compared++;
      const target = spec.path!.replace(/\{(\w+)\}/g, (_m, k: string) => String(expected[k]));
      const actual = event === undefined ? undefined : resolve(event, target);
      if (compare(spec, value, actual)) tally.matched++;
      else if (tally.misses.length < 8) {
        tally.misses.push(
          `#${i + 1} ${field} → ${target}: expected ${JSON.stringify(value)}, got ${JSON.stringify(actual)}`,
        );
      }
    }
  });
  return tally;
}

describe.skipIf(!haveSamples)(
  haveSamples
    ? 'Metron conformance'
    : 'Metron conformance (skipped: ../shared/data/metron-samples not found)',
  () => {
    const results = new Map<string, Tally>();
    for (const name of Object.keys(mapping.sensors)) {
      it(`${name}: every line parses and ≥ 99% of Metron's fields match`, () => {
        const t = runSensor(name);
        results.set(name, t);
        const pct = t.compared === 0 ? 100 : (100 * t.matched) / t.compared;
        console.log(
          `[metron] ${name.padEnd(20)} lines ${t.parsed}/${t.lines}  events ${t.events}/${t.expected}  ` +
            `fields ${t.matched}/${t.compared} (${pct.toFixed(2)}%)  deliberate differences ${t.deliberate}`,
        );
        for (const m of t.misses) console.log(`[metron]   miss ${m}`);
        expect(t.errors).toEqual([]);
        expect(t.events).toBe(t.expected);
        expect(t.compared).toBeGreaterThan(0);
        expect(pct).toBeGreaterThanOrEqual(99);
      });
    }
  },
);
