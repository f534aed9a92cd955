// Profiles as data: what to aggregate, per which entity, over which event-time windows. Loaded from
// YAML/JSON through kernel/config (errors name file:line and field); every CEL expression is compiled
// at load so a bad one rejects the whole config and the running one stays.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { type ConfigError, loadConfigFile, parseConfig } from '../kernel/config.ts';
import { compileExpression, type ExpectedType } from '../kernel/expr/index.ts';
import {
  type AggregateValue,
  type Aggregation,
  type AggregationSpec,
  AggregationSpecSchema,
  createAggregation,
  NUMERIC_OPS,
} from './aggregations/index.ts';
import { DurationSchema } from './duration.ts';
import { compileEventExpression, type EventExpression } from './expressions.ts';
import { canonicalJson } from './hash.ts';
import { networkProfiles } from './network-profiles.ts';
import {
  assertFeatureSchema,
  BUILTIN_FEATURE_SCHEMAS,
  derivedFeatureSchema,
  type FeatureSchema,
} from './schema.ts';

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;
// CEL keywords and type names (`bytes` is a type, so `bytes / n` would not mean the aggregate) and the names emit binds.
const CEL_RESERVED = new Set([
  'true',
  'false',
  'null',
  'in',
  'bytes',
  'int',
  'uint',
  'double',
  'string',
  'bool',
  'list',
  'map',
  'type',
  'dyn',
  'null_type',
  'timestamp',
  'duration',
  'entity',
  'window',
  'result',
]);

function cel(expect: ExpectedType = 'any') {
  return z
    .string()
    .min(1)
    .superRefine((source, ctx) => {
      try {
        compileExpression(source, { expect });
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: (error as Error).message });
      }
    });
}

const AggregationEntry = AggregationSpecSchema.superRefine((spec, ctx) => {
  for (const key of ['of', 'where'] as const) {
    const source = (spec as { of?: string; where?: string })[key];
    if (source === undefined) continue;
    try {
      compileExpression(source, { expect: key === 'where' ? 'bool' : 'any' });
    } catch (error) {
      ctx.addIssue({ code: 'custom', path: [key], message: (error as Error).message });
    }
  }
});

export const ProfileSchema = z
  .object({
    name: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_.-]*$/, 'letters, digits, _ . - (starting with a letter or _)'),
    /** CEL: the entity the profile is kept for (e.g. `source.ip`). */
    foreach: cel(),
    /** CEL predicate: events the profile sees. */
    onlyif: cel('bool').optional(),
    window: z
      .object({ size: DurationSchema, advance: DurationSchema.optional() })
      .strict()
      .refine((w) => w.size > 0, { message: 'window size must be positive', path: ['size'] })
      .refine((w) => w.advance === undefined || (w.advance > 0 && w.advance <= w.size), {
        message: 'advance must be positive and at most the size',
        path: ['advance'],
      }),
    aggregations: z
      .record(z.string().regex(IDENT, 'aggregation names are identifiers'), AggregationEntry)
      .refine((r) => Object.keys(r).length > 0, 'at least one aggregation'),
    /** CEL over the aggregates (and `entity`, `window`): the profile's value, stored for `profile()`. */
    result: cel().optional(),
    /** Named CEL over the aggregates (and `result`): the feature vector, in this order. Default: the numeric aggregates. */
    features: z.record(z.string().regex(IDENT), cel()).optional(),
    /** A built-in feature schema (features/schema.ts) the features must match exactly. */
    schema: z.string().optional(),
    /** CEL predicate over the aggregates: true emits an alert for the entity's window. */
    triage: z
      .object({
        when: cel('bool'),
        severity: z.enum(['low', 'medium', 'high', 'critical']).default('medium'),
        message: z.string().optional(),
      })
      .strict()
      .optional(),
    /** How long stored profile values are kept (event time, relative to the newest window). */
    ttl: DurationSchema.default(7 * 86_400_000),
  })
  .strict()
  .superRefine((p, ctx) => {
    for (const name of Object.keys(p.aggregations)) {
      if (CEL_RESERVED.has(name))
        ctx.addIssue({ code: 'custom', path: ['aggregations', name], message: `"${name}" is reserved` });
    }
    if (p.schema !== undefined) {
      const schema = BUILTIN_FEATURE_SCHEMAS[p.schema];
      if (schema === undefined) {
        ctx.addIssue({ code: 'custom', path: ['schema'], message: `unknown feature schema ${p.schema}` });
        return;
      }
      try {
        assertFeatureSchema(schema, { ...schema, features: featureNames(p) });
      } catch (error) {
        ctx.addIssue({ code: 'custom', path: ['features'], message: (error as Error).message });
      }
    }
  });

export type ProfileDef = z.input<typeof ProfileSchema>;
export type Profile = z.output<typeof ProfileSchema>;

export const ProfilesConfigSchema = z
  .object({
    /** How far behind its partition's newest event an event may be and still count. */
    allowedLateness: DurationSchema.default(60_000),
    /** Built-in profile sets to include: `network` (per source IP and per source→destination pair). */
    builtin: z.array(z.enum(['network'])).default([]),
    /** Window size of the built-in profiles. */
    builtinWindow: DurationSchema.default(300_000),
    profiles: z.array(ProfileSchema).default([]),
  })
  .strict()
  .transform((c, ctx) => {
    const profiles = [...c.profiles];
    if (c.builtin.includes('network')) {
      for (const def of networkProfiles(c.builtinWindow)) profiles.push(ProfileSchema.parse(def));
    }
    const seen = new Set<string>();
    profiles.forEach((p, i) => {
      if (seen.has(p.name))
        ctx.addIssue({
          code: 'custom',
          path: ['profiles', i, 'name'],
          message: `duplicate profile ${p.name}`,
        });
      seen.add(p.name);
    });
    return { allowedLateness: c.allowedLateness, profiles };
  });

