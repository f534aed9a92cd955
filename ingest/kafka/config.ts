// `log: {kind: kafka, ...}`: how Vigil reaches Redpanda/Kafka (or `vigil broker`), validated with zod.
import { readFileSync } from 'node:fs';
import type { KafkaConfig, SASLOptions } from 'kafkajs';
import { z } from 'zod';

const tlsSchema = z.union([
  z.boolean(),
  z.object({
    /** PEM files. */
    ca: z.string().optional(),
    cert: z.string().optional(),
    key: z.string().optional(),
    rejectUnauthorized: z.boolean().default(true),
    servername: z.string().optional(),
  }),
]);

const saslSchema = z.object({
  mechanism: z.enum(['plain', 'scram-sha-256', 'scram-sha-512']),
  username: z.string().min(1),
  password: z.string(),
});

export const kafkaLogConfigSchema = z.object({
  kind: z.literal('kafka'),
  brokers: z.array(z.string().regex(/^[^\s:]+:\d+$/, 'expected host:port')).min(1),
  clientId: z.string().default('vigil'),
  ssl: tlsSchema.optional(),
  sasl: saslSchema.optional(),
  /** Partitions for topics created without an explicit count. */
  defaultPartitions: z.number().int().min(1).default(1),
  /** -1 lets the cluster choose (its default.replication.factor). */
  replicationFactor: z.number().int().min(-1).default(-1),
  /** Compacted topic holding each group's stage state, written inside its transactions. */
  stateTopic: z.string().default('__vigil_state'),
  /**
   * Prefix of the transactional ids (one per consumer group) used by `transact`. A restarted stage
   * fences its previous incarnation through it; scale-out workers of one group each need their own
   * prefix (e.g. host and worker number) or they fence each other.
   */
  transactionalIdPrefix: z.string().default('vigil-'),
  /** How long Kafka keeps a dead producer's open transaction (which stalls read_committed readers). */
  transactionTimeoutMs: z.number().int().positive().default(60_000),
  connectionTimeoutMs: z.number().int().positive().default(3000),
  requestTimeoutMs: z.number().int().positive().default(30000),
  retries: z.number().int().min(0).default(5),
});

export type KafkaLogConfig = z.input<typeof kafkaLogConfigSchema>;
export type ResolvedKafkaLogConfig = z.output<typeof kafkaLogConfigSchema>;

export function toKafkaJsConfig(config: ResolvedKafkaLogConfig): KafkaConfig {
  let ssl: KafkaConfig['ssl'];
  if (typeof config.ssl === 'boolean') ssl = config.ssl;
  else if (config.ssl) {
    const read = (file?: string) => (file ? readFileSync(file, 'utf8') : undefined);
    ssl = {
      ca: config.ssl.ca ? [read(config.ssl.ca)!] : undefined,
      cert: read(config.ssl.cert),
      key: read(config.ssl.key),
      rejectUnauthorized: config.ssl.rejectUnauthorized,
      servername: config.ssl.servername,
    };
  }
  return {
    clientId: config.clientId,
    brokers: config.brokers,
    ssl,
    sasl: config.sasl as SASLOptions | undefined,
    connectionTimeout: config.connectionTimeoutMs,
    requestTimeout: config.requestTimeoutMs,
    retry: { retries: config.retries },
  };
}
