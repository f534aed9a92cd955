// The canonical Vigil event: ECS field names, nested objects (`source.ip` is `{source: {ip}}`).
// Defined once here with zod and versioned; a breaking change bumps EVENT_SCHEMA_VERSION.
// The schema is loose (format-specific extras such as `zeek.*`, `snort.*` pass through) but the
// fields it names are typed. The per-line hot path uses the hand-written checks in normalize.ts;
// this schema is for contracts, tests, the API and docs.
import { isIP } from 'node:net';
import { z } from 'zod';

export const EVENT_SCHEMA_VERSION = '1.0.0';

const ip = z.string().refine((v) => isIP(v) !== 0, { message: 'expected an IPv4 or IPv6 address' });
const port = z.number().int().min(0).max(65535);
const count = z.number().nonnegative();
/** ISO-8601 UTC with milliseconds, e.g. `2026-12-04T19:51:25.123Z`. */
export const isoTimestamp = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/, {
  message: 'expected an ISO-8601 UTC timestamp with milliseconds',
});

const endpoint = z.looseObject({
  ip: ip.optional(),
  port: port.optional(),
  bytes: count.optional(),
  packets: count.optional(),
  mac: z.string().optional(),
  domain: z.string().optional(),
  address: z.string().optional(),
});

export const eventSchema = z.looseObject({
  '@timestamp': isoTimestamp,
  message: z.string().optional(),
  event: z.looseObject({
    id: z.string().min(1),
    dataset: z.string().min(1),
    original: z.string(),
    ingested: isoTimestamp,
    kind: z.enum(['alert', 'event', 'metric', 'state', 'signal', 'pipeline_error']).optional(),
    category: z.array(z.string()).optional(),
    type: z.array(z.string()).optional(),
    action: z.string().optional(),
    outcome: z.enum(['success', 'failure', 'unknown']).optional(),
    module: z.string().optional(),
    duration: count.optional(), // nanoseconds, as in ECS
    severity: z.number().optional(),
    created: isoTimestamp.optional(),
    start: isoTimestamp.optional(),
    end: isoTimestamp.optional(),
    schema_version: z.string().optional(),
  }),
  observer: z.looseObject({
    type: z.string().min(1),
    name: z.string().optional(),
    vendor: z.string().optional(),
    product: z.string().optional(),
    version: z.string().optional(),
    hostname: z.string().optional(),
    ip: ip.optional(),
  }),
  source: endpoint.optional(),
  destination: endpoint.optional(),
  client: endpoint.optional(),
  server: endpoint.optional(),
  network: z
    .looseObject({
      transport: z.string().optional(),
      protocol: z.string().optional(),
      bytes: count.optional(),
      packets: count.optional(),
      community_id: z.string().optional(),
      direction: z.string().optional(),
      iana_number: z.string().optional(),
    })
    .optional(),
  dns: z
    .looseObject({
      id: z.union([z.string(), z.number()]).optional(),
      question: z.looseObject({ name: z.string().optional(), type: z.string().optional() }).optional(),
      response_code: z.string().optional(),
      answers: z.array(z.unknown()).optional(),
    })
    .optional(),
  http: z
    .looseObject({
      request: z.looseObject({ method: z.string().optional(), bytes: count.optional() }).optional(),
      response: z
        .looseObject({ status_code: z.number().int().optional(), bytes: count.optional() })
        .optional(),
      version: z.string().optional(),
    })
    .optional(),
  url: z.looseObject({}).optional(),
  tls: z.looseObject({}).optional(),
  user: z.looseObject({}).optional(),
  user_agent: z.looseObject({}).optional(),
  host: z.looseObject({}).optional(),
  rule: z.looseObject({}).optional(),
  file: z.looseObject({}).optional(),
  log: z.looseObject({}).optional(),
  labels: z.record(z.string(), z.unknown()).optional(),
});

export type CanonicalEvent = z.output<typeof eventSchema>;

/**
 * Typed fields the normalizer checks and coerces on every event (dotted ECS paths). Kept as data so
 * the zod schema above, the normalizer and docs agree on what is typed.
 */
export const TYPED_FIELDS = {
  ip: ['source.ip', 'destination.ip', 'client.ip', 'server.ip', 'observer.ip', 'host.ip'],
  port: ['source.port', 'destination.port', 'client.port', 'server.port'],
  count: [
    'source.bytes',
    'source.packets',
    'destination.bytes',
    'destination.packets',
    'network.bytes',
    'network.packets',
    'event.duration',
    'http.request.bytes',
    'http.response.bytes',
    'http.request.body.bytes',
    'http.response.body.bytes',
  ],
  integer: ['http.response.status_code'],
  timestamp: ['@timestamp', 'event.created', 'event.start', 'event.end'],
} as const;
