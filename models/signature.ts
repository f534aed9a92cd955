// Model signatures: what a model reads (named, typed, ordered features of one feature-schema version)
// and what its output means. The registry refuses a model whose inputs disagree with the feature
// schema it claims, naming the features that disagree, so a scorer never feeds a model the wrong column.
import { z } from 'zod';

export const FEATURE_TYPES = ['float32', 'int', 'bool'] as const;
export type FeatureType = (typeof FEATURE_TYPES)[number];

export const FeatureSpecSchema = z.object({
  name: z.string().min(1),
  type: z.enum(FEATURE_TYPES).default('float32'),
});
export type FeatureSpec = z.output<typeof FeatureSpecSchema>;

/** A versioned, ordered set of features (the profiler's built-in set, NSL-KDD columns, ...). */
export const FeatureSchemaSchema = z.object({
  name: z.string().min(1),
  version: z.number().int().nonnegative(),
  features: z
    .array(
      z.union([
        z
          .string()
          .min(1)
          .transform((name) => ({ name, type: 'float32' as const })),
        FeatureSpecSchema,
      ]),
    )
    .min(1),
});
export type FeatureSchema = { name: string; version: number; features: FeatureSpec[] };
/** What callers may pass: feature names alone mean float32 features. */
export type FeatureSchemaInput = z.input<typeof FeatureSchemaSchema>;

export const MODEL_FORMATS = ['onnx', 'tfjs-layers', 'tfjs-graph'] as const;
export type ModelFormat = (typeof MODEL_FORMATS)[number];

const AnomalyOutputSchema = z.object({
  kind: z.literal('anomaly_score'),
  /** Output tensor to read; the model's first output when absent. */
  tensor: z.string().optional(),
  /** False when lower raw scores are more anomalous (the scorer flips the sign). */
  higherIsAnomalous: z.boolean().default(true),
});
const ClassOutputSchema = z
  .object({
    kind: z.literal('class_probabilities'),
    tensor: z.string().optional(),
    classes: z.array(z.string().min(1)).min(2),
    maliciousClass: z.string().min(1),
  })
  .refine((o) => o.classes.includes(o.maliciousClass), {
    message: 'maliciousClass must be one of classes',
    path: ['maliciousClass'],
  });

export const ModelSignatureSchema = z.object({
  format: z.enum(MODEL_FORMATS),
  inputs: z.object({
    featureSchema: z.object({ name: z.string().min(1), version: z.number().int().nonnegative() }),
    features: z.array(FeatureSpecSchema).min(1),
    /** Input tensor name; the model's first input when absent. */
    tensor: z.string().optional(),
  }),
  output: z.union([AnomalyOutputSchema, ClassOutputSchema]),
});
export type ModelSignature = z.output<typeof ModelSignatureSchema>;
export type ModelSignatureInput = z.input<typeof ModelSignatureSchema>;

export class SignatureError extends Error {
  constructor(
    message: string,
    /** Feature names involved (missing, unexpected, reordered or retyped). */
    readonly features: string[] = [],
  ) {
    super(message);
    this.name = 'SignatureError';
  }
}

export function parseSignature(input: unknown): ModelSignature {
  const result = ModelSignatureSchema.safeParse(input);
  if (!result.success) {
    const detail = result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new SignatureError(`invalid model signature: ${detail}`);
  }
  const seen = new Set<string>();
  const dupes = result.data.inputs.features.map((f) => f.name).filter((n) => seen.has(n) || !seen.add(n));
  if (dupes.length > 0) throw new SignatureError(`duplicate input features: ${dupes.join(', ')}`, dupes);
  return result.data;
}

export function parseFeatureSchema(input: unknown): FeatureSchema {
  const result = FeatureSchemaSchema.safeParse(input);
  if (!result.success) {
    const detail = result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new SignatureError(`invalid feature schema: ${detail}`);
  }
  return result.data as FeatureSchema;
}

