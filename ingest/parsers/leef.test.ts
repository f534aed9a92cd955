import { describe, expect, it } from 'vitest';
import { LeefParser } from './leef.ts';

describe('LeefParser', () => {
  it('parses LEEF 1.0 with tab-delimited attributes', () => {
    const r = new LeefParser().parse(
      'LEEF:1.0|Microsoft|MSExchange|4.0 SP1|15345|src=192.0.2.0\tdst=172.50.123.1\tsev=5\tcat=anomaly\tdevTime=1458569102000\tmsg=a=b',
    );
    expect(r.ok && r.events[0]).toMatchObject({
      '@timestamp': '2016-03-21T14:05:02.000Z',
      observer: { vendor: 'Microsoft', product: 'MSExchange', version: '4.0 SP1' },
      event: { code: '15345', severity: 5 },
      source: { ip: '192.0.2.0' },
      destination: { ip: '172.50.123.1' },
      leef: { attributes: { cat: 'anomaly', msg: 'a=b' } },
    });
  });

  it('honours a LEEF 2.0 delimiter field (character or hex)', () => {
    const caret = new LeefParser().parse(
      'LEEF:2.0|Lancope|StealthWatch|1.0|41|^|src=10.0.1.8^dst=10.0.0.5^sev=5',
    );
    expect(caret.ok && caret.events[0]).toMatchObject({
      source: { ip: '10.0.1.8' },
      destination: { ip: '10.0.0.5' },
    });
    const hex = new LeefParser().parse('LEEF:2.0|V|P|1|41|x7C|src=10.0.1.8|sev=5');
    expect(hex.ok && hex.events[0]).toMatchObject({ source: { ip: '10.0.1.8' }, event: { severity: 5 } });
  });

  it('splits space-separated pairs a producer put into one tab attribute', () => {
    const r = new LeefParser().parse(
      'LEEF:2.0|Trend Micro|DSA|1|2002779|cat=IM\tsev=8 cn1=37 cn1Label=Host ID\tact=updated',
    );
    expect(r.ok && r.events[0]).toMatchObject({
      leef: { attributes: { sev: '8', cn1: '37', cn1Label: 'Host ID', act: 'updated' } },
    });
  });

  it('leaves @timestamp unset when the record has no time, and rejects non-LEEF lines', () => {
    const r = new LeefParser().parse('LEEF:1.0|a|b|c|d|k=v');
    expect(r.ok && r.events[0]!['@timestamp']).toBeUndefined();
    expect(new LeefParser().parse('CEF:0|x')).toMatchObject({ ok: false, kind: 'parse' });
    expect(new LeefParser().parse('LEEF:1.0|a|b')).toMatchObject({ ok: false, kind: 'parse' });
  });
});
