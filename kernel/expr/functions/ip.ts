// IP addresses and CIDR blocks as numbers (IPv4 as uint32, IPv6 as a 128-bit bigint) so membership is
// arithmetic, not string work. Shared by the expression functions and the enrichers (asset, intel).
import { isIPv6 } from 'node:net';

export type ParsedIp = { version: 4; value: number } | { version: 6; value: bigint };

export interface Cidr {
  version: 4 | 6;
  prefix: number;
  /** Network address (host bits zero). */
  base: number | bigint;
  text: string;
}

export function parseIpv4(text: string): number | undefined {
  let value = 0;
  let octet = 0;
  let digits = 0;
  let parts = 0;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 46; // a virtual '.' closes the last octet
    if (c === 46) {
      if (digits === 0 || octet > 255) return undefined;
      value = value * 256 + octet;
      parts++;
      octet = 0;
      digits = 0;
    } else if (c >= 48 && c <= 57) {
      if (digits > 0 && octet === 0) return undefined; // no leading zeros (ambiguous octal)
      octet = octet * 10 + (c - 48);
      if (++digits > 3) return undefined;
    } else return undefined;
  }
  return parts === 4 ? value : undefined;
}

export function parseIpv6(text: string): bigint | undefined {
  const zone = text.indexOf('%');
  const addr = zone >= 0 ? text.slice(0, zone) : text;
  if (!isIPv6(addr)) return undefined;
  let head = addr;
  let tail = '';
  const gap = addr.indexOf('::');
  if (gap >= 0) {
    head = addr.slice(0, gap);
    tail = addr.slice(gap + 2);
  }
  const toGroups = (part: string): number[] => {
    if (part === '') return [];
    const groups: number[] = [];
    for (const piece of part.split(':')) {
      if (piece.includes('.')) {
        const v4 = parseIpv4(piece);
        if (v4 === undefined) return [Number.NaN];
        groups.push(Math.floor(v4 / 65536), v4 % 65536);
      } else groups.push(Number.parseInt(piece, 16));
    }
    return groups;
  };
  const h = toGroups(head);
  const t = toGroups(tail);
  const groups = gap >= 0 ? [...h, ...new Array(8 - h.length - t.length).fill(0), ...t] : h;
  if (groups.length !== 8 || groups.some((g) => Number.isNaN(g))) return undefined;
  let value = 0n;
  for (const g of groups) value = (value << 16n) | BigInt(g);
  return value;
}

export function parseIp(text: string): ParsedIp | undefined {
  if (typeof text !== 'string') return undefined;
  const v4 = parseIpv4(text);
  if (v4 !== undefined) return { version: 4, value: v4 };
  if (!text.includes(':')) return undefined;
  const v6 = parseIpv6(text);
  if (v6 === undefined) return undefined;
  // IPv4-mapped addresses (::ffff:a.b.c.d) are treated as the IPv4 address they carry.
  if (v6 >> 32n === 0xffffn) return { version: 4, value: Number(v6 & 0xffffffffn) };
  return { version: 6, value: v6 };
}

export function ipVersion(text: string): 0 | 4 | 6 {
  return parseIp(text)?.version ?? 0;
}

export function parseCidr(text: string): Cidr | undefined {
  if (typeof text !== 'string') return undefined;
  const slash = text.indexOf('/');
  const addr = slash >= 0 ? text.slice(0, slash) : text;
  const ip = parseIp(addr);
  if (ip === undefined) return undefined;
  const bits = ip.version === 4 ? 32 : 128;
  const prefixText = slash >= 0 ? text.slice(slash + 1) : String(bits);
  if (!/^\d{1,3}$/.test(prefixText)) return undefined;
  const prefix = Number(prefixText);
  if (prefix > bits) return undefined;
  if (ip.version === 4) {
    const size = 2 ** (32 - prefix);
    return { version: 4, prefix, base: Math.floor(ip.value / size) * size, text };
  }
  const hostBits = BigInt(128 - prefix);
  return { version: 6, prefix, base: (ip.value >> hostBits) << hostBits, text };
}

export function cidrContains(cidr: Cidr, ip: ParsedIp): boolean {
  if (cidr.version !== ip.version) return false;
  if (ip.version === 4) {
    const size = 2 ** (32 - cidr.prefix);
    return Math.floor(ip.value / size) * size === cidr.base;
  }
  const hostBits = BigInt(128 - cidr.prefix);
  return (ip.value >> hostBits) << hostBits === cidr.base;
}

const cidrCache = new Map<string, Cidr | null>();
/** Parses a CIDR once per distinct text (rules repeat the same literals on every event). */
export function cachedCidr(text: string): Cidr | undefined {
  let cidr = cidrCache.get(text);
  if (cidr === undefined) {
    cidr = parseCidr(text) ?? null;
    if (cidrCache.size > 10_000) cidrCache.clear();
    cidrCache.set(text, cidr);
  }
  return cidr ?? undefined;
}

// Special-purpose ranges (RFC 6890 and friends). "Private" is the internal-network subset.
const PRIVATE = [
  '10.0.0.0/8',
  '172.16.0.0/12',
  '192.168.0.0/16',
  '127.0.0.0/8',
  '169.254.0.0/16',
  '100.64.0.0/10',
  'fc00::/7',
  'fe80::/10',
  '::1/128',
].map((c) => parseCidr(c) as Cidr);
const RESERVED = [
  '0.0.0.0/8',
  '192.0.0.0/24',
  '192.0.2.0/24',
  '198.18.0.0/15',
  '198.51.100.0/24',
  '203.0.113.0/24',
  '224.0.0.0/4',
  '240.0.0.0/4',
  '::/128',
  '2001:db8::/32',
  'ff00::/8',
].map((c) => parseCidr(c) as Cidr);

export function isPrivateIp(ip: ParsedIp): boolean {
  return PRIVATE.some((c) => cidrContains(c, ip));
}

/** Globally routable unicast: not private, loopback, link-local, multicast, documentation or reserved. */
export function isPublicIp(ip: ParsedIp): boolean {
  return !isPrivateIp(ip) && !RESERVED.some((c) => cidrContains(c, ip));
}
