import { describe, expect, it } from 'vitest';
import { YafParser } from './yaf.ts';

const line =
  '2016-01-28 15:29:48.512|2016-01-28 15:29:48.600|   0.088|   0.000|  6|                          216.21.170.221|   80|                               10.0.2.15|39468|      AS|       0|       0|       0|22efa001|00000000|000|000|       3|      144|       2|     100|    0|idle ';

describe('YafParser', () => {
  it('parses a padded pipe-delimited flow', () => {
    const r = new YafParser().parse(line);
    expect(r.ok && r.events[0]).toMatchObject({
      '@timestamp': '2016-01-28T15:29:48.512Z',
      event: { start: '2016-01-28T15:29:48.512Z', end: '2016-01-28T15:29:48.600Z', duration: 88_000_000 },
      source: { ip: '216.21.170.221', port: '80', packets: 3, bytes: 144 },
      destination: { ip: '10.0.2.15', port: '39468', packets: 2, bytes: 100 },
      network: { transport: 'tcp', iana_number: '6', bytes: 244, packets: 5 },
      yaf: { iflags: 'AS', isn: '22efa001', end_reason: 'idle' },
    });
  });

  it('rejects lines with the wrong number of columns or a bad start time', () => {
    const p = new YafParser();
    expect(p.parse('a|b|c')).toMatchObject({ ok: false, kind: 'parse' });
    expect(p.parse(line.replace('2016-01-28 15:29:48.512', 'not a time'))).toMatchObject({
      ok: false,
      kind: 'invalid',
    });
  });
});
