// Every API this broker serves, by key. ApiVersions advertises exactly this table.
import type { ApiSchema } from '../protocol/schema.ts';
import { ApiVersions } from './api-versions.ts';
import { Fetch } from './fetch.ts';
import { FindCoordinator } from './find-coordinator.ts';
import { DescribeGroups, Heartbeat, JoinGroup, LeaveGroup, ListGroups, SyncGroup } from './groups.ts';
import { ListOffsets } from './list-offsets.ts';
import { Metadata } from './metadata.ts';
import { OffsetCommit, OffsetFetch } from './offsets.ts';
import { Produce } from './produce.ts';
import { CreateTopics, DeleteTopics, DescribeConfigs } from './topics.ts';
import {
  AddOffsetsToTxn,
  AddPartitionsToTxn,
  EndTxn,
  InitProducerId,
  TxnOffsetCommit,
} from './transactions.ts';

export const apis: ApiSchema[] = [
  Produce,
  Fetch,
  ListOffsets,
  Metadata,
  OffsetCommit,
  OffsetFetch,
  FindCoordinator,
  JoinGroup,
  Heartbeat,
  LeaveGroup,
  SyncGroup,
  DescribeGroups,
  ListGroups,
  ApiVersions,
  CreateTopics,
  DeleteTopics,
  InitProducerId,
  AddPartitionsToTxn,
  AddOffsetsToTxn,
  EndTxn,
  TxnOffsetCommit,
  DescribeConfigs,
];

export const apiByKey = new Map(apis.map((a) => [a.key, a]));

export {
  AddOffsetsToTxn,
  AddPartitionsToTxn,
  ApiVersions,
  CreateTopics,
  DeleteTopics,
  DescribeConfigs,
  DescribeGroups,
  EndTxn,
  Fetch,
  FindCoordinator,
  Heartbeat,
  InitProducerId,
  JoinGroup,
  LeaveGroup,
  ListGroups,
  ListOffsets,
  Metadata,
  OffsetCommit,
  OffsetFetch,
  Produce,
  SyncGroup,
  TxnOffsetCommit,
};
