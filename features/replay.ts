// Replay: a topic range through the profiler in batch mode. Same stage code as the live run, no
// wall-clock waits; the final flush closes every window. Because the profiler's outputs do not depend
// on batch boundaries or partition interleaving, the records equal the live run's.
import type { EventLog, LogRecord } from '../ingest/log/types.ts';
import type { StageContext, StageOutput } from '../ingest/pipeline/stage.ts';
import type { CompiledProfiles, ProfilesConfig } from './profile-config.ts';
import { createProfilerStage } from './stage.ts';

export type RangeBound = { offset: number } | { time: number };

export interface ReplayOptions {
  topic: string;
  profiles: ProfilesConfig | CompiledProfiles;
  from?: RangeBound;
  /** Exclusive end (an offset, or the first record at/after a time); default the log end. */
  to?: RangeBound;
  /** Records read per partition per round (default 5000). */
  batchRecords?: number;
}

export interface ReplayStats {
  events: number;
  outputs: Record<string, number>;
  errors: number;
  elapsedMs: number;
}

async function resolve(
  log: EventLog,
  topic: string,
  partition: number,
  bound: RangeBound | undefined,
  fallback: number,
): Promise<number> {
  if (bound === undefined) return fallback;
  if ('offset' in bound) return bound.offset;
  return log.offsetForTimestamp(topic, partition, bound.time);
}

/** Replays [from, to) of every partition of `topic`; `sink` receives each batch's outputs in order. */
export async function replayTopic(
  log: EventLog,
  options: ReplayOptions,
  sink: (outputs: StageOutput[]) => void | Promise<void>,
): Promise<ReplayStats> {
  const started = performance.now();
  const info = await log.describeTopic(options.topic);
  const stage = createProfilerStage({
    profiles: options.profiles,
    inputs: [options.topic],
    expectedPartitions: info.partitions.map((p) => `${options.topic}/${p.partition}`),
  });
  const stats: ReplayStats = { events: 0, outputs: {}, errors: 0, elapsedMs: 0 };
  const ctx: StageContext = {
    name: stage.name,
    replay: true,
    countError: (n = 1) => {
      stats.errors += n;
    },
  };
  const emit = async (outputs: StageOutput[]) => {
    for (const o of outputs) stats.outputs[o.topic] = (stats.outputs[o.topic] ?? 0) + 1;
    if (outputs.length > 0) await sink(outputs);
  };
  const cursors: { partition: number; next: number; end: number }[] = [];
  for (const p of info.partitions) {
    const start = Math.max(
      p.earliest,
      await resolve(log, options.topic, p.partition, options.from, p.earliest),
    );
    const end = Math.min(p.latest, await resolve(log, options.topic, p.partition, options.to, p.latest));
    if (start < end) cursors.push({ partition: p.partition, next: start, end });
  }
  const perRead = options.batchRecords ?? 5000;
  while (cursors.some((c) => c.next < c.end)) {
    for (const c of cursors) {
      if (c.next >= c.end) continue;
      const records: LogRecord[] = await log.read(options.topic, c.partition, c.next, {
        maxRecords: Math.min(perRead, c.end - c.next),
      });
      if (records.length === 0) {
        c.next = c.end; // retention removed the rest of the range
        continue;
      }
      const batch = records.filter((r) => r.offset < c.end);
      c.next = (records[records.length - 1] as LogRecord).offset + 1;
      stats.events += batch.length;
      await emit(await stage.process(batch, ctx));
    }
  }
  await emit(await (stage.onIdle as NonNullable<typeof stage.onIdle>)(ctx, { final: true }));
  stats.elapsedMs = performance.now() - started;
  return stats;
}
