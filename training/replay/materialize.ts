// Training sets by replay: a topic range of events goes through the profiler's own stage code in
// batch mode (features/replay.ts, the code `vigil replay` and the live profiler run), and the chosen
// profile's feature vectors become Parquet rows (entity, window, features, label). Point in time: a
// row's features come from its window's events only, all at or before the window end, and labels are
// joined by the row's own window (labeler.ts).
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { type DuckDBAppender, DuckDBInstance } from '@duckdb/node-api';
import { ProfileSchema, type ProfilesConfig } from '../../features/profile-config.ts';
import { FEATURES_TOPIC } from '../../features/profiler.ts';
import { type RangeBound, replayTopic } from '../../features/replay.ts';
import type { FeatureVector } from '../../features/schema.ts';
import type { EventLog } from '../../ingest/log/types.ts';
import type { StageOutput } from '../../ingest/pipeline/stage.ts';
import { createLabeler, type LabelSource } from '../labels/labeler.ts';

export type { RangeBound };

export interface MaterializeOptions {
  log: EventLog;
  /** The events topic to replay (e.g. `events.enriched`). */
  topic: string;
  from?: RangeBound;
  /** Exclusive end. */
  to?: RangeBound;
  profiles: ProfilesConfig;
  /** The profile whose feature vectors become rows (default: the first profile). */
  profile?: string;
  labels?: LabelSource[];
  /** The Parquet file to write. */
  out: string;
  batchRecords?: number;
  onProgress?: (p: { events: number; total: number; rows: number }) => void;
}

export interface TrainingSetSummary {
  out: string;
  rows: number;
  labelled: number;
  positives: number;
  /** Positive rows per scenario (from labelled intervals that carry one). */
  byScenario: Record<string, number>;
  columns: string[];
  featureSchema: { name: string; version: number };
  profile: string;
  events: number;
  /** Per partition: the [from, to) offsets replayed (lineage for the registry). */
  offsets: { partition: number; from: number; to: number }[];
  timeRange: { start: number; end: number } | null;
  elapsedMs: number;
}

const LABEL_PROFILE_PREFIX = '_label.';
const META_COLUMNS = ['profile', 'schema', 'schema_version', 'entity', 'window_start', 'window_end'];

async function resolveBound(
  log: EventLog,
  topic: string,
  partition: number,
  bound: RangeBound | undefined,
  fallback: number,
) {
  if (bound === undefined) return fallback;
  return 'offset' in bound ? bound.offset : log.offsetForTimestamp(topic, partition, bound.time);
}

/** The [from, to) offsets per partition a range covers (as replayTopic resolves them). */
export async function resolveRange(log: EventLog, topic: string, from?: RangeBound, to?: RangeBound) {
  const info = await log.describeTopic(topic);
  const out: { partition: number; from: number; to: number }[] = [];
  for (const p of info.partitions) {
    const start = Math.max(p.earliest, await resolveBound(log, topic, p.partition, from, p.earliest));
    const end = Math.min(p.latest, await resolveBound(log, topic, p.partition, to, p.latest));
    out.push({ partition: p.partition, from: start, to: Math.max(start, end) });
  }
  return out;
}

/** Adds, for a `column` label, a profile over the same entities and windows that counts matching events. */
function withLabelProfile(config: ProfilesConfig, profile: string, expr: string | undefined): ProfilesConfig {
  if (expr === undefined) return config;
  const p = config.profiles.find((x) => x.name === profile);
  if (p === undefined) return config;
  const label = ProfileSchema.parse({
    name: `${LABEL_PROFILE_PREFIX}${profile}`,
    foreach: p.foreach,
    ...(p.onlyif !== undefined ? { onlyif: p.onlyif } : {}),
    window: p.window,
    aggregations: { n: { op: 'count' }, hits: { op: 'count', where: expr } },
    features: { n: 'n', hits: 'hits' },
  });
  return { ...config, profiles: [...config.profiles, label] };
}

