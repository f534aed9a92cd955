// The group membership APIs: JoinGroup (11) v0-5, Heartbeat (12) v0-3, LeaveGroup (13) v0-3,
// SyncGroup (14) v0-3, DescribeGroups (15) v0-2, ListGroups (16) v0-2.
import { type ApiSchema, f, structs } from '../protocol/schema.ts';

const NONE = Number.POSITIVE_INFINITY;

export const JoinGroup: ApiSchema = {
  key: 11,
  name: 'JoinGroup',
  min: 0,
  max: 5,
  flexibleFrom: NONE,
  request: [
    f('groupId', 'string'),
    f('sessionTimeoutMs', 'int32'),
    f('rebalanceTimeoutMs', 'int32', '1+'),
    f('memberId', 'string'),
    f('groupInstanceId', 'string', '5+', '5+'),
    f('protocolType', 'string'),
    f('protocols', structs(f('name', 'string'), f('metadata', 'bytes'))),
  ],
  response: [
    f('throttleTimeMs', 'int32', '2+'),
    f('errorCode', 'int16'),
    f('generationId', 'int32'),
    f('protocolName', 'string'),
    f('leader', 'string'),
    f('memberId', 'string'),
    f(
      'members',
      structs(f('memberId', 'string'), f('groupInstanceId', 'string', '5+', '5+'), f('metadata', 'bytes')),
    ),
  ],
};

export const Heartbeat: ApiSchema = {
  key: 12,
  name: 'Heartbeat',
  min: 0,
  max: 3,
  flexibleFrom: NONE,
  request: [
    f('groupId', 'string'),
    f('generationId', 'int32'),
    f('memberId', 'string'),
    f('groupInstanceId', 'string', '3+', '3+'),
  ],
  response: [f('throttleTimeMs', 'int32', '1+'), f('errorCode', 'int16')],
};

export const LeaveGroup: ApiSchema = {
  key: 13,
  name: 'LeaveGroup',
  min: 0,
  max: 3,
  flexibleFrom: NONE,
  request: [
    f('groupId', 'string'),
    f('memberId', 'string', '0-2'),
    f('members', structs(f('memberId', 'string'), f('groupInstanceId', 'string', '3+', '3+')), '3+'),
  ],
  response: [
    f('throttleTimeMs', 'int32', '1+'),
    f('errorCode', 'int16'),
    f(
      'members',
      structs(f('memberId', 'string'), f('groupInstanceId', 'string', '3+', '3+'), f('errorCode', 'int16')),
      '3+',
    ),
  ],
};

export const SyncGroup: ApiSchema = {
  key: 14,
  name: 'SyncGroup',
  min: 0,
  max: 3,
  flexibleFrom: NONE,
  request: [
    f('groupId', 'string'),
    f('generationId', 'int32'),
    f('memberId', 'string'),
    f('groupInstanceId', 'string', '3+', '3+'),
    f('assignments', structs(f('memberId', 'string'), f('assignment', 'bytes'))),
  ],
  response: [f('throttleTimeMs', 'int32', '1+'), f('errorCode', 'int16'), f('assignment', 'bytes')],
};

export const DescribeGroups: ApiSchema = {
  key: 15,
  name: 'DescribeGroups',
  min: 0,
  max: 2,
  flexibleFrom: NONE,
  request: [f('groups', { array: 'string' })],
  response: [
    f('throttleTimeMs', 'int32', '1+'),
    f(
      'groups',
      structs(
        f('errorCode', 'int16'),
        f('groupId', 'string'),
        f('groupState', 'string'),
        f('protocolType', 'string'),
        f('protocolData', 'string'),
        f(
          'members',
          structs(
            f('memberId', 'string'),
            f('clientId', 'string'),
            f('clientHost', 'string'),
            f('memberMetadata', 'bytes'),
            f('memberAssignment', 'bytes'),
          ),
        ),
      ),
    ),
  ],
};

export const ListGroups: ApiSchema = {
  key: 16,
  name: 'ListGroups',
  min: 0,
  max: 2,
  flexibleFrom: NONE,
  request: [],
  response: [
    f('throttleTimeMs', 'int32', '1+'),
    f('errorCode', 'int16'),
    f('groups', structs(f('groupId', 'string'), f('protocolType', 'string'))),
  ],
};
