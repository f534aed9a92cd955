// The Kafka-protocol endpoint: a net.Server that frames requests (int32 size + header + body),
// answers each connection's requests one at a time and in order (as a Kafka broker does), and
// serves them from an EventLog. Unknown APIs and versions get an UNSUPPORTED_VERSION response,
// never a dropped connection.
import { randomUUID } from 'node:crypto';
import net from 'node:net';
import { Counter } from 'prom-client';
import { logger } from '../../kernel/logger.ts';
import { metricsRegistry } from '../../kernel/metrics.ts';
import type { EventLog } from '../log/types.ts';
import { ApiVersions, apiByKey, apis } from './apis/index.ts';
import { ErrorCode } from './errors.ts';
import { GroupCoordinator } from './group-coordinator.ts';
import type { BrokerState, Handler, RequestContext } from './handlers/context.ts';
import { fetch, listOffsets } from './handlers/fetch.ts';
import {
  describeGroups,
  findCoordinator,
  heartbeat,
  joinGroup,
  leaveGroup,
  listGroups,
  offsetCommit,
  offsetFetch,
  syncGroup,
} from './handlers/groups.ts';
import { produce } from './handlers/produce.ts';
import { createTopics, deleteTopics, describeConfigs, metadata } from './handlers/topics.ts';
import {
  addOffsetsToTxn,
  addPartitionsToTxn,
  endTxn,
  initProducerId,
  txnOffsetCommit,
} from './handlers/transactions.ts';
import { ProducerStateTable } from './producer-state.ts';
import { Decoder, ProtocolDecodeError } from './protocol/decoder.ts';
import { Encoder } from './protocol/encoder.ts';
import { type ApiSchema, decodeStruct, encodeStruct, type Message } from './protocol/schema.ts';
import { TransactionCoordinator } from './transaction-coordinator.ts';

const log = logger.child({ component: 'broker' });

/** Kafka's socket.request.max.bytes: a larger frame is not a Kafka request. */
const MAX_FRAME = 100 * 1024 * 1024;

const requestsTotal = new Counter({
  name: 'vigil_broker_requests_total',
  help: 'Kafka-protocol requests served by the broker endpoint',
  labelNames: ['api', 'outcome'],
  registers: [metricsRegistry],
});

const apiVersionsHandler: Handler = () => ({
  errorCode: ErrorCode.NONE,
  apiKeys: apis.map((a) => ({ apiKey: a.key, minVersion: a.min, maxVersion: a.max })),
  throttleTimeMs: 0,
});

const handlers = new Map<number, Handler>([
  [0, produce],
  [1, fetch],
  [2, listOffsets],
  [3, metadata],
  [8, offsetCommit],
  [9, offsetFetch],
  [10, findCoordinator],
  [11, joinGroup],
  [12, heartbeat],
  [13, leaveGroup],
  [14, syncGroup],
  [15, describeGroups],
  [16, listGroups],
  [18, apiVersionsHandler],
  [19, createTopics],
  [20, deleteTopics],
  [22, initProducerId],
  [24, addPartitionsToTxn],
  [25, addOffsetsToTxn],
  [26, endTxn],
  [28, txnOffsetCommit],
  [32, describeConfigs],
]);

export interface BrokerOptions {
  log: EventLog;
  port?: number;
  host?: string;
  /** Host/port put in Metadata and FindCoordinator answers (default: the address the client dialled). */
  advertisedHost?: string;
  advertisedPort?: number;
  /** Create unknown topics on Metadata requests, as Kafka's auto.create.topics.enable (default true). */
  autoCreateTopics?: boolean;
  /** Partitions for auto-created topics and CreateTopics with -1 (default 1). */
  defaultPartitions?: number;
  /** Lower bound for consumer session timeouts (default 1000 ms). */
  minSessionTimeoutMs?: number;
}

export interface RunningBroker {
  port: number;
  host: string;
  close(): Promise<void>;
}

function frame(correlationId: number, body: Buffer, flexibleHeader: boolean): Buffer {
  const e = new Encoder(body.length + 16);
  e.int32(0);
  e.int32(correlationId);
  if (flexibleHeader) e.uvarint(0);
  e.raw(body);
  e.patchInt32(0, e.length - 4);
  return e.toBuffer();
}

function encodeBody(schema: ApiSchema, version: number, body: Message): Buffer {
  const e = new Encoder(256);
  encodeStruct(e, schema.response, body, version, version >= schema.flexibleFrom);
  return e.toBuffer();
}

/** Encodes a response of the right shape whose top-level error code (where it has one) is `code`. */
function errorBody(schema: ApiSchema, version: number, code: number): Buffer {
  return encodeBody(schema, version, { errorCode: code });
}

export class BrokerConnectionHandler {
  constructor(private readonly state: BrokerState) {}

