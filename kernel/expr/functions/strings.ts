// String and regex functions beyond CEL's built-ins (contains, startsWith, endsWith, matches,
// lowerAscii, upperAscii, trim, split, join, substring, indexOf are built in).
import { type ExpressionFunction, FunctionArgumentError, toNumber, toText } from './types.ts';

const regexCache = new Map<string, RegExp>();
export function cachedRegex(pattern: string, flags = ''): RegExp {
  const key = `${flags}/${pattern}`;
  let re = regexCache.get(key);
  if (re === undefined) {
    try {
      re = new RegExp(pattern, flags);
    } catch (error) {
      throw new FunctionArgumentError(
        `bad regular expression ${JSON.stringify(pattern)}: ${(error as Error).message}`,
      );
    }
    if (regexCache.size > 1000) regexCache.clear();
    regexCache.set(key, re);
  }
  return re;
}

export const stringFunctions: ExpressionFunction[] = [
  {
    signature: 'lower(dyn): string',
    handler: (s: unknown) => toText(s, 'lower').toLowerCase(),
    description: 'lower(s): s in lower case (Unicode)',
  },
  {
    signature: 'upper(dyn): string',
    handler: (s: unknown) => toText(s, 'upper').toUpperCase(),
    description: 'upper(s): s in upper case (Unicode)',
  },
  {
    signature: 'replace(dyn, dyn, dyn): string',
    handler: (s: unknown, a: unknown, b: unknown) =>
      toText(s, 'replace').replaceAll(toText(a, 'replace'), toText(b, 'replace')),
    description: 'replace(s, old, new): every occurrence of old replaced',
  },
  {
    signature: 'regexExtract(dyn, dyn): string',
    handler: (s: unknown, re: unknown) => {
      const m = cachedRegex(toText(re, 'regexExtract')).exec(toText(s, 'regexExtract'));
      return m ? (m[1] ?? m[0]) : '';
    },
    description: 'regexExtract(s, re): the first capture group (or the whole match) of re in s, "" when none',
  },
  {
    signature: 'regexExtract(dyn, dyn, int): string',
    handler: (s: unknown, re: unknown, group: unknown) => {
      const m = cachedRegex(toText(re, 'regexExtract')).exec(toText(s, 'regexExtract'));
      return m ? (m[toNumber(group, 'regexExtract')] ?? '') : '';
    },
    description: 'regexExtract(s, re, n): capture group n of the first match, "" when none',
  },
  {
    signature: 'matchesAny(dyn, dyn): bool',
    handler: (s: unknown, patterns: unknown) => {
      const text = toText(s, 'matchesAny');
      const list = Array.isArray(patterns) ? patterns : [patterns];
      return list.some((p) => cachedRegex(toText(p, 'matchesAny')).test(text));
    },
    description: 'matchesAny(s, [re, ...]): s matches one of the regular expressions',
  },
];
