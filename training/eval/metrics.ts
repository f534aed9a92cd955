// Evaluation metrics for scored, labeled rows (label 1 = malicious, higher score = more suspicious).
// Pure functions over arrays so the trainer, `vigil eval` and backtests compute the same figures.

export interface Confusion {
  tp: number;
  fp: number;
  tn: number;
  fn: number;
}

export interface ThresholdMetrics {
  threshold: number;
  confusion: Confusion;
  precision: number;
  recall: number;
  f1: number;
  accuracy: number;
  fpr: number;
}

/** Indices sorted by score, highest first (stable, so ties keep input order). */
function byScoreDesc(scores: ArrayLike<number>): number[] {
  const idx = Array.from({ length: scores.length }, (_, i) => i);
  return idx.sort((a, b) => scores[b]! - scores[a]! || a - b);
}

/** Area under the ROC curve via the rank statistic (Mann–Whitney U) with average ranks for ties. */
export function auroc(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  const n = scores.length;
  const idx = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a]! - scores[b]!);
  let pos = 0;
  let rankSumPos = 0;
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && scores[idx[j + 1]!] === scores[idx[i]!]) j++;
    const avgRank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) {
      if (labels[idx[k]!] === 1) {
        pos++;
        rankSumPos += avgRank;
      }
    }
    i = j + 1;
  }
  const neg = n - pos;
  if (pos === 0 || neg === 0) return Number.NaN;
  return (rankSumPos - (pos * (pos + 1)) / 2) / (pos * neg);
}

/** Average precision (area under the precision–recall curve, step-wise as sklearn computes it). */
export function prAuc(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  const idx = byScoreDesc(scores);
  let totalPos = 0;
  for (let i = 0; i < labels.length; i++) if (labels[i] === 1) totalPos++;
  if (totalPos === 0) return Number.NaN;
  let tp = 0;
  let fp = 0;
  let ap = 0;
  let prevRecall = 0;
  for (let i = 0; i < idx.length; ) {
    let j = i;
    // a group of tied scores is one threshold
    while (j < idx.length && scores[idx[j]!] === scores[idx[i]!]) {
      if (labels[idx[j]!] === 1) tp++;
      else fp++;
      j++;
    }
    const recall = tp / totalPos;
    ap += (recall - prevRecall) * (tp / (tp + fp));
    prevRecall = recall;
    i = j;
  }
  return ap;
}

/** Confusion matrix and derived rates when rows with score >= threshold are flagged. */
export function atThreshold(
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
  threshold: number,
): ThresholdMetrics {
  const c: Confusion = { tp: 0, fp: 0, tn: 0, fn: 0 };
  for (let i = 0; i < scores.length; i++) {
    const flagged = scores[i]! >= threshold;
    if (labels[i] === 1) flagged ? c.tp++ : c.fn++;
    else flagged ? c.fp++ : c.tn++;
  }
  const precision = c.tp + c.fp === 0 ? 0 : c.tp / (c.tp + c.fp);
  const recall = c.tp + c.fn === 0 ? 0 : c.tp / (c.tp + c.fn);
  return {
    threshold,
    confusion: c,
    precision,
    recall,
    f1: precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall),
    accuracy: (c.tp + c.tn) / Math.max(1, scores.length),
    fpr: c.fp + c.tn === 0 ? 0 : c.fp / (c.fp + c.tn),
  };
}

/** Fraction of malicious rows among the k highest scores. */
export function precisionAtK(scores: ArrayLike<number>, labels: ArrayLike<number>, k: number): number {
  const idx = byScoreDesc(scores).slice(0, k);
  if (idx.length === 0) return Number.NaN;
  return idx.filter((i) => labels[i] === 1).length / idx.length;
}

