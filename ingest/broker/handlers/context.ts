// What every request handler sees: the broker's shared state and the connection it came from.
import type { EventLog } from '../../log/types.ts';
import type { GroupCoordinator } from '../group-coordinator.ts';
import type { ProducerStateTable } from '../producer-state.ts';
import type { Message } from '../protocol/schema.ts';
import type { TransactionCoordinator } from '../transaction-coordinator.ts';

export interface BrokerState {
  log: EventLog;
  groups: GroupCoordinator;
  txns: TransactionCoordinator;
  producers: ProducerStateTable;
  nodeId: number;
  clusterId: string;
  autoCreateTopics: boolean;
  defaultPartitions: number;
  /** Host and port clients are told to connect to; the connection's local address when unset. */
  advertisedHost?: string;
  advertisedPort?: number;
}

export interface RequestContext {
  broker: BrokerState;
  clientId: string;
  clientHost: string;
  /** The address this connection reached the broker on. */
  localHost: string;
  localPort: number;
}

/** A handler returns the response body, or null when none is sent (Produce with acks=0). */
export type Handler = (
  req: Message,
  version: number,
  ctx: RequestContext,
) => Promise<Message | null> | Message | null;

export function advertised(ctx: RequestContext): { host: string; port: number } {
  return {
    host: ctx.broker.advertisedHost ?? ctx.localHost,
    port: ctx.broker.advertisedPort ?? ctx.localPort,
  };
}
