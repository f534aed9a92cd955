// Metadata, CreateTopics, DeleteTopics and DescribeConfigs over the EventLog's topics.
import { LogError, type TopicConfig } from '../../log/types.ts';
import { ErrorCode, errorCodeFor } from '../errors.ts';
import type { Message } from '../protocol/schema.ts';
import { advertised, type Handler, type RequestContext } from './context.ts';

const LEGAL_TOPIC = /^[a-zA-Z0-9._-]{1,249}$/;

async function topicMetadata(name: string, ctx: RequestContext, autoCreate: boolean): Promise<Message> {
  const { log } = ctx.broker;
  if (!LEGAL_TOPIC.test(name)) return { errorCode: ErrorCode.INVALID_TOPIC_EXCEPTION, name, partitions: [] };
  try {
    let info: Awaited<ReturnType<typeof log.describeTopic>>;
    try {
      info = await log.describeTopic(name);
    } catch (err) {
      if (!(err instanceof LogError && err.code === 'UNKNOWN_TOPIC') || !autoCreate) throw err;
      await log.ensureTopic(name, { partitions: ctx.broker.defaultPartitions });
      info = await log.describeTopic(name);
    }
    const node = ctx.broker.nodeId;
    return {
      errorCode: ErrorCode.NONE,
      name,
      isInternal: name.startsWith('__'),
      partitions: info.partitions.map((p) => ({
        errorCode: ErrorCode.NONE,
        partitionIndex: p.partition,
        leaderId: node,
        leaderEpoch: 0,
        replicaNodes: [node],
        isrNodes: [node],
        offlineReplicas: [],
      })),
      topicAuthorizedOperations: -2147483648,
    };
  } catch (err) {
    return { errorCode: errorCodeFor(err), name, partitions: [] };
  }
}

export const metadata: Handler = async (req, version, ctx) => {
  const { host, port } = advertised(ctx);
  // v0: an empty list means every topic; v1+: null means every topic.
  const all = req.topics === null || (version === 0 && req.topics.length === 0);
  const names: string[] = all ? await ctx.broker.log.listTopics() : req.topics.map((t: Message) => t.name);
  const autoCreate = ctx.broker.autoCreateTopics && !all && (version < 4 || req.allowAutoTopicCreation);
  const topics = [];
  for (const name of names) topics.push(await topicMetadata(name, ctx, autoCreate));
  return {
    brokers: [{ nodeId: ctx.broker.nodeId, host, port, rack: null }],
    clusterId: ctx.broker.clusterId,
    controllerId: ctx.broker.nodeId,
    topics,
    clusterAuthorizedOperations: -2147483648,
  };
};

function retentionFrom(configs: { name: string; value: string | null }[]): TopicConfig['retention'] | string {
  const retention: NonNullable<TopicConfig['retention']> = {};
  for (const c of configs) {
    if (c.name !== 'retention.ms' && c.name !== 'retention.bytes') continue;
    const n = Number(c.value);
    if (c.value === null || !Number.isInteger(n)) return `${c.name} must be an integer`;
    if (c.name === 'retention.ms') retention.ms = n;
    else retention.bytes = n;
  }
  return Object.keys(retention).length > 0 ? retention : undefined;
}

export const createTopics: Handler = async (req, _version, ctx) => {
  const topics: Message[] = [];
  for (const t of req.topics as Message[]) {
    const name: string = t.name;
    const result = (errorCode: number, errorMessage: string | null = null) =>
      topics.push({ name, errorCode, errorMessage });
    if (!LEGAL_TOPIC.test(name)) {
      result(ErrorCode.INVALID_TOPIC_EXCEPTION, 'topic names are 1-249 of [a-zA-Z0-9._-]');
      continue;
    }
    const partitions =
      t.numPartitions === -1 ? t.assignments.length || ctx.broker.defaultPartitions : t.numPartitions;
    if (!(partitions >= 1)) {
      result(ErrorCode.INVALID_PARTITIONS, 'numPartitions must be at least 1');
      continue;
    }
    if (t.replicationFactor !== -1 && t.replicationFactor !== 1) {
      result(
        ErrorCode.INVALID_REPLICATION_FACTOR,
        'this broker is a single node: replication factor must be 1',
      );
      continue;
    }
    const retention = retentionFrom(t.configs);
    if (typeof retention === 'string') {
      result(ErrorCode.INVALID_CONFIG, retention);
      continue;
    }
    try {
      if (req.validateOnly) {
        const exists = (await ctx.broker.log.listTopics()).includes(name);
        result(exists ? ErrorCode.TOPIC_ALREADY_EXISTS : ErrorCode.NONE);
      } else {
        await ctx.broker.log.createTopic(name, retention ? { partitions, retention } : { partitions });
        result(ErrorCode.NONE);
      }
    } catch (err) {
      result(errorCodeFor(err), err instanceof Error ? err.message : String(err));
    }
  }
  return { throttleTimeMs: 0, topics };
};

export const deleteTopics: Handler = async (req, _version, ctx) => {
  const responses = [];
  for (const name of req.topicNames as string[]) {
    try {
      await ctx.broker.log.deleteTopic(name);
      responses.push({ name, errorCode: ErrorCode.NONE });
    } catch (err) {
      responses.push({ name, errorCode: errorCodeFor(err) });
    }
  }
  return { throttleTimeMs: 0, responses };
};

const TOPIC_RESOURCE = 2;
const BROKER_RESOURCE = 4;

export const describeConfigs: Handler = async (req, _version, ctx) => {
  const results = [];
  for (const r of req.resources as Message[]) {
    const base = { resourceType: r.resourceType, resourceName: r.resourceName, errorMessage: null };
    if (r.resourceType === BROKER_RESOURCE) {
      results.push({ ...base, errorCode: ErrorCode.NONE, configs: [] });
      continue;
    }
    if (r.resourceType !== TOPIC_RESOURCE) {
      results.push({
        ...base,
        errorCode: ErrorCode.INVALID_REQUEST,
        errorMessage: 'only topic configs',
        configs: [],
      });
      continue;
    }
    try {
      const info = await ctx.broker.log.describeTopic(r.resourceName);
      const all = [
        { name: 'retention.ms', value: String(info.config.retention?.ms ?? -1) },
        { name: 'retention.bytes', value: String(info.config.retention?.bytes ?? -1) },
        { name: 'cleanup.policy', value: 'delete' },
      ];
      const wanted: string[] | null = r.configurationKeys;
      const configs = all
        .filter((c) => wanted === null || wanted.includes(c.name))
        .map((c) => ({
          ...c,
          readOnly: false,
          isDefault: false,
          configSource: 1,
          isSensitive: false,
          synonyms: [],
        }));
      results.push({ ...base, errorCode: ErrorCode.NONE, configs });
    } catch (err) {
      results.push({ ...base, errorCode: errorCodeFor(err), configs: [] });
    }
  }
  return { throttleTimeMs: 0, results };
};
