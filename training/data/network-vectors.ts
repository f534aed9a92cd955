// Seeded synthetic `network.src` feature vectors (one source IP over a 5-minute window) shaped like
// the simulator's small organization: workstations, and DNS, web, file and mail servers, with an
// office-hours rhythm. The default model learns "normal" from them when no replayed benign features
// are at hand; a few attack shapes (scan, brute force, beacon, DGA, exfiltration) let tests check
// that it separates them.
import { NETWORK_SOURCE_FEATURES } from '../../features/schema.ts';
import { createRng, type Rng } from '../random.ts';

export type NetworkVector = Record<string, number>;
export type AttackShape = 'scan' | 'bruteforce' | 'beacon' | 'dga' | 'exfil';
export const ATTACK_SHAPES: AttackShape[] = ['scan', 'bruteforce', 'beacon', 'dga', 'exfil'];

const WINDOW_MS = 300_000;

function normal(rng: Rng): number {
  // Box–Muller
  const u = Math.max(rng.next(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.next());
}
const logNormal = (rng: Rng, median: number, sigma: number) => median * Math.exp(sigma * normal(rng));
const poisson = (rng: Rng, mean: number) => Math.max(0, Math.round(mean + Math.sqrt(mean) * normal(rng)));
const clamp01 = (v: number) => Math.min(1, Math.max(0, v));

function vector(
  rng: Rng,
  o: {
    conns: number;
    outPerConn: number;
    inPerConn: number;
    dstIpShare: number;
    ports: number;
    failed: number;
    dnsPerConn: number;
    nx: number;
    entropy: number;
    httpShare: number;
    httpErr: number;
    cv: number;
  },
): NetworkVector {
  const connections = Math.max(0, o.conns);
  const bytesOut = connections * logNormal(rng, o.outPerConn, 0.5);
  const bytesIn = connections * logNormal(rng, o.inPerConn, 0.7);
  const dns = connections === 0 ? 1 + rng.int(6) : poisson(rng, connections * o.dnsPerConn);
  // the profiler reports 0 for inter-arrival statistics of fewer than two connections
  const iaMean = connections >= 2 ? WINDOW_MS / connections : 0;
  const http = Math.round(connections * o.httpShare);
  return {
    connections,
    bytes_out: Math.round(bytesOut),
    bytes_in: Math.round(bytesIn),
    packets_out: connections === 0 ? 0 : Math.max(1, Math.round(bytesOut / logNormal(rng, 600, 0.2))),
    packets_in: connections === 0 ? 0 : Math.round(bytesIn / logNormal(rng, 1100, 0.2)),
    distinct_dst_ips: Math.min(connections, Math.max(1, Math.round(connections * o.dstIpShare))),
    distinct_dst_ports: Math.min(connections, Math.max(1, Math.round(o.ports))),
    failed_conn_ratio: connections === 0 ? 0 : clamp01(o.failed),
    dns_queries: dns,
    distinct_domains: dns === 0 ? 0 : Math.max(1, Math.round(dns * clamp01(0.4 + 0.2 * rng.next()))),
    nxdomain_ratio: dns === 0 ? 0 : clamp01(o.nx),
    domain_entropy_mean: dns === 0 ? 0 : o.entropy,
    domain_entropy_p50: dns === 0 ? 0 : o.entropy - 0.05 + 0.1 * rng.next(),
    domain_entropy_p95: dns === 0 ? 0 : o.entropy + 0.3 + 0.4 * rng.next(),
    http_requests: http,
    http_error_ratio: http === 0 ? 0 : clamp01(o.httpErr),
    interarrival_mean_ms: iaMean,
    interarrival_variance: connections >= 2 ? (iaMean * o.cv) ** 2 : 0,
  };
}

/** One benign window for a host of the given role at hour-of-day `hour` (UTC office hours 8–18). */
export function benignVector(rng: Rng, role: string, hour: number): NetworkVector {
  const office = hour >= 8 && hour < 18 ? 1 : 0.15;
  const busy = office * logNormal(rng, 1, 0.4);
  const small = () => clamp01(Math.abs(normal(rng)) * 0.02);
  const entropy = 2.6 + 0.35 * normal(rng) * 0.5;
  switch (role) {
    case 'dns':
      return vector(rng, {
        conns: poisson(rng, 400 * busy + 20),
        outPerConn: 90,
        inPerConn: 160,
        dstIpShare: 0.05,
        ports: 2,
        failed: small(),
        dnsPerConn: 0.02,
        nx: small(),
        entropy,
        httpShare: 0,
        httpErr: 0,
        cv: 0.9,
      });
    case 'web':
      return vector(rng, {
        conns: poisson(rng, 150 * busy + 10),
        outPerConn: 30_000,
        inPerConn: 900,
        dstIpShare: 0.6,
        ports: 3,
        failed: small(),
        dnsPerConn: 0.01,
        nx: 0,
        entropy,
        httpShare: 0.05,
        httpErr: small(),
        cv: 1.2,
      });
    case 'file':
      return vector(rng, {
        conns: poisson(rng, 60 * busy + 4),
        outPerConn: 50_000,
        inPerConn: 4000,
        dstIpShare: 0.5,
        ports: 2,
        failed: small(),
        dnsPerConn: 0.1,
        nx: 0,
        entropy,
        httpShare: 0,
        httpErr: 0,
        cv: 1.3,
      });
    case 'mail':
      return vector(rng, {
        conns: poisson(rng, 40 * busy + 4),
        outPerConn: 8000,
        inPerConn: 12_000,
        dstIpShare: 0.7,
        ports: 3,
        failed: small(),
        dnsPerConn: 0.8,
        nx: small(),
        entropy,
        httpShare: 0,
        httpErr: 0,
        cv: 1.1,
      });
    case 'probe': {
      // the Internet's background noise: one unanswered or rejected attempt from an outside address
      const conns = 1 + (rng.next() < 0.2 ? 1 : 0);
      return vector(rng, {
        conns,
        outPerConn: 60,
        inPerConn: 1,
        dstIpShare: 1,
        ports: 1,
        failed: rng.next() < 0.8 ? 1 : 0.5,
        dnsPerConn: 0,
        nx: 0,
        entropy: 0,
        httpShare: 0,
        httpErr: 0,
        cv: 0.5,
      });
    }
    case 'resolver-client': {
      // a quiet host that only resolved names in this window (no connections of its own)
      return vector(rng, {
        conns: 0,
        outPerConn: 0,
        inPerConn: 0,
        dstIpShare: 0,
        ports: 0,
        failed: 0,
        dnsPerConn: 0,
        nx: 0,
        entropy,
        httpShare: 0,
        httpErr: 0,
        cv: 1,
      });
    }
    default: {
      const conns = poisson(rng, 35 * busy + 2);
      return vector(rng, {
        conns,
        outPerConn: 1500,
        inPerConn: 25_000,
        dstIpShare: 0.35 + 0.2 * rng.next(),
        ports: 1 + rng.int(4),
        failed: small(),
        dnsPerConn: 0.6 + 0.3 * rng.next(),
        nx: small(),
        entropy,
        httpShare: 0.2 + 0.2 * rng.next(),
        httpErr: small(),
        cv: 1 + rng.next(),
      });
    }
  }
}

const ROLES = [
  'workstation',
  'workstation',
  'workstation',
  'workstation',
  'workstation',
  'workstation',
  'dns',
  'web',
  'file',
  'mail',
];

/** n benign windows over roles and hours, deterministic for the seed. */
export function benignNetworkVectors(n: number, seed: number): NetworkVector[] {
  const rng = createRng(seed);
  return Array.from({ length: n }, () => benignVector(rng, ROLES[rng.int(ROLES.length)]!, rng.int(24)));
}

/** One window of an attacking source (for evaluation; never used for training). */
export function attackVector(rng: Rng, shape: AttackShape): NetworkVector {
  const small = () => clamp01(Math.abs(normal(rng)) * 0.02);
  switch (shape) {
    case 'scan':
      return vector(rng, {
        conns: poisson(rng, 1500),
        outPerConn: 60,
        inPerConn: 40,
        dstIpShare: 0.9,
        ports: 400,
        failed: 0.85 + 0.1 * rng.next(),
        dnsPerConn: 0,
        nx: 0,
        entropy: 0,
        httpShare: 0,
        httpErr: 0,
        cv: 0.3,
      });
    case 'bruteforce':
      return vector(rng, {
        conns: poisson(rng, 600),
        outPerConn: 1800,
        inPerConn: 2200,
        dstIpShare: 0.002,
        ports: 1,
        failed: 0.3 + 0.2 * rng.next(),
        dnsPerConn: 0,
        nx: 0,
        entropy: 0,
        httpShare: 0,
        httpErr: 0,
        cv: 0.15,
      });
    case 'beacon':
      return vector(rng, {
        conns: poisson(rng, 30),
        outPerConn: 400,
        inPerConn: 300,
        dstIpShare: 0.034,
        ports: 1,
        failed: small(),
        dnsPerConn: 1,
        nx: 0,
        entropy: 3.4,
        httpShare: 0,
        httpErr: 0,
        cv: 0.05,
      });
    case 'dga':
      return vector(rng, {
        conns: poisson(rng, 20),
        outPerConn: 1500,
        inPerConn: 20_000,
        dstIpShare: 0.4,
        ports: 2,
        failed: small(),
        dnsPerConn: 12,
        nx: 0.85 + 0.1 * rng.next(),
        entropy: 3.8 + 0.2 * rng.next(),
        httpShare: 0.2,
        httpErr: small(),
        cv: 1.2,
      });
    case 'exfil':
      return vector(rng, {
        conns: poisson(rng, 20),
        outPerConn: 8_000_000,
        inPerConn: 3000,
        dstIpShare: 0.05,
        ports: 1,
        failed: small(),
        dnsPerConn: 0.5,
        nx: 0,
        entropy: 2.7,
        httpShare: 0.1,
        httpErr: 0,
        cv: 0.8,
      });
  }
}

export function attackNetworkVectors(
  nPerShape: number,
  seed: number,
): { shape: AttackShape; vector: NetworkVector }[] {
  const rng = createRng(seed);
  return ATTACK_SHAPES.flatMap((shape) =>
    Array.from({ length: nPerShape }, () => ({ shape, vector: attackVector(rng, shape) })),
  );
}

/** `network.src` feature maps from features-topic records (FeatureVector JSON); others are skipped. */
export function networkVectorsFromRecords(records: Iterable<unknown>): NetworkVector[] {
  const out: NetworkVector[] = [];
  for (const r of records) {
    const v = (typeof r === 'string' ? JSON.parse(r) : r) as {
      schema?: string;
      version?: number;
      features?: unknown;
    };
    if (v?.schema !== NETWORK_SOURCE_FEATURES.name || v.version !== NETWORK_SOURCE_FEATURES.version) continue;
    if (v.features && typeof v.features === 'object') out.push(v.features as NetworkVector);
  }
  return out;
}

/** Vectors → a float32 matrix in the schema's feature order (missing features are 0). */
export function vectorsToRows(
  vectors: NetworkVector[],
  features = NETWORK_SOURCE_FEATURES.features,
): Float32Array {
  const out = new Float32Array(vectors.length * features.length);
  vectors.forEach((v, i) => {
    features.forEach((f, j) => {
      const x = v[f];
      out[i * features.length + j] = typeof x === 'number' && Number.isFinite(x) ? x : 0;
    });
  });
  return out;
}
