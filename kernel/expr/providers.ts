// Lookups that expressions reach through functions (`geo(ip)`, `asset(ip)`, `intel(x, type)`,
// `profile(name, entity, periods)`). The stages that own the data (enrichment, the profiler) inject
// them; the expression library only knows these shapes. Evaluation is synchronous, so a stage can
// scope its providers around a batch with `withExpressionProviders` without leaking into others.

export type LookupRecord = Record<string, unknown>;

export interface ExpressionProviders {
  /** Geo record for an IP (country/city/location, ASN fields when known), or undefined. */
  geo?(ip: string): LookupRecord | undefined;
  /** Asset inventory record for an IP or host name (owner, criticality, tags), or undefined. */
  asset?(ipOrHost: string): LookupRecord | undefined;
  /** Threat-intel match for an indicator of a type (ip, cidr, domain, url, hash), or undefined. */
  intel?(indicator: string, type: string): LookupRecord | undefined;
  /** Values of a profile for an entity over the last `periods` periods, oldest first. */
  profile?(name: string, entity: string, periods: number): number[];
}

let defaults: ExpressionProviders = {};
let scoped: ExpressionProviders | undefined;

/** Sets process-wide providers (merged into the current defaults); returns the previous defaults. */
export function setExpressionProviders(providers: ExpressionProviders): ExpressionProviders {
  const previous = defaults;
  defaults = { ...defaults, ...providers };
  return previous;
}

/** Replaces the process-wide providers (use the value setExpressionProviders returned to undo). */
export function resetExpressionProviders(providers: ExpressionProviders = {}): void {
  defaults = providers;
}

/** Runs `fn` with these providers in front of the defaults (for a stage's batch or a test). */
export function withExpressionProviders<T>(providers: ExpressionProviders, fn: () => T): T {
  const previous = scoped;
  scoped = previous === undefined ? providers : { ...previous, ...providers };
  try {
    return fn();
  } finally {
    scoped = previous;
  }
}

export function activeProvider<K extends keyof ExpressionProviders>(name: K): ExpressionProviders[K] {
  return scoped?.[name] ?? defaults[name];
}
