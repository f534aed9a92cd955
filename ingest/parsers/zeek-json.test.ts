import { describe, expect, it } from 'vitest';
import { ZeekJsonParser } from './zeek-json.ts';

const conn =
  '{"ts":1664462456.755299,"uid":"C5xhsO3uGtOfyrBlHh","id.orig_h":"172.16.1.11","id.orig_p":40042,"id.resp_h":"8.8.8.8","id.resp_p":53,"proto":"udp","service":"dns","duration":0.0121,"orig_bytes":0,"resp_bytes":111,"conn_state":"SHR","orig_pkts":1,"orig_ip_bytes":60,"resp_pkts":1,"resp_ip_bytes":139}';

describe('ZeekJsonParser', () => {
  it('maps a bare conn record to ECS and keeps the record under zeek.conn', () => {
    const r = new ZeekJsonParser().parse(conn);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const e = r.events[0]!;
    expect(e['@timestamp']).toBe('2022-09-29T14:40:56.755Z');
    expect(e.source).toEqual({ ip: '172.16.1.11', port: 40042, bytes: 60, packets: 1 });
    expect(e.destination).toEqual({ ip: '8.8.8.8', port: 53, bytes: 139, packets: 1 });
    expect(e.network).toEqual({ transport: 'udp', protocol: 'dns', bytes: 199, packets: 2 });
    expect((e.event as Record<string, unknown>).duration).toBe(12_100_000);
    expect((e.zeek as Record<string, Record<string, unknown>>).conn!.conn_state).toBe('SHR');
  });

  it("unwraps Metron's {log_type: {...}} envelope and uses its log type", () => {
    const r = new ZeekJsonParser().parse(
      '{"dns":{"ts":1402308259.609,"uid":"C1","id.orig_h":"10.0.0.1","id.orig_p":33976,"id.resp_h":"10.0.0.2","id.resp_p":53,"proto":"udp","query":"www.cisco.com","qtype_name":"AAAA","rcode_name":"NOERROR","answers":["a.example"],"TTLs":[60.0]}}',
    );
    expect(r.ok && r.events[0]).toMatchObject({
      dns: {
        question: { name: 'www.cisco.com', type: 'AAAA' },
        response_code: 'NOERROR',
        answers: [{ data: 'a.example', ttl: 60 }],
      },
      event: { provider: 'dns' },
      zeek: { dns: { query: 'www.cisco.com' } },
    });
  });

  it('maps http, ssl, notice and files logs', () => {
    const p = new ZeekJsonParser();
    const http = p.parse(
      '{"http":{"ts":1,"id.orig_h":"1.1.1.1","id.orig_p":1,"id.resp_h":"2.2.2.2","id.resp_p":80,"method":"GET","host":"x.org","uri":"/a","status_code":200,"user_agent":"curl"}}',
    );
    expect(http.ok && http.events[0]).toMatchObject({
      http: { request: { method: 'GET' }, response: { status_code: 200 } },
      url: { domain: 'x.org', original: '/a' },
      user_agent: { original: 'curl' },
    });
    const ssl = p.parse(
      '{"ssl":{"ts":1,"id.orig_h":"1.1.1.1","id.orig_p":1,"id.resp_h":"2.2.2.2","id.resp_p":443,"version":"TLSv12","server_name":"x.org","established":true}}',
    );
    expect(ssl.ok && ssl.events[0]).toMatchObject({
      tls: { version: 'TLSv12', client: { server_name: 'x.org' }, established: true },
    });
    const notice = p.parse('{"notice":{"ts":1,"note":"Scan::Port_Scan","msg":"scan","src":"1.1.1.1"}}');
    expect(notice.ok && notice.events[0]).toMatchObject({
      event: { kind: 'alert' },
      rule: { name: 'Scan::Port_Scan' },
      source: { ip: '1.1.1.1' },
    });
    const files = p.parse(
      '{"files":{"ts":1,"fuid":"F1","tx_hosts":["1.1.1.1"],"rx_hosts":["2.2.2.2"],"mime_type":"text/plain","md5":"abc","total_bytes":14}}',
    );
    expect(files.ok && files.events[0]).toMatchObject({
      file: { mime_type: 'text/plain', size: 14, hash: { md5: 'abc' } },
      source: { ip: '1.1.1.1' },
    });
  });

  it('maps smtp, x509, dhcp and weird logs', () => {
    const p = new ZeekJsonParser();
    const smtp = p.parse(
      '{"smtp":{"ts":1,"id.orig_h":"1.1.1.1","id.orig_p":1,"id.resp_h":"2.2.2.2","id.resp_p":25,"mailfrom":"a@x.org","rcptto":["b@y.org"],"subject":"hi"}}',
    );
    expect(smtp.ok && smtp.events[0]).toMatchObject({
      email: { from: { address: ['a@x.org'] }, to: { address: ['b@y.org'] }, subject: 'hi' },
    });
    const x509 = p.parse(
      '{"x509":{"ts":1,"id":"F1","certificate.subject":"CN=x","certificate.issuer":"CN=ca","certificate.serial":"01"}}',
    );
    expect(x509.ok && x509.events[0]).toMatchObject({
      x509: { subject: { distinguished_name: 'CN=x' }, serial_number: '01' },
    });
    expect(x509.ok && 'source' in x509.events[0]!).toBe(false);
    const dhcp = p.parse(
      '{"dhcp":{"ts":1,"client_addr":"10.0.0.5","server_addr":"10.0.0.1","mac":"00:11:22:33:44:55","host_name":"pc"}}',
    );
    expect(dhcp.ok && dhcp.events[0]).toMatchObject({
      source: { ip: '10.0.0.5', mac: '00:11:22:33:44:55' },
      destination: { ip: '10.0.0.1' },
      host: { hostname: 'pc' },
    });
    const weird = p.parse('{"weird":{"ts":1,"name":"bad_TCP_checksum","notice":false,"peer":"zeek"}}');
    expect(weird.ok && weird.events[0]).toMatchObject({
      event: { action: 'bad_TCP_checksum', provider: 'weird' },
    });
  });

  it('guesses the log type of bare records and honours the logType option', () => {
    const ssh =
      '{"ts":1,"id.orig_h":"1.1.1.1","id.orig_p":1,"id.resp_h":"2.2.2.2","id.resp_p":22,"auth_success":false,"client":"SSH-2.0"}';
    const r = new ZeekJsonParser().parse(ssh);
    expect(r.ok && r.events[0]).toMatchObject({
      event: { provider: 'ssh', outcome: 'failure' },
      network: { protocol: 'ssh' },
    });
    const forced = new ZeekJsonParser({ logType: 'custom' }).parse(ssh);
    expect(forced.ok && forced.events[0]).toMatchObject({ event: { provider: 'custom' } });
  });

  it('rejects non-JSON, non-objects and records without ts with a message', () => {
    const p = new ZeekJsonParser();
    expect(p.parse('{"ts":')).toMatchObject({ ok: false, kind: 'parse' });
    expect(p.parse('[1,2]')).toMatchObject({ ok: false, kind: 'parse' });
    const noTs = p.parse('{"conn":{"uid":"x"}}');
    expect(noTs).toMatchObject({ ok: false, kind: 'invalid' });
    expect(!noTs.ok && noTs.message).toContain('ts');
    expect(p.parse('{"ts":"yesterday"}')).toMatchObject({ ok: false, kind: 'invalid' });
  });
});
