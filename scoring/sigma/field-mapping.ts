// Sigma field names → where the value sits in a Vigil event. Sigma's Zeek taxonomy (`id.orig_h`,
// `query`, ...) and common generic names map to the ECS fields the parsers fill; ECS names pass
// through; any other field of a Zeek rule reads the verbatim Zeek record (`zeek.<log>.<field>`,
// whose keys may themselves contain dots). A config mapping overrides all of this.

/** Reads a field from an event; undefined when absent. */
export type FieldGetter = (event: Record<string, unknown>) => unknown;

export const SIGMA_FIELD_MAPPING: Record<string, string> = {
  // Zeek conn / common id fields
  'id.orig_h': 'source.ip',
  'id.orig_p': 'source.port',
  'id.resp_h': 'destination.ip',
  'id.resp_p': 'destination.port',
  proto: 'network.transport',
  service: 'network.protocol',
  orig_bytes: 'source.bytes',
  orig_ip_bytes: 'source.bytes',
  resp_bytes: 'destination.bytes',
  resp_ip_bytes: 'destination.bytes',
  orig_pkts: 'source.packets',
  resp_pkts: 'destination.packets',
  community_id: 'network.community_id',
  // generic network names (Sigma's firewall/network_connection taxonomy)
  src_ip: 'source.ip',
  src_port: 'source.port',
  dst_ip: 'destination.ip',
  dst_port: 'destination.port',
  SourceIp: 'source.ip',
  SourcePort: 'source.port',
  DestinationIp: 'destination.ip',
  DestinationPort: 'destination.port',
  DestinationHostname: 'destination.domain',
  Protocol: 'network.transport',
  // dns
  query: 'dns.question.name',
  QueryName: 'dns.question.name',
  qtype_name: 'dns.question.type',
  record_type: 'dns.question.type',
  rcode_name: 'dns.response_code',
  answers: 'dns.answers.data',
  // http / proxy
  host: 'url.domain',
  'cs-host': 'url.domain',
  uri: 'url.original',
  'c-uri': 'url.original',
  method: 'http.request.method',
  'cs-method': 'http.request.method',
  status_code: 'http.response.status_code',
  'sc-status': 'http.response.status_code',
  user_agent: 'user_agent.original',
  'c-useragent': 'user_agent.original',
  referrer: 'http.request.referrer',
  // tls
  server_name: 'tls.client.server_name',
  // files
  md5: 'file.hash.md5',
  sha1: 'file.hash.sha1',
  sha256: 'file.hash.sha256',
  mime_type: 'file.mime_type',
  filename: 'file.name',
};

function dottedGetter(path: string): FieldGetter {
  const keys = path.split('.');
  return (event) => {
    let cur: unknown = event;
    for (const k of keys) {
      if (cur === null || cur === undefined) return undefined;
      if (Array.isArray(cur)) {
        // Lists of objects (dns.answers[].data): collect the field from every element.
        cur = cur.map((x) =>
          x !== null && typeof x === 'object' ? (x as Record<string, unknown>)[k] : undefined,
        );
        continue;
      }
      if (typeof cur !== 'object') return undefined;
      cur = (cur as Record<string, unknown>)[k];
    }
    return cur;
  };
}

function zeekGetter(field: string, service: string | undefined): FieldGetter {
  return (event) => {
    const zeek = event.zeek as Record<string, Record<string, unknown>> | undefined;
    if (zeek === undefined || zeek === null || typeof zeek !== 'object') return undefined;
    if (service !== undefined) return zeek[service]?.[field];
    for (const k in zeek) return zeek[k]?.[field]; // one log type per event
    return undefined;
  };
}

export interface FieldResolverOptions {
  /** Extra or overriding mappings: Sigma field → Vigil dotted path. */
  mapping?: Record<string, string>;
}

/** Resolves a Sigma field for a rule (its logsource decides whether Zeek's own names apply). */
export function fieldGetter(
  field: string,
  logsource: { product?: string; service?: string },
  options: FieldResolverOptions = {},
): { getter: FieldGetter; path: string } {
  const mapped = options.mapping?.[field] ?? SIGMA_FIELD_MAPPING[field];
  if (mapped !== undefined) {
    // A Zeek rule's raw-record field also works when the ECS copy is absent (e.g. orig_bytes of "-").
    const ecs = dottedGetter(mapped);
    if (logsource.product?.toLowerCase() === 'zeek' && !field.includes('-')) {
      const zeek = zeekGetter(field, logsource.service);
      return { getter: (e) => ecs(e) ?? zeek(e), path: mapped };
    }
    return { getter: ecs, path: mapped };
  }
  if (
    logsource.product?.toLowerCase() === 'zeek' &&
    !/^(event|source|destination|network|dns|http|url|tls|file|user_agent|vigil|threat|zeek|observer)\./.test(
      field,
    )
  ) {
    return {
      getter: zeekGetter(field, logsource.service),
      path: `zeek.${logsource.service ?? '*'}["${field}"]`,
    };
  }
  return { getter: dottedGetter(field), path: field };
}
