// Runs the parse stage for the life of the service. The runner reads a fixed set of input topics,
// so when a config reload adds or removes a sensor's raw topic the runner is stopped (committing its
// batch) and started again on the new set; the stage's offsets and state carry over through the log.
import { logger } from '../../kernel/logger.ts';
import type { EventLog } from '../log/types.ts';
import { type RunnerOptions, type RunnerStats, StageRunner } from '../pipeline/runner.ts';
import type { Stage } from '../pipeline/stage.ts';
import { createParseStage } from './parse-stage.ts';
import type { SensorRegistry } from './registry.ts';

export class ParseService {
  readonly stage: Stage;
  private runner: StageRunner | null = null;
  private topics = '';
  private chain: Promise<void> = Promise.resolve();
  private unsubscribe: (() => void) | null = null;

  constructor(
    private readonly log: EventLog,
    private readonly sensors: SensorRegistry,
    private readonly options: RunnerOptions = {},
  ) {
    this.stage = createParseStage({ sensors });
  }

  get stats(): RunnerStats | undefined {
    return this.runner?.stats;
  }

  async start(): Promise<void> {
    this.unsubscribe = this.sensors.onChange(() => {
      this.chain = this.chain
        .then(() => this.restartIfTopicsChanged())
        .catch((err) => {
          logger.error({ err }, 'parse service: restart after config reload failed');
        });
    });
    await this.restartIfTopicsChanged();
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    await this.chain;
    await this.runner?.stop();
    this.runner = null;
  }

  /** Settles once pending reload restarts are done (for tests and orderly shutdown). */
  settled(): Promise<void> {
    return this.chain;
  }

  private async restartIfTopicsChanged(): Promise<void> {
    const topics = this.sensors.current.rawTopics().join('\n');
    if (this.runner !== null && topics === this.topics) return;
    await this.runner?.stop();
    this.topics = topics;
    this.runner = new StageRunner(this.log, this.stage, this.options);
    await this.runner.start();
    logger.info({ inputs: this.stage.inputs }, 'parse service: reading raw topics');
  }
}
