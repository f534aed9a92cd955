import { describe, expect, it } from 'vitest';
import { CefParser, parseCefExtension } from './cef.ts';

describe('CefParser', () => {
  it('parses header, escaped pipes, extensions, custom labels and ECS copies', () => {
    const r = new CefParser().parse(
      'CEF:0|Security|threat\\|manager|1.0|100|worm successfully stopped|10|src=10.0.0.1 dst=2.1.2.2 spt=1232 dpt=80 suser=alice msg=hello world a\\=b cs1Label=Rule cs1=Block All rt=1458569102000 dvc=not-an-ip',
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.events[0]).toMatchObject({
      '@timestamp': '2016-03-21T14:05:02.000Z',
      event: { code: '100', severity: 10 },
      observer: { vendor: 'Security', product: 'threat|manager', version: '1.0' },
      source: { ip: '10.0.0.1', port: 1232, user: { name: 'alice' } },
      destination: { ip: '2.1.2.2', port: 80 },
      message: 'hello world a=b',
      cef: {
        name: 'worm successfully stopped',
        custom: { Rule: 'Block All' },
        extensions: { dvc: 'not-an-ip' },
      },
    });
    // A value of the wrong type stays in cef.extensions only.
    expect((r.events[0]!.observer as Record<string, unknown>).ip).toBeUndefined();
  });

  it('takes the time from a syslog prefix', () => {
    const r = new CefParser({ year: 2016 }).parse(
      'Mar 21 14:05:02 HHHPVATN1 CEF:0|Cyber-Ark|Vault|7.20|295|Retrieve password|5|act=Retrieve password',
    );
    expect(r.ok && r.events[0]).toMatchObject({
      '@timestamp': '2016-03-21T14:05:02.000Z',
      host: { hostname: 'HHHPVATN1' },
      event: { action: 'Retrieve password' },
      cef: { header: 'Mar 21 14:05:02 HHHPVATN1 CEF:0' },
    });
  });

  it('splits extensions at the next key only', () => {
    expect(parseCefExtension('a=1 b=two words c= d=x')).toEqual({ a: '1', b: 'two words', c: '', d: 'x' });
  });

  it('rejects lines without CEF or with a short header', () => {
    const p = new CefParser();
    expect(p.parse('hello')).toMatchObject({ ok: false, kind: 'parse' });
    expect(p.parse('CEF:0|a|b')).toMatchObject({ ok: false, kind: 'parse' });
  });
});
