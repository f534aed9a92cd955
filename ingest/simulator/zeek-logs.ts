// Zeek log schemas (field names and types in Zeek's own order) and the two writers Zeek has:
// JSON lines (unset fields omitted, ts as epoch seconds) and TSV with `#fields`/`#types` headers.

export type ZeekLogType = 'conn' | 'dns' | 'http' | 'ssl' | 'ssh' | 'smb_mapping' | 'smb_files' | 'rdp';
/** Everything the simulator writes: Zeek logs plus optional syslog (sshd) and CEF (firewall) lines. */
export type SimLogType = ZeekLogType | 'syslog' | 'cef';

export type ZeekValue = string | number | boolean | readonly string[] | readonly number[] | undefined;
/** A Zeek record keyed by Zeek field names (`id.orig_h`); ts is epoch seconds. */
export type ZeekRecord = Record<string, ZeekValue>;

type FieldType =
  | 'time'
  | 'string'
  | 'addr'
  | 'port'
  | 'enum'
  | 'count'
  | 'interval'
  | 'bool'
  | 'double'
  | 'set[string]'
  | 'set[enum]'
  | 'vector[string]'
  | 'vector[interval]';

const ID: [string, FieldType][] = [
  ['ts', 'time'],
  ['uid', 'string'],
  ['id.orig_h', 'addr'],
  ['id.orig_p', 'port'],
  ['id.resp_h', 'addr'],
  ['id.resp_p', 'port'],
];

/** Field lists as Zeek 6 writes them (default scripts, no extra packages). */
export const ZEEK_FIELDS: Record<ZeekLogType, readonly (readonly [string, FieldType])[]> = {
  conn: [
    ...ID,
    ['proto', 'enum'],
    ['service', 'string'],
    ['duration', 'interval'],
    ['orig_bytes', 'count'],
    ['resp_bytes', 'count'],
    ['conn_state', 'string'],
    ['local_orig', 'bool'],
    ['local_resp', 'bool'],
    ['missed_bytes', 'count'],
    ['history', 'string'],
    ['orig_pkts', 'count'],
    ['orig_ip_bytes', 'count'],
    ['resp_pkts', 'count'],
    ['resp_ip_bytes', 'count'],
    ['tunnel_parents', 'set[string]'],
  ],
  dns: [
    ...ID,
    ['proto', 'enum'],
    ['trans_id', 'count'],
    ['rtt', 'interval'],
    ['query', 'string'],
    ['qclass', 'count'],
    ['qclass_name', 'string'],
    ['qtype', 'count'],
    ['qtype_name', 'string'],
    ['rcode', 'count'],
    ['rcode_name', 'string'],
    ['AA', 'bool'],
    ['TC', 'bool'],
    ['RD', 'bool'],
    ['RA', 'bool'],
    ['Z', 'count'],
    ['answers', 'vector[string]'],
    ['TTLs', 'vector[interval]'],
    ['rejected', 'bool'],
  ],
  http: [
    ...ID,
    ['trans_depth', 'count'],
    ['method', 'string'],
    ['host', 'string'],
    ['uri', 'string'],
    ['referrer', 'string'],
    ['version', 'string'],
    ['user_agent', 'string'],
    ['origin', 'string'],
    ['request_body_len', 'count'],
    ['response_body_len', 'count'],
    ['status_code', 'count'],
    ['status_msg', 'string'],
    ['info_code', 'count'],
    ['info_msg', 'string'],
    ['tags', 'set[enum]'],
    ['username', 'string'],
    ['password', 'string'],
    ['proxied', 'set[string]'],
    ['orig_fuids', 'vector[string]'],
    ['orig_filenames', 'vector[string]'],
    ['orig_mime_types', 'vector[string]'],
    ['resp_fuids', 'vector[string]'],
    ['resp_filenames', 'vector[string]'],
    ['resp_mime_types', 'vector[string]'],
  ],
  ssl: [
    ...ID,
    ['version', 'string'],
    ['cipher', 'string'],
    ['curve', 'string'],
    ['server_name', 'string'],
    ['resumed', 'bool'],
    ['last_alert', 'string'],
    ['next_protocol', 'string'],
    ['established', 'bool'],
    ['ssl_history', 'string'],
    ['cert_chain_fps', 'vector[string]'],
    ['client_cert_chain_fps', 'vector[string]'],
    ['sni_matches_cert', 'bool'],
  ],
  ssh: [
    ...ID,
    ['version', 'count'],
    ['auth_success', 'bool'],
    ['auth_attempts', 'count'],
    ['direction', 'enum'],
    ['client', 'string'],
    ['server', 'string'],
    ['cipher_alg', 'string'],
    ['mac_alg', 'string'],
    ['compression_alg', 'string'],
    ['kex_alg', 'string'],
    ['host_key_alg', 'string'],
    ['host_key', 'string'],
  ],
  smb_mapping: [
    ...ID,
    ['path', 'string'],
    ['service', 'string'],
    ['native_file_system', 'string'],
    ['share_type', 'string'],
  ],
  smb_files: [
    ...ID,
    ['fuid', 'string'],
    ['action', 'enum'],
    ['path', 'string'],
    ['name', 'string'],
    ['size', 'count'],
    ['prev_name', 'string'],
    ['times.modified', 'time'],
    ['times.accessed', 'time'],
    ['times.created', 'time'],
    ['times.changed', 'time'],
  ],
  rdp: [
    ...ID,
    ['cookie', 'string'],
    ['result', 'string'],
    ['security_protocol', 'string'],
    ['client_channels', 'vector[string]'],
    ['keyboard_layout', 'string'],
    ['client_build', 'string'],
    ['client_name', 'string'],
    ['client_dig_product_id', 'string'],
    ['desktop_width', 'count'],
    ['desktop_height', 'count'],
    ['requested_color_depth', 'string'],
    ['cert_type', 'string'],
    ['cert_count', 'count'],
    ['cert_permanent', 'bool'],
    ['encryption_level', 'string'],
    ['encryption_method', 'string'],
  ],
};

