// Builders for Zeek records with the fields a real sensor fills in (packet and IP byte counts,
// history, local_orig), so simulated lines look like what Zeek writes for the same exchange.

import { isLocal } from './org.ts';
import { hash32, type Rng } from './prng.ts';
import type { SimLogType, ZeekRecord } from './zeek-logs.ts';

/** One line-to-be: a Zeek record, or the text of a syslog/CEF line; time in epoch microseconds. */
export interface SimLine {
  log: SimLogType;
  tsUs: number;
  rec?: ZeekRecord;
  text?: string;
  /** The account tried, for the sshd syslog line an SSH record implies. */
  user?: string;
}

const secs = (us: number): number => us / 1e6;
const round6 = (x: number): number => Math.round(x * 1e6) / 1e6;

export function ephemeralPort(rng: Rng): number {
  return rng.int(49152, 65535);
}

export type ConnState = 'SF' | 'S0' | 'REJ' | 'RSTO' | 'RSTR' | 'SH' | 'S1' | 'OTH';

export interface ConnSpec {
  tsUs: number;
  uid: string;
  orig: string;
  origPort: number;
  resp: string;
  respPort: number;
  proto: 'tcp' | 'udp';
  service?: string;
  durationS?: number;
  origBytes?: number;
  respBytes?: number;
  state: ConnState;
}

const HISTORY: Record<ConnState, string> = {
  SF: 'ShADadFf',
  S0: 'S',
  REJ: 'Sr',
  RSTO: 'ShADadR',
  RSTR: 'ShADadr',
  SH: 'ShAF',
  S1: 'ShAD',
  OTH: 'D',
};

export function connLine(c: ConnSpec): SimLine {
  const tcp = c.proto === 'tcp';
  const hdr = tcp ? 52 : 28;
  let origPkts: number;
  let respPkts: number;
  const ob = c.origBytes ?? 0;
  const rb = c.respBytes ?? 0;
  if (c.state === 'S0') {
    origPkts = 1;
    respPkts = 0;
  } else if (c.state === 'REJ') {
    origPkts = 1;
    respPkts = 1;
  } else if (tcp) {
    origPkts = 3 + Math.ceil(ob / 1448) + Math.ceil(rb / 2896);
    respPkts = 2 + Math.ceil(rb / 1448) + Math.ceil(ob / 2896);
  } else {
    origPkts = Math.max(1, Math.ceil(ob / 1472));
    respPkts = rb > 0 ? Math.max(1, Math.ceil(rb / 1472)) : 0;
  }
  const oneSyn = c.state === 'S0';
  const rec: ZeekRecord = {
    ts: secs(c.tsUs),
    uid: c.uid,
    'id.orig_h': c.orig,
    'id.orig_p': c.origPort,
    'id.resp_h': c.resp,
    'id.resp_p': c.respPort,
    proto: c.proto,
    service: c.service,
    duration: oneSyn ? undefined : round6(c.durationS ?? 0),
    orig_bytes: oneSyn ? undefined : ob,
    resp_bytes: oneSyn ? undefined : rb,
    conn_state: c.state,
    local_orig: isLocal(c.orig),
    local_resp: isLocal(c.resp),
    missed_bytes: 0,
    history: tcp ? HISTORY[c.state] : rb > 0 ? 'Dd' : 'D',
    orig_pkts: origPkts,
    orig_ip_bytes: ob + origPkts * (c.state === 'S0' || c.state === 'REJ' ? 44 : hdr),
    resp_pkts: respPkts,
    resp_ip_bytes: rb + respPkts * (c.state === 'REJ' ? 40 : hdr),
  };
  return { log: 'conn', tsUs: c.tsUs, rec };
}

const QTYPE: Record<string, number> = { A: 1, NS: 2, CNAME: 5, PTR: 12, MX: 15, TXT: 16, AAAA: 28, SRV: 33 };
const RCODE: Record<string, number> = { NOERROR: 0, SERVFAIL: 2, NXDOMAIN: 3, REFUSED: 5 };

