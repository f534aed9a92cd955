// Quantiles: DDSketch (relative-error guarantee, mergeable), with the key mapping of
// @datadog/sketches-js and a sparse store. The library's DenseStore grows and re-centres a
// few-hundred-bin array per sketch, which bench/profile.ts measured as the profiler's bottleneck with
// one sketch per entity-window (most of which see a handful of values); a Map of the keys actually
// hit gives the same quantiles. Bin counts are integers, so quantiles never depend on input order.
import { DDSketch } from '@datadog/sketches-js';
import type { AggregateValue, Aggregation, Json } from './types.ts';
import { toNumber } from './types.ts';

export interface QuantileState {
  pos: Map<number, number>;
  neg: Map<number, number>;
  zero: number;
  count: number;
  min: number;
  max: number;
}

/** Label of a quantile in a multi-quantile result: 0.5 → p50, 0.999 → p99.9. */
export function quantileLabel(q: number): string {
  return `p${Number((q * 100).toFixed(6))}`;
}

const sortedBins = (m: Map<number, number>): [number, number][] =>
  [...m.entries()].sort((a, b) => a[0] - b[0]);

export function quantile(q: number | number[] = 0.5, relativeAccuracy = 0.01): Aggregation<QuantileState> {
  const qs = Array.isArray(q) ? q : [q];
  for (const x of qs) if (!(x >= 0 && x <= 1)) throw new Error(`quantile ${x} is not within 0..1`);
  const mapping = new DDSketch({ relativeAccuracy }).mapping;
  const minPossible = mapping.minPossible;
  const init = (): QuantileState => ({
    pos: new Map(),
    neg: new Map(),
    zero: 0,
    count: 0,
    min: Infinity,
    max: -Infinity,
  });
  const bump = (m: Map<number, number>, k: number, c: number) => m.set(k, (m.get(k) ?? 0) + c);

  // As DDSketch.getValueAtQuantile: rank q·(n−1) over negative bins (descending), zeros, positive bins.
  const at = (s: QuantileState, x: number): number => {
    if (s.count === 0) return 0;
    const rank = x * (s.count - 1);
    let negCount = 0;
    for (const c of s.neg.values()) negCount += c;
    if (rank < negCount) {
      const reversed = negCount - rank - 1;
      let running = 0;
      const bins = sortedBins(s.neg);
      for (const [k, c] of bins) {
        running += c;
        if (running >= reversed + 1) return -mapping.value(k);
      }
      return -mapping.value((bins[bins.length - 1] as [number, number])[0]);
    }
    if (rank < s.zero + negCount) return 0;
    const r = rank - s.zero - negCount;
    let running = 0;
    const bins = sortedBins(s.pos);
    for (const [k, c] of bins) {
      running += c;
      if (running > r) return mapping.value(k);
    }
    return mapping.value((bins[bins.length - 1] as [number, number])[0]);
  };

  const decode = (j: Json): QuantileState => {
    const o = j as {
      z: number;
      pos: [number, number][];
      neg: [number, number][];
      min: number | null;
      max: number | null;
    };
    const s = init();
    for (const [k, c] of o.pos) s.pos.set(k, c);
    for (const [k, c] of o.neg) s.neg.set(k, c);
    s.zero = o.z;
    for (const c of s.pos.values()) s.count += c;
    for (const c of s.neg.values()) s.count += c;
    s.count += o.z;
    if (o.min !== null) s.min = o.min;
    if (o.max !== null) s.max = o.max;
    return s;
  };

  return {
    op: 'quantile',
    init,
    add(s, v) {
      const x = toNumber(v);
      if (x === undefined) return s;
      if (x > minPossible) bump(s.pos, mapping.key(x), 1);
      else if (x < -minPossible) bump(s.neg, mapping.key(-x), 1);
      else s.zero++;
      s.count++;
      if (x < s.min) s.min = x;
      if (x > s.max) s.max = x;
      return s;
    },
    merge(a, b) {
      const out = decode(JSON.parse(JSON.stringify(this.encode(a))) as Json);
      for (const [k, c] of b.pos) bump(out.pos, k, c);
      for (const [k, c] of b.neg) bump(out.neg, k, c);
      out.zero += b.zero;
      out.count += b.count;
      out.min = Math.min(out.min, b.min);
      out.max = Math.max(out.max, b.max);
      return out;
    },
    result(s): AggregateValue {
      if (!Array.isArray(q)) return at(s, q);
      const out: Record<string, number> = {};
      for (const x of qs) out[quantileLabel(x)] = at(s, x);
      return out;
    },
    encode: (s): Json => ({
      z: s.zero,
      pos: sortedBins(s.pos),
      neg: sortedBins(s.neg),
      min: s.count === 0 ? null : s.min,
      max: s.count === 0 ? null : s.max,
    }),
    decode,
  };
}
