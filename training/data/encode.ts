// Turns loaded columns into the model's input matrix: numeric columns as they are, categorical
// columns one-hot over the training vocabulary (found with arquero; unseen values encode as all
// zeros), and character n-gram features for a text column. The encoding is stored with the model.
import * as aq from 'arquero';
import { z } from 'zod';
import { type Matrix, matrix } from '../matrix.ts';
import {
  type TextFeatureSpec,
  TextFeatureSpecSchema,
  textFeatureCount,
  textFeatureNames,
  textFeaturesInto,
} from './text-features.ts';

export const FeatureSpecSchema = z
  .object({
    numeric: z.array(z.string().min(1)).default([]),
    categorical: z.array(z.string().min(1)).default([]),
    /** Numeric columns that get log1p before standardization (byte and packet counts). */
    log1p: z.array(z.string().min(1)).default([]),
    text: TextFeatureSpecSchema.optional(),
  })
  .refine((f) => f.numeric.length + f.categorical.length > 0 || f.text !== undefined, {
    message: 'at least one feature column is required',
  })
  .refine((f) => f.log1p.every((c) => f.numeric.includes(c)), {
    message: 'log1p columns must be numeric features',
  });
export type FeatureColumnsSpec = z.output<typeof FeatureSpecSchema>;

export type Columns = Record<string, unknown[]>;

export interface Encoding {
  numeric: string[];
  categorical: { column: string; values: string[] }[];
  text?: TextFeatureSpec;
  /** The model's input features, in order. */
  featureNames: string[];
  /** Per input feature: log1p before standardizing. */
  log1p: boolean[];
}

export function fitEncoding(columns: Columns, spec: FeatureColumnsSpec): Encoding {
  const categorical = spec.categorical.map((column) => {
    const values = aq
      .table({ v: (columns[column] ?? []).map((v) => String(v ?? '')) })
      .rollup({ values: aq.op.array_agg_distinct('v') })
      .get('values', 0) as string[];
    return { column, values: values.slice().sort() };
  });
  const featureNames = [
    ...spec.numeric,
    ...categorical.flatMap((c) => c.values.map((v) => `${c.column}=${v}`)),
    ...(spec.text ? textFeatureNames(spec.text) : []),
  ];
  const logSet = new Set(spec.log1p);
  const log1p = featureNames.map((n) => logSet.has(n));
  return { numeric: spec.numeric, categorical, text: spec.text, featureNames, log1p };
}

function toNumber(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (v === null || v === undefined || v === '') return Number.NaN;
  return Number(v);
}

/** Encodes rows [from, to) of the columns (all rows by default). Missing numerics become 0. */
export function encode(columns: Columns, enc: Encoding, rows?: ArrayLike<number>): Matrix {
  const n = rows ? rows.length : (Object.values(columns)[0]?.length ?? 0);
  const dim = enc.featureNames.length;
  const out = new Float32Array(n * dim);
  const numeric = enc.numeric.map((c) => columns[c] ?? []);
  const cats = enc.categorical.map((c) => ({
    values: columns[c.column] ?? [],
    index: new Map(c.values.map((v, i) => [v, i])),
    width: c.values.length,
  }));
  const text = enc.text ? (columns[enc.text.column] ?? []) : undefined;
  for (let k = 0; k < n; k++) {
    const r = rows ? rows[k]! : k;
    let o = k * dim;
    for (const col of numeric) {
      const v = toNumber(col[r]);
      out[o++] = Number.isFinite(v) ? v : 0;
    }
    for (const c of cats) {
      const i = c.index.get(String(c.values[r] ?? ''));
      if (i !== undefined) out[o + i] = 1;
      o += c.width;
    }
    if (text && enc.text) {
      textFeaturesInto(String(text[r] ?? ''), enc.text, out, o);
      o += textFeatureCount();
    }
  }
  return matrix(n, dim, out);
}

/**
 * Rebuilds an encoding from a model's input feature names (as a registry signature lists them) and
 * the spec's feature columns; throws when they don't describe the same layout.
 */
export function encodingFromFeatureNames(spec: FeatureColumnsSpec, featureNames: string[]): Encoding {
  const categorical = spec.categorical.map((column) => ({
    column,
    values: featureNames.filter((n) => n.startsWith(`${column}=`)).map((n) => n.slice(column.length + 1)),
  }));
  const names = [
    ...spec.numeric,
    ...categorical.flatMap((c) => c.values.map((v) => `${c.column}=${v}`)),
    ...(spec.text ? textFeatureNames(spec.text) : []),
  ];
  const mismatch = names.length !== featureNames.length || names.some((n, i) => n !== featureNames[i]);
  if (mismatch) {
    const missing = featureNames.filter((n) => !names.includes(n)).slice(0, 5);
    throw new Error(
      `the model's ${featureNames.length} input features don't match the spec's feature columns (${names.length})${missing.length ? `; e.g. ${missing.join(', ')}` : ''}`,
    );
  }
  const logSet = new Set(spec.log1p);
  return {
    numeric: spec.numeric,
    categorical,
    text: spec.text,
    featureNames,
    log1p: featureNames.map((n) => logSet.has(n)),
  };
}
