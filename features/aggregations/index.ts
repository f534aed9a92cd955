// The aggregation ops a profile can declare, by name (arquero-style declarative definitions): each
// entry is a zod schema for its parameters and a factory for the Aggregation.
import { z } from 'zod';
import { bloom } from './bloom.ts';
import { distinctCount } from './distinct-count.ts';
import { first, last, max, min } from './extrema.ts';
import { interArrival } from './inter-arrival.ts';
import { count, mean, stddev, sum, variance } from './moments.ts';
import { quantile } from './quantile.ts';
import { topK } from './top-k.ts';
import type { Aggregation } from './types.ts';

export { type BloomValue, bloomContains } from './bloom.ts';
export type { AggregateValue, Aggregation, Json } from './types.ts';

const common = {
  /** CEL over the event: the value aggregated (omitted: the event itself, e.g. for count). */
  of: z.string().min(1).optional(),
  /** CEL predicate: only events where it is true feed this aggregation. */
  where: z.string().min(1).optional(),
};

export const AggregationSpecSchema = z.discriminatedUnion('op', [
  z.object({ op: z.literal('count'), ...common }).strict(),
  z.object({ op: z.literal('sum'), ...common }).strict(),
  z.object({ op: z.literal('mean'), ...common }).strict(),
  z.object({ op: z.literal('variance'), ...common }).strict(),
  z.object({ op: z.literal('stddev'), ...common }).strict(),
  z.object({ op: z.literal('min'), ...common }).strict(),
  z.object({ op: z.literal('max'), ...common }).strict(),
  z.object({ op: z.literal('first'), ...common }).strict(),
  z.object({ op: z.literal('last'), ...common }).strict(),
  z
    .object({ op: z.literal('distinct'), ...common, precision: z.number().int().min(4).max(16).default(11) })
    .strict(),
  z
    .object({
      op: z.literal('quantile'),
      ...common,
      q: z.union([z.number().min(0).max(1), z.array(z.number().min(0).max(1)).min(1)]).default(0.5),
      relativeAccuracy: z.number().gt(0).lt(1).default(0.01),
    })
    .strict(),
  z
    .object({
      op: z.literal('topk'),
      ...common,
      k: z.number().int().positive().default(10),
      capacity: z.number().int().positive().default(256),
    })
    .strict(),
  z
    .object({
      op: z.literal('bloom'),
      ...common,
      capacity: z.number().int().positive().default(1000),
      fpr: z.number().gt(0).lt(1).default(0.01),
    })
    .strict(),
  z
    .object({
      op: z.literal('interarrival'),
      where: common.where,
      stat: z.enum(['mean', 'variance', 'stddev', 'cv']).default('mean'),
      cap: z.number().int().min(2).default(1024),
    })
    .strict(),
]);

export type AggregationSpec = z.output<typeof AggregationSpecSchema>;
export type AggregationOp = AggregationSpec['op'];

/** Ops whose result is always a number (they become features by default). */
export const NUMERIC_OPS: ReadonlySet<AggregationOp> = new Set([
  'count',
  'sum',
  'mean',
  'variance',
  'stddev',
  'min',
  'max',
  'distinct',
  'interarrival',
]);

export function createAggregation(spec: AggregationSpec): Aggregation {
  switch (spec.op) {
    case 'count':
      return count() as Aggregation;
    case 'sum':
      return sum() as Aggregation;
    case 'mean':
      return mean() as Aggregation;
    case 'variance':
      return variance() as Aggregation;
    case 'stddev':
      return stddev() as Aggregation;
    case 'min':
      return min() as Aggregation;
    case 'max':
      return max() as Aggregation;
    case 'first':
      return first() as Aggregation;
    case 'last':
      return last() as Aggregation;
    case 'distinct':
      return distinctCount(spec.precision) as Aggregation;
    case 'quantile':
      return quantile(spec.q, spec.relativeAccuracy) as Aggregation;
    case 'topk':
      return topK(spec.k, spec.capacity) as Aggregation;
    case 'bloom':
      return bloom(spec.capacity, spec.fpr) as Aggregation;
    case 'interarrival':
      return interArrival(spec.stat, spec.cap) as Aggregation;
  }
}
