// Event expressions for profiles: CEL through kernel/expr, with a fast path for plain field paths
// (`source.ip`, `destination.port`), which are most of what profiles read and would otherwise cost a
// CEL evaluation per event per aggregation. A missing field yields undefined (the event doesn't
// feed that aggregation) rather than an error.
import { type CompiledExpression, compileExpression, type ExpectedType } from '../kernel/expr/index.ts';

export interface EventExpression {
  readonly source: string;
  /** The value, or undefined when the event lacks a field it reads or evaluation fails. */
  evaluate(vars: Record<string, unknown>): unknown;
}

const FIELD_PATH = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;
// CEL keywords and literals that match FIELD_PATH but aren't fields.
const RESERVED = new Set([
  'true',
  'false',
  'null',
  'in',
  'as',
  'break',
  'const',
  'continue',
  'else',
  'for',
  'function',
  'if',
  'import',
  'let',
  'loop',
  'package',
  'namespace',
  'return',
  'var',
  'void',
  'while',
]);

export function compileEventExpression(source: string, expect: ExpectedType = 'any'): EventExpression {
  const text = source.trim();
  // `has(a.b.c)`: a field-presence test, false (not an error) when a parent is missing too.
  const has = /^has\(\s*([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)+)\s*\)$/.exec(text);
  if (has !== null) {
    compileExpression(text, { expect });
    const path = (has[1] as string).split('.');
    return {
      source,
      evaluate(v) {
        let o: unknown = v;
        for (const k of path) {
          if (o === null || typeof o !== 'object') return false;
          o = (o as Record<string, unknown>)[k];
        }
        return o !== undefined;
      },
    };
  }
  if (FIELD_PATH.test(text) && !RESERVED.has(text.split('.')[0] as string)) {
    compileExpression(text, { expect }); // same validation as the slow path
    const path = text.split('.');
    if (path.length === 1) {
      const [a] = path as [string];
      return { source, evaluate: (v) => v[a] ?? undefined };
    }
    if (path.length === 2) {
      const [a, b] = path as [string, string];
      return {
        source,
        evaluate(v) {
          const o = v[a];
          return o !== null && typeof o === 'object'
            ? ((o as Record<string, unknown>)[b] ?? undefined)
            : undefined;
        },
      };
    }
    return {
      source,
      evaluate(v) {
        let o: unknown = v;
        for (const k of path) {
          if (o === null || typeof o !== 'object') return undefined;
          o = (o as Record<string, unknown>)[k];
        }
        return o ?? undefined;
      },
    };
  }
  const compiled = compileExpression(text, { expect });
  return { source, evaluate: (v) => safeEvaluate(compiled, v) };
}

/** Evaluates, mapping any evaluation error (usually a missing field) to undefined. */
export function safeEvaluate(expr: CompiledExpression, vars: Record<string, unknown>): unknown {
  try {
    return expr.evaluate(vars);
  } catch {
    return undefined;
  }
}
