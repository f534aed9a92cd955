// The expression language: CEL (through one CEL library, chosen in issue 4 and kept behind this
// module so it can change). Every stage compiles expressions once per config and evaluates them per
// event. The function library (networks, domains, time, geo, intel, profiles) is registered here.
//
// Library: @marcbachmann/cel-js (≈4.1M evals/s here vs ≈0.7M/s for @bufbuild/cel; macros, `has()`,
// heterogeneous numeric equality and comparison as the CEL spec has them). Only this file imports it.
import { Environment, EvaluationError } from '@marcbachmann/cel-js';
import { domainFunctions } from './functions/domain.ts';
import { lookupFunctions } from './functions/lookups.ts';
import { networkFunctions } from './functions/network.ts';
import { statsFunctions } from './functions/stats.ts';
import { stringFunctions } from './functions/strings.ts';
import { timeFunctions } from './functions/time.ts';
import type { ExpressionFunction } from './functions/types.ts';
import { analyzeVariables, type SyntaxNode, stubFor } from './variables.ts';

export type { ExpressionFunction } from './functions/types.ts';
export { FunctionArgumentError } from './functions/types.ts';
export {
  type ExpressionProviders,
  type LookupRecord,
  resetExpressionProviders,
  setExpressionProviders,
  withExpressionProviders,
} from './providers.ts';

export interface CompiledExpression {
  readonly source: string;
  /** Evaluates against variables (an event's top-level fields are bound as variables). */
  evaluate(vars: Record<string, unknown>): unknown;
  /** The top-level variables the expression reads. */
  readonly variables?: readonly string[];
  /**
   * A variable the result depends on that `vars` lacks (evaluate would fail with `unknown_variable`),
   * or undefined. Lets hot loops skip a rule without the cost of an exception.
   */
  missingVariable?(vars: Record<string, unknown>): string | undefined;
}

export class ExpressionError extends Error {
  constructor(
    message: string,
    readonly source: string,
    readonly position?: number,
    /** The library's error code, e.g. `no_such_key`, `unknown_variable`, `no_matching_overload`. */
    readonly code?: string,
  ) {
    super(message);
    this.name = 'ExpressionError';
  }
}

export type ExpectedType = 'bool' | 'number' | 'string' | 'any';

export interface CompileOptions {
  /** Rejects at compile time an expression whose static type can't be this (dyn passes). */
  expect?: ExpectedType;
}

const BUILTIN_FUNCTIONS: ExpressionFunction[] = [
  ...networkFunctions,
  ...domainFunctions,
  ...stringFunctions,
  ...timeFunctions,
  ...statsFunctions,
  ...lookupFunctions,
];
const extraFunctions: ExpressionFunction[] = [];
let environment: Environment | undefined;
const cache = new Map<string, CompiledExpression>();

// JSON numbers arrive as CEL doubles while literals like `2` are CEL ints; strict CEL has no mixed
// arithmetic, which would make `source.bytes * 2` an error. Mixed operands compute as doubles.
const MIXED_ARITHMETIC: [string, (a: number, b: number) => number][] = [
  ['+', (a, b) => a + b],
  ['-', (a, b) => a - b],
  ['*', (a, b) => a * b],
  ['/', (a, b) => a / b],
];

function buildEnvironment(): Environment {
  const env = new Environment({ unlistedVariablesAreDyn: true, homogeneousAggregateLiterals: false });
  for (const [op, fn] of MIXED_ARITHMETIC) {
    env.registerOperator(`double ${op} int: double`, (a: number, b: bigint) => fn(a, Number(b)));
    env.registerOperator(`int ${op} double: double`, (a: bigint, b: number) => fn(Number(a), b));
  }
  for (const f of [...BUILTIN_FUNCTIONS, ...extraFunctions]) {
    env.registerFunction(f.signature, withErrorCode(f.handler), { description: f.description });
  }
  return env;
}

// The library attaches a source position only to its own error type, so handler failures are rethrown
// as one (code `function_error`) to report where in the expression they happened.
function withErrorCode(handler: ExpressionFunction['handler']): ExpressionFunction['handler'] {
  return (...args) => {
    try {
      return handler(...args);
    } catch (error) {
      throw new EvaluationError({
        code: 'function_error',
        message: (error as Error).message ?? String(error),
      });
    }
  };
}

/** Adds a function to the language (e.g. a stage's own lookup). Clears the compiled-expression cache. */
export function registerExpressionFunction(fn: ExpressionFunction): void {
  extraFunctions.push(fn);
  environment = undefined;
  cache.clear();
}

/** The functions the language offers beyond CEL's standard library, for docs and `--help`. */
export function listExpressionFunctions(): { signature: string; description: string }[] {
  return [...BUILTIN_FUNCTIONS, ...extraFunctions].map(({ signature, description }) => ({
    signature,
    description,
  }));
}

interface CelErrorLike {
  message: string;
  code?: string;
  summary?: string;
  range?: { start: number };
}

function toExpressionError(error: unknown, source: string): ExpressionError {
  if (error instanceof ExpressionError) return error;
  const e = error as CelErrorLike;
  const summary = e?.summary ?? e?.message ?? String(error);
  const position = e?.range?.start;
  const where = position === undefined ? '' : ` at position ${position}`;
  return new ExpressionError(`${summary}${where} in ${JSON.stringify(source)}`, source, position, e?.code);
}

