// Top-k most frequent values. Count-min/Space-Saving style heavy-hitter sketches (bloom-filters'
// TopK included) evict by arrival order, so two orders of the same events can report different
// winners; replay must equal the stream, so this keeps exact counts for every value while there
// are at most `capacity` distinct ones, and beyond that for the `capacity` values with the smallest
// hashes (a bottom-k sample: a value in the final sample was in it since its first arrival, so its
// count is exact and the sample is the same in any order).
import { compareStrings, valueKey } from '../hash.ts';
import { hashValue } from './distinct-count.ts';
import type { AggregateValue, Aggregation, Json } from './types.ts';
import { toPlain } from './types.ts';

interface Entry {
  hash: number;
  count: number;
  value: AggregateValue;
}

export interface TopKState {
  entries: Map<string, Entry>;
  /** Smallest hash evicted so far: values hashing at or above it are not tracked. */
  ceiling: number;
}

export function topK(k = 10, capacity = 256): Aggregation<TopKState> {
  if (capacity < k) throw new Error('top-k capacity must be at least k');
  const evictLargest = (s: TopKState) => {
    let worstKey = '';
    let worst = -1;
    for (const [key, e] of s.entries) {
      if (e.hash > worst || (e.hash === worst && key > worstKey)) {
        worst = e.hash;
        worstKey = key;
      }
    }
    s.entries.delete(worstKey);
    if (worst < s.ceiling) s.ceiling = worst;
  };
  const addCount = (s: TopKState, key: string, hash: number, value: AggregateValue, n: number) => {
    if (hash >= s.ceiling) return;
    const e = s.entries.get(key);
    if (e !== undefined) {
      e.count += n;
      return;
    }
    s.entries.set(key, { hash, count: n, value });
    if (s.entries.size > capacity) evictLargest(s);
  };
  return {
    op: 'topk',
    init: () => ({ entries: new Map(), ceiling: 2 ** 32 }),
    add(s, v) {
      if (v === undefined || v === null) return s;
      const value = toPlain(v);
      const key = valueKey(value);
      addCount(s, key, hashValue(value), value, 1);
      return s;
    },
    merge(a, b) {
      const out: TopKState = { entries: new Map(), ceiling: Math.min(a.ceiling, b.ceiling) };
      for (const src of [a, b])
        for (const [key, e] of src.entries) addCount(out, key, e.hash, e.value, e.count);
      return out;
    },
    result(s) {
      const sorted = [...s.entries.entries()].sort(
        ([ka, a], [kb, b]) => b.count - a.count || compareStrings(ka, kb),
      );
      return sorted.slice(0, k).map(([, e]) => ({ value: e.value, count: e.count }));
    },
    encode(s) {
      const keys = [...s.entries.keys()].sort(compareStrings);
      return {
        c: s.ceiling,
        e: keys.map((key) => [(s.entries.get(key) as Entry).value, (s.entries.get(key) as Entry).count]),
      } as Json;
    },
    decode(j) {
      const o = j as { c: number; e: [AggregateValue, number][] };
      const s: TopKState = { entries: new Map(), ceiling: o.c };
      for (const [value, count] of o.e)
        s.entries.set(valueKey(value), { hash: hashValue(value), count, value });
      return s;
    },
  };
}
