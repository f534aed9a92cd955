// Sigma's `condition`: search identifiers combined with and / or / not and parentheses, and the
// quantifiers `1 of sel*`, `any of sel*`, `all of sel*`, `1 of them`, `all of them`.
// Aggregations after `|` (count() by ...) and correlation rules are not supported and say so.

export type ConditionNode =
  | { op: 'ref'; name: string }
  | { op: 'and' | 'or'; args: ConditionNode[] }
  | { op: 'not'; arg: ConditionNode }
  | { op: 'of'; quantifier: 'one' | 'all'; names: string[] };

export class ConditionError extends Error {}

const TOKEN = /\s*(\(|\)|[A-Za-z0-9_*.-]+)/y;

function tokenize(text: string): string[] {
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  let pos = 0;
  while (pos < text.length) {
    if (/^\s*$/.test(text.slice(pos))) break;
    TOKEN.lastIndex = pos;
    const m = TOKEN.exec(text);
    if (m === null) {
      const rest = text.slice(pos).trim();
      if (rest.startsWith('|')) throw new ConditionError(`aggregation "${rest}" is not supported`);
      throw new ConditionError(`unexpected "${rest[0]}" at position ${text.length - rest.length}`);
    }
    tokens.push(m[1] as string);
    pos = TOKEN.lastIndex;
  }
  return tokens;
}

function wildcardToRegex(pattern: string): RegExp {
  return new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`);
}

/** Parses a condition; identifiers are resolved against the detection's search names. */
export function parseCondition(text: string, searchNames: string[]): ConditionNode {
  const tokens = tokenize(text);
  let i = 0;
  const peek = () => tokens[i]?.toLowerCase();
  const expectRef = (name: string): ConditionNode => {
    if (!searchNames.includes(name))
      throw new ConditionError(`condition names "${name}", which the detection lacks`);
    return { op: 'ref', name };
  };

  const parseOr = (): ConditionNode => {
    const args = [parseAnd()];
    while (peek() === 'or') {
      i++;
      args.push(parseAnd());
    }
    return args.length === 1 ? (args[0] as ConditionNode) : { op: 'or', args };
  };
  const parseAnd = (): ConditionNode => {
    const args = [parseNot()];
    while (peek() === 'and') {
      i++;
      args.push(parseNot());
    }
    return args.length === 1 ? (args[0] as ConditionNode) : { op: 'and', args };
  };
  const parseNot = (): ConditionNode => {
    if (peek() === 'not') {
      i++;
      return { op: 'not', arg: parseNot() };
    }
    return parseAtom();
  };
  const parseAtom = (): ConditionNode => {
    const tok = tokens[i];
    if (tok === undefined) throw new ConditionError('condition ends too early');
    if (tok === '(') {
      i++;
      const inner = parseOr();
      if (tokens[i] !== ')') throw new ConditionError('missing ")"');
      i++;
      return inner;
    }
    const lower = tok.toLowerCase();
    if (lower === '1' || lower === 'any' || lower === 'all') {
      if (tokens[i + 1]?.toLowerCase() !== 'of') {
        throw new ConditionError(
          `"${tok}" must be followed by "of" (only "1 of", "any of", "all of" are supported)`,
        );
      }
      const target = tokens[i + 2];
      if (target === undefined) throw new ConditionError(`"${tok} of" needs a pattern or "them"`);
      i += 3;
      const names =
        target.toLowerCase() === 'them'
          ? searchNames.filter((n) => !n.startsWith('_'))
          : searchNames.filter((n) => wildcardToRegex(target).test(n));
      if (names.length === 0) throw new ConditionError(`"${tok} of ${target}" matches no search identifier`);
      return { op: 'of', quantifier: lower === 'all' ? 'all' : 'one', names };
    }
    if (/^\d+$/.test(tok)) throw new ConditionError(`"${tok} of" is not supported (only 1 of / all of)`);
    if (['and', 'or', 'not', ')'].includes(lower)) throw new ConditionError(`unexpected "${tok}"`);
    i++;
    return expectRef(tok);
  };

  const tree = parseOr();
  if (i < tokens.length) throw new ConditionError(`unexpected "${tokens[i]}" after the condition`);
  return tree;
}
