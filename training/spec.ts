// The training spec: a YAML document that says what to read, which columns are features and label,
// how to split, which model family with which hyperparameters, and the seed. Validated with zod
// through kernel/config.ts so a mistake is reported as file:line: field.
import path from 'node:path';
import { z } from 'zod';
import type { EventLog } from '../ingest/log/types.ts';
import { loadConfigFile, parseConfig } from '../kernel/config.ts';
import { FeatureSpecSchema } from './data/encode.ts';
import { SourceSpecSchema } from './data/source.ts';
import { ThresholdPolicySchema } from './eval/evaluate.ts';
import { AutoencoderParamsSchema } from './families/autoencoder.ts';
import { GradientBoostingParamsSchema } from './families/gradient-boosting.ts';
import { IsolationForestParamsSchema } from './families/isolation-forest.ts';
import { MlpParamsSchema } from './families/mlp.ts';

export const ModelSpecSchema = z.discriminatedUnion('family', [
  z.object({ family: z.literal('isolation-forest'), params: IsolationForestParamsSchema.prefault({}) }),
  z.object({ family: z.literal('autoencoder'), params: AutoencoderParamsSchema.prefault({}) }),
  z.object({ family: z.literal('mlp'), params: MlpParamsSchema.prefault({}) }),
  z.object({ family: z.literal('gradient-boosting'), params: GradientBoostingParamsSchema.prefault({}) }),
]);

export const LabelSpecSchema = z
  .object({
    column: z.string().min(1),
    /** Values meaning malicious; or give `negative` (values meaning benign, everything else malicious). */
    positive: z.array(z.string()).optional(),
    negative: z.array(z.string()).optional(),
  })
  .refine((l) => (l.positive === undefined) !== (l.negative === undefined), {
    message: 'give exactly one of positive or negative',
  });
export type LabelSpec = z.output<typeof LabelSpecSchema>;

export const SplitSpecSchema = z.discriminatedUnion('kind', [
  /** The last testFraction of rows by the timestamp column (the default when there is one). */
  z.object({ kind: z.literal('time'), testFraction: z.number().gt(0).lt(1).default(0.2) }),
  /** The last testFraction of rows in file order (for sources already in time order). */
  z.object({ kind: z.literal('ordered'), testFraction: z.number().gt(0).lt(1).default(0.2) }),
  /** A seeded random split, for data with no time order (e.g. domain lists). */
  z.object({ kind: z.literal('random'), testFraction: z.number().gt(0).lt(1).default(0.2) }),
  /** Train on `source`, test on `test` (e.g. KDDTrain+ → KDDTest+). */
  z.object({ kind: z.literal('source'), test: SourceSpecSchema }),
]);

export const TrainingSpecSchema = z
  .object({
    name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, 'letters, digits, . _ - (max 128)'),
    description: z.string().default(''),
    source: SourceSpecSchema,
    features: FeatureSpecSchema,
    label: LabelSpecSchema.optional(),
    /** Column with event time (ISO-8601 or epoch ms): time-ordered split and alerts/day. */
    timestamp: z.string().optional(),
    split: SplitSpecSchema.optional(),
    /** Share of the training part held out (its latest rows) to choose the threshold. */
    validationFraction: z.number().min(0).lt(1).default(0.1),
    /** Anomaly detectors usually learn from benign rows only. */
    trainOn: z.enum(['all', 'negatives']).default('all'),
    model: ModelSpecSchema,
    /** Clip standardized values to ±clip (keeps outliers from dominating; baked into ONNX). */
    clip: z.number().positive().optional(),
    threshold: ThresholdPolicySchema.optional(),
    /** For alerts/day when there is no timestamp column: how many days the test rows represent. */
    testDays: z.number().positive().optional(),
    featureSchema: z.object({ name: z.string().min(1), version: z.number().int().nonnegative() }).optional(),
    seed: z.number().int().default(42),
  })
  .refine((s) => s.trainOn === 'all' || s.label !== undefined, {
    message: 'trainOn: negatives needs a label',
    path: ['trainOn'],
  });
export type TrainingSpec = z.output<typeof TrainingSpecSchema>;
export type TrainingSpecInput = z.input<typeof TrainingSpecSchema>;

export interface LoadedSpec {
  spec: TrainingSpec;
  /** Directory relative source paths resolve against. */
  baseDir: string;
  file?: string;
  /** The log that `topic` sources read (set by the caller that opened it, e.g. `vigil train`). */
  log?: EventLog;
}

/** Whether the spec reads a topic of the log (its source or its test source). */
export function readsLog(spec: TrainingSpec): boolean {
  return (
    spec.source.topic !== undefined || (spec.split?.kind === 'source' && spec.split.test.topic !== undefined)
  );
}

export function loadTrainingSpec(file: string): LoadedSpec {
  return { spec: loadConfigFile(file, TrainingSpecSchema), baseDir: path.dirname(path.resolve(file)), file };
}

export function parseTrainingSpec(text: string, baseDir: string, source = '<spec>'): LoadedSpec {
  return { spec: parseConfig(text, TrainingSpecSchema, source), baseDir };
}

/** Validates an in-memory spec (e.g. a committed spec with test overrides applied). */
export function trainingSpec(input: TrainingSpecInput): TrainingSpec {
  return TrainingSpecSchema.parse(input);
}
