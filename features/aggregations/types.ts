// One aggregation interface, in the spirit of arquero's aggregate ops: a declarative definition
// with init/add/merge/result (remove where a sliding window can use it). The same object runs in the
// stream and in replay; partial states merge; every state encodes to canonical JSON so checkpoints
// restore exactly. Results must depend only on the multiset of inputs (never on their order), which
// is what makes replay byte-identical to the stream whatever the batching.

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** What a window's aggregate evaluates to: numbers for features, richer values for CEL. */
export type AggregateValue =
  | number
  | string
  | boolean
  | null
  | AggregateValue[]
  | { [key: string]: AggregateValue };

export interface Aggregation<S = unknown> {
  readonly op: string;
  init(): S;
  /** Adds one input (the evaluated expression) observed at event time `time`; returns the state. */
  add(state: S, value: unknown, time: number): S;
  /** Undoes an add, for ops that are invertible (count, sum, mean, variance). */
  remove?(state: S, value: unknown, time: number): S;
  /** Combines two partial states (neither is modified). */
  merge(a: S, b: S): S;
  result(state: S): AggregateValue;
  encode(state: S): Json;
  decode(json: Json): S;
}

/** Numeric view of an input: numbers, CEL ints (bigint) and booleans (1/0, so `mean` of a predicate is a ratio). */
export function toNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (value !== null && typeof value === 'object' && 'valueOf' in value) {
    const inner = (value as { valueOf(): unknown }).valueOf();
    if (typeof inner === 'number' || typeof inner === 'bigint') return toNumber(inner);
  }
  return undefined;
}

/** Plain JSON-able copy of an input value (CEL ints become numbers). */
export function toPlain(value: unknown): AggregateValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (Array.isArray(value)) return value.map(toPlain);
  if (typeof value === 'object') {
    const out: Record<string, AggregateValue> = {};
    for (const [k, v] of Object.entries(value)) out[k] = toPlain(v);
    return out;
  }
  return String(value);
}
