import { describe, expect, it } from 'vitest';
import { compileGrok, matchGrok } from './grok.ts';
import { RegexParser, regexOptions } from './regex.ts';

describe('grok', () => {
  it('expands library patterns with typed captures', () => {
    const g = compileGrok('%{IP:source.ip}:%{INT:source.port:int} %{GREEDYDATA:message}');
    expect(Object.fromEntries(matchGrok(g, '10.1.2.3:8080 hello there')!)).toEqual({
      'source.ip': '10.1.2.3',
      'source.port': 8080,
      message: 'hello there',
    });
    expect(matchGrok(compileGrok('^%{IPV6:ip}$'), 'fe80::1')).toBeDefined();
    expect(() => compileGrok('%{NOPE:x}')).toThrow(/unknown pattern/);
  });
});

describe('RegexParser', () => {
  it('parses an Apache combined log line with the grok library', () => {
    const p = new RegexParser(regexOptions.parse({ grok: '%{COMBINEDAPACHELOG}' }));
    const r = p.parse(
      '127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326 "http://ex.com/" "Mozilla/4.08"',
    );
    expect(r.ok && r.events[0]).toMatchObject({
      '@timestamp': '2000-10-10T20:55:36.000Z',
      source: { address: '127.0.0.1' },
      user: { name: 'frank' },
      http: {
        request: { method: 'GET', referrer: 'http://ex.com/' },
        response: { status_code: 200, body: { bytes: 2326 } },
      },
      url: { original: '/apache_pb.gif' },
      user_agent: { original: 'Mozilla/4.08' },
    });
  });

  it('tries patterns in order and supports plain regexes with __ paths', () => {
    const p = new RegexParser(
      regexOptions.parse({ grok: ['^A %{WORD:a}$'], regex: ['^B (?<source__ip>\\S+)$'] }),
    );
    expect(p.parse('A x')).toMatchObject({ ok: true, events: [{ a: 'x' }] });
    expect(p.parse('B 1.2.3.4')).toMatchObject({ ok: true, events: [{ source: { ip: '1.2.3.4' } }] });
    expect(p.parse('C')).toMatchObject({ ok: false, kind: 'parse' });
  });

  it('rejects a bad pattern at config time, naming it', () => {
    const r = regexOptions.safeParse({ grok: ['%{MISSING:x}'] });
    expect(r.success).toBe(false);
    expect(JSON.stringify(r.error?.issues)).toContain('MISSING');
  });
});
