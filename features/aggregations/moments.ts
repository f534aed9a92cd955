// count, sum, mean, variance, stddev: sums kept exactly (exact-sum.ts) so results do not depend on
// input order; all invertible, so each has `remove`.
import {
  addExact,
  decodeExact,
  type ExactSum,
  encodeExact,
  exactValue,
  mergeExact,
  newExactSum,
} from '../exact-sum.ts';
import { type Aggregation, type Json, toNumber } from './types.ts';

/** Counts events (no `of`) or non-null values of `of`. */
export function count(): Aggregation<number> {
  return {
    op: 'count',
    init: () => 0,
    add: (n, v) => (v === undefined || v === null ? n : n + 1),
    remove: (n, v) => (v === undefined || v === null ? n : n - 1),
    merge: (a, b) => a + b,
    result: (n) => n,
    encode: (n) => n,
    decode: (j) => Number(j),
  };
}

export function sum(): Aggregation<ExactSum> {
  return {
    op: 'sum',
    init: newExactSum,
    add(s, v) {
      const x = toNumber(v);
      if (x !== undefined) addExact(s, x);
      return s;
    },
    remove(s, v) {
      const x = toNumber(v);
      if (x !== undefined) addExact(s, -x);
      return s;
    },
    merge: mergeExact,
    result: exactValue,
    encode: encodeExact,
    decode: decodeExact,
  };
}

interface Moments {
  n: number;
  s1: ExactSum;
  s2: ExactSum;
}

function moments(op: string, result: (m: Moments) => number): Aggregation<Moments> {
  return {
    op,
    init: () => ({ n: 0, s1: newExactSum(), s2: newExactSum() }),
    add(m, v) {
      const x = toNumber(v);
      if (x === undefined) return m;
      m.n++;
      addExact(m.s1, x);
      addExact(m.s2, x * x);
      return m;
    },
    remove(m, v) {
      const x = toNumber(v);
      if (x === undefined) return m;
      m.n--;
      addExact(m.s1, -x);
      addExact(m.s2, -x * x);
      return m;
    },
    merge: (a, b) => ({ n: a.n + b.n, s1: mergeExact(a.s1, b.s1), s2: mergeExact(a.s2, b.s2) }),
    result,
    encode: (m) => [m.n, encodeExact(m.s1), encodeExact(m.s2)] as Json,
    decode(j) {
      const [n, s1, s2] = j as [number, Json, Json];
      return { n, s1: decodeExact(s1), s2: decodeExact(s2) };
    },
  };
}

/** Mean of the values (0 when none). */
export function mean(): Aggregation<Moments> {
  return moments('mean', (m) => (m.n === 0 ? 0 : exactValue(m.s1) / m.n));
}

/** Sample variance (n − 1), 0 for fewer than two values; from exact sums, so order-independent. */
export function variance(): Aggregation<Moments> {
  return moments('variance', sampleVariance);
}

export function stddev(): Aggregation<Moments> {
  return moments('stddev', (m) => Math.sqrt(sampleVariance(m)));
}

function sampleVariance(m: Moments): number {
  if (m.n < 2) return 0;
  const s1 = exactValue(m.s1);
  const s2 = exactValue(m.s2);
  const v = (s2 - (s1 * s1) / m.n) / (m.n - 1);
  return Math.max(v, 0);
}
