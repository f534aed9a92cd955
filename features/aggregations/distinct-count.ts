// Distinct count: HyperLogLog with a sparse start. Hand-written rather than bloom-filters'
// HyperLogLog because bench/profile.ts measures that one (xxhash64 in pure JS, then a 64-char binary
// string per update, registers in a plain Array) far below the 200k events/s budget, and at 8 bytes
// per register far above the 1 GiB budget for 1M entities. Small sets stay exact (a sorted array of
// 32-bit hashes: a plain array, as typed-array allocation per entity costs more) until they would
// outgrow the dense registers; the registers are a Uint8Array.
import { murmur3, valueKey } from '../hash.ts';
import type { Aggregation, Json } from './types.ts';

export interface HllState {
  sparse: number[] | null;
  dense: Uint8Array | null;
}

export function hashValue(value: unknown): number {
  return murmur3(valueKey(value), 0x5eed);
}

export function distinctCount(precision = 11): Aggregation<HllState> {
  if (!Number.isInteger(precision) || precision < 4 || precision > 16)
    throw new Error('precision must be 4..16');
  const p = precision;
  const m = 1 << p;
  const sparseLimit = m >>> 3; // 8 bytes per sparse hash: beyond m/8 the dense form is smaller
  const maxRank = 32 - p + 1;
  const alpha = m >= 128 ? 0.7213 / (1 + 1.079 / m) : m >= 64 ? 0.709 : m >= 32 ? 0.697 : 0.673;

  const setRegister = (dense: Uint8Array, h: number) => {
    const idx = h >>> (32 - p);
    const w = (h << p) >>> 0;
    const rank = w === 0 ? maxRank : Math.min(Math.clz32(w) + 1, maxRank);
    if (rank > (dense[idx] as number)) dense[idx] = rank;
  };

  const toDense = (s: HllState): Uint8Array => {
    const dense = new Uint8Array(m);
    for (const h of s.sparse as number[]) setRegister(dense, h);
    s.sparse = null;
    s.dense = dense;
    return dense;
  };

  const addHash = (s: HllState, h: number) => {
    if (s.dense !== null) {
      setRegister(s.dense, h);
      return;
    }
    const sp = s.sparse as number[];
    let lo = 0;
    let hi = sp.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((sp[mid] as number) < h) lo = mid + 1;
      else hi = mid;
    }
    if (lo < sp.length && sp[lo] === h) return;
    if (sp.length >= sparseLimit) {
      setRegister(toDense(s), h);
      return;
    }
    if (lo === sp.length) sp.push(h);
    else sp.splice(lo, 0, h);
  };

  const estimate = (s: HllState): number => {
    if (s.dense === null) return (s.sparse as number[]).length;
    let z = 0;
    let zeros = 0;
    for (let i = 0; i < m; i++) {
      const r = s.dense[i] as number;
      z += 2 ** -r;
      if (r === 0) zeros++;
    }
    const raw = (alpha * m * m) / z;
    if (raw <= 2.5 * m && zeros > 0) return Math.round(m * Math.log(m / zeros));
    return Math.round(raw);
  };

  return {
    op: 'distinct',
    init: () => ({ sparse: [], dense: null }),
    add(s, v) {
      if (v === undefined || v === null) return s;
      addHash(s, hashValue(v));
      return s;
    },
    merge(a, b) {
      const out: HllState = {
        sparse: a.sparse === null ? null : a.sparse.slice(),
        dense: a.dense === null ? null : a.dense.slice(),
      };
      if (b.dense !== null) {
        const d = out.dense ?? toDense(out);
        for (let i = 0; i < m; i++)
          if ((b.dense[i] as number) > (d[i] as number)) d[i] = b.dense[i] as number;
      } else {
        for (const h of b.sparse as number[]) addHash(out, h);
      }
      return out;
    },
    result: estimate,
    encode: (s): Json =>
      s.dense === null
        ? { p, s: (s.sparse as number[]).slice() }
        : { p, d: Buffer.from(s.dense).toString('base64') },
    decode(j) {
      const o = j as { p: number; s?: number[]; d?: string };
      if (o.p !== p) throw new Error(`HyperLogLog precision ${o.p} does not match ${p}`);
      if (o.d !== undefined) return { sparse: null, dense: new Uint8Array(Buffer.from(o.d, 'base64')) };
      return { sparse: (o.s ?? []).map(Number), dense: null };
    },
  };
}