export type ProfilesConfig = z.output<typeof ProfilesConfigSchema>;

export function parseProfilesConfig(text: string, source = '<profiles>'): ProfilesConfig {
  return parseConfig(text, ProfilesConfigSchema, source);
}

/** Loads a profiles file; throws ConfigError (file:line: field: message) when it is invalid. */
export function loadProfilesConfig(path: string): ProfilesConfig {
  return loadConfigFile(path, ProfilesConfigSchema);
}

export type { ConfigError };

function featureNames(p: Profile): string[] {
  if (p.features !== undefined) return Object.keys(p.features);
  return Object.entries(p.aggregations)
    .filter(([, spec]) => NUMERIC_OPS.has(spec.op))
    .map(([name]) => name);
}

export interface CompiledAggregation {
  readonly name: string;
  readonly spec: AggregationSpec;
  readonly agg: Aggregation;
  /** The result of an aggregation that saw no input (its state is created lazily). */
  readonly empty: AggregateValue;
  /** Index of the `of` expression in the profile set's expression table (-1: the event itself). */
  readonly of: number;
  /** Index of the `where` expression (-1: none). */
  readonly where: number;
  /**
   * Index of the aggregation whose state this one reads (itself unless an earlier one keeps the
   * same state: mean/variance/stddev of one input share moments, quantiles of one input share a
   * sketch, inter-arrival stats of one input share the event times), as arquero's ops share state.
   */
  readonly stateOf: number;
}

/** Aggregations with equal keys keep identical states, so only the first one is updated. */
function sharedStateKey(spec: AggregationSpec): string {
  const { op, ...rest } = spec as AggregationSpec & Record<string, unknown>;
  if (op === 'mean' || op === 'variance' || op === 'stddev') return canonicalJson({ ...rest, op: 'moments' });
  if (op === 'quantile') return canonicalJson({ ...rest, q: undefined, op });
  if (op === 'interarrival') return canonicalJson({ ...rest, stat: undefined, op });
  return canonicalJson(spec);
}

export interface CompiledProfile {
  readonly name: string;
  readonly profile: Profile;
  /** Hash of the definition: state is kept across a reload only when it is unchanged. */
  readonly fingerprint: string;
  readonly sizeMs: number;
  readonly advanceMs: number;
  readonly ttlMs: number;
  readonly foreach: number;
  readonly onlyif: number;
  readonly aggregations: CompiledAggregation[];
  readonly result?: EventExpression;
  readonly features: { name: string; expr?: EventExpression; aggregate: number }[];
  readonly featureSchema: FeatureSchema;
  readonly triage?: { when: EventExpression; severity: string; message?: string };
}

/** A compiled profile set: the profiles and one table of the event expressions they share. */
export interface CompiledProfiles {
  readonly allowedLatenessMs: number;
  readonly profiles: CompiledProfile[];
  readonly expressions: EventExpression[];
}

export function compileProfiles(config: ProfilesConfig): CompiledProfiles {
  const expressions: EventExpression[] = [];
  const index = new Map<string, number>();
  const intern = (source: string | undefined, expect: ExpectedType = 'any'): number => {
    if (source === undefined) return -1;
    const key = `${expect}\u0000${source}`;
    let i = index.get(key);
    if (i === undefined) {
      i = expressions.length;
      expressions.push(compileEventExpression(source, expect));
      index.set(key, i);
    }
    return i;
  };
  const profiles = config.profiles.map((p): CompiledProfile => {
    const fingerprint = createHash('sha256').update(canonicalJson(p)).digest('hex').slice(0, 16);
    const owners = new Map<string, number>();
    const aggregations = Object.entries(p.aggregations).map(([name, spec], index) => {
      const agg = createAggregation(spec);
      const key = sharedStateKey(spec);
      const owner = owners.get(key);
      if (owner === undefined) owners.set(key, index);
      return {
        name,
        spec,
        agg,
        empty: agg.result(agg.init()),
        of: intern((spec as { of?: string }).of),
        where: intern(spec.where, 'bool'),
        stateOf: owner ?? index,
      };
    });
    const names = featureNames(p);
    const features = names.map((name) => ({
      name,
      expr: p.features?.[name] === undefined ? undefined : compileEventExpression(p.features[name] as string),
      aggregate: p.features === undefined ? aggregations.findIndex((a) => a.name === name) : -1,
    }));
    const featureSchema =
      p.schema !== undefined
        ? (BUILTIN_FEATURE_SCHEMAS[p.schema] as FeatureSchema)
        : derivedFeatureSchema(`profile.${p.name}`, names, canonicalJson(p));
    return {
      name: p.name,
      profile: p,
      fingerprint,
      sizeMs: p.window.size,
      advanceMs: p.window.advance ?? p.window.size,
      ttlMs: p.ttl,
      foreach: intern(p.foreach),
      onlyif: intern(p.onlyif, 'bool'),
      aggregations,
      result: p.result === undefined ? undefined : compileEventExpression(p.result),
      features,
      featureSchema,
      triage:
        p.triage === undefined
          ? undefined
          : {
              when: compileEventExpression(p.triage.when, 'bool'),
              severity: p.triage.severity,
              message: p.triage.message,
            },
    };
  });
  return { allowedLatenessMs: config.allowedLateness, profiles, expressions };
}
