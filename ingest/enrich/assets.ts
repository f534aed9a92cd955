// The asset inventory: which networks and hosts belong to whom and how much they matter. Rows map a
// CIDR block, an address or a host name to {owner, criticality, tags, ...extra columns}; an IP
// resolves to its most specific block.
import { parseIp } from '../../kernel/expr/functions/ip.ts';
import { PrefixTable } from './prefix-table.ts';
import { readTableFile, type TableRow } from './table-file.ts';

export interface AssetRecord {
  owner?: string;
  /** 1 (low) .. 4 (critical); words low/medium/high/critical are accepted in files. */
  criticality?: number;
  tags: string[];
  [extra: string]: unknown;
}

const CRITICALITY_WORDS: Record<string, number> = { low: 1, medium: 2, high: 3, critical: 4 };

export class AssetInventory {
  private readonly networks = new PrefixTable<AssetRecord>();
  private readonly hosts = new Map<string, AssetRecord>();

  static fromRows(rows: TableRow[], source = '<assets>'): AssetInventory {
    const inventory = new AssetInventory();
    for (const [i, row] of rows.entries()) inventory.addRow(row, `${source}: entry ${i + 1}`);
    return inventory;
  }

  static fromFile(path: string): AssetInventory {
    return AssetInventory.fromRows(readTableFile(path), path);
  }

  get size(): number {
    return this.networks.size + this.hosts.size;
  }

  addRow(row: TableRow, where: string): void {
    const { cidr, ip, host, owner, criticality, tags, ...extra } = row;
    const record: AssetRecord = { ...extra, tags: toTags(tags) };
    if (owner !== undefined && owner !== '') record.owner = String(owner);
    const crit = toCriticality(criticality, where);
    if (crit !== undefined) record.criticality = crit;
    const block = cidr ?? ip;
    if (block !== undefined && block !== '') {
      if (!this.networks.add(String(block), record))
        throw new Error(`${where}: not a CIDR or IP: ${String(block)}`);
    } else if (host !== undefined && host !== '') {
      this.hosts.set(String(host).toLowerCase(), record);
    } else {
      throw new Error(`${where}: needs a cidr, ip or host column`);
    }
  }

  lookup(ipOrHost: string): AssetRecord | undefined {
    const ip = parseIp(ipOrHost);
    if (ip !== undefined) return this.networks.lookup(ip) ?? this.hosts.get(ipOrHost);
    return this.hosts.get(ipOrHost.toLowerCase());
  }
}

function toTags(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String);
  if (typeof value === 'string' && value !== '')
    return value
      .split(/[;|,]/)
      .map((t) => t.trim())
      .filter(Boolean);
  return [];
}

function toCriticality(value: unknown, where: string): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value === 'number') return value;
  const text = String(value).trim().toLowerCase();
  const n = CRITICALITY_WORDS[text] ?? Number(text);
  if (Number.isNaN(n)) throw new Error(`${where}: criticality must be a number or low/medium/high/critical`);
  return n;
}