/** A counting view of the log, so progress can follow the records replay reads. */
function countingLog(log: EventLog, onRead: (n: number) => void): EventLog {
  return new Proxy(log, {
    get(target, prop) {
      if (prop === 'read') {
        return async (...args: Parameters<EventLog['read']>) => {
          const records = await target.read(...args);
          onRead(records.length);
          return records;
        };
      }
      const v = Reflect.get(target, prop, target);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
}

const ident = (s: string) => `"${s.replaceAll('"', '""')}"`;
const sqlString = (s: string) => `'${s.replaceAll("'", "''")}'`;

export async function materializeTrainingSet(options: MaterializeOptions): Promise<TrainingSetSummary> {
  const started = performance.now();
  const base = options.profiles;
  const profileName = options.profile ?? base.profiles[0]?.name;
  const chosen = base.profiles.find((p) => p.name === profileName);
  if (profileName === undefined || chosen === undefined) {
    throw new Error(
      `no profile ${profileName ?? ''} in the profiles config (have: ${base.profiles.map((p) => p.name).join(', ') || 'none'})`,
    );
  }
  const labels = options.labels ?? [];
  const columnSources = labels.filter((l) => l.kind === 'column');
  if (columnSources.length > 1) throw new Error('at most one column label source');
  const columnExpr = columnSources[0]?.kind === 'column' ? columnSources[0].expr : undefined;
  const config = withLabelProfile(base, profileName, columnExpr);
  const labelProfile = `${LABEL_PROFILE_PREFIX}${profileName}`;
  const labeler = createLabeler(labels);

  const offsets = await resolveRange(options.log, options.topic, options.from, options.to);
  const total = offsets.reduce((n, o) => n + (o.to - o.from), 0);
  const out = resolve(options.out);
  mkdirSync(dirname(out), { recursive: true });

  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  let featureNames: string[] | null = null;
  let schema: { name: string; version: number } | null = null;
  const table: { appender: DuckDBAppender | null } = { appender: null };
  const summary = { rows: 0, labelled: 0, positives: 0, byScenario: {} as Record<string, number> };
  let minStart = Number.POSITIVE_INFINITY;
  let maxEnd = Number.NEGATIVE_INFINITY;
  let read = 0;
  const progress = () => options.onProgress?.({ events: Math.min(read, total), total, rows: summary.rows });

  const createTable = async (names: string[]) => {
    const cols = [
      'profile VARCHAR',
      'schema VARCHAR',
      'schema_version INTEGER',
      'entity VARCHAR',
      'window_start BIGINT',
      'window_end BIGINT',
      ...names.map((n) => `${ident(n)} DOUBLE`),
      'label DOUBLE',
      'scenario VARCHAR',
    ];
    await conn.run(`CREATE TABLE training_set (${cols.join(', ')})`);
    table.appender = await conn.createAppender('training_set');
  };

  const sink = async (outputs: StageOutput[]) => {
    // The label profile's window closes in the same flush as the chosen profile's (same windows).
    const hits = new Map<string, number>();
    const vectors: FeatureVector[] = [];
    for (const o of outputs) {
      if (o.topic !== FEATURES_TOPIC) continue;
      const v = JSON.parse(String(o.value)) as FeatureVector;
      if (v.profile === labelProfile) {
        const n = v.features.n ?? 0;
        hits.set(`${v.entity}\u0000${v.window.start}`, n > 0 ? (v.features.hits ?? 0) / n : 0);
      } else if (v.profile === profileName) vectors.push(v);
    }
    for (const v of vectors) {
      if (featureNames === null) {
        featureNames = Object.keys(v.features);
        schema = { name: v.schema, version: v.version };
        await createTable(featureNames);
      }
      const a = table.appender as DuckDBAppender;
      const { label, scenario } = labeler({
        entity: v.entity,
        start: v.window.start,
        end: v.window.end,
        columnHit:
          columnExpr === undefined ? undefined : (hits.get(`${v.entity}\u0000${v.window.start}`) ?? null),
      });
      a.appendVarchar(v.profile);
      a.appendVarchar(v.schema);
      a.appendInteger(v.version);
      a.appendVarchar(v.entity);
      a.appendBigInt(BigInt(v.window.start));
      a.appendBigInt(BigInt(v.window.end));
      for (const f of featureNames) a.appendDouble(v.features[f] ?? Number.NaN);
      if (label === null) a.appendNull();
      else a.appendDouble(label);
      if (scenario === null) a.appendNull();
      else a.appendVarchar(scenario);
      a.endRow();
      summary.rows++;
      if (label !== null) summary.labelled++;
      if (label !== null && label > 0) {
        summary.positives++;
        if (scenario !== null) summary.byScenario[scenario] = (summary.byScenario[scenario] ?? 0) + 1;
      }
      minStart = Math.min(minStart, v.window.start);
      maxEnd = Math.max(maxEnd, v.window.end);
    }
  };

  try {
    const stats = await replayTopic(
      countingLog(options.log, (n) => {
        read += n;
        progress();
      }),
      {
        topic: options.topic,
        profiles: config,
        from: options.from,
        to: options.to,
        batchRecords: options.batchRecords,
      },
      sink,
    );
    if (featureNames === null) {
      // No window closed: still write a well-formed (empty) set with the profile's feature columns.
      await createTable(
        chosen.features !== undefined ? Object.keys(chosen.features) : Object.keys(chosen.aggregations),
      );
    }
    table.appender?.closeSync();
    const lineage = {
      topic: options.topic,
      offsets,
      profile: profileName,
      featureSchema: schema,
      labels: labels.map((l) => l.kind),
    };
    await conn.run(
      `COPY (SELECT * FROM training_set ORDER BY window_end, entity) TO ${sqlString(out)} ` +
        `(FORMAT parquet, COMPRESSION zstd, KV_METADATA {vigil_lineage: ${sqlString(JSON.stringify(lineage))}})`,
    );
    progress();
    const reader = await conn.runAndReadAll('SELECT column_name FROM (DESCRIBE training_set)');
    return {
      out,
      ...summary,
      columns: reader.getColumnsObjectJS().column_name as string[],
      featureSchema: schema ?? { name: chosen.schema ?? `profile.${profileName}`, version: 0 },
      profile: profileName,
      events: stats.events,
      offsets,
      timeRange: summary.rows > 0 ? { start: minStart, end: maxEnd } : null,
      elapsedMs: performance.now() - started,
    };
  } finally {
    conn.closeSync();
    db.closeSync();
  }
}

export { META_COLUMNS };