export interface DnsSpec {
  tsUs: number;
  client: string;
  resolver: string;
  query: string;
  qtype: keyof typeof QTYPE;
  rcode?: keyof typeof RCODE;
  answers?: string[];
  ttl?: number;
}

/** A DNS exchange over UDP: its dns.log record and the conn.log record that carries it. */
export function dnsExchange(rng: Rng, d: DnsSpec): SimLine[] {
  const uid = rng.uid();
  const port = ephemeralPort(rng);
  const rtt = round6(d.resolver.startsWith('10.') ? rng.range(0.0002, 0.002) : rng.range(0.008, 0.06));
  const rcode = d.rcode ?? 'NOERROR';
  const answers = rcode === 'NOERROR' ? (d.answers ?? []) : [];
  const qlen = 12 + d.query.length + 6;
  const alen = answers.reduce(
    (n, a) => n + 12 + (a.includes('.') && !/^[\d.]+$/.test(a) ? a.length + 2 : 4),
    0,
  );
  const dns: ZeekRecord = {
    ts: secs(d.tsUs),
    uid,
    'id.orig_h': d.client,
    'id.orig_p': port,
    'id.resp_h': d.resolver,
    'id.resp_p': 53,
    proto: 'udp',
    trans_id: rng.int(1, 65535),
    rtt,
    query: d.query,
    qclass: 1,
    qclass_name: 'C_INTERNET',
    qtype: QTYPE[d.qtype],
    qtype_name: d.qtype,
    rcode: RCODE[rcode],
    rcode_name: rcode,
    AA: false,
    TC: false,
    RD: true,
    RA: true,
    Z: 0,
    answers: answers.length > 0 ? answers : undefined,
    TTLs: answers.length > 0 ? answers.map(() => d.ttl ?? 300) : undefined,
    rejected: false,
  };
  const conn = connLine({
    tsUs: d.tsUs,
    uid,
    orig: d.client,
    origPort: port,
    resp: d.resolver,
    respPort: 53,
    proto: 'udp',
    service: 'dns',
    durationS: rtt,
    origBytes: qlen,
    respBytes: qlen + alen,
    state: 'SF',
  });
  return [conn, { log: 'dns', tsUs: d.tsUs, rec: dns }];
}

export interface TlsSpec {
  tsUs: number;
  uid: string;
  client: string;
  clientPort: number;
  server: string;
  serverPort?: number;
  serverName?: string;
  version?: 'TLSv12' | 'TLSv13';
  established?: boolean;
}

export function tlsLine(rng: Rng, t: TlsSpec): SimLine {
  const v13 = (t.version ?? 'TLSv13') === 'TLSv13';
  const rec: ZeekRecord = {
    ts: secs(t.tsUs),
    uid: t.uid,
    'id.orig_h': t.client,
    'id.orig_p': t.clientPort,
    'id.resp_h': t.server,
    'id.resp_p': t.serverPort ?? 443,
    version: v13 ? 'TLSv13' : 'TLSv12',
    cipher: v13
      ? rng.pick(['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384'])
      : 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256',
    curve: 'x25519',
    server_name: t.serverName,
    resumed: rng.chance(0.2),
    next_protocol: rng.chance(0.6) ? 'h2' : undefined,
    established: t.established ?? true,
    ssl_history: v13 ? 'CsiI' : 'CsxknGIi',
    // TLS 1.3 encrypts the certificates, so Zeek sees none.
    cert_chain_fps: v13
      ? undefined
      : [
          hash32('cert', t.server, t.serverName ?? '')
            .toString(16)
            .padStart(8, '0')
            .repeat(8),
        ],
    sni_matches_cert: v13 ? undefined : true,
  };
  return { log: 'ssl', tsUs: t.tsUs, rec };
}

