import { describe, expect, it } from 'vitest';
import { CiscoAsaParser, ciscoAsaMessageIds } from './cisco-asa.ts';

describe('CiscoAsaParser', () => {
  const p = new CiscoAsaParser({ year: 2016 });

  it('parses a teardown with the 5-tuple, lower-cased action and transport', () => {
    const r = p.parse(
      '<142>Jan  5 08:52:35 10.40.1.6 %ASA-6-302014: Teardown TCP connection 55500123 for outside_vpn:203.0.113.77/26436 to dmz:10.40.2.53/443 duration 0:00:00 bytes 9687 TCP FINs',
    );
    expect(r.ok && r.events[0]).toMatchObject({
      '@timestamp': '2016-01-05T08:52:35.000Z',
      event: { action: 'teardown', code: '302014', severity: 6 },
      source: { ip: '203.0.113.77', port: 26436 },
      destination: { ip: '10.40.2.53', port: 443 },
      network: { transport: 'tcp', bytes: 9687 },
      cisco: { asa: { tag: 'ASA-6-302014', message_id: '302014' } },
      host: { hostname: '10.40.1.6' },
    });
  });

  it('reads the Cisco timestamp with a year and no host', () => {
    const r = p.parse(
      '<164>Aug 05 2016 01:02:25: %ASA-4-106023: Deny udp src Inside:10.60.4.12/42350 dst Outside:192.168.9.53/53 by access-group "inside_acl" [0x962df600, 0x0]',
    );
    expect(r.ok && r.events[0]).toMatchObject({
      '@timestamp': '2016-08-05T01:02:25.000Z',
      rule: { name: 'inside_acl' },
      event: { action: 'deny' },
    });
  });

  it('keeps messages whose ID has no pattern', () => {
    const r = p.parse('<166>Jan  5 08:52:35 fw %ASA-6-999999: Something new happened');
    expect(r.ok && r.events[0]).toMatchObject({
      message: 'Something new happened',
      event: { code: '999999' },
    });
  });

  it('rejects lines without an ASA tag', () => {
    expect(p.parse('<166>Jan  5 08:52:35 fw sshd: hello')).toMatchObject({ ok: false, kind: 'parse' });
  });

  it('has patterns for the message IDs in Metron’s samples', () => {
    expect(ciscoAsaMessageIds()).toEqual(
      expect.arrayContaining(['106001', '106023', '302013', '302020', '305011', '313001', '710005']),
    );
  });
});
