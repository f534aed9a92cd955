// Analysts' view of alerts, in DuckDB: the alerts from the log (inserted idempotently by id, so a
// replayed batch changes nothing), their status, comments, verdicts, incidents, and saved searches.
// Server-side state: nothing an analyst does lives only in the browser.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { type Alert, alertTime } from '../../kernel/alert.ts';

export const ALERT_STATUSES = ['NEW', 'OPEN', 'ESCALATED', 'DISMISSED', 'RESOLVED'] as const;
export type AlertStatus = (typeof ALERT_STATUSES)[number];
export const VERDICTS = ['true_positive', 'false_positive'] as const;
export type Verdict = (typeof VERDICTS)[number];
export const FACET_FIELDS = ['kind', 'status', 'entity', 'verdict', 'title', 'incident'] as const;
export type FacetField = (typeof FACET_FIELDS)[number];

export interface AlertRow {
  id: string;
  ts: number;
  kind: string;
  title: string;
  entity: string | null;
  severity: number | null;
  status: AlertStatus;
  verdict: Verdict | null;
  incident: string | null;
  created_at: number;
  updated_at: number;
  detail?: Alert;
}

export interface AlertQuery {
  status?: AlertStatus[];
  kind?: string[];
  entity?: string;
  minSeverity?: number;
  since?: number;
  until?: number;
  text?: string;
  incident?: string;
  sort?: 'ts' | 'severity';
  order?: 'asc' | 'desc';
  limit?: number;
  offset?: number;
}

export interface Comment {
  at: number;
  who: string;
  text: string;
}

const SCHEMA = `
create table if not exists alerts (
  id varchar primary key, ts bigint not null, kind varchar not null, title varchar not null,
  entity varchar, severity double, status varchar not null default 'NEW', verdict varchar,
  incident varchar, detail varchar not null, created_at bigint not null, updated_at bigint not null);
create index if not exists alerts_ts on alerts(ts);
create table if not exists alert_comments (alert_id varchar not null, "at" bigint not null, who varchar not null, text varchar not null);
create table if not exists alert_history (alert_id varchar not null, "at" bigint not null, who varchar not null, field varchar not null, old varchar, new varchar);
create table if not exists saved_searches (id varchar primary key, name varchar not null, owner varchar not null, query varchar not null, created_at bigint not null);
`;

type Param = string | number | boolean | null;

