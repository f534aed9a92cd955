// A function the expression language offers, declared in CEL's signature syntax
// (`name(type, ...): type`, `dyn` where several input types are accepted and checked in the handler).
// Integer results are bigint (CEL int); fractional results are number (CEL double).
export interface ExpressionFunction {
  signature: string;
  handler: (...args: any[]) => unknown;
  description: string;
}

/** A bad argument: the evaluation of that expression fails with this message and its position. */
export class FunctionArgumentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FunctionArgumentError';
  }
}

export function toNumber(value: unknown, what: string): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'object' && value !== null && 'valueOf' in value) {
    const v = (value as { valueOf(): unknown }).valueOf();
    if (typeof v === 'number' || typeof v === 'bigint') return Number(v);
  }
  throw new FunctionArgumentError(`${what}: expected a number, got ${describe(value)}`);
}

export function toText(value: unknown, what: string): string {
  if (typeof value === 'string') return value;
  throw new FunctionArgumentError(`${what}: expected a string, got ${describe(value)}`);
}

export function toList(value: unknown, what: string): unknown[] {
  if (Array.isArray(value)) return value;
  if (value instanceof Set) return [...value];
  throw new FunctionArgumentError(`${what}: expected a list, got ${describe(value)}`);
}

export function describe(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'a map' : typeof value;
}
