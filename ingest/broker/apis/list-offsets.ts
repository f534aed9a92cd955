// ListOffsets (2) v0-5.
import { type ApiSchema, array, f, structs } from '../protocol/schema.ts';

export const ListOffsets: ApiSchema = {
  key: 2,
  name: 'ListOffsets',
  min: 0,
  max: 5,
  flexibleFrom: Number.POSITIVE_INFINITY,
  request: [
    f('replicaId', 'int32'),
    f('isolationLevel', 'int8', '2+'),
    f(
      'topics',
      structs(
        f('name', 'string'),
        f(
          'partitions',
          structs(
            f('partitionIndex', 'int32'),
            f('currentLeaderEpoch', 'int32', '4+'),
            f('timestamp', 'int64'),
            f('maxNumOffsets', 'int32', '0'),
          ),
        ),
      ),
    ),
  ],
  response: [
    f('throttleTimeMs', 'int32', '2+'),
    f(
      'topics',
      structs(
        f('name', 'string'),
        f(
          'partitions',
          structs(
            f('partitionIndex', 'int32'),
            f('errorCode', 'int16'),
            f('oldStyleOffsets', array('int64'), '0'),
            f('timestamp', 'int64', '1+'),
            f('offset', 'int64', '1+'),
            f('leaderEpoch', 'int32', '4+'),
          ),
        ),
      ),
    ),
  ],
};
