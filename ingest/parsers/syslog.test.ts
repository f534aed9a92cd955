import { describe, expect, it } from 'vitest';
import { Syslog3164Parser } from './syslog-3164.ts';
import { Syslog5424Parser } from './syslog-5424.ts';
import { wallTimeToMs } from './time.ts';

describe('Syslog3164Parser', () => {
  it('reads PRI, timestamp (configured year), host, tag and pid', () => {
    const r = new Syslog3164Parser({ year: 2024 }).parse(
      '<34>Oct 11 22:14:15 mymachine su[230]: su root failed on /dev/pts/8',
    );
    expect(r.ok && r.events[0]).toMatchObject({
      '@timestamp': '2024-10-11T22:14:15.000Z',
      host: { hostname: 'mymachine' },
      log: {
        syslog: {
          priority: 34,
          facility: { code: 4, name: 'auth' },
          severity: { code: 2, name: 'crit' },
          appname: 'su',
          procid: '230',
        },
      },
      process: { name: 'su', pid: 230 },
      message: 'su[230]: su root failed on /dev/pts/8',
    });
  });

  it('applies the configured timezone', () => {
    const r = new Syslog3164Parser({ year: 2024, timezone: 'Europe/Prague' }).parse(
      '<13>Jul  1 12:00:00 h app: x',
    );
    expect(r.ok && r.events[0]!['@timestamp']).toBe('2024-07-01T10:00:00.000Z');
  });

  it('rejects a line without a header', () => {
    expect(new Syslog3164Parser().parse('hello world')).toMatchObject({ ok: false, kind: 'parse' });
  });
});

describe('Syslog5424Parser', () => {
  it('reads the header, structured data and message; "-" leaves a field out', () => {
    const r = new Syslog5424Parser().parse(
      '<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut="3" eventSource="Appl\\"ication"][x@1 a="b"] An application event',
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const e = r.events[0]!;
    expect(e['@timestamp']).toBe('2003-10-11T22:14:15.003Z');
    expect(e.message).toBe('An application event');
    const syslog = (e.log as Record<string, Record<string, unknown>>).syslog!;
    expect(syslog.appname).toBe('evntslog');
    expect('procid' in syslog).toBe(false);
    expect(syslog.msgid).toBe('ID47');
    expect(syslog.structured_data).toEqual({
      'exampleSDID@32473': { iut: '3', eventSource: 'Appl"ication' },
      'x@1': { a: 'b' },
    });
  });

  it('rejects a bad timestamp or broken structured data', () => {
    const p = new Syslog5424Parser();
    expect(p.parse('<14>1 yesterday host app - - - msg')).toMatchObject({ ok: false, kind: 'parse' });
    expect(p.parse('<14>1 2014-06-20T09:14:07+00:00 h a - - [x a="1" msg')).toMatchObject({
      ok: false,
      kind: 'parse',
    });
  });
});

describe('wallTimeToMs', () => {
  it('handles both sides of a DST change', () => {
    expect(wallTimeToMs(2024, 2, 31, 1, 30, 0, 0, 'Europe/Prague')).toBe(Date.UTC(2024, 2, 31, 0, 30));
    expect(wallTimeToMs(2024, 2, 31, 3, 30, 0, 0, 'Europe/Prague')).toBe(Date.UTC(2024, 2, 31, 1, 30));
  });
});
