// Severity: where a raw score falls in the model's score distribution on its training/eval data,
// as 0–100 (the interpolated empirical CDF). A score above everything seen scores 100.
import type { ScoreDistribution, Threshold } from '../../models/registry.ts';

export type SeverityScale = (score: number) => number;

/** Default alert threshold when a model records none: the top 1% of its reference scores. */
export const DEFAULT_SEVERITY_THRESHOLD = 99;

export function severityScale(dist: ScoreDistribution | null): SeverityScale {
  if (!dist) {
    // No reference distribution: treat the score as a probability-like value in [0, 1].
    return (s) => round2(100 * Math.min(1, Math.max(0, s)));
  }
  const qs = dist.quantiles;
  const first = qs[0] as { q: number; value: number };
  const last = qs[qs.length - 1] as { q: number; value: number };
  return (s) => {
    if (Number.isNaN(s)) return Number.NaN;
    if (s < first.value) return 0;
    if (s >= last.value) return round2(100 * (s > last.value ? 1 : last.q));
    // Binary search for the segment [lo, hi] holding s; ties (flat runs) take the highest q.
    let lo = 0;
    let hi = qs.length - 1;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if ((qs[mid] as { value: number }).value <= s) lo = mid;
      else hi = mid;
    }
    const a = qs[lo] as { q: number; value: number };
    const b = qs[hi] as { q: number; value: number };
    const t = b.value === a.value ? 1 : (s - a.value) / (b.value - a.value);
    return round2(100 * (a.q + t * (b.q - a.q)));
  };
}

/** The severity at or over which a score becomes an alert. */
export function severityThreshold(
  threshold: Threshold,
  scale: SeverityScale,
  fallback = DEFAULT_SEVERITY_THRESHOLD,
): number {
  if (threshold.severity !== undefined) return threshold.severity;
  if (threshold.score !== undefined) return scale(threshold.score);
  return fallback;
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
