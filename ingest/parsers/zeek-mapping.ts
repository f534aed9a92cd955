// Maps one Zeek record (flat keys as Zeek writes them: `id.orig_h`, `ts`, ...) to a Vigil event.
// Shared by the Zeek JSON and Zeek TSV parsers, so both formats give identical events.
// The Zeek record is kept verbatim under `zeek.<log_type>` (nothing lost); the ECS fields are copies.
import { isoFromMs, secondsToMs } from './common.ts';
import type { VigilEvent } from './types.ts';

type Rec = Record<string, unknown>;

/** Guesses the log type of an envelope-less Zeek JSON record from fields only that log has. */
export function guessZeekLogType(rec: Rec): string {
  if (typeof rec._path === 'string') return rec._path;
  if ('conn_state' in rec || 'orig_ip_bytes' in rec) return 'conn';
  if ('qtype_name' in rec || 'rcode_name' in rec || 'query' in rec) return 'dns';
  if ('method' in rec || 'status_code' in rec || 'trans_depth' in rec) return 'http';
  if ('server_name' in rec || 'cipher' in rec || 'validation_status' in rec) return 'ssl';
  if ('fuid' in rec && ('mime_type' in rec || 'tx_hosts' in rec)) return 'files';
  if ('certificate.subject' in rec || 'certificate.serial' in rec) return 'x509';
  if ('note' in rec) return 'notice';
  if ('mailfrom' in rec || 'rcptto' in rec || 'helo' in rec) return 'smtp';
  if ('auth_success' in rec || 'auth_attempts' in rec || 'hassh' in rec || 'client' in rec) return 'ssh';
  if ('assigned_addr' in rec || 'assigned_ip' in rec || 'lease_time' in rec || 'msg_types' in rec)
    return 'dhcp';
  if ('name' in rec && ('notice' in rec || 'peer' in rec)) return 'weird';
  return 'unknown';
}

/** Zeek time: epoch seconds (number or numeric string) or ISO-8601 (`JSON::TimestampFormat`). */
function zeekTime(ts: unknown): string | undefined {
  if (typeof ts === 'number') {
    if (!Number.isFinite(ts) || ts < 0 || ts > 7_258_118_400) return undefined;
    return isoFromMs(secondsToMs(ts));
  }
  if (typeof ts === 'string') {
    const n = Number(ts);
    if (ts !== '' && Number.isFinite(n)) return zeekTime(n);
    const ms = Date.parse(ts);
    return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
  }
  return undefined;
}

function hasKeys(o: Rec): boolean {
  for (const _ in o) return true;
  return false;
}

const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const first = (v: unknown): unknown => (Array.isArray(v) ? v[0] : v);

/**
 * Builds the event; returns a string (the error message) when the record lacks a usable `ts`.
 * Fields are assigned in a fixed order so events of one log type share a hidden class (speed).
 */
