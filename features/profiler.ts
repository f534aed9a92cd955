// The profiler core, free of I/O: events in (with their partition and event time), closed windows
// out as records for the `profiles`, `features` and `alerts` topics. Deterministic: the records, and
// their order, depend only on the events of each partition in offset order, not on batch boundaries
// or on how partitions interleave (see watermarks.ts for lateness; windows close in the canonical
// order end → profile → start → entity; aggregations are order-independent).
import { type AggregateValue, type Json, toPlain } from './aggregations/types.ts';
import { compareStrings, valueKey } from './hash.ts';
import type { CompiledProfile, CompiledProfiles } from './profile-config.ts';
import type { FeatureVector } from './schema.ts';
import { Watermarks } from './watermarks.ts';
import { windowStarts } from './windows.ts';

export const PROFILES_TOPIC = 'profiles';
export const FEATURES_TOPIC = 'features';
export const ALERTS_TOPIC = 'alerts';
export const LATE_TOPIC = 'late';

export interface ProfilerRecord {
  topic: string;
  key: string;
  value: string;
  timestamp: number;
}

/** A closed window's profile value as the `profiles` topic carries it. */
export interface ProfileValueRecord {
  profile: string;
  entity: string;
  window: { start: number; end: number };
  value: AggregateValue;
  aggregates: Record<string, AggregateValue>;
}

export interface LateEvent {
  profile: string;
  entity: string;
  /** Starts of the windows the event missed. */
  windows: number[];
}

type States = unknown[];
/** Per profile: window start → entity → one state per aggregation. */
type ProfileWindows = Map<number, Map<string, States>>;

export interface ProfilerOptions {
  /** Input partitions (`topic/partition`) that must deliver before windows can close. */
  expectedPartitions?: readonly string[];
}

interface SnapshotV1 {
  v: 1;
  frontier: number | null;
  marks: [string, number][];
  late: number;
  profiles: { name: string; fp: string; windows: [number, [string, unknown[]][]][] }[];
}

export class Profiler {
  private set: CompiledProfiles;
  private windows = new Map<string, ProfileWindows>();
  private readonly marks: Watermarks;
  private memo: unknown[] = [];
  private memoGen: Uint32Array = new Uint32Array(0);
  private gen = 0;
  private readonly starts: number[] = [];
  /** Events (per profile) that missed at least one window because it had closed. */
  lateCount = 0;

  constructor(profiles: CompiledProfiles, options: ProfilerOptions = {}) {
    this.set = profiles;
    this.marks = new Watermarks(profiles.allowedLatenessMs, options.expectedPartitions);
    this.resetMemo();
    for (const p of profiles.profiles) this.windows.set(p.name, new Map());
  }

  get profiles(): CompiledProfiles {
    return this.set;
  }

  /** Swaps the profile set; open windows of profiles whose definition is unchanged carry over. */
  reload(next: CompiledProfiles): void {
    const keep = new Map<string, ProfileWindows>();
    const old = new Map(this.set.profiles.map((p) => [p.name, p.fingerprint]));
    for (const p of next.profiles) {
      const w = this.windows.get(p.name);
      keep.set(p.name, w !== undefined && old.get(p.name) === p.fingerprint ? w : new Map());
    }
    this.set = next;
    this.windows = keep;
    this.marks.allowedLatenessMs = next.allowedLatenessMs;
    this.resetMemo();
  }

  private resetMemo(): void {
    this.memo = new Array(this.set.expressions.length).fill(undefined);
    this.memoGen = new Uint32Array(this.set.expressions.length);
    this.gen = 0;
  }

  /** Evaluates expression `i` once per event. */
  private value(i: number, vars: Record<string, unknown>): unknown {
    if (this.memoGen[i] === this.gen) return this.memo[i];
    const v = (this.set.expressions[i] as { evaluate(v: Record<string, unknown>): unknown }).evaluate(vars);
    this.memo[i] = v;
    this.memoGen[i] = this.gen;
    return v;
  }

