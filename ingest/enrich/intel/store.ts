// Threat-intel indicators by type (ip, cidr, domain, url, hash), held for millions of entries:
// exact sets behind a Bloom filter (most lookups miss, and a miss then costs a few bit probes), and a
// prefix table for CIDR blocks. Built whole from its sources and swapped on reload.
import { parseIp } from '../../../kernel/expr/functions/ip.ts';
import { PrefixTable } from '../prefix-table.ts';
import { StringBloomFilter } from './bloom.ts';

export const INDICATOR_TYPES = ['ip', 'cidr', 'domain', 'url', 'hash'] as const;
export type IndicatorType = (typeof INDICATOR_TYPES)[number];

export interface IndicatorRecord {
  indicator: string;
  type: IndicatorType;
  /** Feed or file the indicator came from. */
  source?: string;
  /** What the indicator is about (malware family, campaign, STIX indicator name). */
  threat?: string;
  confidence?: number;
  description?: string;
  /** STIX id when loaded from a bundle. */
  id?: string;
  [extra: string]: unknown;
}

type ExactType = 'ip' | 'domain' | 'url' | 'hash';

/** Canonical key of an IP (v6 spelled many ways → one key); undefined when not an IP. */
export function ipKey(text: string): string | undefined {
  const ip = parseIp(text);
  if (ip === undefined) return undefined;
  return ip.version === 4 ? (ip.value >>> 0).toString(36) : `6:${ip.value.toString(36)}`;
}

export function normalizeDomain(text: string): string {
  const d = text.trim().toLowerCase();
  return d.endsWith('.') ? d.slice(0, -1) : d;
}

/** Scheme and host lower-cased, default ports and a lone trailing slash dropped, path and query kept. */
export function normalizeUrl(text: string): string {
  const t = text.trim();
  if (!t.includes('://')) return normalizeUrl(`http://${t}`);
  try {
    const u = new URL(t);
    const path = u.pathname === '/' ? '' : u.pathname;
    return `${u.protocol}//${u.host}${path}${u.search}`;
  } catch {
    return t.toLowerCase();
  }
}

/** Guesses an indicator's type from its text (CSV rows without a type column). */
export function inferIndicatorType(text: string): IndicatorType | undefined {
  const t = text.trim();
  if (t.includes('/') && !t.includes('://') && parseIp(t.split('/')[0] as string) !== undefined)
    return 'cidr';
  if (parseIp(t) !== undefined) return 'ip';
  if (/^[0-9a-f]{32}$|^[0-9a-f]{40}$|^[0-9a-f]{64}$|^[0-9a-f]{128}$/i.test(t)) return 'hash';
  if (t.includes('://')) return 'url';
  if (/^[a-z0-9_-]+(\.[a-z0-9_-]+)+\.?$/i.test(t)) return 'domain';
  return undefined;
}

export class ThreatIntelStore {
  private readonly exact: Record<ExactType, Map<string, IndicatorRecord>> = {
    ip: new Map(),
    domain: new Map(),
    url: new Map(),
    hash: new Map(),
  };
  private readonly blooms: Partial<Record<ExactType, StringBloomFilter>> = {};
  private readonly cidrs = new PrefixTable<IndicatorRecord>();

  constructor(private readonly bloomErrorRate = 0.01) {}

  get size(): number {
    let n = this.cidrs.size;
    for (const m of Object.values(this.exact)) n += m.size;
    return n;
  }

  counts(): Record<IndicatorType, number> {
    return {
      ip: this.exact.ip.size,
      cidr: this.cidrs.size,
      domain: this.exact.domain.size,
      url: this.exact.url.size,
      hash: this.exact.hash.size,
    };
  }

  /** Adds an indicator; throws with a reason when its value doesn't fit its type. */
  add(record: IndicatorRecord): void {
    const { indicator, type } = record;
    switch (type) {
      case 'ip':
      case 'cidr': {
        if (indicator.includes('/')) {
          const [addr, prefix] = indicator.split('/');
          const full = prefix === (addr?.includes(':') ? '128' : '32');
          if (!full) {
            if (!this.cidrs.add(indicator, { ...record, type: 'cidr' }))
              throw new Error(`not a CIDR block: ${indicator}`);
            return;
          }
          this.addExact('ip', ipKey(addr as string), record);
          return;
        }
        this.addExact('ip', ipKey(indicator), record);
        return;
      }
      case 'domain':
        this.addExact('domain', normalizeDomain(indicator), record);
        return;
      case 'url':
        this.addExact('url', normalizeUrl(indicator), record);
        return;
      case 'hash':
        if (!/^[0-9a-f]+$/i.test(indicator)) throw new Error(`not a hex hash: ${indicator}`);
        this.addExact('hash', indicator.toLowerCase(), record);
        return;
      default:
        throw new Error(`unknown indicator type: ${String(type)}`);
    }
  }

  private addExact(type: ExactType, key: string | undefined, record: IndicatorRecord): void {
    if (key === undefined || key === '') throw new Error(`not a valid ${type}: ${record.indicator}`);
    this.exact[type].set(key, record);
    this.blooms[type]?.add(key);
  }

  /** Builds the Bloom filters over what was added (call once after loading; later adds join them). */
  seal(): this {
    for (const type of Object.keys(this.exact) as ExactType[]) {
      const m = this.exact[type];
      const bloom = new StringBloomFilter(Math.max(1024, m.size), this.bloomErrorRate);
      for (const key of m.keys()) bloom.add(key);
      this.blooms[type] = bloom;
    }
    return this;
  }

  private getExact(type: ExactType, key: string): IndicatorRecord | undefined {
    const bloom = this.blooms[type];
    if (bloom !== undefined && !bloom.mightContain(key)) return undefined;
    return this.exact[type].get(key);
  }

  /**
   * The indicator matching a value: `ip` checks the address then the CIDR blocks holding it, `cidr`
   * only the blocks, `domain` the name and its parent domains, `url` the normalized URL, `hash` any
   * hex digest.
   */
  lookup(value: string, type: string): IndicatorRecord | undefined {
    switch (type) {
      case 'ip': {
        const ip = parseIp(value);
        if (ip === undefined) return undefined;
        const key = ip.version === 4 ? (ip.value >>> 0).toString(36) : `6:${ip.value.toString(36)}`;
        return this.getExact('ip', key) ?? (this.cidrs.size > 0 ? this.cidrs.lookup(ip) : undefined);
      }
      case 'cidr': {
        const ip = parseIp(value);
        return ip === undefined ? undefined : this.cidrs.lookup(ip);
      }
      case 'domain': {
        let d = normalizeDomain(value);
        for (;;) {
          const hit = this.getExact('domain', d);
          if (hit !== undefined) return hit;
          const dot = d.indexOf('.');
          if (dot < 0) return undefined;
          d = d.slice(dot + 1);
        }
      }
      case 'url':
        return this.exact.url.size === 0 ? undefined : this.getExact('url', normalizeUrl(value));
      case 'hash':
        return this.getExact('hash', value.toLowerCase());
      default:
        return undefined;
    }
  }
}
