// Which event fields an expression reads, found once at compile time from the CEL syntax tree.
// Events of one kind lack whole top-level fields (a conn event has no `dns`); in CEL reading them is an
// error, and errors are slow (an exception per evaluation). Knowing which variables the result
// depends on lets evaluation answer "missing" without running the expression at all.

// The subset of a CEL AST node this analysis reads (library-neutral on purpose).
export interface SyntaxNode {
  op: string;
  args: unknown;
}

const COMPREHENSIONS = new Set([
  'all',
  'exists',
  'exists_one',
  'map',
  'filter',
  'transformList',
  'transformMap',
]);

function isNode(x: unknown): x is SyntaxNode {
  return typeof x === 'object' && x !== null && 'op' in x && 'args' in x;
}

function union(a: Set<string>, b: Set<string>): Set<string> {
  if (a.size === 0) return b;
  if (b.size === 0) return a;
  return new Set([...a, ...b]);
}

function intersection(a: Set<string>, b: Set<string>): Set<string> {
  return new Set([...a].filter((x) => b.has(x)));
}

/** A field path `a.b.c` read through `.` from a root variable, or undefined. */
function fieldPath(node: SyntaxNode): string[] | undefined {
  if (node.op === 'id') return [node.args as string];
  if (node.op === '.' || node.op === '.?') {
    const [base, field] = node.args as [SyntaxNode, string];
    const path = fieldPath(base);
    return path === undefined ? undefined : [...path, field];
  }
  return undefined;
}

export interface VariableUse {
  /** Every root variable the expression reads (outside comprehension-bound names). */
  variables: string[];
  /** Variables whose absence makes the result an error whatever the other values are. */
  required: string[];
  /** Paths tested by `has()`: a missing root is stubbed with these intermediates so has() is false. */
  hasPaths: string[][];
}

export function analyzeVariables(root: SyntaxNode): VariableUse {
  const variables = new Set<string>();
  const hasPaths: string[][] = [];

  // Returns the variables required for the node not to be an error.
  const visit = (node: unknown, bound: ReadonlySet<string>): Set<string> => {
    if (Array.isArray(node)) {
      let acc = new Set<string>();
      for (const n of node) acc = union(acc, visit(n, bound));
      return acc;
    }
    if (!isNode(node)) return new Set();
    const a = node.args as unknown[];
    switch (node.op) {
      case 'value':
        return new Set();
      case 'id': {
        const name = node.args as string;
        if (bound.has(name)) return new Set();
        variables.add(name);
        return new Set([name]);
      }
      case '.':
      case '.?':
        return visit(a[0], bound);
      case '&&':
        return union(visit(a[0], bound), visit(a[1], bound));
      case '||':
        return intersection(visit(a[0], bound), visit(a[1], bound));
      case '?:':
        return union(visit(a[0], bound), intersection(visit(a[1], bound), visit(a[2], bound)));
      case 'map': {
        let acc = new Set<string>();
        for (const entry of node.args as unknown[][]) acc = union(acc, visit(entry, bound));
        return acc;
      }
      case 'call': {
        const [name, callArgs] = node.args as [string, unknown[]];
        if (name === 'has' && callArgs.length === 1 && isNode(callArgs[0])) {
          const path = fieldPath(callArgs[0]);
          if (path !== undefined && !bound.has(path[0] as string)) {
            variables.add(path[0] as string);
            hasPaths.push(path);
            return new Set(); // has() of a missing root is false, not an error
          }
        }
        return visit(callArgs, bound);
      }
      case 'rcall': {
        const [name, receiver, callArgs] = node.args as [string, unknown, unknown[]];
        const range = visit(receiver, bound);
        if (COMPREHENSIONS.has(name) && callArgs.length >= 2) {
          const inner = new Set(bound);
          for (const v of callArgs.slice(0, -1)) if (isNode(v) && v.op === 'id') inner.add(v.args as string);
          visit(callArgs.at(-1), inner); // the body may short-circuit per element: nothing required
          return range;
        }
        return union(range, visit(callArgs, bound));
      }
      default:
        // Operators and indexing: strict in every operand.
        return Array.isArray(node.args) ? visit(node.args, bound) : visit([node.args], bound);
    }
  };

  const required = visit(root, new Set());
  return { variables: [...variables], required: [...required], hasPaths };
}

/** Builds the stand-in for a missing root so `has(root.a.b)` reads `{a: {}}` and answers false. */
export function stubFor(root: string, hasPaths: string[][]): Record<string, unknown> {
  const stub: Record<string, unknown> = {};
  for (const path of hasPaths) {
    if (path[0] !== root) continue;
    let obj = stub;
    for (const segment of path.slice(1, -1)) {
      obj[segment] ??= {};
      obj = obj[segment] as Record<string, unknown>;
    }
  }
  return stub;
}