export interface HttpSpec {
  tsUs: number;
  uid: string;
  client: string;
  clientPort: number;
  server: string;
  serverPort?: number;
  method: string;
  host: string;
  uri: string;
  userAgent: string;
  status: number;
  requestBytes?: number;
  responseBytes: number;
  mime?: string;
  referrer?: string;
}

const STATUS_MSG: Record<number, string> = {
  200: 'OK',
  204: 'No Content',
  301: 'Moved Permanently',
  302: 'Found',
  304: 'Not Modified',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  500: 'Internal Server Error',
};

export function httpLine(rng: Rng, h: HttpSpec): SimLine {
  const hasBody = h.responseBytes > 0;
  const rec: ZeekRecord = {
    ts: secs(h.tsUs),
    uid: h.uid,
    'id.orig_h': h.client,
    'id.orig_p': h.clientPort,
    'id.resp_h': h.server,
    'id.resp_p': h.serverPort ?? 80,
    trans_depth: 1,
    method: h.method,
    host: h.host,
    uri: h.uri,
    referrer: h.referrer,
    version: '1.1',
    user_agent: h.userAgent,
    request_body_len: h.requestBytes ?? 0,
    response_body_len: h.responseBytes,
    status_code: h.status,
    status_msg: STATUS_MSG[h.status] ?? 'OK',
    tags: [],
    resp_fuids: hasBody ? [rng.uid('F')] : undefined,
    resp_mime_types: hasBody ? [h.mime ?? 'text/html'] : undefined,
  };
  return { log: 'http', tsUs: h.tsUs, rec };
}

export interface SshSpec {
  tsUs: number;
  uid: string;
  client: string;
  clientPort: number;
  server: string;
  success: boolean;
  attempts: number;
  clientVersion?: string;
}

export function sshLine(s: SshSpec): SimLine {
  const inbound = !isLocal(s.client) && isLocal(s.server);
  const outbound = isLocal(s.client) && !isLocal(s.server);
  const rec: ZeekRecord = {
    ts: secs(s.tsUs),
    uid: s.uid,
    'id.orig_h': s.client,
    'id.orig_p': s.clientPort,
    'id.resp_h': s.server,
    'id.resp_p': 22,
    version: 2,
    auth_success: s.success,
    auth_attempts: s.attempts,
    direction: inbound ? 'INBOUND' : outbound ? 'OUTBOUND' : undefined,
    client: s.clientVersion ?? 'SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3',
    server: 'SSH-2.0-OpenSSH_9.6p1 Ubuntu-3ubuntu13.5',
    cipher_alg: 'chacha20-poly1305@openssh.com',
    mac_alg: 'umac-64-etm@openssh.com',
    compression_alg: 'none',
    kex_alg: 'curve25519-sha256',
    host_key_alg: 'ssh-ed25519',
    host_key: hostKey(s.server),
  };
  return { log: 'ssh', tsUs: s.tsUs, rec };
}

function hostKey(server: string): string {
  const parts: string[] = [];
  for (let i = 0; i < 16; i++)
    parts.push((hash32('hostkey', server, i) & 0xff).toString(16).padStart(2, '0'));
  return parts.join(':');
}

export interface RdpSpec {
  tsUs: number;
  uid: string;
  client: string;
  clientPort: number;
  server: string;
  cookie: string;
  result?: string;
  clientName?: string;
}

