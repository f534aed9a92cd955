// Idempotent and transactional producers: InitProducerId (22) v0-1, AddPartitionsToTxn (24) v0-1,
// AddOffsetsToTxn (25) v0-1, EndTxn (26) v0-1, TxnOffsetCommit (28) v0-2.
import { type ApiSchema, array, f, structs } from '../protocol/schema.ts';

const NONE = Number.POSITIVE_INFINITY;

export const InitProducerId: ApiSchema = {
  key: 22,
  name: 'InitProducerId',
  min: 0,
  max: 1,
  flexibleFrom: NONE,
  request: [f('transactionalId', 'string', '0+', '0+'), f('transactionTimeoutMs', 'int32')],
  response: [
    f('throttleTimeMs', 'int32'),
    f('errorCode', 'int16'),
    f('producerId', 'int64'),
    f('producerEpoch', 'int16'),
  ],
};

export const AddPartitionsToTxn: ApiSchema = {
  key: 24,
  name: 'AddPartitionsToTxn',
  min: 0,
  max: 1,
  flexibleFrom: NONE,
  request: [
    f('transactionalId', 'string'),
    f('producerId', 'int64'),
    f('producerEpoch', 'int16'),
    f('topics', structs(f('name', 'string'), f('partitions', array('int32')))),
  ],
  response: [
    f('throttleTimeMs', 'int32'),
    f(
      'results',
      structs(
        f('name', 'string'),
        f('results', structs(f('partitionIndex', 'int32'), f('errorCode', 'int16'))),
      ),
    ),
  ],
};

export const AddOffsetsToTxn: ApiSchema = {
  key: 25,
  name: 'AddOffsetsToTxn',
  min: 0,
  max: 1,
  flexibleFrom: NONE,
  request: [
    f('transactionalId', 'string'),
    f('producerId', 'int64'),
    f('producerEpoch', 'int16'),
    f('groupId', 'string'),
  ],
  response: [f('throttleTimeMs', 'int32'), f('errorCode', 'int16')],
};

export const EndTxn: ApiSchema = {
  key: 26,
  name: 'EndTxn',
  min: 0,
  max: 1,
  flexibleFrom: NONE,
  request: [
    f('transactionalId', 'string'),
    f('producerId', 'int64'),
    f('producerEpoch', 'int16'),
    f('committed', 'bool'),
  ],
  response: [f('throttleTimeMs', 'int32'), f('errorCode', 'int16')],
};

export const TxnOffsetCommit: ApiSchema = {
  key: 28,
  name: 'TxnOffsetCommit',
  min: 0,
  max: 2,
  flexibleFrom: NONE,
  request: [
    f('transactionalId', 'string'),
    f('groupId', 'string'),
    f('producerId', 'int64'),
    f('producerEpoch', 'int16'),
    f(
      'topics',
      structs(
        f('name', 'string'),
        f(
          'partitions',
          structs(
            f('partitionIndex', 'int32'),
            f('committedOffset', 'int64'),
            f('committedLeaderEpoch', 'int32', '2+'),
            f('committedMetadata', 'string', '0+', '0+'),
          ),
        ),
      ),
    ),
  ],
  response: [
    f('throttleTimeMs', 'int32'),
    f(
      'topics',
      structs(
        f('name', 'string'),
        f('partitions', structs(f('partitionIndex', 'int32'), f('errorCode', 'int16'))),
      ),
    ),
  ],
};