  /**
   * Adds one event (its variables: the event's fields and `timestamp`) from `partition` at event
   * time `time`. Returns the profiles it arrived too late for (empty when none).
   */
  add(partition: string, time: number, vars: Record<string, unknown>): LateEvent[] {
    this.gen = (this.gen + 1) >>> 0;
    if (this.gen === 0) {
      this.memoGen.fill(0);
      this.gen = 1;
    }
    const late = this.marks.lateBound(partition);
    let lateEvents: LateEvent[] | undefined;
    for (const p of this.set.profiles) {
      if (p.onlyif >= 0 && this.value(p.onlyif, vars) !== true) continue;
      const raw = this.value(p.foreach, vars);
      if (raw === undefined || raw === null || raw === '') continue;
      const entity = valueKey(toPlain(raw));
      const windows = this.windows.get(p.name) as ProfileWindows;
      let missed: number[] | undefined;
      for (const start of windowStarts(time, p.sizeMs, p.advanceMs, this.starts)) {
        if (start + p.sizeMs <= late) {
          if (missed === undefined) missed = [];
          missed.push(start);
          continue;
        }
        let byEntity = windows.get(start);
        if (byEntity === undefined) {
          byEntity = new Map();
          windows.set(start, byEntity);
        }
        let states = byEntity.get(entity);
        if (states === undefined) {
          // States start empty and are created on their first input: most entities of a window
          // feed only some aggregations (a DNS-only host never touches the conn sketches).
          states = new Array(p.aggregations.length);
          byEntity.set(entity, states);
        }
        const aggs = p.aggregations;
        for (let i = 0; i < aggs.length; i++) {
          const a = aggs[i] as (typeof aggs)[number];
          if (a.stateOf !== i) continue; // an earlier aggregation keeps this state
          if (a.where >= 0 && this.value(a.where, vars) !== true) continue;
          const v = a.of >= 0 ? this.value(a.of, vars) : true;
          if (v === undefined || v === null) continue;
          const st = states[i];
          states[i] = a.agg.add(st === undefined ? a.agg.init() : st, v, time);
        }
      }
      if (missed !== undefined) {
        this.lateCount++;
        if (lateEvents === undefined) lateEvents = [];
        lateEvents.push({ profile: p.name, entity, windows: missed.reverse() });
      }
    }
    this.marks.observe(partition, time);
    return lateEvents ?? [];
  }

  /** Closes every window the watermark has passed (all of them when `final`); returns their records. */
  close(final = false): ProfilerRecord[] {
    return this.closeUpTo(final ? Number.POSITIVE_INFINITY : this.marks.low());
  }

  /** Closes windows as if idle partitions had caught up with the most advanced one (live idle timeout). */
  closeIdle(): ProfilerRecord[] {
    return this.closeUpTo(this.marks.high());
  }

  get watermark(): number {
    return this.marks.low();
  }

  private closeUpTo(bound: number): ProfilerRecord[] {
    if (!(bound > this.marks.frontier)) return [];
    this.marks.frontier = bound;
    const due: { p: CompiledProfile; start: number; end: number }[] = [];
    for (const p of this.set.profiles) {
      const windows = this.windows.get(p.name) as ProfileWindows;
      for (const start of windows.keys())
        if (start + p.sizeMs <= bound) due.push({ p, start, end: start + p.sizeMs });
    }
    due.sort((a, b) => a.end - b.end || compareStrings(a.p.name, b.p.name) || a.start - b.start);
    const out: ProfilerRecord[] = [];
    for (const { p, start, end } of due) {
      const windows = this.windows.get(p.name) as ProfileWindows;
      const byEntity = windows.get(start) as Map<string, States>;
      windows.delete(start);
      // The default sort orders strings by UTF-16 code units, like compareStrings, and is faster.
      const entities = [...byEntity.keys()].sort();
      for (const entity of entities) this.emit(p, entity, start, end, byEntity.get(entity) as States, out);
    }
    return out;
  }

