// min, max, first, last. first/last order by event time and break ties by the value's canonical
// JSON, so the winner never depends on arrival order.
import { canonicalJson, compareStrings } from '../hash.ts';
import { type AggregateValue, type Aggregation, type Json, toNumber, toPlain } from './types.ts';

function extremum(op: 'min' | 'max'): Aggregation<number | null> {
  const better = op === 'min' ? (a: number, b: number) => a < b : (a: number, b: number) => a > b;
  return {
    op,
    init: () => null,
    add(s, v) {
      const x = toNumber(v);
      if (x === undefined) return s;
      return s === null || better(x, s) ? (x === 0 ? 0 : x) : s;
    },
    merge: (a, b) => (a === null ? b : b === null ? a : better(b, a) ? b : a),
    result: (s) => s,
    encode: (s) => s,
    decode: (j) => (j === null ? null : Number(j)),
  };
}

export const min = () => extremum('min');
export const max = () => extremum('max');

interface Pick {
  time: number;
  key: string;
  value: AggregateValue;
}

function pick(op: 'first' | 'last'): Aggregation<Pick | null> {
  const sign = op === 'first' ? 1 : -1;
  // True when candidate a should replace incumbent b.
  const wins = (a: Pick, b: Pick) => {
    const c = a.time === b.time ? compareStrings(a.key, b.key) : a.time < b.time ? -1 : 1;
    return c * sign < 0;
  };
  return {
    op,
    init: () => null,
    add(s, v, time) {
      if (v === undefined || v === null) return s;
      const value = toPlain(v);
      const cand = { time, key: canonicalJson(value), value };
      return s === null || wins(cand, s) ? cand : s;
    },
    merge: (a, b) => (a === null ? b : b === null ? a : wins(b, a) ? b : a),
    result: (s) => (s === null ? null : s.value),
    encode: (s) => (s === null ? null : ([s.time, s.value] as Json)),
    decode(j) {
      if (j === null) return null;
      const [time, value] = j as [number, AggregateValue];
      return { time, key: canonicalJson(value), value };
    },
  };
}

export const first = () => pick('first');
export const last = () => pick('last');