/**
 * Checks that a signature reads exactly the features of its feature schema, in the schema's order and
 * with the schema's types. Throws SignatureError naming every feature that disagrees.
 */
export function checkSignature(signature: ModelSignature, schema: FeatureSchema): void {
  const ref = signature.inputs.featureSchema;
  if (ref.name !== schema.name || ref.version !== schema.version) {
    throw new SignatureError(
      `signature is for feature schema ${ref.name}@${ref.version}, checked against ${schema.name}@${schema.version}`,
    );
  }
  const want = schema.features;
  const got = signature.inputs.features;
  const wantNames = new Set(want.map((f) => f.name));
  const gotNames = new Set(got.map((f) => f.name));
  const missing = want.filter((f) => !gotNames.has(f.name)).map((f) => f.name);
  const unexpected = got.filter((f) => !wantNames.has(f.name)).map((f) => f.name);
  const wantType = new Map(want.map((f) => [f.name, f.type]));
  const retyped = got
    .filter((f) => wantType.has(f.name) && wantType.get(f.name) !== f.type)
    .map((f) => `${f.name} (${f.type}, schema says ${wantType.get(f.name)})`);
  const problems: string[] = [];
  if (missing.length) problems.push(`missing features: ${missing.join(', ')}`);
  if (unexpected.length) problems.push(`features not in the schema: ${unexpected.join(', ')}`);
  if (retyped.length) problems.push(`type mismatch: ${retyped.join(', ')}`);
  if (problems.length === 0) {
    const moved = got
      .filter((f, i) => want[i]?.name !== f.name)
      .map(
        (f) =>
          `${f.name} (at ${got.indexOf(f)}, schema has it at ${want.findIndex((w) => w.name === f.name)})`,
      );
    if (moved.length) problems.push(`features out of order: ${moved.join(', ')}`);
  }
  if (problems.length > 0) {
    const named = [...missing, ...unexpected, ...retyped.map((r) => r.split(' ')[0] ?? r)];
    throw new SignatureError(
      `signature does not match feature schema ${schema.name}@${schema.version}: ${problems.join('; ')}`,
      named.length ? named : got.map((f) => f.name),
    );
  }
}

/** The result of turning one feature record into a model input row. */
export interface VectorizeResult {
  /** Names of features that were absent, non-numeric or not finite. */
  invalid: string[];
}

/**
 * Writes one record's features into `out` at `offset`, in signature order. Booleans become 0/1.
 * Missing, non-numeric, NaN and infinite values are reported, never silently zero-filled.
 */
export function vectorizeInto(
  features: Record<string, unknown>,
  signature: ModelSignature,
  out: Float32Array,
  offset: number,
): VectorizeResult {
  let invalid: string[] | undefined;
  const specs = signature.inputs.features;
  for (let i = 0; i < specs.length; i++) {
    const spec = specs[i] as FeatureSpec;
    const raw = features[spec.name];
    const value = typeof raw === 'boolean' ? (raw ? 1 : 0) : raw;
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      if (invalid === undefined) invalid = [];
      invalid.push(spec.name);
      out[offset + i] = 0;
    } else {
      out[offset + i] = value;
    }
  }
  return { invalid: invalid ?? NONE };
}

const NONE: string[] = [];

export function featureNames(signature: ModelSignature): string[] {
  return signature.inputs.features.map((f) => f.name);
}

/** Builds a signature whose inputs are exactly a feature schema's features (the common case). */
export function signatureForSchema(
  schema: FeatureSchemaInput | { name: string; version: number; features: readonly string[] },
  format: ModelFormat,
  output: ModelSignatureInput['output'],
  tensor?: string,
): ModelSignature {
  const fs = parseFeatureSchema({ ...schema, features: [...schema.features] });
  return parseSignature({
    format,
    inputs: { featureSchema: { name: fs.name, version: fs.version }, features: fs.features, tensor },
    output,
  });
}
