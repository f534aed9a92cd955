import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { StringBloomFilter } from './bloom.ts';
import { loadThreatIntel } from './load.ts';
import { parseStixBundle, parseStixPattern } from './stix.ts';
import { inferIndicatorType, ThreatIntelStore } from './store.ts';

const dir = mkdtempSync(join(tmpdir(), 'vigil-intel-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('StringBloomFilter', () => {
  it('never gives a false negative and keeps false positives near the target rate', () => {
    const bloom = new StringBloomFilter(10_000, 0.01);
    for (let i = 0; i < 10_000; i++) bloom.add(`in-${i}`);
    for (let i = 0; i < 10_000; i++) expect(bloom.mightContain(`in-${i}`)).toBe(true);
    let fp = 0;
    for (let i = 0; i < 20_000; i++) if (bloom.mightContain(`out-${i}`)) fp++;
    expect(fp / 20_000).toBeLessThan(0.03);
  });
});

describe('ThreatIntelStore', () => {
  const store = new ThreatIntelStore();
  store.add({ indicator: '198.51.100.7', type: 'ip', source: 'feed' });
  store.add({ indicator: '2001:db8::dead', type: 'ip' });
  store.add({ indicator: '203.0.113.0/24', type: 'cidr', threat: 'botnet' });
  store.add({ indicator: 'evil.example', type: 'domain' });
  store.add({ indicator: 'HTTP://Bad.Example/path?q=1', type: 'url' });
  store.add({ indicator: 'D41D8CD98F00B204E9800998ECF8427E', type: 'hash' });
  store.seal();

  it('matches each indicator type, normalized', () => {
    expect(store.lookup('198.51.100.7', 'ip')?.source).toBe('feed');
    expect(store.lookup('2001:0db8:0:0::dead', 'ip')).toBeDefined();
    expect(store.lookup('203.0.113.99', 'ip')?.threat).toBe('botnet');
    expect(store.lookup('203.0.113.99', 'cidr')?.type).toBe('cidr');
    expect(store.lookup('198.51.100.7', 'cidr')).toBeUndefined();
    expect(store.lookup('a.b.EVIL.example.', 'domain')?.indicator).toBe('evil.example');
    expect(store.lookup('notevil.example', 'domain')).toBeUndefined();
    expect(store.lookup('http://bad.example/path?q=1', 'url')).toBeDefined();
    expect(store.lookup('http://bad.example/other', 'url')).toBeUndefined();
    expect(store.lookup('d41d8cd98f00b204e9800998ecf8427e', 'hash')).toBeDefined();
    expect(store.lookup('not-an-ip', 'ip')).toBeUndefined();
    expect(store.size).toBe(6);
  });

  it('rejects values that do not fit their type', () => {
    expect(() => new ThreatIntelStore().add({ indicator: '1.2.3', type: 'ip' })).toThrow(/not a valid ip/);
    expect(() => new ThreatIntelStore().add({ indicator: 'xyz!', type: 'hash' })).toThrow(/hex/);
  });

  it('infers types of untyped rows', () => {
    expect(inferIndicatorType('10.0.0.0/8')).toBe('cidr');
    expect(inferIndicatorType('::1')).toBe('ip');
    expect(inferIndicatorType('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855')).toBe(
      'hash',
    );
    expect(inferIndicatorType('https://x.example/a')).toBe('url');
    expect(inferIndicatorType('x.example')).toBe('domain');
    expect(inferIndicatorType('hello world')).toBeUndefined();
  });
});

describe('STIX 2.1', () => {
  it('parses single comparisons joined by OR and reports the rest', () => {
    expect(parseStixPattern("[ipv4-addr:value = '198.51.100.1' OR domain-name:value = 'x.example']")).toEqual(
      {
        comparisons: [
          { type: 'ip', value: '198.51.100.1' },
          { type: 'domain', value: 'x.example' },
        ],
      },
    );
    expect(parseStixPattern("[file:hashes.'SHA-256' = 'abc123']")).toEqual({
      comparisons: [{ type: 'hash', value: 'abc123' }],
    });
    expect(parseStixPattern("[ipv4-addr:value ISSUBSET '10.0.0.0/8']")).toEqual({
      comparisons: [{ type: 'cidr', value: '10.0.0.0/8' }],
    });
    expect(
      parseStixPattern("[ipv4-addr:value = '1.1.1.1' AND network-traffic:dst_port = 80]"),
    ).toHaveProperty('error');
    expect(parseStixPattern("[process:name = 'x']")).toHaveProperty('error');
  });

  it('loads indicator objects from a bundle, skipping revoked ones and reporting unsupported ones', () => {
    const bundle = {
      type: 'bundle',
      id: 'bundle--1',
      objects: [
        { type: 'identity', id: 'identity--1', name: 'ACME CERT' },
        {
          type: 'indicator',
          id: 'indicator--1',
          name: 'C2',
          pattern: "[url:value = 'http://c2.example/x']",
          pattern_type: 'stix',
          confidence: 80,
        },
        { type: 'indicator', id: 'indicator--2', pattern: "[ipv4-addr:value = '1.1.1.1']", revoked: true },
        { type: 'indicator', id: 'indicator--3', pattern: 'alert tcp any any', pattern_type: 'snort' },
      ],
    };
    const result = parseStixBundle(JSON.stringify(bundle), 'acme');
    expect(result.indicators).toEqual([
      expect.objectContaining({
        indicator: 'http://c2.example/x',
        type: 'url',
        threat: 'C2',
        confidence: 80,
        id: 'indicator--1',
      }),
    ]);
    expect(result.unsupported).toEqual([{ id: 'indicator--3', reason: expect.stringContaining('snort') }]);
  });
});

describe('loadThreatIntel', () => {
  it('loads CSV and STIX files into one store and reports bad rows with their line', () => {
    const csv = join(dir, 'feed.csv');
    writeFileSync(
      csv,
      'indicator,type,threat\n198.51.100.9,ip,scanner\nevil.example,,phishing\nnonsense value,,\n1.2.3,ip,\n',
    );
    const stix = join(dir, 'feed.json');
    writeFileSync(
      stix,
      JSON.stringify({
        type: 'bundle',
        id: 'bundle--2',
        objects: [
          {
            type: 'indicator',
            id: 'indicator--9',
            pattern: "[domain-name:value = 'c2.example']",
            pattern_type: 'stix',
          },
        ],
      }),
    );
    const { store, report } = loadThreatIntel([{ path: csv }, { path: stix }]);
    expect(report.loaded).toBe(3);
    expect(report.problems).toHaveLength(2);
    expect(report.problems[0]).toContain('row 4');
    expect(report.problems[1]).toContain('1.2.3');
    expect(store.lookup('198.51.100.9', 'ip')?.threat).toBe('scanner');
    expect(store.lookup('www.evil.example', 'domain')?.threat).toBe('phishing');
    expect(store.lookup('c2.example', 'domain')?.source).toBe('feed.json');
  });
});
