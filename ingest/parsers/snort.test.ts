import { describe, expect, it } from 'vitest';
import { parseSnortTime, SnortParser } from './snort.ts';

const line =
  '01/27/16-16:01:04.877970 ,129,12,1,"Consecutive TCP small segments, exceeding threshold",TCP,10.0.2.2,56642,10.0.2.15,22,52:54:00:12:35:02,08:00:27:7F:93:2D,0x4E,***AP***,0x9AFF3D7,0xC8761D52,,0xFFFF,64,0,59677,64,65536,,,,';

describe('SnortParser', () => {
  it('parses an alert_csv line (quoted msg with a comma) into an alert', () => {
    const r = new SnortParser().parse(line);
    expect(r.ok && r.events[0]).toMatchObject({
      '@timestamp': '2016-01-27T16:01:04.877Z',
      event: { kind: 'alert' },
      rule: { id: '12', version: '1', name: 'Consecutive TCP small segments, exceeding threshold' },
      source: { ip: '10.0.2.2', port: '56642', mac: '52:54:00:12:35:02' },
      destination: { ip: '10.0.2.15', port: '22' },
      network: { transport: 'tcp' },
      snort: { tcpflags: '***AP***', icmpid: '' },
    });
  });

  it('reads times without a year and in a timezone', () => {
    expect(parseSnortTime('03/01-10:00:00.5', { year: 2020 })).toBe(Date.UTC(2020, 2, 1, 10, 0, 0, 500));
    expect(parseSnortTime('03/01/20-10:00:00', { timezone: 'America/New_York' })).toBe(
      Date.UTC(2020, 2, 1, 15),
    );
  });

  it('supports a custom column list and rejects wrong column counts or bad times', () => {
    const p = new SnortParser({ columns: ['timestamp', 'msg', 'src', 'dst'] });
    expect(p.parse('01/01/20-00:00:00,hi,1.1.1.1,2.2.2.2')).toMatchObject({ ok: true });
    expect(p.parse('01/01/20-00:00:00,hi')).toMatchObject({ ok: false, kind: 'parse' });
    expect(p.parse('soon,hi,1.1.1.1,2.2.2.2')).toMatchObject({ ok: false, kind: 'invalid' });
    expect(p.parse('01/01/20-00:00:00,"hi,1.1.1.1,2.2.2.2')).toMatchObject({ ok: false, kind: 'parse' });
  });
});
