// Fetch (1) v4-11: v4 brings RecordBatch v2 and isolation levels; v7 fetch sessions (answered with
// session 0, i.e. always full fetches).
import { type ApiSchema, array, f, structs } from '../protocol/schema.ts';

export const Fetch: ApiSchema = {
  key: 1,
  name: 'Fetch',
  min: 4,
  max: 11,
  flexibleFrom: Number.POSITIVE_INFINITY,
  request: [
    f('replicaId', 'int32'),
    f('maxWaitMs', 'int32'),
    f('minBytes', 'int32'),
    f('maxBytes', 'int32', '3+'),
    f('isolationLevel', 'int8', '4+'),
    f('sessionId', 'int32', '7+'),
    f('sessionEpoch', 'int32', '7+'),
    f(
      'topics',
      structs(
        f('topic', 'string'),
        f(
          'partitions',
          structs(
            f('partition', 'int32'),
            f('currentLeaderEpoch', 'int32', '9+'),
            f('fetchOffset', 'int64'),
            f('logStartOffset', 'int64', '5+'),
            f('partitionMaxBytes', 'int32'),
          ),
        ),
      ),
    ),
    f('forgottenTopicsData', structs(f('topic', 'string'), f('partitions', array('int32'))), '7+'),
    f('rackId', 'string', '11+'),
  ],
  response: [
    f('throttleTimeMs', 'int32', '1+'),
    f('errorCode', 'int16', '7+'),
    f('sessionId', 'int32', '7+'),
    f(
      'responses',
      structs(
        f('topic', 'string'),
        f(
          'partitions',
          structs(
            f('partitionIndex', 'int32'),
            f('errorCode', 'int16'),
            f('highWatermark', 'int64'),
            f('lastStableOffset', 'int64', '4+'),
            f('logStartOffset', 'int64', '5+'),
            f(
              'abortedTransactions',
              structs(f('producerId', 'int64'), f('firstOffset', 'int64')),
              '4+',
              '4+',
            ),
            f('preferredReadReplica', 'int32', '11+'),
            f('records', 'records', '0+', '0+'),
          ),
        ),
      ),
    ),
  ],
};
