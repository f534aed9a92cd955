// Types for the two kafkajs internals the Kafka EventLog uses for offset-addressed reads: kafkajs
// has no public "fetch this partition from this offset" call (its consumer is group-driven).
declare module 'kafkajs/src/consumer/batch.js' {
  interface FetchedMessage {
    offset: string;
    timestamp: string;
    key: Buffer | null;
    value: Buffer | null;
    headers: Record<string, Buffer | Buffer[] | undefined>;
    isControlRecord?: boolean;
  }
  export default class Batch {
    constructor(topic: string, fetchedOffset: string, partitionData: unknown);
    messages: FetchedMessage[];
    rawMessages: FetchedMessage[];
    highWatermark: string;
  }
}