export function rdpLine(r: RdpSpec): SimLine {
  const rec: ZeekRecord = {
    ts: secs(r.tsUs),
    uid: r.uid,
    'id.orig_h': r.client,
    'id.orig_p': r.clientPort,
    'id.resp_h': r.server,
    'id.resp_p': 3389,
    cookie: r.cookie,
    result: r.result,
    security_protocol: 'HYBRID',
    client_channels: r.clientName ? ['rdpdr', 'rdpsnd', 'cliprdr', 'drdynvc'] : undefined,
    keyboard_layout: r.clientName ? 'English - United States' : undefined,
    client_build: r.clientName ? 'RDP 10.0' : undefined,
    client_name: r.clientName,
    desktop_width: r.clientName ? 1920 : undefined,
    desktop_height: r.clientName ? 1080 : undefined,
    requested_color_depth: r.clientName ? '32bit' : undefined,
    cert_type: r.clientName ? 'X.509' : undefined,
    cert_count: r.clientName ? 1 : undefined,
    cert_permanent: r.clientName ? false : undefined,
    encryption_level: r.clientName ? 'None' : undefined,
    encryption_method: r.clientName ? 'None' : undefined,
  };
  return { log: 'rdp', tsUs: r.tsUs, rec };
}

export function smbMappingLine(
  tsUs: number,
  uid: string,
  client: string,
  clientPort: number,
  server: string,
  path: string,
): SimLine {
  const admin = /\$$/.test(path);
  const rec: ZeekRecord = {
    ts: secs(tsUs),
    uid,
    'id.orig_h': client,
    'id.orig_p': clientPort,
    'id.resp_h': server,
    'id.resp_p': 445,
    path,
    service: path.endsWith('IPC$') ? 'IPC' : 'A:',
    native_file_system: path.endsWith('IPC$') ? undefined : 'NTFS',
    share_type: path.endsWith('IPC$') ? 'PIPE' : admin ? 'DISK' : 'DISK',
  };
  return { log: 'smb_mapping', tsUs, rec };
}

export interface SmbFileSpec {
  tsUs: number;
  uid: string;
  client: string;
  clientPort: number;
  server: string;
  action: 'SMB::FILE_OPEN' | 'SMB::FILE_READ' | 'SMB::FILE_WRITE' | 'SMB::FILE_DELETE';
  path: string;
  name: string;
  size: number;
  fuid: string;
  modifiedUs: number;
}

export function smbFileLine(f: SmbFileSpec): SimLine {
  const rec: ZeekRecord = {
    ts: secs(f.tsUs),
    uid: f.uid,
    'id.orig_h': f.client,
    'id.orig_p': f.clientPort,
    'id.resp_h': f.server,
    'id.resp_p': 445,
    fuid: f.fuid,
    action: f.action,
    path: f.path,
    name: f.name,
    size: f.size,
    'times.modified': secs(f.modifiedUs),
    'times.accessed': secs(f.modifiedUs),
    'times.created': secs(f.modifiedUs),
    'times.changed': secs(f.modifiedUs),
  };
  return { log: 'smb_files', tsUs: f.tsUs, rec };
}

/** An RFC 5424 sshd line as the SSH server's syslog would send it. */
export function sshdSyslogLine(tsUs: number, host: string, pid: number, message: string): SimLine {
  const iso = new Date(Math.floor(tsUs / 1000)).toISOString();
  return { log: 'syslog', tsUs, text: `<38>1 ${iso} ${host.split('.')[0]} sshd ${pid} - - ${message}` };
}

/** A CEF line from the perimeter firewall for a connection crossing it (`in` = bytes source → destination, per the CEF spec). */
export function firewallCefLine(c: SimLine, action: 'allow' | 'deny'): SimLine {
  const r = c.rec!;
  const ms = Math.floor(c.tsUs / 1000);
  const sev = action === 'deny' ? 5 : 1;
  const text =
    `CEF:0|Vigil|Simulated Perimeter Firewall|1.0|${action === 'deny' ? 200 : 100}|Connection ${action === 'deny' ? 'denied' : 'allowed'}|${sev}|` +
    `rt=${ms} src=${r['id.orig_h']} spt=${r['id.orig_p']} dst=${r['id.resp_h']} dpt=${r['id.resp_p']} ` +
    `proto=${String(r.proto).toUpperCase()} act=${action} in=${r.orig_bytes ?? 0} out=${r.resp_bytes ?? 0} externalId=${r.uid}`;
  return { log: 'cef', tsUs: c.tsUs, text };
}
