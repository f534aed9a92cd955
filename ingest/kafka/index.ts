// The Kafka/Redpanda EventLog (kafkajs): `openKafkaLog({kind: 'kafka', brokers: [...]})`.
export { type KafkaLogConfig, kafkaLogConfigSchema, toKafkaJsConfig } from './config.ts';
export {
  assignRoundRobin,
  GroupMember,
  type GroupMemberOptions,
  type TopicPartition,
} from './group-member.ts';
export { KafkaEventLog, openKafkaLog } from './kafka-log.ts';
export { type ScaledStageOptions, ScaledStageWorker } from './scaled-stage.ts';
