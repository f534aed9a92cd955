// Consumer-group membership for scale-out workers, over the Kafka group protocol (JoinGroup /
// SyncGroup / Heartbeat / LeaveGroup) against Redpanda, Kafka or `vigil broker`. Eager rebalancing:
// when the coordinator announces a rebalance the member first stops its work (onRevoke), then
// rejoins, so two workers never process the same partition at once. The leader assigns the input
// partitions round-robin over the members.
import { Kafka as KafkaClient, logLevel } from 'kafkajs';
import { logger } from '../../kernel/logger.ts';
import type { EventLog } from '../log/types.ts';
import { type KafkaLogConfig, kafkaLogConfigSchema, toKafkaJsConfig } from './config.ts';
import { DirectClusterClient } from './direct-client.ts';

export interface TopicPartition {
  topic: string;
  partition: number;
}

export interface GroupMemberOptions {
  kafka: KafkaLogConfig;
  /** The membership group (kept apart from the stage's offsets group). */
  groupId: string;
  topics: string[];
  /** Describes the topics when this member leads the assignment. */
  log: EventLog;
  sessionTimeoutMs?: number;
  rebalanceTimeoutMs?: number;
  heartbeatIntervalMs?: number;
  /** Start working on an assignment (possibly empty). */
  onAssign(partitions: TopicPartition[], generation: number): Promise<void>;
  /** Stop working and commit; called before every rejoin and on stop. */
  onRevoke(): Promise<void>;
}

const PROTOCOL_TYPE = 'vigil-worker';
const PROTOCOL = 'roundrobin';
const REJOIN = new Set(['REBALANCE_IN_PROGRESS', 'ILLEGAL_GENERATION', 'UNKNOWN_MEMBER_ID']);

const log = logger.child({ component: 'group-member' });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Round-robin over members sorted by id, partitions sorted by topic then number. */
export function assignRoundRobin(
  memberIds: string[],
  partitions: TopicPartition[],
): Map<string, TopicPartition[]> {
  const members = [...memberIds].sort();
  const out = new Map(members.map((m) => [m, [] as TopicPartition[]]));
  const sorted = [...partitions].sort((a, b) =>
    a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1,
  );
  for (const [i, tp] of sorted.entries()) out.get(members[i % members.length]!)!.push(tp);
  return out;
}

export class GroupMember {
  private readonly client: DirectClusterClient;
  private memberId = '';
  private generation = -1;
  private stopping = false;
  private loop: Promise<void> | null = null;
  private assigned = false;

  constructor(private readonly options: GroupMemberOptions) {
    const config = kafkaLogConfigSchema.parse(options.kafka);
    this.client = new DirectClusterClient(
      new KafkaClient({ ...toKafkaJsConfig(config), logLevel: logLevel.NOTHING }),
    );
  }

  async start(): Promise<void> {
    await this.client.connect();
    this.loop = this.run();
  }

  /** Revokes the assignment, leaves the group (so the others rebalance at once) and disconnects. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.loop?.catch(() => undefined);
    await this.revoke();
    if (this.memberId) {
      const coordinator = await this.client.groupCoordinator(this.options.groupId).catch(() => null);
      await coordinator
        ?.leaveGroup({ groupId: this.options.groupId, memberId: this.memberId })
        .catch(() => undefined);
    }
    await this.client.disconnect();
  }

  private async revoke(): Promise<void> {
    if (!this.assigned) return;
    this.assigned = false;
    await this.options.onRevoke();
  }

  private async run(): Promise<void> {
    const { groupId } = this.options;
    const sessionTimeout = this.options.sessionTimeoutMs ?? 6000;
    const rebalanceTimeout = this.options.rebalanceTimeoutMs ?? 15_000;
    const interval = this.options.heartbeatIntervalMs ?? Math.max(200, Math.floor(sessionTimeout / 5));
    while (!this.stopping) {
      try {
        const coordinator = await this.client.groupCoordinator(groupId);
        const joined = await coordinator.joinGroup({
          groupId,
          sessionTimeout,
          rebalanceTimeout,
          memberId: this.memberId,
          protocolType: PROTOCOL_TYPE,
          groupProtocols: [
            { name: PROTOCOL, metadata: Buffer.from(JSON.stringify({ topics: this.options.topics })) },
          ],
        });
        this.memberId = joined.memberId;
        this.generation = joined.generationId;
        let groupAssignment: { memberId: string; memberAssignment: Buffer }[] = [];
        if (joined.leaderId === joined.memberId) {
          const partitions: TopicPartition[] = [];
          for (const topic of this.options.topics) {
            const info = await this.options.log.describeTopic(topic);
            for (const p of info.partitions) partitions.push({ topic, partition: p.partition });
          }
          const plan = assignRoundRobin(
            joined.members.map((m: { memberId: string }) => m.memberId),
            partitions,
          );
          groupAssignment = [...plan.entries()].map(([memberId, tps]) => ({
            memberId,
            memberAssignment: Buffer.from(JSON.stringify(tps)),
          }));
        }
        const synced = await coordinator.syncGroup({
          groupId,
          generationId: this.generation,
          memberId: this.memberId,
          groupAssignment,
        });
        const text = (synced.memberAssignment as Buffer | null)?.toString('utf8') ?? '';
        const partitions = text ? (JSON.parse(text) as TopicPartition[]) : [];
        log.info({ groupId, memberId: this.memberId, generation: this.generation, partitions }, 'assigned');
        this.assigned = true;
        await this.options.onAssign(partitions, this.generation);
        // Heartbeat until the coordinator asks for a rebalance (or we stop).
        for (;;) {
          if (this.stopping) return;
          await sleep(interval);
          if (this.stopping) return;
          await coordinator.heartbeat({
            groupId,
            groupGenerationId: this.generation,
            memberId: this.memberId,
          });
        }
      } catch (err) {
        const type = (err as { type?: string }).type ?? '';
        if (this.stopping) return;
        await this.revoke();
        if (type === 'UNKNOWN_MEMBER_ID') this.memberId = '';
        if (!REJOIN.has(type)) {
          log.warn({ err, groupId }, 'group membership error; rejoining');
          await sleep(interval);
        }
      }
    }
  }
}