export class AlertStore {
  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly db: DuckDBConnection,
  ) {}

  static async open(path: string): Promise<AlertStore> {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    const instance = await DuckDBInstance.create(path);
    const db = await instance.connect();
    await db.run(SCHEMA);
    return new AlertStore(instance, db);
  }

  private async rows(sql: string, params: Param[] = []): Promise<Record<string, unknown>[]> {
    const reader = await this.db.runAndReadAll(sql, params as never);
    return reader.getRowObjectsJson() as Record<string, unknown>[];
  }

  /** Inserts alerts not seen before; returns how many were new. Re-inserting an id is a no-op. */
  async insert(alerts: Alert[], now = Date.now()): Promise<number> {
    if (!alerts.length) return 0;
    const before = await this.count();
    for (let i = 0; i < alerts.length; i += 200) {
      const chunk = alerts.slice(i, i + 200);
      const params: Param[] = [];
      const values = chunk.map((a) => {
        params.push(
          a.id,
          alertTime(a),
          a.kind,
          a.title,
          a.entity ?? null,
          a.severity ?? null,
          JSON.stringify(a),
          now,
          now,
        );
        const n = params.length;
        return `($${n - 8}, $${n - 7}, $${n - 6}, $${n - 5}, $${n - 4}, $${n - 3}, $${n - 2}, $${n - 1}, $${n})`;
      });
      await this.db.run(
        `insert or ignore into alerts (id, ts, kind, title, entity, severity, detail, created_at, updated_at) values ${values.join(', ')}`,
        params as never,
      );
    }
    return (await this.count()) - before;
  }

  async count(): Promise<number> {
    const [row] = await this.rows('select count(*)::integer as n from alerts');
    return Number(row!.n);
  }

  private where(q: AlertQuery): { sql: string; params: Param[] } {
    const clauses: string[] = [];
    const params: Param[] = [];
    const p = (v: Param) => {
      params.push(v);
      return `$${params.length}`;
    };
    if (q.status?.length) clauses.push(`status in (${q.status.map(p).join(', ')})`);
    if (q.kind?.length) clauses.push(`kind in (${q.kind.map(p).join(', ')})`);
    if (q.entity) clauses.push(`entity = ${p(q.entity)}`);
    if (q.incident) clauses.push(`incident = ${p(q.incident)}`);
    if (q.minSeverity !== undefined) clauses.push(`severity >= ${p(q.minSeverity)}`);
    if (q.since !== undefined) clauses.push(`ts >= ${p(q.since)}`);
    if (q.until !== undefined) clauses.push(`ts < ${p(q.until)}`);
    if (q.text) clauses.push(`(title ilike ${p(`%${q.text}%`)} or entity ilike ${p(`%${q.text}%`)})`);
    return { sql: clauses.length ? `where ${clauses.join(' and ')}` : '', params };
  }

  async list(q: AlertQuery = {}): Promise<{ total: number; alerts: AlertRow[] }> {
    const { sql, params } = this.where(q);
    const sort = q.sort === 'severity' ? 'severity' : 'ts';
    const order = q.order === 'asc' ? 'asc' : 'desc';
    const limit = Math.min(Math.max(q.limit ?? 50, 1), 1000);
    const offset = Math.max(q.offset ?? 0, 0);
    const [total] = await this.rows(`select count(*)::integer as n from alerts ${sql}`, params);
    const rows = await this.rows(
      `select id, ts, kind, title, entity, severity, status, verdict, incident, created_at, updated_at from alerts ${sql}
       order by ${sort} ${order} nulls last, id limit ${limit} offset ${offset}`,
      params,
    );
    return { total: Number(total!.n), alerts: rows.map(toRow) };
  }

  async facets(
    field: FacetField,
    q: AlertQuery = {},
    top = 20,
  ): Promise<{ value: string | null; count: number }[]> {
    if (!FACET_FIELDS.includes(field)) throw new Error(`cannot facet on '${field}'`);
    const { sql, params } = this.where(q);
    const rows = await this.rows(
      `select ${field} as value, count(*)::integer as count from alerts ${sql} group by 1 order by 2 desc, 1 limit ${Math.min(top, 200)}`,
      params,
    );
    return rows.map((r) => ({ value: (r.value as string | null) ?? null, count: Number(r.count) }));
  }

  /** Alert counts per time bucket (for the plots). */
  async histogram(bucketMs: number, q: AlertQuery = {}): Promise<{ t: number; count: number }[]> {
    const { sql, params } = this.where(q);
    const rows = await this.rows(
      `select (ts // ${Math.max(1, Math.floor(bucketMs))}) * ${Math.max(1, Math.floor(bucketMs))} as t, count(*)::integer as count
       from alerts ${sql} group by 1 order by 1`,
      params,
    );
    return rows.map((r) => ({ t: Number(r.t), count: Number(r.count) }));
  }

  async get(
    id: string,
  ): Promise<(AlertRow & { comments: Comment[]; history: Record<string, unknown>[] }) | null> {
    const [row] = await this.rows('select * from alerts where id = $1', [id]);
    if (!row) return null;
    const comments = await this.rows(
      'select "at", who, text from alert_comments where alert_id = $1 order by "at"',
      [id],
    );
    const history = await this.rows(
      'select "at", who, field, old, new from alert_history where alert_id = $1 order by "at"',
      [id],
    );
    return {
      ...toRow(row),
      detail: JSON.parse(row.detail as string),
      comments: comments.map((c) => ({ at: Number(c.at), who: String(c.who), text: String(c.text) })),
      history: history.map((h) => ({ ...h, at: Number(h.at) })),
    };
  }

  private async change(
    id: string,
    field: 'status' | 'verdict' | 'incident',
    value: string | null,
    who: string,
  ): Promise<AlertRow | null> {
    const [row] = await this.rows(`select ${field} as old from alerts where id = $1`, [id]);
    if (!row) return null;
    const now = Date.now();
    await this.db.run(`update alerts set ${field} = $1, updated_at = $2 where id = $3`, [
      value,
      now,
      id,
    ] as never);
    await this.db.run('insert into alert_history values ($1, $2, $3, $4, $5, $6)', [
      id,
      now,
      who,
      field,
      (row.old as string) ?? null,
      value,
    ] as never);
    const [updated] = await this.rows(
      'select id, ts, kind, title, entity, severity, status, verdict, incident, created_at, updated_at from alerts where id = $1',
      [id],
    );
    return toRow(updated!);
  }

  setStatus(id: string, status: AlertStatus, who: string): Promise<AlertRow | null> {
    return this.change(id, 'status', status, who);
  }

  setVerdict(id: string, verdict: Verdict | null, who: string): Promise<AlertRow | null> {
    return this.change(id, 'verdict', verdict, who);
  }

  /** Groups alerts into an incident (a name); returns the ids that exist. */
  async group(ids: string[], incident: string, who: string): Promise<string[]> {
    const done: string[] = [];
    for (const id of ids) if (await this.change(id, 'incident', incident, who)) done.push(id);
    return done;
  }

  async comment(id: string, who: string, text: string): Promise<Comment | null> {
    const [row] = await this.rows('select id from alerts where id = $1', [id]);
    if (!row) return null;
    const at = Date.now();
    await this.db.run('insert into alert_comments values ($1, $2, $3, $4)', [id, at, who, text] as never);
    return { at, who, text };
  }

  async saveSearch(name: string, owner: string, query: AlertQuery): Promise<{ id: string }> {
    const id = `${owner}:${name}`;
    await this.db.run('insert or replace into saved_searches values ($1, $2, $3, $4, $5)', [
      id,
      name,
      owner,
      JSON.stringify(query),
      Date.now(),
    ] as never);
    return { id };
  }

  async savedSearches(
    owner?: string,
  ): Promise<{ id: string; name: string; owner: string; query: AlertQuery }[]> {
    const rows = owner
      ? await this.rows('select * from saved_searches where owner = $1 order by name', [owner])
      : await this.rows('select * from saved_searches order by owner, name');
    return rows.map((r) => ({
      id: String(r.id),
      name: String(r.name),
      owner: String(r.owner),
      query: JSON.parse(r.query as string),
    }));
  }

  async deleteSearch(id: string): Promise<boolean> {
    const [row] = await this.rows('select id from saved_searches where id = $1', [id]);
    if (!row) return false;
    await this.db.run('delete from saved_searches where id = $1', [id] as never);
    return true;
  }

  close(): void {
    this.db.closeSync();
    this.instance.closeSync();
  }
}

function toRow(r: Record<string, unknown>): AlertRow {
  return {
    id: String(r.id),
    ts: Number(r.ts),
    kind: String(r.kind),
    title: String(r.title),
    entity: (r.entity as string | null) ?? null,
    severity: r.severity === null || r.severity === undefined ? null : Number(r.severity),
    status: r.status as AlertStatus,
    verdict: (r.verdict as Verdict | null) ?? null,
    incident: (r.incident as string | null) ?? null,
    created_at: Number(r.created_at),
    updated_at: Number(r.updated_at),
  };
}
