import { describe, expect, it } from 'vitest';
import { SuricataEveParser } from './suricata-eve.ts';

const p = new SuricataEveParser();
const base =
  '"timestamp":"2017-01-25T21:37:40.331212+0100","flow_id":1,"src_ip":"10.0.0.1","src_port":1234,"dest_ip":"10.0.0.2","dest_port":80,"proto":"TCP"';

describe('SuricataEveParser', () => {
  it('parses an alert', () => {
    const r = p.parse(
      `{${base},"event_type":"alert","alert":{"action":"allowed","gid":1,"signature_id":2019236,"rev":3,"signature":"ET POLICY curl","category":"Attempted Information Leak","severity":2}}`,
    );
    expect(r.ok && r.events[0]).toMatchObject({
      '@timestamp': '2017-01-25T20:37:40.331Z',
      event: { kind: 'alert', severity: 2, action: 'allowed' },
      rule: { id: '2019236', name: 'ET POLICY curl', category: 'Attempted Information Leak', version: '3' },
      source: { ip: '10.0.0.1', port: 1234 },
      network: { transport: 'tcp' },
    });
  });

  it('parses flow, dns, http, tls and fileinfo records', () => {
    const flow = p.parse(
      `{${base},"event_type":"flow","flow":{"pkts_toserver":3,"pkts_toclient":2,"bytes_toserver":300,"bytes_toclient":200,"start":"2017-01-25T21:37:40.000000+0100","end":"2017-01-25T21:37:41.000000+0100"}}`,
    );
    expect(flow.ok && flow.events[0]).toMatchObject({
      source: { packets: 3, bytes: 300 },
      network: { bytes: 500, packets: 5 },
      event: { start: '2017-01-25T20:37:40.000Z' },
    });
    const dns = p.parse(
      `{${base},"event_type":"dns","dns":{"type":"query","id":1,"rrname":"example.com","rrtype":"A"}}`,
    );
    expect(dns.ok && dns.events[0]).toMatchObject({
      dns: { type: 'query', question: { name: 'example.com', type: 'A' } },
    });
    const http = p.parse(
      `{${base},"event_type":"http","http":{"hostname":"ex.com","url":"/x","http_user_agent":"ua","http_method":"GET","protocol":"HTTP/1.1","status":200,"length":12}}`,
    );
    expect(http.ok && http.events[0]).toMatchObject({
      http: { version: '1.1', response: { status_code: 200, body: { bytes: 12 } } },
      url: { domain: 'ex.com' },
    });
    const tls = p.parse(
      `{${base},"event_type":"tls","tls":{"sni":"ex.com","version":"TLS 1.2","fingerprint":"ab:cd","ja3":{"hash":"h"}}}`,
    );
    expect(tls.ok && tls.events[0]).toMatchObject({
      tls: {
        version: '1.2',
        version_protocol: 'tls',
        client: { server_name: 'ex.com', ja3: 'h' },
        server: { hash: { sha1: 'ABCD' } },
      },
    });
    const file = p.parse(
      `{${base},"event_type":"fileinfo","fileinfo":{"filename":"/a.exe","md5":"m","size":10}}`,
    );
    expect(file.ok && file.events[0]).toMatchObject({
      file: { name: '/a.exe', size: 10, hash: { md5: 'm' } },
    });
  });

  it('rejects non-EVE lines', () => {
    expect(p.parse('{"a":1}')).toMatchObject({ ok: false, kind: 'parse' });
    expect(p.parse('nope')).toMatchObject({ ok: false, kind: 'parse' });
    expect(p.parse('{"event_type":"flow","timestamp":"x"}')).toMatchObject({ ok: false, kind: 'invalid' });
  });
});
