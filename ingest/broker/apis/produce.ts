// Produce (0) v0-7. v3+ carry RecordBatch v2; v0-2 legacy MessageSets are accepted too, because
// librdkafka only compresses gzip/snappy/lz4 for a broker whose Produce range starts at v0.
import { type ApiSchema, f, structs } from '../protocol/schema.ts';

export const Produce: ApiSchema = {
  key: 0,
  name: 'Produce',
  min: 0,
  max: 7,
  flexibleFrom: Number.POSITIVE_INFINITY,
  request: [
    f('transactionalId', 'string', '3+', '3+'),
    f('acks', 'int16'),
    f('timeoutMs', 'int32'),
    f(
      'topics',
      structs(
        f('name', 'string'),
        f('partitions', structs(f('index', 'int32'), f('records', 'records', '0+', '0+'))),
      ),
    ),
  ],
  response: [
    f(
      'responses',
      structs(
        f('name', 'string'),
        f(
          'partitions',
          structs(
            f('index', 'int32'),
            f('errorCode', 'int16'),
            f('baseOffset', 'int64'),
            f('logAppendTimeMs', 'int64', '2+'),
            f('logStartOffset', 'int64', '5+'),
          ),
        ),
      ),
    ),
    f('throttleTimeMs', 'int32', '1+'),
  ],
};
