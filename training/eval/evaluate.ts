// One evaluation report for a scored test set: ranking metrics, metrics at the chosen threshold,
// alert volume, and the score distribution that severity normalization uses.
import { z } from 'zod';
import {
  alertsPerDay,
  atThreshold,
  auroc,
  prAuc,
  precisionAtK,
  type ScoreDistribution,
  scoreDistribution,
  spanDays,
  type ThresholdMetrics,
  thresholdForAlertBudget,
  thresholdForFpr,
} from './metrics.ts';

export const ThresholdPolicySchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('fixed'), value: z.number() }),
  z.object({ kind: z.literal('fpr'), target: z.number().min(0).max(1) }),
  z.object({ kind: z.literal('alerts-per-day'), budget: z.number().positive() }),
]);
export type ThresholdPolicy = z.infer<typeof ThresholdPolicySchema>;

/** Chooses a threshold from calibration rows (validation data, never the test set). */
export function chooseThreshold(
  policy: ThresholdPolicy,
  scores: ArrayLike<number>,
  labels: ArrayLike<number> | undefined,
  days: number,
): number {
  switch (policy.kind) {
    case 'fixed':
      return policy.value;
    case 'fpr':
      if (!labels) throw new Error('a target-FPR threshold needs labeled calibration rows');
      return thresholdForFpr(scores, labels, policy.target);
    case 'alerts-per-day':
      return thresholdForAlertBudget(scores, days, policy.budget);
  }
}

export interface EvaluationReport {
  rows: number;
  positives: number;
  auroc: number;
  prAuc: number;
  atThreshold: ThresholdMetrics;
  precisionAtK: Record<string, number>;
  days: number;
  alertsPerDay: number;
  scoreDistribution: ScoreDistribution;
}

export function evaluate(
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
  opts: { threshold: number; timestamps?: ArrayLike<number>; days?: number; ks?: number[] },
): EvaluationReport {
  const days = opts.timestamps ? spanDays(opts.timestamps) : (opts.days ?? 1);
  let positives = 0;
  for (let i = 0; i < labels.length; i++) if (labels[i] === 1) positives++;
  const ks = opts.ks ?? [10, 100, 1000];
  return {
    rows: scores.length,
    positives,
    auroc: auroc(scores, labels),
    prAuc: prAuc(scores, labels),
    atThreshold: atThreshold(scores, labels, opts.threshold),
    precisionAtK: Object.fromEntries(
      ks.filter((k) => k <= scores.length).map((k) => [String(k), precisionAtK(scores, labels, k)]),
    ),
    days,
    alertsPerDay: alertsPerDay(scores, opts.threshold, days),
    scoreDistribution: scoreDistribution(scores),
  };
}
