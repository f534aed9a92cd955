// kafkajs errors → LogError, so callers of either EventLog see the same error codes.
import { LogError } from '../log/types.ts';

interface KafkaJsErrorLike {
  type?: string;
  message?: string;
  originalError?: unknown;
  cause?: unknown;
}

function innermost(err: unknown): KafkaJsErrorLike {
  let e = err as KafkaJsErrorLike;
  for (let i = 0; i < 5 && e && !e.type && (e.originalError || e.cause); i++) {
    e = (e.originalError ?? e.cause) as KafkaJsErrorLike;
  }
  return e ?? {};
}

export function toLogError(err: unknown, context: string): Error {
  if (err instanceof LogError) return err;
  const inner = innermost(err);
  const message = `${context}: ${inner.message ?? String(err)}`;
  switch (inner.type) {
    case 'UNKNOWN_TOPIC_OR_PARTITION':
      return new LogError(message, 'UNKNOWN_TOPIC');
    case 'TOPIC_ALREADY_EXISTS':
      return new LogError(`${context}: topic already exists`, 'TOPIC_EXISTS');
    case 'OFFSET_OUT_OF_RANGE':
      return new LogError(message, 'OFFSET_OUT_OF_RANGE');
    case 'MESSAGE_TOO_LARGE':
    case 'RECORD_LIST_TOO_LARGE':
      return new LogError(`${context}: record too large for the broker limit`, 'RECORD_TOO_LARGE');
    case 'INVALID_RECORD':
    case 'CORRUPT_MESSAGE':
      return new LogError(message, 'INVALID_RECORD');
    case 'INVALID_CONFIG':
    case 'INVALID_PARTITIONS':
    case 'INVALID_REPLICATION_FACTOR':
      return new LogError(message, 'INVALID_CONFIG');
    default:
      return err instanceof Error ? err : new Error(message);
  }
}
