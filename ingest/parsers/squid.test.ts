import { describe, expect, it } from 'vitest';
import { SquidParser } from './squid.ts';

describe('SquidParser', () => {
  it('parses access.log with URL parts from the public suffix list', () => {
    const r = new SquidParser().parse(
      '1461576382.642    161 127.0.0.1 TCP_MISS/200 103701 GET http://www.bbc.co.uk/news?x=1 alice DIRECT/199.27.79.73 text/html',
    );
    expect(r.ok && r.events[0]).toMatchObject({
      '@timestamp': '2016-04-25T09:26:22.642Z',
      event: { action: 'TCP_MISS', duration: 161_000_000 },
      source: { ip: '127.0.0.1' },
      destination: { ip: '199.27.79.73' },
      user: { name: 'alice' },
      http: {
        request: { method: 'GET' },
        response: { status_code: 200, bytes: 103701, mime_type: 'text/html' },
      },
      url: {
        domain: 'www.bbc.co.uk',
        registered_domain: 'bbc.co.uk',
        top_level_domain: 'co.uk',
        path: '/news',
        query: 'x=1',
      },
      squid: { hierarchy_code: 'DIRECT' },
    });
  });

  it('handles CONNECT host:port and NONE peers', () => {
    const r = new SquidParser().parse(
      '1461576382.642 5 10.0.0.1 TCP_TUNNEL/200 500 CONNECT example.com:443 - HIER_NONE/- -',
    );
    expect(r.ok && r.events[0]).toMatchObject({ url: { domain: 'example.com', port: 443 } });
    expect(r.ok && 'destination' in r.events[0]!).toBe(false);
  });

  it('rejects short lines and bad times', () => {
    const p = new SquidParser();
    expect(p.parse('1461576382.642 161')).toMatchObject({ ok: false, kind: 'parse' });
    expect(p.parse('yesterday 161 127.0.0.1 TCP_MISS/200 1 GET http://a/ - DIRECT/1.1.1.1 -')).toMatchObject({
      ok: false,
      kind: 'invalid',
    });
  });
});
