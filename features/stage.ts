// The profiler as a pipeline Stage: reads parsed/enriched events, writes closed windows to
// `profiles`, `features` (and `alerts` on triage), late events to `late`, unreadable records to
// `errors`. State (open windows + watermarks) is snapshotted with the input offsets by the runner,
// so a crash and restart resumes exactly. Reload swaps the profile set between batches.
import { Counter, Gauge } from 'prom-client';
import type { LogRecord } from '../ingest/log/types.ts';
import type { Stage, StageContext, StageOutput } from '../ingest/pipeline/stage.ts';
import { makeErrorRecord } from '../ingest/schema/error-record.ts';
import { metricsRegistry } from '../kernel/metrics.ts';
import { type CompiledProfiles, compileProfiles, type ProfilesConfig } from './profile-config.ts';
import {
  ALERTS_TOPIC,
  FEATURES_TOPIC,
  LATE_TOPIC,
  PROFILES_TOPIC,
  Profiler,
  type ProfilerRecord,
} from './profiler.ts';

export const ERRORS_TOPIC = 'errors';

const lateEvents = new Counter({
  name: 'vigil_profiler_late_events_total',
  help: 'Events that arrived after a window they belong to had closed (sent to the late topic)',
  labelNames: ['stage', 'profile'],
  registers: [metricsRegistry],
});
const openStates = new Gauge({
  name: 'vigil_profiler_open_states',
  help: 'Open (profile, window, entity) aggregation states',
  labelNames: ['stage'],
  registers: [metricsRegistry],
});

export interface ProfilerStageOptions {
  /** A validated profiles config (loadProfilesConfig) or an already compiled set. */
  profiles: ProfilesConfig | CompiledProfiles;
  name?: string;
  /** Input topics (default `events.enriched`). */
  inputs?: string[];
  group?: string;
  /**
   * Input partitions as `topic/partition` (e.g. from describeTopic): windows close only once each
   * has delivered, so the first records of a slow partition are never judged late.
   */
  expectedPartitions?: string[];
  /** Close windows on an idle timeout as if idle partitions had caught up (default true). */
  closeOnIdle?: boolean;
}

export interface ProfilerStage extends Stage {
  readonly profiler: Profiler;
  /** Swaps in a new profile set; windows of unchanged profiles carry over. */
  reload(config: ProfilesConfig | CompiledProfiles): void;
}

function isCompiled(p: ProfilesConfig | CompiledProfiles): p is CompiledProfiles {
  return 'expressions' in p;
}

export function createProfilerStage(options: ProfilerStageOptions): ProfilerStage {
  const name = options.name ?? 'profiler';
  const compiled = isCompiled(options.profiles) ? options.profiles : compileProfiles(options.profiles);
  const profiler = new Profiler(compiled, { expectedPartitions: options.expectedPartitions });
  const closeOnIdle = options.closeOnIdle ?? true;

  const toOutputs = (records: ProfilerRecord[], out: StageOutput[]) => {
    for (const r of records) out.push(r);
  };

  const processRecord = (rec: LogRecord, out: StageOutput[], ctx: StageContext) => {
    const raw = rec.value.toString('utf8');
    const source = { topic: rec.topic, partition: rec.partition, offset: rec.offset };
    let event: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(raw);
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
        throw new Error('an event must be a JSON object');
      event = parsed as Record<string, unknown>;
    } catch (error) {
      ctx.countError();
      const record = makeErrorRecord({
        stage: name,
        sensor: rec.topic,
        kind: 'parse',
        message: (error as Error).message,
        raw,
        source,
      });
      out.push({
        topic: ERRORS_TOPIC,
        key: rec.key,
        value: JSON.stringify(record),
        timestamp: rec.timestamp,
      });
      return;
    }
    const stamped = typeof event['@timestamp'] === 'string' ? Date.parse(event['@timestamp']) : Number.NaN;
    const time = Number.isFinite(stamped) ? stamped : rec.timestamp;
    if (event.timestamp === undefined) event.timestamp = time; // as kernel/expr's eventVariables binds it
    const late = profiler.add(`${rec.topic}/${rec.partition}`, time, event);
    for (const l of late) {
      lateEvents.inc({ stage: name, profile: l.profile });
      const value = JSON.stringify({
        stage: name,
        profile: l.profile,
        entity: l.entity,
        windows: l.windows,
        eventTime: time,
        source,
        raw,
      });
      out.push({ topic: LATE_TOPIC, key: l.entity, value, timestamp: time });
    }
  };

  return {
    name,
    inputs: options.inputs ?? ['events.enriched'],
    group: options.group,
    outputs: [PROFILES_TOPIC, FEATURES_TOPIC, ALERTS_TOPIC, LATE_TOPIC, ERRORS_TOPIC],
    profiler,
    process(batch, ctx) {
      const out: StageOutput[] = [];
      for (const rec of batch) processRecord(rec, out, ctx);
      toOutputs(profiler.close(), out);
      openStates.set({ stage: name }, profiler.openStates());
      return out;
    },
    onIdle(_ctx, info) {
      const out: StageOutput[] = [];
      if (info.final) toOutputs(profiler.close(true), out);
      else if (closeOnIdle) toOutputs(profiler.closeIdle(), out);
      openStates.set({ stage: name }, profiler.openStates());
      return out;
    },
    snapshot: () => profiler.snapshot(),
    restore: (state) => profiler.restore(state),
    reload(config) {
      profiler.reload(isCompiled(config) ? config : compileProfiles(config));
    },
  };
}