export function zeekRecordToEvent(logType: string, rec: Rec): VigilEvent | string {
  const timestamp = zeekTime(rec.ts);
  if (timestamp === undefined) {
    return rec.ts === undefined
      ? `zeek ${logType}: ts: missing; expected epoch seconds`
      : `zeek ${logType}: ts: ${JSON.stringify(rec.ts)} is not a time; expected epoch seconds or ISO-8601`;
  }
  const event: VigilEvent = {
    '@timestamp': timestamp,
    event: { kind: 'event', module: 'zeek', provider: logType },
  };
  const source: Rec = {};
  const destination: Rec = {};
  const network: Rec = {};
  if (rec['id.orig_h'] !== undefined) source.ip = rec['id.orig_h'];
  if (rec['id.orig_p'] !== undefined) source.port = rec['id.orig_p'];
  if (rec['id.resp_h'] !== undefined) destination.ip = rec['id.resp_h'];
  if (rec['id.resp_p'] !== undefined) destination.port = rec['id.resp_p'];
  if (typeof rec.proto === 'string') network.transport = rec.proto;
  if (typeof rec.community_id === 'string') network.community_id = rec.community_id;
  switch (logType) {
    case 'conn': {
      if (typeof rec.service === 'string') network.protocol = rec.service;
      const d = num(rec.duration);
      if (d !== undefined) (event.event as Rec).duration = Math.round(d * 1e9);
      const ob = num(rec.orig_ip_bytes) ?? num(rec.orig_bytes);
      const rb = num(rec.resp_ip_bytes) ?? num(rec.resp_bytes);
      const op = num(rec.orig_pkts);
      const rp = num(rec.resp_pkts);
      if (ob !== undefined) source.bytes = ob;
      if (op !== undefined) source.packets = op;
      if (rb !== undefined) destination.bytes = rb;
      if (rp !== undefined) destination.packets = rp;
      if (ob !== undefined || rb !== undefined) network.bytes = (ob ?? 0) + (rb ?? 0);
      if (op !== undefined || rp !== undefined) network.packets = (op ?? 0) + (rp ?? 0);
      break;
    }
    case 'dns': {
      network.protocol = 'dns';
      const dns: Rec = {};
      if (typeof rec.trans_id === 'number' || typeof rec.trans_id === 'string') dns.id = rec.trans_id;
      const question: Rec = {};
      if (typeof rec.query === 'string') question.name = rec.query;
      if (typeof rec.qtype_name === 'string') question.type = rec.qtype_name;
      if (typeof rec.qclass_name === 'string') question.class = rec.qclass_name;
      dns.question = question;
      if (typeof rec.rcode_name === 'string') dns.response_code = rec.rcode_name;
      if (Array.isArray(rec.answers)) {
        const ttls = Array.isArray(rec.TTLs) ? rec.TTLs : [];
        dns.answers = rec.answers.map((data, i) =>
          ttls[i] === undefined ? { data } : { data, ttl: ttls[i] },
        );
      }
      event.dns = dns;
      break;
    }
    case 'http': {
      network.protocol = 'http';
      const request: Rec = {};
      const response: Rec = {};
      if (typeof rec.method === 'string') request.method = rec.method;
      if (typeof rec.referrer === 'string') request.referrer = rec.referrer;
      if (num(rec.request_body_len) !== undefined) request.body = { bytes: rec.request_body_len };
      if (num(rec.status_code) !== undefined) response.status_code = rec.status_code;
      if (num(rec.response_body_len) !== undefined) response.body = { bytes: rec.response_body_len };
      const http: Rec = { request, response };
      if (typeof rec.version === 'string') http.version = rec.version;
      event.http = http;
      const url: Rec = {};
      if (typeof rec.host === 'string') url.domain = rec.host;
      if (typeof rec.uri === 'string') url.original = rec.uri;
      event.url = url;
      if (typeof rec.user_agent === 'string') event.user_agent = { original: rec.user_agent };
      break;
    }
    case 'ssl': {
      network.protocol = 'tls';
      const tls: Rec = {};
      if (typeof rec.version === 'string') tls.version = rec.version;
      if (typeof rec.cipher === 'string') tls.cipher = rec.cipher;
      if (typeof rec.curve === 'string') tls.curve = rec.curve;
      if (typeof rec.established === 'boolean') tls.established = rec.established;
      if (typeof rec.resumed === 'boolean') tls.resumed = rec.resumed;
      if (typeof rec.server_name === 'string') tls.client = { server_name: rec.server_name };
      event.tls = tls;
      break;
    }
    case 'files': {
      const tx = first(rec.tx_hosts);
      const rx = first(rec.rx_hosts);
      if (typeof tx === 'string') source.ip = tx;
      if (typeof rx === 'string') destination.ip = rx;
      const file: Rec = {};
      if (typeof rec.mime_type === 'string') file.mime_type = rec.mime_type;
      if (typeof rec.filename === 'string') file.name = rec.filename;
      const size = num(rec.total_bytes) ?? num(rec.seen_bytes);
      if (size !== undefined) file.size = size;
      const hash: Rec = {};
      if (typeof rec.md5 === 'string') hash.md5 = rec.md5;
      if (typeof rec.sha1 === 'string') hash.sha1 = rec.sha1;
      if (typeof rec.sha256 === 'string') hash.sha256 = rec.sha256;
      file.hash = hash;
      event.file = file;
      break;
    }
    case 'notice': {
      (event.event as Rec).kind = 'alert';
      if (source.ip === undefined && typeof rec.src === 'string') source.ip = rec.src;
      if (destination.ip === undefined && typeof rec.dst === 'string') destination.ip = rec.dst;
      if (destination.port === undefined && num(rec.p) !== undefined) destination.port = rec.p;
      if (typeof rec.note === 'string') event.rule = { name: rec.note };
      if (typeof rec.msg === 'string') event.message = rec.msg;
      break;
    }
    case 'weird': {
      if (typeof rec.name === 'string') (event.event as Rec).action = rec.name;
      break;
    }
    case 'smtp': {
      network.protocol = 'smtp';
      const email: Rec = {};
      if (typeof rec.mailfrom === 'string') email.from = { address: [rec.mailfrom] };
      if (Array.isArray(rec.rcptto)) email.to = { address: rec.rcptto };
      if (typeof rec.subject === 'string') email.subject = rec.subject;
      if (typeof rec.msg_id === 'string') email.message_id = rec.msg_id;
      event.email = email;
      break;
    }
    case 'ssh': {
      network.protocol = 'ssh';
      if (typeof rec.auth_success === 'boolean') {
        (event.event as Rec).outcome = rec.auth_success ? 'success' : 'failure';
      }
      break;
    }
    case 'dhcp': {
      network.protocol = 'dhcp';
      const client = str(rec.client_addr) ?? str(rec.assigned_addr) ?? str(rec.assigned_ip);
      if (source.ip === undefined && client !== undefined) source.ip = client;
      if (destination.ip === undefined && typeof rec.server_addr === 'string')
        destination.ip = rec.server_addr;
      if (typeof rec.mac === 'string') source.mac = rec.mac;
      if (typeof rec.host_name === 'string') event.host = { hostname: rec.host_name };
      break;
    }
    case 'x509': {
      const x509: Rec = {};
      if (typeof rec['certificate.subject'] === 'string')
        x509.subject = { distinguished_name: rec['certificate.subject'] };
      if (typeof rec['certificate.issuer'] === 'string')
        x509.issuer = { distinguished_name: rec['certificate.issuer'] };
      if (typeof rec['certificate.serial'] === 'string') x509.serial_number = rec['certificate.serial'];
      event.x509 = x509;
      break;
    }
    default: {
      if (typeof rec.service === 'string') network.protocol = rec.service;
      else if (logType !== 'unknown' && logType !== 'weird') network.protocol = logType;
    }
  }
  // Logs without endpoints (stats, x509, capture_loss) get no empty source/destination objects.
  if (hasKeys(source)) event.source = source;
  if (hasKeys(destination)) event.destination = destination;
  if (hasKeys(network)) event.network = network;
  event.zeek = { [logType]: rec };
  return event;
}
