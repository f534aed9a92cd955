import { describe, expect, it } from 'vitest';
import { WebsphereParser } from './websphere.ts';

describe('WebsphereParser', () => {
  const p = new WebsphereParser({ year: 2016 });
  it('parses a login', () => {
    const r = p.parse(
      "<133>Apr 15 17:47:28 GWXML0042 [extOut][0x81000033][auth][notice] user(mgarcia): [203.0.113.45]: User logged into 'partnerOut'.",
    );
    expect(r.ok && r.events[0]).toMatchObject({
      '@timestamp': '2016-04-15T17:47:28.000Z',
      event: { action: 'login', code: '0x81000033' },
      user: { name: 'mgarcia' },
      source: { ip: '203.0.113.45' },
      log: { level: 'notice', syslog: { priority: 133 } },
      websphere: { domain: 'extOut', event_type: 'auth' },
    });
  });
  it('parses a logout and a process message', () => {
    const out = p.parse(
      "<134>Apr 15 18:02:27 GWXML0077 [0x81000019][auth][info] [198.51.100.23]: User 'jdoe' logged out from 'default'.",
    );
    expect(out.ok && out.events[0]).toMatchObject({
      event: { action: 'logout' },
      user: { name: 'jdoe' },
      websphere: { domain: 'default' },
    });
    const proc = p.parse(
      '<131>Apr 15 17:36:35 ROBXML3QRS [0x80800018][auth][error] rbm(RBM-Settings): RBM: Resource access denied.',
    );
    expect(proc.ok && proc.events[0]).toMatchObject({
      process: { name: 'rbm' },
      message: 'RBM: Resource access denied.',
    });
  });
  it('rejects lines without the bracket header', () => {
    expect(p.parse('<134>Apr 15 17:46:52 DOMXML3PUZ CLI timeout occurred.')).toMatchObject({
      ok: false,
      kind: 'parse',
    });
  });
});
