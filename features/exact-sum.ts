// Order-independent floating-point sums. A plain `+=` gives different last bits when the same numbers
// arrive in another order (another batching or partition interleaving), which would break
// "replay equals stream". Integers below 2^53 add exactly; anything else switches to Shewchuk's
// non-overlapping partials (as Python's math.fsum), whose correctly rounded value depends only on
// the multiset of inputs.

const SAFE = 2 ** 53;

export interface ExactSum {
  /** Running integer sum while every input was a safe integer. */
  int: number;
  /** Partials once a non-integer (or a large value) arrived; null while `int` is exact. */
  partials: number[] | null;
}

export function newExactSum(): ExactSum {
  return { int: 0, partials: null };
}

export function addExact(s: ExactSum, x: number): void {
  if (s.partials === null) {
    const next = s.int + x;
    if (Number.isInteger(x) && Math.abs(next) < SAFE && Math.abs(x) < SAFE) {
      s.int = next;
      return;
    }
    s.partials = s.int === 0 ? [] : [s.int];
    s.int = 0;
  }
  addPartial(s.partials, x);
}

function addPartial(partials: number[], value: number): void {
  let x = value;
  let i = 0;
  for (let j = 0; j < partials.length; j++) {
    let y = partials[j] as number;
    if (Math.abs(x) < Math.abs(y)) {
      const t = x;
      x = y;
      y = t;
    }
    const hi = x + y;
    const lo = y - (hi - x);
    if (lo !== 0) partials[i++] = lo;
    x = hi;
  }
  partials.length = i;
  partials.push(x);
}

/** The correctly rounded sum. */
export function exactValue(s: ExactSum): number {
  const p = s.partials;
  if (p === null) return s.int;
  let n = p.length;
  if (n === 0) return 0;
  let hi = p[--n] as number;
  let lo = 0;
  while (n > 0) {
    const x = hi;
    const y = p[--n] as number;
    hi = x + y;
    const yr = hi - x;
    lo = y - yr;
    if (lo !== 0) break;
  }
  // Round half-even across the remaining partials, as fsum does.
  if (n > 0 && ((lo < 0 && (p[n - 1] as number) < 0) || (lo > 0 && (p[n - 1] as number) > 0))) {
    const y = lo * 2;
    const x = hi + y;
    const yr = x - hi;
    if (y === yr) hi = x;
  }
  return hi;
}

export function mergeExact(a: ExactSum, b: ExactSum): ExactSum {
  const out: ExactSum = { int: a.int, partials: a.partials === null ? null : [...a.partials] };
  if (b.partials === null) addExact(out, b.int);
  else for (const x of b.partials) addExact(out, x);
  return out;
}

/** Canonical encoding: the rounded value is not enough to resume exactly, so keep the partials. */
export function encodeExact(s: ExactSum): number | number[] {
  return s.partials === null ? s.int : [...s.partials];
}

export function decodeExact(j: unknown): ExactSum {
  if (typeof j === 'number') return { int: j, partials: null };
  if (Array.isArray(j)) return { int: 0, partials: j.map(Number) };
  throw new Error('bad exact-sum encoding');
}
