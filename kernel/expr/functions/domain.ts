// Domain functions (Stellar's DOMAIN_TO_TLD, DOMAIN_REMOVE_SUBDOMAINS, ...) on the public-suffix list
// that tldts ships, plus the measures DGA and typosquat rules need: Shannon entropy, edit distance.
import { getDomain, getDomainWithoutSuffix, getPublicSuffix, getSubdomain } from 'tldts';
import { type ExpressionFunction, FunctionArgumentError, toList, toText } from './types.ts';

const TLDTS_OPTIONS = { allowPrivateDomains: false, detectIp: true, validateHostname: false } as const;

function normalizeDomain(value: unknown, fn: string): string {
  const text = toText(value, fn).trim().toLowerCase();
  return text.endsWith('.') ? text.slice(0, -1) : text;
}

/** The public suffix ("co.uk", "com"); "" when the name has none (an IP, a bare label). */
export function topLevelDomain(domain: string): string {
  return getPublicSuffix(domain, TLDTS_OPTIONS) ?? '';
}

/** The registrable domain ("example.co.uk"); the name itself when it has no registrable part. */
export function registeredDomain(domain: string): string {
  return getDomain(domain, TLDTS_OPTIONS) ?? domain;
}

/** Shannon entropy in bits per character. */
export function shannonEntropy(text: string): number {
  if (text.length === 0) return 0;
  const counts = new Map<number, number>();
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    counts.set(c, (counts.get(c) ?? 0) + 1);
  }
  let h = 0;
  for (const n of counts.values()) {
    const p = n / text.length;
    h -= p * Math.log2(p);
  }
  return h;
}

/** Levenshtein distance (insert, delete, substitute), two rolling rows. */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  if (a.length === 0) return b.length;
  if (b.length === 0) return a.length;
  let prev = new Array<number>(b.length + 1);
  let curr = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    curr[0] = i;
    const ca = a.charCodeAt(i - 1);
    for (let j = 1; j <= b.length; j++) {
      const cost = ca === b.charCodeAt(j - 1) ? 0 : 1;
      curr[j] = Math.min(
        (prev[j] as number) + 1,
        (curr[j - 1] as number) + 1,
        (prev[j - 1] as number) + cost,
      );
    }
    [prev, curr] = [curr, prev];
  }
  return prev[b.length] as number;
}

function watchList(value: unknown, fn: string): string[] {
  const list = toList(value, fn).map((v) => toText(v, fn).toLowerCase());
  if (list.length === 0) throw new FunctionArgumentError(`${fn}: the watch list is empty`);
  return list;
}

export const domainFunctions: ExpressionFunction[] = [
  {
    signature: 'tld(dyn): string',
    handler: (d: unknown) => topLevelDomain(normalizeDomain(d, 'tld')),
    description: 'tld("a.example.co.uk") == "co.uk" (public suffix list)',
  },
  {
    signature: 'registeredDomain(dyn): string',
    handler: (d: unknown) => registeredDomain(normalizeDomain(d, 'registeredDomain')),
    description: 'registeredDomain("a.b.example.co.uk") == "example.co.uk"',
  },
  {
    signature: 'stripSubdomains(dyn): string',
    handler: (d: unknown) => registeredDomain(normalizeDomain(d, 'stripSubdomains')),
    description: 'stripSubdomains("mail.google.com") == "google.com" (Stellar DOMAIN_REMOVE_SUBDOMAINS)',
  },
  {
    signature: 'stripTld(dyn): string',
    handler: (d: unknown) => {
      const name = normalizeDomain(d, 'stripTld');
      return getDomainWithoutSuffix(name, TLDTS_OPTIONS) ?? name;
    },
    description: 'stripTld("mail.google.com") == "google" (the registrable label, Stellar DOMAIN_REMOVE_TLD)',
  },
  {
    signature: 'subdomain(dyn): string',
    handler: (d: unknown) => getSubdomain(normalizeDomain(d, 'subdomain'), TLDTS_OPTIONS) ?? '',
    description: 'subdomain("a.b.example.com") == "a.b"',
  },
  {
    signature: 'entropy(dyn): double',
    handler: (s: unknown) => shannonEntropy(toText(s, 'entropy')),
    description: 'entropy(s): Shannon entropy of s in bits per character',
  },
  {
    signature: 'editDistance(dyn, dyn): int',
    handler: (a: unknown, b: unknown) =>
      BigInt(editDistance(toText(a, 'editDistance'), toText(b, 'editDistance'))),
    description: 'editDistance(a, b): Levenshtein distance',
  },
  {
    signature: 'minEditDistance(dyn, dyn): int',
    handler: (d: unknown, list: unknown) => {
      const name = toText(d, 'minEditDistance').toLowerCase();
      let best = Number.POSITIVE_INFINITY;
      for (const w of watchList(list, 'minEditDistance')) best = Math.min(best, editDistance(name, w));
      return BigInt(best);
    },
    description: 'minEditDistance(domain, ["paypal.com", ...]): distance to the closest watch-list entry',
  },
  {
    signature: 'closestMatch(dyn, dyn): string',
    handler: (d: unknown, list: unknown) => {
      const name = toText(d, 'closestMatch').toLowerCase();
      let best = Number.POSITIVE_INFINITY;
      let match = '';
      for (const w of watchList(list, 'closestMatch')) {
        const dist = editDistance(name, w);
        if (dist < best) [best, match] = [dist, w];
      }
      return match;
    },
    description: 'closestMatch(domain, watchList): the closest watch-list entry',
  },
  {
    signature: 'isTyposquat(dyn, dyn): bool',
    handler: (d: unknown, list: unknown) => {
      const name = registeredDomain(normalizeDomain(d, 'isTyposquat'));
      return watchList(list, 'isTyposquat').some((w) => {
        const dist = editDistance(name, w);
        return dist > 0 && dist <= (w.length > 8 ? 2 : 1);
      });
    },
    description:
      'isTyposquat(domain, watchList): registered domain is 1 edit (2 for names over 8 chars) from an entry, not equal',
  },
];
