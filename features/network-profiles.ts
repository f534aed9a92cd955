// The built-in network feature set as profile definitions (data, like any user profile): per source
// IP and per source→destination pair, over ECS events from Zeek conn/dns/http logs. Their features
// must match NETWORK_SOURCE_FEATURES / NETWORK_PAIR_FEATURES in schema.ts (checked at load).
import type { ProfileDef } from './profile-config.ts';

const CONN = 'has(zeek.conn)';
const DNS = 'has(dns.question.name)';
const HTTP = 'has(http.response.status_code)';
// Zeek conn_state values of attempts that never became a normal connection: no reply (S0),
// rejected (REJ), reset before the handshake finished (RSTOS0, RSTRH), half-open (SH, SHR).
const FAILED = 'zeek.conn.conn_state in ["S0", "REJ", "RSTOS0", "RSTRH", "SH", "SHR"]';

export function networkProfiles(windowMs = 300_000): ProfileDef[] {
  const window = { size: windowMs };
  const connAggregates = {
    connections: { op: 'count', where: CONN },
    bytes_out: { op: 'sum', of: 'source.bytes', where: CONN },
    bytes_in: { op: 'sum', of: 'destination.bytes', where: CONN },
    packets_out: { op: 'sum', of: 'source.packets', where: CONN },
    packets_in: { op: 'sum', of: 'destination.packets', where: CONN },
    distinct_dst_ports: { op: 'distinct', of: 'destination.port', where: CONN },
    failed_conn_ratio: { op: 'mean', of: FAILED, where: CONN },
    interarrival_mean_ms: { op: 'interarrival', stat: 'mean', where: CONN },
    interarrival_variance: { op: 'interarrival', stat: 'variance', where: CONN },
  } as const;
  return [
    {
      name: 'network.src',
      foreach: 'source.ip',
      window,
      schema: 'network.src',
      aggregations: {
        ...connAggregates,
        distinct_dst_ips: { op: 'distinct', of: 'destination.ip', where: CONN },
        dns_queries: { op: 'count', where: DNS },
        distinct_domains: { op: 'distinct', of: 'dns.question.name', where: DNS },
        nxdomain_ratio: { op: 'mean', of: 'dns.response_code == "NXDOMAIN"', where: DNS },
        domain_entropy: { op: 'mean', of: 'entropy(dns.question.name)', where: DNS },
        domain_entropy_q: { op: 'quantile', of: 'entropy(dns.question.name)', q: [0.5, 0.95], where: DNS },
        http_requests: { op: 'count', where: HTTP },
        http_error_ratio: { op: 'mean', of: 'http.response.status_code >= 400', where: HTTP },
      },
      result: 'connections',
      features: {
        connections: 'connections',
        bytes_out: 'bytes_out',
        bytes_in: 'bytes_in',
        packets_out: 'packets_out',
        packets_in: 'packets_in',
        distinct_dst_ips: 'distinct_dst_ips',
        distinct_dst_ports: 'distinct_dst_ports',
        failed_conn_ratio: 'failed_conn_ratio',
        dns_queries: 'dns_queries',
        distinct_domains: 'distinct_domains',
        nxdomain_ratio: 'nxdomain_ratio',
        domain_entropy_mean: 'domain_entropy',
        domain_entropy_p50: 'domain_entropy_q.p50',
        domain_entropy_p95: 'domain_entropy_q.p95',
        http_requests: 'http_requests',
        http_error_ratio: 'http_error_ratio',
        interarrival_mean_ms: 'interarrival_mean_ms',
        interarrival_variance: 'interarrival_variance',
      },
    },
    {
      name: 'network.pair',
      foreach: 'source.ip + ">" + destination.ip',
      onlyif: CONN,
      window,
      schema: 'network.pair',
      aggregations: {
        ...connAggregates,
        interarrival_cv: { op: 'interarrival', stat: 'cv', where: CONN },
      },
      result: 'connections',
      features: {
        connections: 'connections',
        bytes_out: 'bytes_out',
        bytes_in: 'bytes_in',
        packets_out: 'packets_out',
        packets_in: 'packets_in',
        distinct_dst_ports: 'distinct_dst_ports',
        failed_conn_ratio: 'failed_conn_ratio',
        interarrival_mean_ms: 'interarrival_mean_ms',
        interarrival_variance: 'interarrival_variance',
        interarrival_cv: 'interarrival_cv',
      },
    },
  ];
}
