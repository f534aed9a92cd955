import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AssetInventory } from './assets.ts';
import { Enrichment } from './enricher.ts';
import { GeoDatabase, toGeo } from './geo.ts';

const dir = mkdtempSync(join(tmpdir(), 'vigil-enrich-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('AssetInventory', () => {
  it('resolves an IP to its most specific block, and host names exactly', () => {
    const inv = AssetInventory.fromRows([
      { cidr: '10.0.0.0/8', owner: 'it', criticality: 'low', tags: 'corp' },
      { cidr: '10.1.0.0/16', owner: 'finance', criticality: 'critical', tags: 'pci;prod' },
      { ip: '10.1.2.3', owner: 'payments-db', criticality: 4, tags: ['db'] },
      { host: 'DC01.corp.example', owner: 'it', criticality: 'high' },
    ]);
    expect(inv.lookup('10.9.9.9')).toMatchObject({ owner: 'it', criticality: 1, tags: ['corp'] });
    expect(inv.lookup('10.1.9.9')).toMatchObject({ owner: 'finance', criticality: 4, tags: ['pci', 'prod'] });
    expect(inv.lookup('10.1.2.3')?.owner).toBe('payments-db');
    expect(inv.lookup('dc01.corp.example')?.criticality).toBe(3);
    expect(inv.lookup('192.168.1.1')).toBeUndefined();
    expect(() => AssetInventory.fromRows([{ cidr: '10.0.0.0/40' }])).toThrow(/entry 1: not a CIDR/);
    expect(() => AssetInventory.fromRows([{ owner: 'x' }])).toThrow(/cidr, ip or host/);
  });

  it('reads CSV and YAML files', () => {
    const csv = join(dir, 'assets.csv');
    writeFileSync(csv, 'cidr,owner,criticality,tags\n192.168.10.0/24,lab,medium,test|lab\n');
    expect(AssetInventory.fromFile(csv).lookup('192.168.10.7')).toMatchObject({
      owner: 'lab',
      criticality: 2,
      tags: ['test', 'lab'],
    });
    const yml = join(dir, 'assets.yaml');
    writeFileSync(yml, '- host: web01\n  owner: web\n  tags: [dmz]\n');
    expect(AssetInventory.fromFile(yml).lookup('WEB01')).toMatchObject({ owner: 'web', tags: ['dmz'] });
  });
});

describe('GeoDatabase (default GeoLite2-City from @ip-location-db)', () => {
  it('maps a public address to ECS geo and leaves private ones alone', async () => {
    const geo = await GeoDatabase.open();
    expect(geo.geo('81.2.69.142')).toMatchObject({
      country_iso_code: 'GB',
      location: { lat: expect.any(Number) },
    });
    expect(geo.geo('10.0.0.1')).toBeUndefined();
    expect(geo.hasAsn).toBe(false);
  });
});

describe('toGeo', () => {
  it('maps MaxMind GeoLite2/GeoIP2 City records (nested) to ECS geo', () => {
    const record = {
      continent: { code: 'EU' },
      country: { iso_code: 'SE', names: { en: 'Sweden' } },
      subdivisions: [{ names: { en: 'Stockholm County' } }],
      city: { names: { en: 'Stockholm' } },
      postal: { code: '100 05' },
      location: { latitude: 59.3, longitude: 18.1, time_zone: 'Europe/Stockholm' },
    };
    expect(toGeo(record)).toEqual({
      continent_code: 'EU',
      country_iso_code: 'SE',
      country_name: 'Sweden',
      region_name: 'Stockholm County',
      city_name: 'Stockholm',
      postal_code: '100 05',
      timezone: 'Europe/Stockholm',
      location: { lat: 59.3, lon: 18.1 },
    });
  });
});

describe('Enrichment', () => {
  let enrichment: Enrichment;
  beforeAll(async () => {
    enrichment = await Enrichment.load({
      resources: {
        geo: { enabled: true },
        assets: { entries: [{ cidr: '10.0.0.0/8', owner: 'corp', criticality: 2 }] },
        intel: {
          sources: [],
          indicators: [
            { indicator: '81.2.69.142', type: 'ip', threat: 'test-c2' },
            { indicator: 'evil.example', type: 'domain' },
          ],
          bloomErrorRate: 0.01,
        },
      },
      defaults: { fields: ['vigil.dns.entropy := entropy(dns.question.name)'] },
      sensors: {
        zeek: {
          fields: [
            'vigil.is_internal := isPrivateIp(source.ip)',
            'vigil.risky := vigil.is_internal && has(threat.enrichments)',
          ],
        },
      },
    });
  });

  const conn = () => ({
    '@timestamp': '2026-12-04T19:51:25.123Z',
    observer: { type: 'zeek' },
    source: { ip: '10.1.2.3', port: 5555 },
    destination: { ip: '81.2.69.142', port: 443 },
  });

  it('adds geo, asset, intel and expression fields', () => {
    const e: Record<string, any> = conn();
    enrichment.withProviders(() => enrichment.enrich(e));
    expect(e.destination.geo.country_iso_code).toBe('GB');
    expect(e.source.geo).toBeUndefined();
    expect(e.vigil.asset.source).toMatchObject({ owner: 'corp', criticality: 2 });
    expect(e.threat.enrichments).toEqual([
      {
        indicator: expect.objectContaining({ value: '81.2.69.142', type: 'ip', name: 'test-c2' }),
        matched: { atomic: '81.2.69.142', field: 'destination.ip', type: 'indicator_match_rule' },
      },
    ]);
    expect(e.vigil.is_internal).toBe(true);
    expect(e.vigil.risky).toBe(true); // a later assignment sees an earlier one
    expect(e.vigil.errors).toBeUndefined();
  });

  it('matches domain indicators and runs sensor-independent defaults', () => {
    const e: Record<string, any> = {
      '@timestamp': '2026-12-04T19:51:25.123Z',
      observer: { type: 'other' },
      dns: { question: { name: 'www.evil.example' } },
    };
    enrichment.withProviders(() => enrichment.enrich(e));
    expect(e.threat.enrichments[0].matched.field).toBe('dns.question.name');
    expect(e.vigil.dns.entropy).toBeGreaterThan(2);
    expect(e.vigil.is_internal).toBeUndefined(); // zeek-only field
  });

  it('records bad input on the event instead of failing', () => {
    const e: Record<string, any> = conn();
    e.source.ip = 'not-an-ip';
    e.destination.ip = 42;
    enrichment.withProviders(() => enrichment.enrich(e));
    const errors = e.vigil.errors.map((x: { step: string; field: string }) => `${x.step}:${x.field}`);
    expect(errors).toEqual(
      expect.arrayContaining([
        'geo:source.ip',
        'geo:destination.ip',
        'asset:destination.ip',
        'intel:destination.ip',
        'field:vigil.is_internal',
      ]),
    );
    expect(e.vigil.errors.find((x: { field: string }) => x.field === 'vigil.is_internal').message).toMatch(
      /not an IP address.*position/,
    );
  });

  it('rejects a config with a bad expression, naming it', async () => {
    await expect(Enrichment.load({ sensors: { zeek: { fields: ['x := entropy('] } } })).rejects.toThrow(
      /sensors\.zeek\.enrich\.fields\[0\].*position/,
    );
    await expect(Enrichment.load({ defaults: { fields: ['no assignment here'] } })).rejects.toThrow(
      /field.path := expression/,
    );
  });
});
