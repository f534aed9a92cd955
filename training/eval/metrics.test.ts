import { describe, expect, it } from 'vitest';
import { chooseThreshold, evaluate } from './evaluate.ts';
import {
  alertsPerDay,
  atThreshold,
  auroc,
  nextUp,
  prAuc,
  precisionAtK,
  scoreDistribution,
  severity,
  thresholdForAlertBudget,
  thresholdForFpr,
} from './metrics.ts';

describe('ranking metrics', () => {
  it('AUROC is 1 for a perfect ranking, 0 for a reversed one, 0.5 for all ties', () => {
    expect(auroc([0.1, 0.2, 0.8, 0.9], [0, 0, 1, 1])).toBe(1);
    expect(auroc([0.9, 0.8, 0.2, 0.1], [0, 0, 1, 1])).toBe(0);
    expect(auroc([0.5, 0.5, 0.5, 0.5], [0, 1, 0, 1])).toBe(0.5);
  });

  it('AUROC equals the fraction of correctly ordered positive/negative pairs', () => {
    const s = [0.1, 0.4, 0.35, 0.8, 0.4, 0.2];
    const y = [0, 0, 1, 1, 1, 0];
    let good = 0;
    let pairs = 0;
    for (let i = 0; i < s.length; i++)
      for (let j = 0; j < s.length; j++)
        if (y[i] === 1 && y[j] === 0) {
          pairs++;
          good += s[i]! > s[j]! ? 1 : s[i] === s[j] ? 0.5 : 0;
        }
    expect(auroc(s, y)).toBeCloseTo(good / pairs, 12);
  });

  it('average precision matches a hand computation (sklearn convention)', () => {
    // ranking: 0.9(1) 0.8(0) 0.7(1) 0.1(0): AP = 0.5*1 + 0.5*(2/3)
    expect(prAuc([0.9, 0.8, 0.7, 0.1], [1, 0, 1, 0])).toBeCloseTo(0.5 + 1 / 3, 12);
  });

  it('precision@k counts malicious rows among the top k', () => {
    expect(precisionAtK([0.9, 0.8, 0.7, 0.1], [1, 0, 1, 0], 2)).toBe(0.5);
    expect(precisionAtK([0.9, 0.8, 0.7, 0.1], [1, 0, 1, 0], 1)).toBe(1);
  });
});

describe('thresholds', () => {
  it('confusion matrix and rates at a threshold', () => {
    const m = atThreshold([0.9, 0.8, 0.7, 0.1], [1, 0, 1, 0], 0.75);
    expect(m.confusion).toEqual({ tp: 1, fp: 1, tn: 1, fn: 1 });
    expect(m.precision).toBe(0.5);
    expect(m.recall).toBe(0.5);
    expect(m.f1).toBe(0.5);
    expect(m.fpr).toBe(0.5);
  });

  it('the FPR threshold keeps false positives within the target, and is the lowest such', () => {
    const neg = Array.from({ length: 100 }, (_, i) => i / 100);
    const labels = new Array(100).fill(0);
    const t = thresholdForFpr(neg, labels, 0.05);
    expect(atThreshold(neg, labels, t).fpr).toBeLessThanOrEqual(0.05);
    expect(atThreshold(neg, labels, t).confusion.fp).toBe(5);
    // one notch lower lets in a sixth false positive
    expect(atThreshold(neg, labels, 0.94).confusion.fp).toBe(6);
    expect(t).toBe(nextUp(0.94));
  });

  it('the alert-budget threshold keeps alerts per day within budget', () => {
    const scores = Array.from({ length: 1000 }, (_, i) => (i * 7919) % 1000);
    const t = thresholdForAlertBudget(scores, 10, 3); // 10 days, 3 alerts/day → 30 alerts
    expect(alertsPerDay(scores, t, 10)).toBe(3);
    expect(chooseThreshold({ kind: 'alerts-per-day', budget: 3 }, scores, undefined, 10)).toBe(t);
  });
});

describe('score distribution and severity', () => {
  it('percentiles and severity are monotone and span 0–100', () => {
    const scores = Array.from({ length: 1001 }, (_, i) => i / 1000);
    const d = scoreDistribution(scores);
    expect(d.percentiles[0]).toBe(0);
    expect(d.percentiles[50]).toBeCloseTo(0.5, 12);
    expect(d.percentiles[100]).toBe(1);
    expect(severity(-1, d)).toBe(0);
    expect(severity(2, d)).toBe(100);
    expect(severity(0.25, d)).toBeCloseTo(25, 6);
    expect(severity(0.9, d)).toBeGreaterThan(severity(0.8, d));
  });

  it('evaluate bundles the metrics and alerts/day over the timestamps span', () => {
    const day = 86_400_000;
    const r = evaluate([0.9, 0.8, 0.7, 0.1], [1, 0, 1, 0], {
      threshold: 0.75,
      timestamps: [0, day, 2 * day, 4 * day],
    });
    expect(r.days).toBe(4);
    expect(r.alertsPerDay).toBe(0.5);
    expect(r.auroc).toBe(0.75);
    expect(r.precisionAtK).toEqual({}); // k=10 exceeds the 4 rows
  });
});
