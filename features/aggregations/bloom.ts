// Bloom membership: the set of values seen in a window, as a Bloom filter (bits OR together, so
// states merge and never depend on order). Hand-written over the shared murmur3 (double hashing)
// because bloom-filters' BloomFilter hashes with pure-JS xxhash64 per add; bench/profile.ts measures both.
import { murmur3, valueKey } from '../hash.ts';
import type { Aggregation } from './types.ts';

export interface BloomState {
  bits: Uint8Array;
}

/** A window's Bloom filter as its result carries it: size in bits, hash count, base64 bits. */
export interface BloomValue {
  m: number;
  k: number;
  bits: string;
  [key: string]: number | string;
}

function positions(value: unknown, m: number, k: number, visit: (bit: number) => boolean): boolean {
  const key = valueKey(value);
  const h1 = murmur3(key, 0x9747b28c);
  const h2 = murmur3(key, 0x2545f491) | 1;
  for (let i = 0; i < k; i++) {
    if (!visit(((h1 + Math.imul(i, h2)) >>> 0) % m)) return false;
  }
  return true;
}

/** Sizing for `capacity` values at false-positive rate `fpr`. */
export function bloomSize(capacity: number, fpr: number): { m: number; k: number } {
  const m = Math.max(64, Math.ceil((-capacity * Math.log(fpr)) / Math.LN2 ** 2 / 8) * 8);
  const k = Math.max(1, Math.round((m / capacity) * Math.LN2));
  return { m, k };
}

/** True when the filter (a bloom aggregate's result) may contain the value; false means surely not. */
export function bloomContains(filter: BloomValue, value: unknown): boolean {
  const bits = Buffer.from(filter.bits, 'base64');
  return positions(value, filter.m, filter.k, (b) => ((bits[b >>> 3] as number) & (1 << (b & 7))) !== 0);
}

export function bloom(capacity = 1000, fpr = 0.01): Aggregation<BloomState> {
  const { m, k } = bloomSize(capacity, fpr);
  return {
    op: 'bloom',
    init: () => ({ bits: new Uint8Array(m >>> 3) }),
    add(s, v) {
      if (v === undefined || v === null) return s;
      positions(v, m, k, (b) => {
        s.bits[b >>> 3] = (s.bits[b >>> 3] as number) | (1 << (b & 7));
        return true;
      });
      return s;
    },
    merge(a, b) {
      const bits = a.bits.slice();
      for (let i = 0; i < bits.length; i++) bits[i] = (bits[i] as number) | (b.bits[i] as number);
      return { bits };
    },
    result: (s) => ({ m, k, bits: Buffer.from(s.bits).toString('base64') }) satisfies BloomValue,
    encode: (s) => Buffer.from(s.bits).toString('base64'),
    decode: (j) => ({ bits: new Uint8Array(Buffer.from(String(j), 'base64')) }),
  };
}
