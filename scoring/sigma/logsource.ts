// Sigma `logsource` → which Vigil events a rule applies to. Products and services name the sensor
// and log type the parsers stamp (`event.module`, `event.provider`, `observer.type`); categories
// describe the kind of event by the fields it carries. An unknown product or category is reported:
// the rule could never match, and saying nothing would hide that.
import type { EventPredicate } from './compile.ts';

type Ev = Record<string, unknown>;
const ev = (e: Ev) => (e.event ?? {}) as { module?: unknown; provider?: unknown; dataset?: unknown };
const observerType = (e: Ev) => (e.observer as { type?: unknown } | undefined)?.type;
const eq = (a: unknown, b: string) =>
  a === b || (typeof a === 'string' && a.length === b.length && a.toLowerCase() === b);

function fromProduct(product: string): EventPredicate {
  return (e) => {
    const x = ev(e);
    return (
      eq(x.module, product) ||
      eq(observerType(e), product) ||
      (typeof x.dataset === 'string' && x.dataset.toLowerCase().startsWith(product))
    );
  };
}

const PRODUCTS = new Set(['zeek', 'bro', 'suricata', 'snort', 'squid', 'cisco', 'asa', 'yaf']);

const has = (e: Ev, k: string) => e[k] !== undefined && e[k] !== null;
const CATEGORIES: Record<string, EventPredicate> = {
  network_connection: (e) => has(e, 'source') && has(e, 'destination'),
  firewall: (e) => has(e, 'source') && has(e, 'destination'),
  network: (e) => has(e, 'source') && has(e, 'destination'),
  dns: (e) => has(e, 'dns'),
  proxy: (e) => has(e, 'http') || has(e, 'url'),
  webserver: (e) => has(e, 'http') || has(e, 'url'),
  tls: (e) => has(e, 'tls'),
  file_event: (e) => has(e, 'file'),
  // Vigil's own categories: anything enrichment marked.
  threat_intel: (e) => has(e, 'threat'),
};

export interface Logsource {
  product?: string;
  service?: string;
  category?: string;
}

/** The predicate selecting the events a logsource covers; throws naming what Vigil can't serve. */
export function logsourcePredicate(logsource: Logsource | undefined): EventPredicate {
  const parts: EventPredicate[] = [];
  const product = logsource?.product?.toLowerCase();
  if (product !== undefined) {
    if (!PRODUCTS.has(product)) throw new Error(`logsource.product ${product}: no Vigil parser produces it`);
    parts.push(fromProduct(product === 'bro' ? 'zeek' : product));
  }
  const service = logsource?.service?.toLowerCase();
  if (service !== undefined) {
    // Zeek log types and Suricata event types land in event.provider (or event.dataset "<sensor>.<type>").
    parts.push((e) => {
      const x = ev(e);
      return (
        eq(x.provider, service) ||
        (typeof x.dataset === 'string' && x.dataset.toLowerCase().endsWith(`.${service}`))
      );
    });
  }
  const category = logsource?.category?.toLowerCase();
  if (category !== undefined) {
    const c = CATEGORIES[category];
    if (c === undefined)
      throw new Error(`logsource.category ${category}: not a network category Vigil knows`);
    parts.push(c);
  }
  if (parts.length === 0) return () => true;
  return parts.length === 1 ? (parts[0] as EventPredicate) : (e) => parts.every((p) => p(e));
}