const EXPECTED_STATIC: Record<ExpectedType, (type: string) => boolean> = {
  bool: (t) => t === 'bool' || t === 'dyn',
  number: (t) => t === 'int' || t === 'uint' || t === 'double' || t === 'dyn',
  string: (t) => t === 'string' || t === 'dyn',
  any: () => true,
};

/**
 * Compiles (parses and type-checks) a CEL expression once; later calls with the same source return
 * the cached result. Throws ExpressionError with the position of a syntax or type error.
 */
export function compileExpression(source: string, options: CompileOptions = {}): CompiledExpression {
  const expect = options.expect ?? 'any';
  const key = `${expect}\u0000${source}`;
  const cached = cache.get(key);
  if (cached !== undefined) return cached;
  environment ??= buildEnvironment();
  let program: ReturnType<Environment['parse']>;
  try {
    program = environment.parse(source);
  } catch (error) {
    throw toExpressionError(error, source);
  }
  const checked = program.check();
  if (!checked.valid) throw toExpressionError(checked.error, source);
  const type = checked.type ?? 'dyn';
  if (!EXPECTED_STATIC[expect](type)) {
    throw new ExpressionError(
      `expected a ${expect} expression, got ${type} in ${JSON.stringify(source)}`,
      source,
      0,
    );
  }
  const use = analyzeVariables(program.ast as unknown as SyntaxNode);
  const required = use.required;
  const optional = use.variables.filter((v) => !required.includes(v));
  const stubs = new Map(optional.map((v) => [v, stubFor(v, use.hasPaths)]));
  const missingErrors = new Map<string, ExpressionError>();
  const missingVariable = (vars: Record<string, unknown>): string | undefined => {
    for (let i = 0; i < required.length; i++) {
      const name = required[i] as string;
      if (vars[name] === undefined) return name;
    }
    return undefined;
  };
  const compiled: CompiledExpression = {
    source,
    variables: use.variables,
    missingVariable,
    evaluate(vars) {
      const missing = missingVariable(vars);
      if (missing !== undefined) {
        let error = missingErrors.get(missing);
        if (error === undefined) {
          error = new ExpressionError(
            `Unknown variable: ${missing} in ${JSON.stringify(source)}`,
            source,
            source.indexOf(missing),
            'unknown_variable',
          );
          missingErrors.set(missing, error);
        }
        throw error;
      }
      let bound = vars;
      for (let i = 0; i < optional.length; i++) {
        const name = optional[i] as string;
        if (bound[name] === undefined) {
          if (bound === vars) bound = { ...vars };
          bound[name] = stubs.get(name);
        }
      }
      try {
        return program(bound);
      } catch (error) {
        throw toExpressionError(error, source);
      }
    },
  };
  cache.set(key, compiled);
  return compiled;
}

/**
 * The variables an event binds: its top-level fields (`source`, `dns`, ...) and `timestamp`, the
 * event's `@timestamp` in epoch ms (`@` can't start a CEL identifier). Build once per event and
 * reuse for every expression.
 */
export function eventVariables(
  event: Record<string, unknown>,
  timestampMs?: number,
): Record<string, unknown> {
  // A shallow copy, not Object.create(event): making the event a prototype sends V8 into slow
  // prototype maps, and serializing the event afterwards gets several times slower.
  const vars: Record<string, unknown> = { ...event };
  if (timestampMs !== undefined) vars.timestamp = timestampMs;
  else if (typeof event['@timestamp'] === 'string') vars.timestamp = Date.parse(event['@timestamp']);
  return vars;
}

/** True when an evaluation failed only because the event lacks a field the expression reads. */
export function isMissingFieldError(error: unknown): boolean {
  const code = (error as { code?: string } | undefined)?.code;
  return code === 'no_such_key' || code === 'unknown_variable';
}

/** Evaluates a compiled expression as a number (CEL int or double). Throws ExpressionError otherwise. */
export function evaluateNumber(expr: CompiledExpression, vars: Record<string, unknown>): number {
  const v = expr.evaluate(vars);
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  const u = v as { valueOf?: () => unknown } | null;
  const inner = u?.valueOf?.();
  if (typeof inner === 'number' || typeof inner === 'bigint') return Number(inner);
  throw new ExpressionError(`expected a number, got ${typeof v}`, expr.source, 0, 'type_mismatch');
}

/** Converts a CEL result to plain JSON data (int → number, maps → objects, bytes → base64). */
export function toJsonValue(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  switch (typeof value) {
    case 'bigint':
      return Number(value);
    case 'number':
      return Number.isFinite(value) ? value : null;
    case 'string':
    case 'boolean':
      return value;
    case 'object': {
      if (Array.isArray(value)) return value.map(toJsonValue);
      if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
      if (value instanceof Date) return value.toISOString();
      if (value instanceof Map)
        return Object.fromEntries([...value].map(([k, v]) => [String(k), toJsonValue(v)]));
      if (value instanceof Set) return [...value].map(toJsonValue);
      const opt = value as { hasValue?: () => boolean; value?: () => unknown };
      if (typeof opt.hasValue === 'function' && typeof opt.value === 'function') {
        return opt.hasValue() ? toJsonValue(opt.value()) : null;
      }
      const proto = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) {
        const inner = (value as { valueOf(): unknown }).valueOf();
        if (inner !== value) return toJsonValue(inner); // uint, duration wrappers
      }
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toJsonValue(v)]));
    }
    default:
      return null;
  }
}