/** The smallest float64 strictly greater than v. */
export function nextUp(v: number): number {
  if (Number.isNaN(v) || v === Number.POSITIVE_INFINITY) return v;
  if (v === 0) return Number.MIN_VALUE;
  const buf = new DataView(new ArrayBuffer(8));
  buf.setFloat64(0, v);
  const bits = buf.getBigInt64(0);
  buf.setBigInt64(0, v > 0 ? bits + 1n : bits - 1n);
  return buf.getFloat64(0);
}

/** Threshold allowing at most `count` of `values` to be >= it: just above the count-th largest. */
function thresholdAllowing(values: number[], count: number): number {
  const desc = values.slice().sort((a, b) => b - a);
  if (count >= desc.length) return desc.length === 0 ? 0 : desc[desc.length - 1]!;
  return nextUp(desc[Math.max(0, count)]!);
}

/** The lowest threshold whose false-positive rate on the negatives is <= targetFpr. */
export function thresholdForFpr(
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
  targetFpr: number,
): number {
  const neg: number[] = [];
  for (let i = 0; i < scores.length; i++) if (labels[i] !== 1) neg.push(scores[i]!);
  return thresholdAllowing(neg, Math.floor(targetFpr * neg.length));
}

const DAY_MS = 86_400_000;

/** Days covered by the timestamps (epoch ms), at least one. */
export function spanDays(timestamps: ArrayLike<number>): number {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < timestamps.length; i++) {
    lo = Math.min(lo, timestamps[i]!);
    hi = Math.max(hi, timestamps[i]!);
  }
  return timestamps.length === 0 ? 1 : Math.max(1, (hi - lo) / DAY_MS);
}

/** The lowest threshold that keeps alerts within `alertsPerDay` over the span of the rows. */
export function thresholdForAlertBudget(
  scores: ArrayLike<number>,
  days: number,
  alertsPerDay: number,
): number {
  return thresholdAllowing(Array.from(scores), Math.floor(alertsPerDay * days));
}

export function alertsPerDay(scores: ArrayLike<number>, threshold: number, days: number): number {
  let n = 0;
  for (let i = 0; i < scores.length; i++) if (scores[i]! >= threshold) n++;
  return n / days;
}

/** Score distribution for severity normalization: 101 percentiles (p0..p100) plus moments. */
export interface ScoreDistribution {
  count: number;
  min: number;
  max: number;
  mean: number;
  std: number;
  /** percentiles[q] is the q-th percentile, q = 0..100, linear interpolation between order statistics. */
  percentiles: number[];
}

export function quantile(sortedAsc: ArrayLike<number>, q: number): number {
  const n = sortedAsc.length;
  if (n === 0) return Number.NaN;
  const pos = q * (n - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(n - 1, lo + 1);
  return sortedAsc[lo]! + (sortedAsc[hi]! - sortedAsc[lo]!) * (pos - lo);
}

export function scoreDistribution(scores: ArrayLike<number>): ScoreDistribution {
  const sorted = Float64Array.from(scores).sort();
  let sum = 0;
  for (const s of sorted) sum += s;
  const mean = sum / Math.max(1, sorted.length);
  let ss = 0;
  for (const s of sorted) ss += (s - mean) ** 2;
  return {
    count: sorted.length,
    min: sorted[0] ?? Number.NaN,
    max: sorted[sorted.length - 1] ?? Number.NaN,
    mean,
    std: Math.sqrt(ss / Math.max(1, sorted.length)),
    percentiles: Array.from({ length: 101 }, (_, q) => quantile(sorted, q / 100)),
  };
}

/** A 0–100 severity: the score's percentile rank within the reference distribution (interpolated). */
export function severity(score: number, dist: ScoreDistribution): number {
  const p = dist.percentiles;
  if (Number.isNaN(score)) return Number.NaN;
  if (score <= p[0]!) return 0;
  if (score >= p[100]!) return 100;
  let lo = 0;
  let hi = 100;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (p[mid]! <= score) lo = mid;
    else hi = mid;
  }
  const span = p[hi]! - p[lo]!;
  return lo + (span > 0 ? (score - p[lo]!) / span : 0);
}