export const ZEEK_LOG_TYPES = Object.keys(ZEEK_FIELDS) as ZeekLogType[];

export function isZeekLog(log: SimLogType): log is ZeekLogType {
  return log !== 'syslog' && log !== 'cef';
}

/** One JSON line as Zeek's JSON writer makes it: schema order, unset fields left out. */
export function zeekJsonLine(log: ZeekLogType, rec: ZeekRecord): string {
  const out: Record<string, ZeekValue> = {};
  for (const [name] of ZEEK_FIELDS[log]) {
    const v = rec[name];
    if (v !== undefined) out[name] = v;
  }
  return JSON.stringify(out);
}

/** The same record wrapped in Metron's Kafka envelope, `{"conn": {...}}`. */
export function zeekEnvelopeLine(log: ZeekLogType, rec: ZeekRecord): string {
  return `{"${log}":${zeekJsonLine(log, rec)}}`;
}

// Zeek's TSV writer escapes the separator and non-printables as \xNN.
function escapeTsv(s: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: escaping control characters is the point
  return s.replace(/[\x00-\x1f\x7f\\]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

function tsvValue(type: FieldType, v: ZeekValue): string {
  if (v === undefined) return '-';
  if (Array.isArray(v)) {
    if (v.length === 0) return '(empty)';
    const inner = type === 'vector[interval]' ? 'interval' : 'string';
    return v.map((x) => tsvValue(inner, x as string | number)).join(',');
  }
  switch (type) {
    case 'time':
    case 'interval':
    case 'double':
      return (v as number).toFixed(6);
    case 'bool':
      return v ? 'T' : 'F';
    default:
      return typeof v === 'string' ? (v === '' ? '(empty)' : escapeTsv(v)) : String(v);
  }
}

export function zeekTsvLine(log: ZeekLogType, rec: ZeekRecord): string {
  return ZEEK_FIELDS[log].map(([name, type]) => tsvValue(type, rec[name])).join('\t');
}

/** `YYYY-MM-DD-HH-MM-SS`, as in Zeek's #open and #close lines (UTC). */
function zeekStamp(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(0, 19).replace(/[T:]/g, '-');
}

export function zeekTsvHeader(log: ZeekLogType, openMs: number): string {
  const fields = ZEEK_FIELDS[log];
  return [
    '#separator \\x09',
    '#set_separator\t,',
    '#empty_field\t(empty)',
    '#unset_field\t-',
    `#path\t${log}`,
    `#open\t${zeekStamp(openMs)}`,
    `#fields\t${fields.map(([n]) => n).join('\t')}`,
    `#types\t${fields.map(([, t]) => t).join('\t')}`,
  ].join('\n');
}

export function zeekTsvFooter(closeMs: number): string {
  return `#close\t${zeekStamp(closeMs)}`;
}
