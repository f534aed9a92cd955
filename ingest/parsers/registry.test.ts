import { describe, expect, it } from 'vitest';
import { createParser, ParserConfigError, parserFormats } from './registry.ts';

describe('parser registry', () => {
  it('lists every format the issue names', () => {
    expect(parserFormats()).toEqual([
      'cef',
      'cisco-asa',
      'csv',
      'json-map',
      'leef',
      'regex',
      'snort-csv',
      'squid',
      'suricata-eve',
      'syslog-3164',
      'syslog-5424',
      'websphere',
      'yaf',
      'zeek-json',
      'zeek-tsv',
    ]);
  });

  it("accepts Metron's sensor names as aliases", () => {
    expect(createParser('bro').format).toBe('zeek-json');
    expect(createParser('asa').format).toBe('cisco-asa');
  });

  it('throws a clear error for an unknown format', () => {
    expect(() => createParser('nope')).toThrow(ParserConfigError);
    expect(() => createParser('nope')).toThrow(/unknown parser format "nope"; expected one of: cef, /);
  });

  it('validates options with the format schema, naming the field', () => {
    expect(() => createParser('csv', {})).toThrow(/bad options for parser csv: columns:/);
    expect(() => createParser('syslog-3164', { timezone: 'Mars/Olympus' })).toThrow(
      /timezone: expected an IANA time zone/,
    );
    expect(() => createParser('zeek-json', { logtype: 'conn' })).toThrow(/bad options for parser zeek-json/);
  });

  it('builds a fresh instance per call (stateful parsers keep per-stream state)', () => {
    const a = createParser('zeek-tsv');
    const b = createParser('zeek-tsv');
    a.parse('#fields\tts\tid.orig_h');
    expect(a.parse('1.0\t10.0.0.1').ok).toBe(true);
    expect(b.parse('1.0\t10.0.0.1').ok).toBe(false);
  });
});
