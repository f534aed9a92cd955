// Kafka protocol error codes the broker answers with, and the mapping from EventLog errors.
import { LogError } from '../log/types.ts';

export const ErrorCode = {
  UNKNOWN_SERVER_ERROR: -1,
  NONE: 0,
  OFFSET_OUT_OF_RANGE: 1,
  CORRUPT_MESSAGE: 2,
  UNKNOWN_TOPIC_OR_PARTITION: 3,
  MESSAGE_TOO_LARGE: 10,
  NOT_COORDINATOR: 16,
  INVALID_TOPIC_EXCEPTION: 17,
  INVALID_REQUIRED_ACKS: 21,
  ILLEGAL_GENERATION: 22,
  INCONSISTENT_GROUP_PROTOCOL: 23,
  INVALID_GROUP_ID: 24,
  UNKNOWN_MEMBER_ID: 25,
  INVALID_SESSION_TIMEOUT: 26,
  REBALANCE_IN_PROGRESS: 27,
  UNSUPPORTED_VERSION: 35,
  TOPIC_ALREADY_EXISTS: 36,
  INVALID_PARTITIONS: 37,
  INVALID_REPLICATION_FACTOR: 38,
  INVALID_CONFIG: 40,
  INVALID_REQUEST: 42,
  UNSUPPORTED_FOR_MESSAGE_FORMAT: 43,
  OUT_OF_ORDER_SEQUENCE_NUMBER: 45,
  INVALID_PRODUCER_EPOCH: 47,
  INVALID_TXN_STATE: 48,
  INVALID_PRODUCER_ID_MAPPING: 49,
  INVALID_TRANSACTION_TIMEOUT: 50,
  CONCURRENT_TRANSACTIONS: 51,
  UNKNOWN_PRODUCER_ID: 59,
  INVALID_RECORD: 87,
} as const;

/** The Kafka error code for an exception thrown by the EventLog (or anything else). */
export function errorCodeFor(err: unknown): number {
  if (!(err instanceof LogError)) return ErrorCode.UNKNOWN_SERVER_ERROR;
  switch (err.code) {
    case 'UNKNOWN_TOPIC':
    case 'INVALID_PARTITION':
      return ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
    case 'TOPIC_EXISTS':
      return ErrorCode.TOPIC_ALREADY_EXISTS;
    case 'OFFSET_OUT_OF_RANGE':
      return ErrorCode.OFFSET_OUT_OF_RANGE;
    case 'RECORD_TOO_LARGE':
      return ErrorCode.MESSAGE_TOO_LARGE;
    case 'INVALID_RECORD':
      return ErrorCode.INVALID_RECORD;
    case 'INVALID_CONFIG':
      return ErrorCode.INVALID_CONFIG;
    default:
      return ErrorCode.UNKNOWN_SERVER_ERROR;
  }
}
