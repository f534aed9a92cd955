// Statistics over lists (Stellar's STATS_*): lists come from events, literals or profile lookups.
import { type ExpressionFunction, FunctionArgumentError, toList, toNumber } from './types.ts';

function numbers(value: unknown, fn: string): number[] {
  return toList(value, fn).map((v) => toNumber(v, fn));
}

function nonEmpty(value: unknown, fn: string): number[] {
  const xs = numbers(value, fn);
  if (xs.length === 0) throw new FunctionArgumentError(`${fn}: the list is empty`);
  return xs;
}

export function mean(xs: number[]): number {
  let s = 0;
  for (const x of xs) s += x;
  return s / xs.length;
}

export function variance(xs: number[]): number {
  if (xs.length < 2) return 0;
  const m = mean(xs);
  let s = 0;
  for (const x of xs) s += (x - m) ** 2;
  return s / (xs.length - 1); // sample variance, as Stellar's STATS_VARIANCE
}

/** Linear interpolation between closest ranks (numpy's default). p in [0, 100]. */
export function percentile(xs: number[], p: number): number {
  const sorted = [...xs].sort((a, b) => a - b);
  const rank = (Math.min(Math.max(p, 0), 100) / 100) * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return (sorted[lo] as number) + ((sorted[hi] as number) - (sorted[lo] as number)) * (rank - lo);
}

export const statsFunctions: ExpressionFunction[] = [
  {
    signature: 'sum(dyn): double',
    handler: (l: unknown) => numbers(l, 'sum').reduce((a, b) => a + b, 0),
    description: 'sum(list): sum of the numbers (0 for an empty list)',
  },
  {
    signature: 'mean(dyn): double',
    handler: (l: unknown) => mean(nonEmpty(l, 'mean')),
    description: 'mean(list)',
  },
  {
    signature: 'minOf(dyn): double',
    handler: (l: unknown) => Math.min(...nonEmpty(l, 'minOf')),
    description: 'minOf(list): smallest number',
  },
  {
    signature: 'maxOf(dyn): double',
    handler: (l: unknown) => Math.max(...nonEmpty(l, 'maxOf')),
    description: 'maxOf(list): largest number',
  },
  {
    signature: 'variance(dyn): double',
    handler: (l: unknown) => variance(nonEmpty(l, 'variance')),
    description: 'variance(list): sample variance',
  },
  {
    signature: 'stddev(dyn): double',
    handler: (l: unknown) => Math.sqrt(variance(nonEmpty(l, 'stddev'))),
    description: 'stddev(list): sample standard deviation',
  },
  {
    signature: 'median(dyn): double',
    handler: (l: unknown) => percentile(nonEmpty(l, 'median'), 50),
    description: 'median(list)',
  },
  {
    signature: 'percentile(dyn, dyn): double',
    handler: (l: unknown, p: unknown) => percentile(nonEmpty(l, 'percentile'), toNumber(p, 'percentile')),
    description: 'percentile(list, p): p in 0..100, linear interpolation',
  },
  {
    signature: 'zScore(dyn, dyn): double',
    handler: (x: unknown, l: unknown) => {
      const xs = nonEmpty(l, 'zScore');
      const sd = Math.sqrt(variance(xs));
      const v = toNumber(x, 'zScore');
      return sd === 0 ? 0 : (v - mean(xs)) / sd;
    },
    description: 'zScore(x, list): (x - mean) / stddev of the list (0 when the list is constant)',
  },
];