  /** Answers one request frame (without its size prefix); null when no response is due. */
  async respond(
    frameBytes: Buffer,
    conn: Omit<RequestContext, 'broker' | 'clientId'>,
  ): Promise<Buffer | null> {
    const d = new Decoder(frameBytes);
    const apiKey = d.int16();
    const version = d.int16();
    const correlationId = d.int32();
    const clientId = d.string() ?? '';
    const schema = apiByKey.get(apiKey);
    const handler = handlers.get(apiKey);
    if (!schema || !handler || version < schema.min || version > schema.max) {
      requestsTotal.inc({ api: schema?.name ?? `key${apiKey}`, outcome: 'unsupported' });
      log.warn({ apiKey, version, clientId }, 'unsupported request version');
      // ApiVersions answers in v0 with the table so the client can pick a version it shares.
      if (apiKey === ApiVersions.key) {
        const body = encodeBody(ApiVersions, 0, {
          ...(apiVersionsHandler({}, 0, {} as RequestContext) as Message),
          errorCode: ErrorCode.UNSUPPORTED_VERSION,
        });
        return frame(correlationId, body, false);
      }
      return frame(correlationId, new Encoder(2).int16(ErrorCode.UNSUPPORTED_VERSION).toBuffer(), false);
    }
    const flexible = version >= schema.flexibleFrom;
    const flexibleHeader = flexible && apiKey !== ApiVersions.key;
    let body: Buffer;
    try {
      if (flexible) d.skipTaggedFields();
      const request = decodeStruct(d, schema.request, version, flexible);
      if (log.isLevelEnabled('trace')) log.trace({ api: schema.name, version, clientId, request }, 'request');
      const response = await handler(request, version, { ...conn, broker: this.state, clientId });
      if (response === null) {
        requestsTotal.inc({ api: schema.name, outcome: 'ok' });
        return null;
      }
      body = encodeBody(schema, version, response);
      requestsTotal.inc({ api: schema.name, outcome: 'ok' });
    } catch (err) {
      const code =
        err instanceof ProtocolDecodeError ? ErrorCode.INVALID_REQUEST : ErrorCode.UNKNOWN_SERVER_ERROR;
      requestsTotal.inc({ api: schema.name, outcome: 'error' });
      log.warn({ err, api: schema.name, version, clientId }, 'request failed');
      body = errorBody(schema, version, code);
    }
    return frame(correlationId, body, flexibleHeader);
  }
}

function hostOf(address: string | undefined): string {
  if (!address) return '127.0.0.1';
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}

/** Starts the Kafka-protocol endpoint over `log`; port 0 picks a free port. */
export async function startBroker(options: BrokerOptions): Promise<RunningBroker> {
  const state: BrokerState = {
    log: options.log,
    groups: new GroupCoordinator({ minSessionTimeoutMs: options.minSessionTimeoutMs }),
    txns: new TransactionCoordinator(options.log),
    producers: new ProducerStateTable(),
    nodeId: 0,
    clusterId: `vigil-${randomUUID().slice(0, 8)}`,
    autoCreateTopics: options.autoCreateTopics ?? true,
    defaultPartitions: options.defaultPartitions ?? 1,
    advertisedHost: options.advertisedHost,
    advertisedPort: options.advertisedPort,
  };
  const handler = new BrokerConnectionHandler(state);
  const sockets = new Set<net.Socket>();

  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.setNoDelay(true);
    const conn = {
      clientHost: `/${hostOf(socket.remoteAddress)}`,
      localHost: hostOf(socket.localAddress),
      localPort: socket.localPort ?? 0,
    };
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    let tail: Promise<void> = Promise.resolve();
    socket.on('data', (chunk: Buffer) => {
      pending.push(chunk);
      pendingBytes += chunk.length;
      if (pendingBytes < 4) return;
      let buf = pending.length === 1 ? pending[0]! : Buffer.concat(pending);
      let pos = 0;
      while (buf.length - pos >= 4) {
        const size = buf.readInt32BE(pos);
        if (size < 8 || size > MAX_FRAME) {
          log.warn({ size, remote: conn.clientHost }, 'not a Kafka request frame; closing connection');
          socket.destroy();
          return;
        }
        if (buf.length - pos - 4 < size) break;
        const request = buf.subarray(pos + 4, pos + 4 + size);
        pos += 4 + size;
        // One request at a time per connection, responses in request order.
        tail = tail
          .then(() => handler.respond(request, conn))
          .then(
            (response) => {
              if (response && !socket.destroyed) socket.write(response);
            },
            (err) => {
              log.error({ err }, 'broker failed to answer; closing connection');
              socket.destroy();
            },
          );
      }
      buf = buf.subarray(pos);
      pending = buf.length > 0 ? [buf] : [];
      pendingBytes = buf.length;
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => sockets.delete(socket));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 9092, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as net.AddressInfo;
  log.info({ host: address.address, port: address.port }, 'Kafka-protocol endpoint listening');
  return {
    port: address.port,
    host: address.address,
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const s of sockets) s.destroy();
      state.groups.close();
      state.txns.close();
      await closed;
    },
  };
}
