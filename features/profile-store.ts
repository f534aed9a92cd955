// Profile values for lookup: closed windows' values kept in DuckDB (history, the API) with the most
// recent periods per entity mirrored in memory, because CEL's `profile(name, entity, periods)` is
// evaluated synchronously per event. Fed from the `profiles` topic by createProfileStoreStage; writes
// are idempotent upserts keyed by (profile, entity, window start), so a replayed batch changes nothing.
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import type { Stage } from '../ingest/pipeline/stage.ts';
import { type ExpressionProviders, setExpressionProviders } from '../kernel/expr/index.ts';
import { compareStrings } from './hash.ts';
import { PROFILES_TOPIC, type ProfileValueRecord } from './profiler.ts';

export interface StoredProfileValue {
  profile: string;
  entity: string;
  start: number;
  end: number;
  /** The numeric profile value (null when the result is not a number). */
  value: number | null;
  record: ProfileValueRecord;
}

export interface ProfileStoreOptions {
  /** Periods kept in memory per (profile, entity) for `profile()` (default 64). */
  cachedPeriods?: number;
  /** Retention per profile name (ms of event time behind its newest window end); see Profile.ttl. */
  ttlMs?: Record<string, number>;
}

type Period = { start: number; value: number | null };

export class ProfileStore {
  private readonly cache = new Map<string, Map<string, Period[]>>();
  private readonly newestEnd = new Map<string, number>();
  private readonly cachedPeriods: number;
  private ttlMs: Record<string, number>;

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly conn: DuckDBConnection,
    options: ProfileStoreOptions,
  ) {
    this.cachedPeriods = options.cachedPeriods ?? 64;
    this.ttlMs = { ...(options.ttlMs ?? {}) };
  }

  /** Opens (creating) the store at a DuckDB file, or in memory with ':memory:'. Single writer. */
  static async open(path: string, options: ProfileStoreOptions = {}): Promise<ProfileStore> {
    const instance = await DuckDBInstance.create(path);
    const conn = await instance.connect();
    await conn.run(`CREATE TABLE IF NOT EXISTS profile_values (
      profile VARCHAR NOT NULL, entity VARCHAR NOT NULL, window_start BIGINT NOT NULL, window_end BIGINT NOT NULL,
      value DOUBLE, record VARCHAR NOT NULL, PRIMARY KEY (profile, entity, window_start))`);
    const store = new ProfileStore(instance, conn, options);
    await store.warm();
    return store;
  }

  /** Sets retention per profile (from the profiles config; reload calls it again). */
  setRetention(ttlMs: Record<string, number>): void {
    this.ttlMs = { ...ttlMs };
  }

  private async warm(): Promise<void> {
    const reader = await this.conn.runAndReadAll(
      `SELECT profile, entity, window_start, window_end, value FROM (
         SELECT *, row_number() OVER (PARTITION BY profile, entity ORDER BY window_start DESC) AS rn FROM profile_values)
       WHERE rn <= $1 ORDER BY profile, entity, window_start`,
      [this.cachedPeriods],
    );
    for (const row of reader.getRowObjectsJS()) {
      this.remember(
        String(row.profile),
        String(row.entity),
        Number(row.window_start),
        Number(row.window_end),
        row.value === null ? null : Number(row.value),
      );
    }
  }

  private remember(profile: string, entity: string, start: number, end: number, value: number | null): void {
    let byEntity = this.cache.get(profile);
    if (byEntity === undefined) {
      byEntity = new Map();
      this.cache.set(profile, byEntity);
    }
    let periods = byEntity.get(entity);
    if (periods === undefined) {
      periods = [];
      byEntity.set(entity, periods);
    }
    let i = periods.length;
    while (i > 0 && (periods[i - 1] as Period).start > start) i--;
    if (i > 0 && (periods[i - 1] as Period).start === start) (periods[i - 1] as Period).value = value;
    else periods.splice(i, 0, { start, value });
    if (periods.length > this.cachedPeriods) periods.shift();
    if (end > (this.newestEnd.get(profile) ?? Number.NEGATIVE_INFINITY)) this.newestEnd.set(profile, end);
  }

  /** Upserts closed windows' values, then applies each profile's TTL. */
  async write(records: ProfileValueRecord[]): Promise<void> {
    if (records.length === 0) return;
    const CHUNK = 500;
    for (let i = 0; i < records.length; i += CHUNK) {
      const chunk = records.slice(i, i + CHUNK);
      const params: (string | number | null)[] = [];
      const rows = chunk.map((r, j) => {
        const value = typeof r.value === 'number' && Number.isFinite(r.value) ? r.value : null;
        params.push(r.profile, r.entity, r.window.start, r.window.end, value, JSON.stringify(r));
        const b = j * 6;
        return `($${b + 1}, $${b + 2}, $${b + 3}, $${b + 4}, $${b + 5}, $${b + 6})`;
      });
      await this.conn.run(`INSERT OR REPLACE INTO profile_values VALUES ${rows.join(', ')}`, params);
      for (const r of chunk) {
        const value = typeof r.value === 'number' && Number.isFinite(r.value) ? r.value : null;
        this.remember(r.profile, r.entity, r.window.start, r.window.end, value);
      }
    }
    for (const profile of new Set(records.map((r) => r.profile))) await this.expire(profile);
  }

  private async expire(profile: string): Promise<void> {
    const ttl = this.ttlMs[profile];
    const newest = this.newestEnd.get(profile);
    if (ttl === undefined || newest === undefined) return;
    const cutoff = newest - ttl;
    await this.conn.run('DELETE FROM profile_values WHERE profile = $1 AND window_end < $2', [
      profile,
      cutoff,
    ]);
  }

  /**
   * The numeric values of the last `periods` closed windows of a profile for an entity, oldest
   * first (windows whose value is not a number are skipped). Synchronous: served from memory.
   */
  lookup(profile: string, entity: string, periods: number): number[] {
    const all = this.cache.get(profile)?.get(entity);
    if (all === undefined || periods <= 0) return [];
    const out: number[] = [];
    for (const p of all.slice(-periods)) if (p.value !== null) out.push(p.value);
    return out;
  }

  /** History for the API: windows of a profile and entity, oldest first, optionally within [from, to). */
  async query(
    profile: string,
    entity: string,
    range: { from?: number; to?: number; limit?: number } = {},
  ): Promise<StoredProfileValue[]> {
    const reader = await this.conn.runAndReadAll(
      `SELECT profile, entity, window_start, window_end, value, record FROM profile_values
       WHERE profile = $1 AND entity = $2 AND window_start >= $3 AND window_start < $4
       ORDER BY window_start DESC LIMIT $5`,
      [profile, entity, range.from ?? -(2 ** 53), range.to ?? 2 ** 53, range.limit ?? 1000],
    );
    return reader
      .getRowObjectsJS()
      .map((row) => ({
        profile: String(row.profile),
        entity: String(row.entity),
        start: Number(row.window_start),
        end: Number(row.window_end),
        value: row.value === null ? null : Number(row.value),
        record: JSON.parse(String(row.record)) as ProfileValueRecord,
      }))
      .reverse();
  }

  /** Entities with stored values for a profile (sorted), for the API. */
  async entities(profile: string, limit = 1000): Promise<string[]> {
    const reader = await this.conn.runAndReadAll(
      'SELECT DISTINCT entity FROM profile_values WHERE profile = $1 ORDER BY entity LIMIT $2',
      [profile, limit],
    );
    return reader
      .getRowObjectsJS()
      .map((r) => String(r.entity))
      .sort(compareStrings);
  }

  /** The `profile(name, entity, periods)` provider for CEL (kernel/expr providers). */
  provider(): ExpressionProviders {
    return { profile: (name, entity, periods) => this.lookup(name, entity, periods) };
  }

  close(): void {
    this.conn.closeSync();
    this.instance.closeSync();
  }
}

/** Makes `profile(name, entity, periods)` in every CEL expression read this store. */
export function installProfileProvider(store: ProfileStore): void {
  setExpressionProviders(store.provider());
}

/**
 * A stage that keeps the store in step with the `profiles` topic (idempotent, so the runner's
 * at-least-once redelivery after a crash is harmless). Malformed records are counted and skipped:
 * they were written by the profiler, and their raw bytes stay on the topic.
 */
export function createProfileStoreStage(
  store: ProfileStore,
  options: { name?: string; input?: string } = {},
): Stage {
  return {
    name: options.name ?? 'profile-store',
    inputs: [options.input ?? PROFILES_TOPIC],
    outputs: [],
    async process(batch, ctx) {
      const records: ProfileValueRecord[] = [];
      for (const rec of batch) {
        try {
          const r = JSON.parse(rec.value.toString('utf8')) as ProfileValueRecord;
          if (
            typeof r.profile !== 'string' ||
            typeof r.entity !== 'string' ||
            typeof r.window?.start !== 'number'
          )
            throw new Error('not a profile value');
          records.push(r);
        } catch {
          ctx.countError();
        }
      }
      await store.write(records);
      return [];
    },
  };
}
