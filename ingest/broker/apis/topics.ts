// Topic administration: CreateTopics (19) v0-4, DeleteTopics (20) v0-3, DescribeConfigs (32) v0-2.
import { type ApiSchema, array, f, structs } from '../protocol/schema.ts';

const NONE = Number.POSITIVE_INFINITY;

export const CreateTopics: ApiSchema = {
  key: 19,
  name: 'CreateTopics',
  min: 0,
  max: 4,
  flexibleFrom: NONE,
  request: [
    f(
      'topics',
      structs(
        f('name', 'string'),
        f('numPartitions', 'int32'),
        f('replicationFactor', 'int16'),
        f('assignments', structs(f('partitionIndex', 'int32'), f('brokerIds', array('int32')))),
        f('configs', structs(f('name', 'string'), f('value', 'string', '0+', '0+'))),
      ),
    ),
    f('timeoutMs', 'int32'),
    f('validateOnly', 'bool', '1+'),
  ],
  response: [
    f('throttleTimeMs', 'int32', '2+'),
    f(
      'topics',
      structs(f('name', 'string'), f('errorCode', 'int16'), f('errorMessage', 'string', '1+', '0+')),
    ),
  ],
};

export const DeleteTopics: ApiSchema = {
  key: 20,
  name: 'DeleteTopics',
  min: 0,
  max: 3,
  flexibleFrom: NONE,
  request: [f('topicNames', array('string')), f('timeoutMs', 'int32')],
  response: [
    f('throttleTimeMs', 'int32', '1+'),
    f('responses', structs(f('name', 'string'), f('errorCode', 'int16'))),
  ],
};

export const DescribeConfigs: ApiSchema = {
  key: 32,
  name: 'DescribeConfigs',
  min: 0,
  max: 2,
  flexibleFrom: NONE,
  request: [
    f(
      'resources',
      structs(
        f('resourceType', 'int8'),
        f('resourceName', 'string'),
        f('configurationKeys', array('string'), '0+', '0+'),
      ),
    ),
    f('includeSynonyms', 'bool', '1+'),
  ],
  response: [
    f('throttleTimeMs', 'int32'),
    f(
      'results',
      structs(
        f('errorCode', 'int16'),
        f('errorMessage', 'string', '0+', '0+'),
        f('resourceType', 'int8'),
        f('resourceName', 'string'),
        f(
          'configs',
          structs(
            f('name', 'string'),
            f('value', 'string', '0+', '0+'),
            f('readOnly', 'bool'),
            f('isDefault', 'bool', '0'),
            f('configSource', 'int8', '1+'),
            f('isSensitive', 'bool'),
            f(
              'synonyms',
              structs(f('name', 'string'), f('value', 'string', '1+', '1+'), f('source', 'int8')),
              '1+',
            ),
          ),
        ),
      ),
    ),
  ],
};
