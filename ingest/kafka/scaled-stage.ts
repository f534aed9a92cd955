// A stage run as one of N workers: group membership hands this process some of the input
// partitions, a StageRunner processes exactly those (committing outputs + offsets atomically), and
// every rebalance stops the runner before the partitions move. A killed worker's open transaction
// never commits, so whoever takes its partitions resumes from the last committed offsets.

import type { EventLog } from '../log/types.ts';
import { type RunnerOptions, StageRunner } from '../pipeline/runner.ts';
import type { Stage } from '../pipeline/stage.ts';
import type { KafkaLogConfig } from './config.ts';
import { GroupMember, type TopicPartition } from './group-member.ts';

export interface ScaledStageOptions {
  log: EventLog;
  kafka: KafkaLogConfig;
  stage: Stage;
  runner?: RunnerOptions;
  sessionTimeoutMs?: number;
  heartbeatIntervalMs?: number;
  /** Told about each assignment (for logs and tests). */
  onAssignment?: (partitions: TopicPartition[], generation: number) => void;
}

export class ScaledStageWorker {
  private runner: StageRunner | null = null;
  private readonly member: GroupMember;

  constructor(options: ScaledStageOptions) {
    const group = options.stage.group ?? `stage.${options.stage.name}`;
    this.member = new GroupMember({
      kafka: options.kafka,
      groupId: `${group}.workers`,
      topics: options.stage.inputs,
      log: options.log,
      sessionTimeoutMs: options.sessionTimeoutMs,
      heartbeatIntervalMs: options.heartbeatIntervalMs,
      onAssign: async (partitions, generation) => {
        options.onAssignment?.(partitions, generation);
        if (partitions.length === 0) return;
        this.runner = new StageRunner(options.log, options.stage, { ...options.runner, partitions });
        await this.runner.start();
      },
      onRevoke: async () => {
        const runner = this.runner;
        this.runner = null;
        await runner?.stop();
      },
    });
  }

  start(): Promise<void> {
    return this.member.start();
  }

  stop(): Promise<void> {
    return this.member.stop();
  }
}
