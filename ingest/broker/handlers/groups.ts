// FindCoordinator, the group membership APIs and group offsets (OffsetCommit/OffsetFetch).
import type { TopicPartitionOffset } from '../../log/types.ts';
import { ErrorCode, errorCodeFor } from '../errors.ts';
import type { Message } from '../protocol/schema.ts';
import { advertised, type Handler } from './context.ts';

export const findCoordinator: Handler = (_req, _version, ctx) => {
  const { host, port } = advertised(ctx);
  return {
    throttleTimeMs: 0,
    errorCode: ErrorCode.NONE,
    errorMessage: null,
    nodeId: ctx.broker.nodeId,
    host,
    port,
  };
};

export const joinGroup: Handler = async (req, version, ctx) => {
  const result = await ctx.broker.groups.join({
    groupId: req.groupId,
    memberId: req.memberId,
    clientId: ctx.clientId,
    clientHost: ctx.clientHost,
    sessionTimeoutMs: req.sessionTimeoutMs,
    // v0 has no rebalance timeout: Kafka uses the session timeout.
    rebalanceTimeoutMs: version >= 1 ? req.rebalanceTimeoutMs : req.sessionTimeoutMs,
    protocolType: req.protocolType,
    protocols: req.protocols,
  });
  return {
    throttleTimeMs: 0,
    ...result,
    members: result.members.map((m) => ({ ...m, groupInstanceId: null })),
  };
};

export const syncGroup: Handler = async (req, _version, ctx) => {
  const result = await ctx.broker.groups.sync(req.groupId, req.generationId, req.memberId, req.assignments);
  return { throttleTimeMs: 0, ...result };
};

export const heartbeat: Handler = (req, _version, ctx) => ({
  throttleTimeMs: 0,
  errorCode: ctx.broker.groups.heartbeat(req.groupId, req.generationId, req.memberId),
});

export const leaveGroup: Handler = (req, version, ctx) => {
  if (version < 3)
    return { throttleTimeMs: 0, errorCode: ctx.broker.groups.leave(req.groupId, req.memberId) };
  const members = (req.members as Message[]).map((m) => ({
    memberId: m.memberId,
    groupInstanceId: m.groupInstanceId,
    errorCode: ctx.broker.groups.leave(req.groupId, m.memberId),
  }));
  return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, members };
};

export const describeGroups: Handler = (req, _version, ctx) => ({
  throttleTimeMs: 0,
  groups: (req.groups as string[]).map((groupId) => {
    const g = ctx.broker.groups.describe(groupId);
    return {
      errorCode: ErrorCode.NONE,
      groupId,
      groupState: g.state,
      protocolType: g.protocolType,
      protocolData: g.protocol,
      members: g.members.map((m) => ({
        memberId: m.memberId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        memberMetadata: m.metadata,
        memberAssignment: m.assignment,
      })),
    };
  }),
});

export const listGroups: Handler = (_req, _version, ctx) => ({
  throttleTimeMs: 0,
  errorCode: ErrorCode.NONE,
  groups: ctx.broker.groups.list(),
});

export const offsetCommit: Handler = async (req, version, ctx) => {
  const generationId = version >= 1 ? req.generationId : -1;
  const check = ctx.broker.groups.validateCommit(req.groupId, generationId, req.memberId);
  const answer = (errorCode: number) =>
    (req.topics as Message[]).map((t) => ({
      name: t.name,
      partitions: (t.partitions as Message[]).map((p) => ({ partitionIndex: p.partitionIndex, errorCode })),
    }));
  if (check !== ErrorCode.NONE) return { throttleTimeMs: 0, topics: answer(check) };
  const offsets: TopicPartitionOffset[] = [];
  for (const t of req.topics as Message[]) {
    for (const p of t.partitions as Message[])
      offsets.push({ topic: t.name, partition: p.partitionIndex, offset: p.committedOffset });
  }
  try {
    await ctx.broker.log.commitOffsets(req.groupId, offsets);
    return { throttleTimeMs: 0, topics: answer(ErrorCode.NONE) };
  } catch (err) {
    return { throttleTimeMs: 0, topics: answer(errorCodeFor(err)) };
  }
};

export const offsetFetch: Handler = async (req, _version, ctx) => {
  let committed: TopicPartitionOffset[];
  try {
    committed = await ctx.broker.log.committedOffsets(req.groupId);
  } catch (err) {
    return { throttleTimeMs: 0, topics: [], errorCode: errorCodeFor(err) };
  }
  const byKey = new Map(committed.map((o) => [`${o.topic}\u0000${o.partition}`, o.offset]));
  const entry = (topic: string, partition: number) => ({
    partitionIndex: partition,
    committedOffset: byKey.get(`${topic}\u0000${partition}`) ?? -1,
    committedLeaderEpoch: -1,
    metadata: '',
    errorCode: ErrorCode.NONE,
  });
  let topics: Message[];
  if (req.topics === null) {
    const grouped = new Map<string, number[]>();
    for (const o of committed) grouped.set(o.topic, [...(grouped.get(o.topic) ?? []), o.partition]);
    topics = [...grouped.entries()].map(([name, parts]) => ({
      name,
      partitions: parts.map((p) => entry(name, p)),
    }));
  } else {
    topics = (req.topics as Message[]).map((t) => ({
      name: t.name,
      partitions: (t.partitionIndexes as number[]).map((p) => entry(t.name, p)),
    }));
  }
  return { throttleTimeMs: 0, topics, errorCode: ErrorCode.NONE };
};
