// Metadata (3) v0-8.
import { type ApiSchema, array, f, structs } from '../protocol/schema.ts';

export const Metadata: ApiSchema = {
  key: 3,
  name: 'Metadata',
  min: 0,
  max: 8,
  flexibleFrom: Number.POSITIVE_INFINITY,
  request: [
    f('topics', structs(f('name', 'string')), '0+', '1+'),
    f('allowAutoTopicCreation', 'bool', '4+'),
    f('includeClusterAuthorizedOperations', 'bool', '8+'),
    f('includeTopicAuthorizedOperations', 'bool', '8+'),
  ],
  response: [
    f('throttleTimeMs', 'int32', '3+'),
    f(
      'brokers',
      structs(f('nodeId', 'int32'), f('host', 'string'), f('port', 'int32'), f('rack', 'string', '1+', '1+')),
    ),
    f('clusterId', 'string', '2+', '2+'),
    f('controllerId', 'int32', '1+'),
    f(
      'topics',
      structs(
        f('errorCode', 'int16'),
        f('name', 'string'),
        f('isInternal', 'bool', '1+'),
        f(
          'partitions',
          structs(
            f('errorCode', 'int16'),
            f('partitionIndex', 'int32'),
            f('leaderId', 'int32'),
            f('leaderEpoch', 'int32', '7+'),
            f('replicaNodes', array('int32')),
            f('isrNodes', array('int32')),
            f('offlineReplicas', array('int32'), '5+'),
          ),
        ),
        f('topicAuthorizedOperations', 'int32', '8+'),
      ),
    ),
    f('clusterAuthorizedOperations', 'int32', '8+'),
  ],
};
