// Suricata EVE JSON: one JSON object per line with `event_type` (alert, flow, dns, http, tls,
// fileinfo, and others). The record is kept under `suricata.eve`; ECS fields are copies.
import { z } from 'zod';
import { parseError } from './common.ts';
import type { ParseResult, Parser } from './types.ts';

export const suricataEveOptions = z.object({}).strict();

type Rec = Record<string, unknown>;
const obj = (v: unknown): Rec | undefined =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Rec) : undefined;
const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** Suricata writes `2017-01-25T21:37:40.331212+0100`; Date.parse needs the offset as `+01:00`. */
function eveTime(v: unknown): string | undefined {
  if (typeof v !== 'string') return undefined;
  const fixed = v.replace(/([+-]\d{2})(\d{2})$/, '$1:$2');
  const ms = Date.parse(fixed);
  return Number.isNaN(ms) || ms < 0 ? undefined : new Date(ms).toISOString();
}

function put(target: Rec, key: string, value: unknown): void {
  if (value !== undefined) target[key] = value;
}

export class SuricataEveParser implements Parser {
  readonly format = 'suricata-eve';

  parse(raw: string): ParseResult {
    let doc: unknown;
    try {
      doc = JSON.parse(raw);
    } catch (err) {
      return parseError(`suricata-eve: not JSON: ${(err as Error).message}`);
    }
    const eve = obj(doc);
    if (eve === undefined) return parseError('suricata-eve: expected a JSON object per line');
    const type = str(eve.event_type);
    if (type === undefined) return parseError('suricata-eve: no event_type; expected an EVE record');
    const timestamp = eveTime(eve.timestamp);
    if (timestamp === undefined) {
      return {
        ok: false,
        kind: 'invalid',
        message: `timestamp: ${JSON.stringify(eve.timestamp)} is not a time; expected ISO-8601 as Suricata writes it`,
      };
    }
    const evt: Rec = { kind: type === 'alert' ? 'alert' : 'event', type: [type] };
    const source: Rec = {};
    const destination: Rec = {};
    const network: Rec = {};
    put(source, 'ip', str(eve.src_ip));
    put(source, 'port', num(eve.src_port));
    put(destination, 'ip', str(eve.dest_ip));
    put(destination, 'port', num(eve.dest_port));
    const proto = str(eve.proto);
    if (proto !== undefined) network.transport = proto.toLowerCase();
    put(network, 'protocol', str(eve.app_proto));
    put(network, 'community_id', str(eve.community_id));
    const event: Rec = { '@timestamp': timestamp, event: evt, source, destination, network };
    const alert = obj(eve.alert);
    if (alert !== undefined) {
      const rule: Rec = {};
      put(rule, 'id', alert.signature_id === undefined ? undefined : String(alert.signature_id));
      put(rule, 'name', str(alert.signature));
      put(rule, 'category', str(alert.category));
      put(rule, 'version', alert.rev === undefined ? undefined : String(alert.rev));
      event.rule = rule;
      put(evt, 'severity', num(alert.severity));
      put(evt, 'action', str(alert.action));
      if (typeof alert.signature === 'string') event.message = alert.signature;
    }
    const flow = obj(eve.flow);
    if (flow !== undefined) {
      put(source, 'packets', num(flow.pkts_toserver));
      put(source, 'bytes', num(flow.bytes_toserver));
      put(destination, 'packets', num(flow.pkts_toclient));
      put(destination, 'bytes', num(flow.bytes_toclient));
      const b = (num(flow.bytes_toserver) ?? 0) + (num(flow.bytes_toclient) ?? 0);
      const p = (num(flow.pkts_toserver) ?? 0) + (num(flow.pkts_toclient) ?? 0);
      if (flow.bytes_toserver !== undefined || flow.bytes_toclient !== undefined) network.bytes = b;
      if (flow.pkts_toserver !== undefined || flow.pkts_toclient !== undefined) network.packets = p;
      put(evt, 'start', eveTime(flow.start));
      put(evt, 'end', eveTime(flow.end));
    }
    const dns = obj(eve.dns);
    if (dns !== undefined) {
      const out: Rec = {};
      put(out, 'id', num(dns.id));
      put(out, 'type', str(dns.type));
      const question: Rec = {};
      put(question, 'name', str(dns.rrname));
      put(question, 'type', str(dns.rrtype));
      out.question = question;
      put(out, 'response_code', str(dns.rcode));
      if (Array.isArray(dns.answers)) {
        out.answers = dns.answers.map((a) => {
          const r = obj(a) ?? {};
          return { name: r.rrname, type: r.rrtype, ttl: r.ttl, data: r.rdata };
        });
      }
      event.dns = out;
    }
    const http = obj(eve.http);
    if (http !== undefined) {
      const request: Rec = {};
      const response: Rec = {};
      put(request, 'method', str(http.http_method));
      put(request, 'referrer', str(http.http_refer));
      put(response, 'status_code', num(http.status));
      if (num(http.length) !== undefined) response.body = { bytes: http.length };
      put(response, 'mime_type', str(http.http_content_type));
      const h: Rec = { request, response };
      const version = str(http.protocol)?.replace(/^HTTP\//, '');
      put(h, 'version', version);
      event.http = h;
      const url: Rec = {};
      put(url, 'domain', str(http.hostname));
      put(url, 'original', str(http.url));
      event.url = url;
      if (typeof http.http_user_agent === 'string') event.user_agent = { original: http.http_user_agent };
    }
    const tls = obj(eve.tls);
    if (tls !== undefined) {
      const out: Rec = {};
      const v = str(tls.version);
      if (v !== undefined) {
        const m = /^(TLS|SSL)v?\s*([\d.]+)$/i.exec(v);
        if (m !== null) {
          out.version_protocol = m[1]!.toLowerCase();
          out.version = m[2];
        } else out.version = v;
      }
      const client: Rec = {};
      put(client, 'server_name', str(tls.sni));
      const ja3 = obj(tls.ja3);
      if (ja3 !== undefined) put(client, 'ja3', str(ja3.hash));
      out.client = client;
      const server: Rec = {};
      put(server, 'subject', str(tls.subject));
      put(server, 'issuer', str(tls.issuerdn));
      if (typeof tls.fingerprint === 'string')
        server.hash = { sha1: tls.fingerprint.replaceAll(':', '').toUpperCase() };
      const ja3s = obj(tls.ja3s);
      if (ja3s !== undefined) put(server, 'ja3s', str(ja3s.hash));
      out.server = server;
      event.tls = out;
    }
    const fileinfo = obj(eve.fileinfo);
    if (fileinfo !== undefined) {
      const file: Rec = {};
      put(file, 'name', str(fileinfo.filename));
      put(file, 'size', num(fileinfo.size));
      const hash: Rec = {};
      put(hash, 'md5', str(fileinfo.md5));
      put(hash, 'sha1', str(fileinfo.sha1));
      put(hash, 'sha256', str(fileinfo.sha256));
      file.hash = hash;
      event.file = file;
    }
    event.observer = { vendor: 'OISF', product: 'Suricata' };
    event.suricata = { eve };
    return { ok: true, events: [event] };
  }
}
