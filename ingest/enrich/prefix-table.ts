// Longest-prefix match of IPs against CIDR blocks: one hash map per prefix length, probed from the
// longest length present down. At most 33 (IPv4) or 129 (IPv6) probes, usually a handful, whatever
// the number of blocks, so millions of CIDR indicators stay cheap.
import { type Cidr, type ParsedIp, parseCidr } from '../../kernel/expr/functions/ip.ts';

export class PrefixTable<T> {
  private readonly v4 = new Map<number, Map<number, T>>();
  private readonly v6 = new Map<number, Map<bigint, T>>();
  private v4Lengths: number[] = [];
  private v6Lengths: number[] = [];
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** Adds a block; returns false when the text is not a CIDR (or an address, taken as /32 or /128). */
  add(text: string, value: T): boolean {
    const cidr = parseCidr(text);
    if (cidr === undefined) return false;
    this.addCidr(cidr, value);
    return true;
  }

  addCidr(cidr: Cidr, value: T): void {
    if (cidr.version === 4) {
      let m = this.v4.get(cidr.prefix);
      if (m === undefined) {
        m = new Map();
        this.v4.set(cidr.prefix, m);
        this.v4Lengths = [...this.v4.keys()].sort((a, b) => b - a);
      }
      if (!m.has(cidr.base as number)) this.count++;
      m.set(cidr.base as number, value);
    } else {
      let m = this.v6.get(cidr.prefix);
      if (m === undefined) {
        m = new Map();
        this.v6.set(cidr.prefix, m);
        this.v6Lengths = [...this.v6.keys()].sort((a, b) => b - a);
      }
      if (!m.has(cidr.base as bigint)) this.count++;
      m.set(cidr.base as bigint, value);
    }
  }

  /** The value of the most specific block containing the address. */
  lookup(ip: ParsedIp): T | undefined {
    if (ip.version === 4) {
      for (const len of this.v4Lengths) {
        const size = 2 ** (32 - len);
        const hit = this.v4.get(len)?.get(Math.floor(ip.value / size) * size);
        if (hit !== undefined) return hit;
      }
      return undefined;
    }
    for (const len of this.v6Lengths) {
      const host = BigInt(128 - len);
      const hit = this.v6.get(len)?.get((ip.value >> host) << host);
      if (hit !== undefined) return hit;
    }
    return undefined;
  }
}
