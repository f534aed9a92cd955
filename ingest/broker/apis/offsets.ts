// Group offsets: OffsetCommit (8) v0-7 and OffsetFetch (9) v1-5.
import { type ApiSchema, array, f, structs } from '../protocol/schema.ts';

const NONE = Number.POSITIVE_INFINITY;

export const OffsetCommit: ApiSchema = {
  key: 8,
  name: 'OffsetCommit',
  min: 0,
  max: 7,
  flexibleFrom: NONE,
  request: [
    f('groupId', 'string'),
    f('generationId', 'int32', '1+'),
    f('memberId', 'string', '1+'),
    f('groupInstanceId', 'string', '7+', '7+'),
    f('retentionTimeMs', 'int64', '2-4'),
    f(
      'topics',
      structs(
        f('name', 'string'),
        f(
          'partitions',
          structs(
            f('partitionIndex', 'int32'),
            f('committedOffset', 'int64'),
            f('committedLeaderEpoch', 'int32', '6+'),
            f('commitTimestamp', 'int64', '1'),
            f('committedMetadata', 'string', '0+', '0+'),
          ),
        ),
      ),
    ),
  ],
  response: [
    f('throttleTimeMs', 'int32', '3+'),
    f(
      'topics',
      structs(
        f('name', 'string'),
        f('partitions', structs(f('partitionIndex', 'int32'), f('errorCode', 'int16'))),
      ),
    ),
  ],
};

export const OffsetFetch: ApiSchema = {
  key: 9,
  name: 'OffsetFetch',
  min: 1,
  max: 5,
  flexibleFrom: NONE,
  request: [
    f('groupId', 'string'),
    f('topics', structs(f('name', 'string'), f('partitionIndexes', array('int32'))), '0+', '2+'),
  ],
  response: [
    f('throttleTimeMs', 'int32', '3+'),
    f(
      'topics',
      structs(
        f('name', 'string'),
        f(
          'partitions',
          structs(
            f('partitionIndex', 'int32'),
            f('committedOffset', 'int64'),
            f('committedLeaderEpoch', 'int32', '5+'),
            f('metadata', 'string', '0+', '0+'),
            f('errorCode', 'int16'),
          ),
        ),
      ),
    ),
    f('errorCode', 'int16', '2+'),
  ],
};