  private emit(
    p: CompiledProfile,
    entity: string,
    start: number,
    end: number,
    states: States,
    out: ProfilerRecord[],
  ): void {
    const aggregates: Record<string, AggregateValue> = {};
    p.aggregations.forEach((a) => {
      const st = states[a.stateOf];
      aggregates[a.name] = st === undefined ? a.empty : a.agg.result(st);
    });
    const window = { start, end };
    const vars: Record<string, unknown> = { ...aggregates, entity, window };
    let value: AggregateValue;
    if (p.result !== undefined) value = toPlain(p.result.evaluate(vars));
    else value = aggregates[(p.aggregations[0] as { name: string }).name] ?? null;
    vars.result = value;
    const features: Record<string, number> = {};
    for (const f of p.features) {
      const v =
        f.expr !== undefined
          ? f.expr.evaluate(vars)
          : aggregates[(p.aggregations[f.aggregate] as { name: string }).name];
      features[f.name] = finite(v);
    }
    const profileValue: ProfileValueRecord = { profile: p.name, entity, window, value, aggregates };
    out.push({ topic: PROFILES_TOPIC, key: entity, value: JSON.stringify(profileValue), timestamp: end });
    const vector: FeatureVector = {
      schema: p.featureSchema.name,
      version: p.featureSchema.version,
      profile: p.name,
      entity,
      window,
      features,
    };
    out.push({ topic: FEATURES_TOPIC, key: entity, value: JSON.stringify(vector), timestamp: end });
    if (p.triage !== undefined && p.triage.when.evaluate(vars) === true) {
      const alert = {
        source: 'profiler',
        profile: p.name,
        entity,
        window,
        severity: p.triage.severity,
        message: p.triage.message ?? `profile ${p.name} triage matched for ${entity}`,
        value,
        aggregates,
      };
      out.push({ topic: ALERTS_TOPIC, key: entity, value: JSON.stringify(alert), timestamp: end });
    }
  }

  /** Number of open (profile, window, entity) states. */
  openStates(): number {
    let n = 0;
    for (const w of this.windows.values()) for (const e of w.values()) n += e.size;
    return n;
  }

  /** Canonical bytes of the whole state: watermarks, frontier, open windows (sorted), late count. */
  snapshot(): Buffer {
    const snap: SnapshotV1 = {
      v: 1,
      frontier: Number.isFinite(this.marks.frontier) ? this.marks.frontier : null,
      marks: this.marks.entries(),
      late: this.lateCount,
      profiles: this.set.profiles.map((p) => {
        const windows = this.windows.get(p.name) as ProfileWindows;
        const starts = [...windows.keys()].sort((a, b) => a - b);
        return {
          name: p.name,
          fp: p.fingerprint,
          windows: starts.map((start): [number, [string, unknown[]][]] => {
            const byEntity = windows.get(start) as Map<string, States>;
            const entities = [...byEntity.keys()].sort(compareStrings);
            return [
              start,
              entities.map((e) => {
                const states = byEntity.get(e) as States;
                return [
                  e,
                  p.aggregations.map((a, i) => (states[i] === undefined ? null : a.agg.encode(states[i]))),
                ];
              }),
            ];
          }),
        };
      }),
    };
    return Buffer.from(JSON.stringify(snap));
  }

  /** Restores a snapshot; windows of profiles whose definition changed since are dropped. */
  restore(bytes: Buffer): void {
    const snap = JSON.parse(bytes.toString('utf8')) as SnapshotV1;
    if (snap.v !== 1) throw new Error(`unknown profiler snapshot version ${String(snap.v)}`);
    this.marks.restore(snap.marks, snap.frontier ?? Number.NEGATIVE_INFINITY);
    this.lateCount = snap.late;
    for (const p of this.set.profiles) this.windows.set(p.name, new Map());
    for (const sp of snap.profiles) {
      const p = this.set.profiles.find((x) => x.name === sp.name);
      if (p === undefined || p.fingerprint !== sp.fp) continue;
      const windows = this.windows.get(p.name) as ProfileWindows;
      for (const [start, entities] of sp.windows) {
        const byEntity = new Map<string, States>();
        for (const [entity, encoded] of entities) {
          byEntity.set(
            entity,
            p.aggregations.map((a, i) =>
              encoded[i] === null || encoded[i] === undefined ? undefined : a.agg.decode(encoded[i] as Json),
            ),
          );
        }
        windows.set(start, byEntity);
      }
    }
  }
}

function finite(v: unknown): number {
  const n =
    typeof v === 'number'
      ? v
      : typeof v === 'bigint'
        ? Number(v)
        : typeof v === 'boolean'
          ? v
            ? 1
            : 0
          : Number.NaN;
  return Number.isFinite(n) ? n : 0;
}
