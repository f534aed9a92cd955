// Versioned feature schemas: the ordered feature names a feature vector carries. Models record the
// schema (name + version) they were trained on and are checked against it before scoring; any change
// to the names or their order bumps the version.
import { createHash } from 'node:crypto';

export interface FeatureSchema {
  readonly name: string;
  readonly version: number;
  readonly features: readonly string[];
}

/** Per source IP, over a window: conn, DNS and HTTP activity (the built-in network feature set). */
export const NETWORK_SOURCE_FEATURES: FeatureSchema = {
  name: 'network.src',
  version: 1,
  features: [
    'connections',
    'bytes_out',
    'bytes_in',
    'packets_out',
    'packets_in',
    'distinct_dst_ips',
    'distinct_dst_ports',
    'failed_conn_ratio',
    'dns_queries',
    'distinct_domains',
    'nxdomain_ratio',
    'domain_entropy_mean',
    'domain_entropy_p50',
    'domain_entropy_p95',
    'http_requests',
    'http_error_ratio',
    'interarrival_mean_ms',
    'interarrival_variance',
  ],
};

/** Per source→destination pair: volume, failures and periodicity (beacons). */
export const NETWORK_PAIR_FEATURES: FeatureSchema = {
  name: 'network.pair',
  version: 1,
  features: [
    'connections',
    'bytes_out',
    'bytes_in',
    'packets_out',
    'packets_in',
    'distinct_dst_ports',
    'failed_conn_ratio',
    'interarrival_mean_ms',
    'interarrival_variance',
    'interarrival_cv',
  ],
};

export const BUILTIN_FEATURE_SCHEMAS: Readonly<Record<string, FeatureSchema>> = {
  [NETWORK_SOURCE_FEATURES.name]: NETWORK_SOURCE_FEATURES,
  [NETWORK_PAIR_FEATURES.name]: NETWORK_PAIR_FEATURES,
};

/** A schema for a custom profile's features: versioned by a hash of its definition. */
export function derivedFeatureSchema(
  name: string,
  features: readonly string[],
  definition: string,
): FeatureSchema {
  const digest = createHash('sha256').update(definition).digest();
  return { name, version: digest.readUInt32BE(0), features: [...features] };
}

export class FeatureSchemaMismatch extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FeatureSchemaMismatch';
  }
}

/**
 * Checks that vectors of schema `actual` can feed a model trained on `expected`: same name, same
 * version, same ordered names. Throws FeatureSchemaMismatch naming the first difference.
 */
export function assertFeatureSchema(expected: FeatureSchema, actual: FeatureSchema): void {
  if (expected.name !== actual.name)
    throw new FeatureSchemaMismatch(`feature schema ${actual.name} is not ${expected.name}`);
  if (expected.version !== actual.version) {
    throw new FeatureSchemaMismatch(
      `feature schema ${expected.name}: version ${actual.version}, model expects ${expected.version}`,
    );
  }
  const n = Math.max(expected.features.length, actual.features.length);
  for (let i = 0; i < n; i++) {
    if (expected.features[i] !== actual.features[i]) {
      throw new FeatureSchemaMismatch(
        `feature schema ${expected.name} v${expected.version}: feature ${i} is ${actual.features[i] ?? '(none)'}, model expects ${expected.features[i] ?? '(none)'}`,
      );
    }
  }
}

/** A feature vector as the `features` topic carries it. */
export interface FeatureVector {
  schema: string;
  version: number;
  profile: string;
  entity: string;
  window: { start: number; end: number };
  features: Record<string, number>;
}

/** The vector's values in schema order (what a model consumes). */
export function featureArray(schema: FeatureSchema, vector: FeatureVector): number[] {
  assertFeatureSchema(schema, {
    name: vector.schema,
    version: vector.version,
    features: Object.keys(vector.features),
  });
  return schema.features.map((f) => vector.features[f] as number);
}
