// The model registry: metadata in DuckDB (<dataDir>/registry/registry.duckdb), artifacts stored by
// content (sha256) under <dataDir>/registry/artifacts/. Versions are immutable; what changes is which
// version an alias (champion, challenger, ...) points at, and every such move is appended to the
// promotion log. One process owns the data dir, so one registry instance is the only writer.
import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { z } from 'zod';
import { BUILTIN_FEATURE_SCHEMAS } from '../features/schema.ts';
import { logger } from '../kernel/logger.ts';
import { loadRuntime, ModelRuntimeError } from './runtime.ts';
import {
  checkSignature,
  type FeatureSchema,
  type FeatureSchemaInput,
  type ModelSignature,
  type ModelSignatureInput,
  parseFeatureSchema,
  parseSignature,
  SignatureError,
} from './signature.ts';

export const DEFAULT_MAX_ARTIFACT_BYTES = 256 * 1024 * 1024;

export class RegistryError extends Error {
  constructor(
    message: string,
    readonly code:
      | 'NOT_FOUND'
      | 'INVALID'
      | 'TOO_LARGE'
      | 'SIGNATURE_MISMATCH'
      | 'POLICY_REJECTED'
      | 'CORRUPT_ARTIFACT'
      | 'NOTHING_TO_ROLL_BACK'
      | 'CLOSED',
  ) {
    super(message);
    this.name = 'RegistryError';
  }
}

/** Where a model's training data came from and how it was made. */
export const LineageSchema = z
  .object({
    data: z
      .object({
        topic: z.string().optional(),
        /** Per partition: [from, to) offsets. */
        offsets: z
          .array(z.object({ partition: z.number().int(), from: z.number().int(), to: z.number().int() }))
          .optional(),
        /** ISO-8601 or epoch-ms time range. */
        timeRange: z
          .object({ start: z.union([z.string(), z.number()]), end: z.union([z.string(), z.number()]) })
          .optional(),
        source: z.string().optional(),
      })
      .passthrough()
      .optional(),
    featureSchema: z.object({ name: z.string(), version: z.number().int() }).optional(),
    codeVersion: z.string().optional(),
    parameters: z.record(z.string(), z.unknown()).optional(),
    seed: z.number().int().optional(),
    trainer: z.string().optional(),
  })
  .passthrough();
export type Lineage = z.output<typeof LineageSchema>;

/** Score quantiles on training/eval data; the scorer maps a raw score to 0–100 severity with them. */
export const ScoreDistributionSchema = z.object({
  quantiles: z
    .array(z.object({ q: z.number().min(0).max(1), value: z.number() }))
    .min(2)
    .refine(
      (qs) =>
        qs.every((x, i) => i === 0 || (x.q > (qs[i - 1]?.q ?? 0) && x.value >= (qs[i - 1]?.value ?? 0))),
      {
        message: 'quantiles must be sorted by q with non-decreasing values',
      },
    ),
  count: z.number().int().nonnegative().optional(),
});
export type ScoreDistribution = z.output<typeof ScoreDistributionSchema>;

/** Alert threshold: a severity (0–100), or a raw score converted through the distribution. */
export const ThresholdSchema = z.object({
  severity: z.number().min(0).max(100).optional(),
  score: z.number().optional(),
});
export type Threshold = z.output<typeof ThresholdSchema>;

/** Per-feature reference statistics (training data) used to explain which features stand out. */
export const FeatureStatsSchema = z.record(
  z.string(),
  z.object({ mean: z.number(), std: z.number().nonnegative() }),
);
export type FeatureStats = z.output<typeof FeatureStatsSchema>;

const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

export interface RegisterOptions {
  signature: ModelSignatureInput | ModelSignature;
  lineage?: Lineage;
  metrics?: Record<string, number>;
  tags?: Record<string, string>;
  description?: string;
  scoreDistribution?: ScoreDistribution;
  threshold?: Threshold;
  featureStats?: FeatureStats;
  /** Who registered it (audit). */
  who?: string;
  /** Load the artifact with its runtime before accepting it (default true): garbage never gets a version. */
  validate?: boolean;
}

export interface ModelVersion {
  name: string;
  version: number;
  sha256: string;
  size: number;
  format: ModelSignature['format'];
  signature: ModelSignature;
  lineage: Lineage;
  metrics: Record<string, number>;
  tags: Record<string, string>;
  description: string;
  scoreDistribution: ScoreDistribution | null;
  threshold: Threshold;
  featureStats: FeatureStats | null;
  createdAt: string;
  createdBy: string;
}

export interface ModelSummary {
  name: string;
  versions: number;
  latest: number;
  aliases: Record<string, number>;
  updatedAt: string;
}

export interface Evaluation {
  id: number;
  name: string;
  version: number;
  kind: 'evaluation' | 'backtest';
  /** A label for the data evaluated on, so champion and challenger compare on the same data. */
  dataset: string | null;
  metrics: Record<string, number>;
  details: unknown;
  who: string;
  at: string;
}

export interface PromotionLogEntry {
  seq: number;
  name: string;
  alias: string;
  action: 'promote' | 'rollback' | 'set';
  fromVersion: number | null;
  toVersion: number;
  who: string;
  reason: string;
  at: string;
  metrics: Record<string, number>;
}

/** Gate on promotion: the candidate must have an evaluation beating the current alias target. */
export interface PromotionPolicy {
  metric: string;
  /** Default true (AUROC, F1...); false for losses. */
  higherIsBetter?: boolean;
  /** Which records count; default both. */
  kind?: 'evaluation' | 'backtest';
  /** Required margin over the champion (default 0: strictly better). */
  minImprovement?: number;
}

export interface AliasChange {
  name: string;
  alias: string;
  fromVersion: number | null;
  toVersion: number;
  action: PromotionLogEntry['action'];
}

export interface ModelRef {
  name: string;
  alias?: string;
  version?: number;
}

/** Parses NAME, NAME@ALIAS or NAME:VERSION (bare NAME means NAME@champion). */
export function parseModelRef(ref: string): ModelRef {
  const at = ref.lastIndexOf('@');
  const colon = ref.lastIndexOf(':');
  if (at > 0) return { name: ref.slice(0, at), alias: ref.slice(at + 1) };
  if (colon > 0) {
    const v = Number(ref.slice(colon + 1));
    if (!Number.isInteger(v) || v < 1) throw new RegistryError(`bad model version in "${ref}"`, 'INVALID');
    return { name: ref.slice(0, colon), version: v };
  }
  return { name: ref, alias: 'champion' };
}

export function formatModelRef(ref: ModelRef): string {
  return ref.version !== undefined ? `${ref.name}:${ref.version}` : `${ref.name}@${ref.alias ?? 'champion'}`;
}

export interface OpenRegistryOptions {
  maxArtifactBytes?: number;
  /** Feature schemas to make known at open (idempotent; a changed definition needs a new version). */
  featureSchemas?: FeatureSchemaInput[];
}

export async function openRegistry(
  dataDir: string,
  options: OpenRegistryOptions = {},
): Promise<ModelRegistry> {
  const root = path.join(dataDir, 'registry');
  await mkdir(path.join(root, 'artifacts'), { recursive: true });
  const instance = await DuckDBInstance.create(path.join(root, 'registry.duckdb'));
  const conn = await instance.connect();
  const registry = new ModelRegistry(
    root,
    instance,
    conn,
    options.maxArtifactBytes ?? DEFAULT_MAX_ARTIFACT_BYTES,
  );
  await registry.migrate();
  // The profiler's built-in schemas are always known; a clash means its code changed a schema without
  // bumping the version: warn (models of the recorded definition still check) rather than refuse to open.
  for (const s of Object.values(BUILTIN_FEATURE_SCHEMAS)) {
    await registry
      .registerFeatureSchema(s)
      .catch((err: Error) => logger.warn({ schema: s.name }, err.message));
  }
  for (const s of options.featureSchemas ?? []) await registry.registerFeatureSchema(s);
  return registry;
}

const SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS feature_schemas (
  name VARCHAR NOT NULL, version INTEGER NOT NULL, features VARCHAR NOT NULL, created_at VARCHAR NOT NULL,
  PRIMARY KEY (name, version));
CREATE TABLE IF NOT EXISTS models (
  name VARCHAR PRIMARY KEY, created_at VARCHAR NOT NULL);
CREATE TABLE IF NOT EXISTS model_versions (
  name VARCHAR NOT NULL, version INTEGER NOT NULL, sha256 VARCHAR NOT NULL, size BIGINT NOT NULL,
  format VARCHAR NOT NULL, signature VARCHAR NOT NULL, lineage VARCHAR NOT NULL, metrics VARCHAR NOT NULL,
  tags VARCHAR NOT NULL, description VARCHAR NOT NULL, score_distribution VARCHAR, threshold VARCHAR NOT NULL,
  feature_stats VARCHAR, created_at VARCHAR NOT NULL, created_by VARCHAR NOT NULL,
  PRIMARY KEY (name, version));
CREATE TABLE IF NOT EXISTS aliases (
  name VARCHAR NOT NULL, alias VARCHAR NOT NULL, version INTEGER NOT NULL, updated_at VARCHAR NOT NULL,
  PRIMARY KEY (name, alias));
CREATE SEQUENCE IF NOT EXISTS promotion_seq START 1;
CREATE TABLE IF NOT EXISTS promotion_log (
  seq BIGINT PRIMARY KEY DEFAULT nextval('promotion_seq'), name VARCHAR NOT NULL, alias VARCHAR NOT NULL,
  action VARCHAR NOT NULL, from_version INTEGER, to_version INTEGER NOT NULL, who VARCHAR NOT NULL,
  reason VARCHAR NOT NULL, logged_at VARCHAR NOT NULL, metrics VARCHAR NOT NULL);
CREATE SEQUENCE IF NOT EXISTS evaluation_seq START 1;
CREATE TABLE IF NOT EXISTS evaluations (
  id BIGINT PRIMARY KEY DEFAULT nextval('evaluation_seq'), name VARCHAR NOT NULL, version INTEGER NOT NULL,
  kind VARCHAR NOT NULL, dataset VARCHAR, metrics VARCHAR NOT NULL, details VARCHAR NOT NULL,
  who VARCHAR NOT NULL, logged_at VARCHAR NOT NULL);
`;

type Row = Record<string, unknown>;

export class ModelRegistry {
  private readonly events = new EventEmitter();
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(
    readonly root: string,
    private readonly instance: DuckDBInstance,
    private readonly conn: DuckDBConnection,
    readonly maxArtifactBytes: number,
  ) {}

  /** Serializes every statement: one connection, one writer, no interleaved transactions. */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(() => {
      if (this.closed) throw new RegistryError('registry is closed', 'CLOSED');
      return fn();
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async rows(sql: string, params: unknown[] = []): Promise<Row[]> {
    const reader = await this.conn.runAndReadAll(sql, params as never);
    return reader.getRowObjectsJS() as Row[];
  }

  private async txn<T>(fn: () => Promise<T>): Promise<T> {
    await this.conn.run('BEGIN TRANSACTION');
    try {
      const out = await fn();
      await this.conn.run('COMMIT');
      return out;
    } catch (err) {
      await this.conn.run('ROLLBACK');
      throw err;
    }
  }

  async migrate(): Promise<void> {
    await this.exclusive(() => this.conn.run(SCHEMA_SQL));
  }

  // ---- feature schemas ----

  async registerFeatureSchema(
    input: FeatureSchemaInput | { name: string; version: number; features: readonly string[] },
  ): Promise<FeatureSchema> {
    const schema = parseFeatureSchema({ ...input, features: [...input.features] });
    return this.exclusive(async () => {
      const existing = await this.rows(
        'SELECT features FROM feature_schemas WHERE name = $1 AND version = $2',
        [schema.name, schema.version],
      );
      const features = JSON.stringify(schema.features);
      if (existing[0]) {
        if (existing[0].features !== features) {
          throw new RegistryError(
            `feature schema ${schema.name}@${schema.version} is already registered with different features; bump the version`,
            'INVALID',
          );
        }
        return schema;
      }
      await this.conn.run('INSERT INTO feature_schemas VALUES ($1, $2, $3, $4)', [
        schema.name,
        schema.version,
        features,
        new Date().toISOString(),
      ]);
      return schema;
    });
  }

  async featureSchemas(): Promise<FeatureSchema[]> {
    return this.exclusive(async () =>
      (await this.rows('SELECT * FROM feature_schemas ORDER BY name, version')).map((r) => ({
        name: String(r.name),
        version: Number(r.version),
        features: JSON.parse(String(r.features)),
      })),
    );
  }

  // ---- versions ----

  /** Registers a new immutable version; its signature must match a known feature schema. */
  async register(name: string, artifact: Uint8Array, options: RegisterOptions): Promise<ModelVersion> {
    if (!NAME_RE.test(name)) {
      throw new RegistryError(
        `bad model name "${name}": use letters, digits, '.', '_' or '-' (max 128)`,
        'INVALID',
      );
    }
    if (artifact.byteLength === 0) throw new RegistryError('empty model artifact', 'INVALID');
    if (artifact.byteLength > this.maxArtifactBytes) {
      throw new RegistryError(
        `model artifact is ${artifact.byteLength} bytes, over the ${this.maxArtifactBytes}-byte limit`,
        'TOO_LARGE',
      );
    }
    let signature: ModelSignature;
    try {
      signature = parseSignature(options.signature);
    } catch (err) {
      throw new RegistryError((err as Error).message, 'INVALID');
    }
    const lineage = parseOr(LineageSchema, options.lineage ?? {}, 'lineage');
    const metrics = parseOr(z.record(z.string(), z.number()), options.metrics ?? {}, 'metrics');
    const tags = parseOr(z.record(z.string(), z.string()), options.tags ?? {}, 'tags');
    const dist = options.scoreDistribution
      ? parseOr(ScoreDistributionSchema, options.scoreDistribution, 'scoreDistribution')
      : null;
    const threshold = parseOr(ThresholdSchema, options.threshold ?? {}, 'threshold');
    const stats = options.featureStats
      ? parseOr(FeatureStatsSchema, options.featureStats, 'featureStats')
      : null;
    const sha256 = createHash('sha256').update(artifact).digest('hex');

    return this.exclusive(async () => {
      const ref = signature.inputs.featureSchema;
      const known = await this.rows('SELECT features FROM feature_schemas WHERE name = $1 AND version = $2', [
        ref.name,
        ref.version,
      ]);
      if (!known[0]) {
        const all = await this.rows('SELECT name, version FROM feature_schemas ORDER BY name, version');
        throw new RegistryError(
          `unknown feature schema ${ref.name}@${ref.version}; known: ${all.map((r) => `${r.name}@${r.version}`).join(', ') || 'none'}`,
          'SIGNATURE_MISMATCH',
        );
      }
      try {
        checkSignature(signature, {
          name: ref.name,
          version: ref.version,
          features: JSON.parse(String(known[0].features)),
        });
      } catch (err) {
        if (err instanceof SignatureError) throw new RegistryError(err.message, 'SIGNATURE_MISMATCH');
        throw err;
      }
      if (options.validate ?? true) {
        try {
          const runtime = await loadRuntime(artifact, signature, { maxBytes: this.maxArtifactBytes });
          await runtime.dispose();
        } catch (err) {
          const code =
            err instanceof ModelRuntimeError && err.code === 'SIGNATURE_MISMATCH'
              ? 'SIGNATURE_MISMATCH'
              : 'INVALID';
          throw new RegistryError(`model artifact rejected: ${(err as Error).message}`, code);
        }
      }
      await this.writeArtifact(sha256, artifact);
      const now = new Date().toISOString();
      return this.txn(async () => {
        await this.conn.run('INSERT INTO models VALUES ($1, $2) ON CONFLICT DO NOTHING', [name, now]);
        const max = await this.rows(
          'SELECT coalesce(max(version), 0) AS v FROM model_versions WHERE name = $1',
          [name],
        );
        const version = Number(max[0]?.v ?? 0) + 1;
        await this.conn.run(
          'INSERT INTO model_versions VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)',
          [
            name,
            version,
            sha256,
            artifact.byteLength,
            signature.format,
            JSON.stringify(signature),
            JSON.stringify(lineage),
            JSON.stringify(metrics),
            JSON.stringify(tags),
            options.description ?? '',
            dist ? JSON.stringify(dist) : null,
            JSON.stringify(threshold),
            stats ? JSON.stringify(stats) : null,
            now,
            options.who ?? 'unknown',
          ] as never,
        );
        return {
          name,
          version,
          sha256,
          size: artifact.byteLength,
          format: signature.format,
          signature,
          lineage,
          metrics,
          tags,
          description: options.description ?? '',
          scoreDistribution: dist,
          threshold,
          featureStats: stats,
          createdAt: now,
          createdBy: options.who ?? 'unknown',
        };
      });
    });
  }

  /** A version by number, by alias, or by a NAME@ALIAS / NAME:VERSION string. */
  async get(name: string, ref?: number | string): Promise<ModelVersion> {
    return this.exclusive(() => this.getLocked(name, ref));
  }

  async resolve(ref: string | ModelRef): Promise<ModelVersion> {
    const r = typeof ref === 'string' ? parseModelRef(ref) : ref;
    return this.get(r.name, r.version ?? r.alias ?? 'champion');
  }

  private async getLocked(name: string, ref?: number | string): Promise<ModelVersion> {
    let version: number;
    if (ref === undefined) {
      const rows = await this.rows('SELECT max(version) AS v FROM model_versions WHERE name = $1', [name]);
      if (rows[0]?.v == null) throw new RegistryError(`no model named "${name}"`, 'NOT_FOUND');
      version = Number(rows[0].v);
    } else if (typeof ref === 'number') {
      version = ref;
    } else {
      const rows = await this.rows('SELECT version FROM aliases WHERE name = $1 AND alias = $2', [name, ref]);
      if (!rows[0]) throw new RegistryError(`model "${name}" has no alias "${ref}"`, 'NOT_FOUND');
      version = Number(rows[0].version);
    }
    const rows = await this.rows('SELECT * FROM model_versions WHERE name = $1 AND version = $2', [
      name,
      version,
    ]);
    if (!rows[0]) throw new RegistryError(`no version ${version} of model "${name}"`, 'NOT_FOUND');
    return toVersion(rows[0]);
  }

  async versions(name: string): Promise<ModelVersion[]> {
    return this.exclusive(async () =>
      (await this.rows('SELECT * FROM model_versions WHERE name = $1 ORDER BY version', [name])).map(
        toVersion,
      ),
    );
  }

  async list(): Promise<ModelSummary[]> {
    return this.exclusive(async () => {
      const rows = await this.rows(
        `SELECT name, count(*) AS n, max(version) AS latest, max(created_at) AS updated
         FROM model_versions GROUP BY name ORDER BY name`,
      );
      const aliases = await this.rows('SELECT name, alias, version FROM aliases ORDER BY name, alias');
      return rows.map((r) => ({
        name: String(r.name),
        versions: Number(r.n),
        latest: Number(r.latest),
        updatedAt: String(r.updated),
        aliases: Object.fromEntries(
          aliases.filter((a) => a.name === r.name).map((a) => [String(a.alias), Number(a.version)]),
        ),
      }));
    });
  }

  async aliases(name: string): Promise<Record<string, number>> {
    return this.exclusive(async () => {
      const rows = await this.rows('SELECT alias, version FROM aliases WHERE name = $1 ORDER BY alias', [
        name,
      ]);
      return Object.fromEntries(rows.map((r) => [String(r.alias), Number(r.version)]));
    });
  }

  /** The artifact bytes, verified against the version's sha256. */
  async readArtifact(version: Pick<ModelVersion, 'sha256' | 'name' | 'version'>): Promise<Buffer> {
    const file = this.artifactPath(version.sha256);
    const st = await stat(file).catch(() => null);
    if (!st)
      throw new RegistryError(
        `artifact ${version.sha256} of ${version.name}:${version.version} is missing`,
        'CORRUPT_ARTIFACT',
      );
    if (st.size > this.maxArtifactBytes) {
      throw new RegistryError(
        `artifact of ${version.name}:${version.version} is over the size limit`,
        'TOO_LARGE',
      );
    }
    const bytes = await readFile(file);
    const sha = createHash('sha256').update(bytes).digest('hex');
    if (sha !== version.sha256) {
      throw new RegistryError(
        `artifact of ${version.name}:${version.version} is corrupt (sha256 ${sha}, expected ${version.sha256})`,
        'CORRUPT_ARTIFACT',
      );
    }
    return bytes;
  }

  artifactPath(sha256: string): string {
    if (!/^[0-9a-f]{64}$/.test(sha256)) throw new RegistryError(`bad sha256 "${sha256}"`, 'INVALID');
    return path.join(this.root, 'artifacts', sha256.slice(0, 2), sha256);
  }

  private async writeArtifact(sha256: string, bytes: Uint8Array): Promise<void> {
    const file = this.artifactPath(sha256);
    if (await stat(file).catch(() => null)) return; // content-addressed: same bytes, same file
    await mkdir(path.dirname(file), { recursive: true });
    const tmp = `${file}.tmp-${process.pid}`;
    await writeFile(tmp, bytes, { flush: true });
    await rename(tmp, file);
  }

  // ---- evaluations ----

  async recordEvaluation(
    name: string,
    version: number,
    record: {
      metrics: Record<string, number>;
      kind?: 'evaluation' | 'backtest';
      dataset?: string;
      details?: unknown;
      who?: string;
    },
  ): Promise<Evaluation> {
    const metrics = parseOr(z.record(z.string(), z.number()), record.metrics, 'metrics');
    return this.exclusive(async () => {
      await this.getLocked(name, version);
      const at = new Date().toISOString();
      const rows = await this.rows(
        'INSERT INTO evaluations (name, version, kind, dataset, metrics, details, who, logged_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id',
        [
          name,
          version,
          record.kind ?? 'evaluation',
          record.dataset ?? null,
          JSON.stringify(metrics),
          JSON.stringify(record.details ?? null),
          record.who ?? 'unknown',
          at,
        ],
      );
      return {
        id: Number(rows[0]?.id),
        name,
        version,
        kind: record.kind ?? 'evaluation',
        dataset: record.dataset ?? null,
        metrics,
        details: record.details ?? null,
        who: record.who ?? 'unknown',
        at,
      };
    });
  }

  async evaluations(name: string, version?: number): Promise<Evaluation[]> {
    return this.exclusive(() => this.evaluationsLocked(name, version));
  }

  private async evaluationsLocked(name: string, version?: number): Promise<Evaluation[]> {
    const rows =
      version === undefined
        ? await this.rows('SELECT * FROM evaluations WHERE name = $1 ORDER BY id', [name])
        : await this.rows('SELECT * FROM evaluations WHERE name = $1 AND version = $2 ORDER BY id', [
            name,
            version,
          ]);
    return rows.map((r) => ({
      id: Number(r.id),
      name: String(r.name),
      version: Number(r.version),
      kind: String(r.kind) as Evaluation['kind'],
      dataset: r.dataset == null ? null : String(r.dataset),
      metrics: JSON.parse(String(r.metrics)),
      details: JSON.parse(String(r.details)),
      who: String(r.who),
      at: String(r.logged_at),
    }));
  }

  // ---- aliases and promotion ----

  /** Points an alias at a version without a policy (logged as 'set'). */
  async setAlias(
    name: string,
    alias: string,
    version: number,
    audit: { who?: string; reason?: string } = {},
  ): Promise<PromotionLogEntry> {
    return this.moveAlias(name, alias, version, 'set', audit.who ?? 'unknown', audit.reason ?? '', undefined);
  }

  /** Moves an alias to a version, if the policy (when given) accepts it; appends to the promotion log. */
  async promote(
    name: string,
    alias: string,
    version: number,
    options: { who: string; reason: string; policy?: PromotionPolicy },
  ): Promise<PromotionLogEntry> {
    return this.moveAlias(name, alias, version, 'promote', options.who, options.reason, options.policy);
  }

  /** Moves the alias back to the version it pointed at before the current one; logged. */
  async rollback(
    name: string,
    alias: string,
    options: { who: string; reason: string },
  ): Promise<PromotionLogEntry> {
    const entry = await this.exclusive(async () => {
      const log = await this.logLocked(name, alias);
      // Replay the alias history as a stack: promotions push, rollbacks pop.
      const stack: number[] = [];
      for (const e of log) {
        if (e.action === 'rollback') stack.pop();
        else stack.push(e.toVersion);
      }
      const current = stack.at(-1);
      const previous = stack.at(-2);
      if (current === undefined || previous === undefined) {
        throw new RegistryError(
          `${name}@${alias} has no earlier version to roll back to`,
          'NOTHING_TO_ROLL_BACK',
        );
      }
      return this.writeAliasMove(name, alias, current, previous, 'rollback', options.who, options.reason);
    });
    this.emitChange(entry);
    return entry;
  }

  private async moveAlias(
    name: string,
    alias: string,
    version: number,
    action: 'promote' | 'set',
    who: string,
    reason: string,
    policy: PromotionPolicy | undefined,
  ): Promise<PromotionLogEntry> {
    if (!NAME_RE.test(alias)) throw new RegistryError(`bad alias "${alias}"`, 'INVALID');
    const entry = await this.exclusive(async () => {
      await this.getLocked(name, version);
      const cur = await this.rows('SELECT version FROM aliases WHERE name = $1 AND alias = $2', [
        name,
        alias,
      ]);
      const from = cur[0] ? Number(cur[0].version) : null;
      if (policy) await this.checkPolicy(name, from, version, policy);
      return this.writeAliasMove(name, alias, from, version, action, who, reason);
    });
    this.emitChange(entry);
    return entry;
  }

  private async checkPolicy(
    name: string,
    from: number | null,
    to: number,
    policy: PromotionPolicy,
  ): Promise<void> {
    const higher = policy.higherIsBetter ?? true;
    const margin = policy.minImprovement ?? 0;
    const relevant = (e: Evaluation) =>
      (!policy.kind || e.kind === policy.kind) && policy.metric in e.metrics;
    const mine = (await this.evaluationsLocked(name, to)).filter(relevant);
    const candidate = mine.at(-1);
    if (!candidate) {
      throw new RegistryError(
        `policy: ${name}:${to} has no recorded ${policy.kind ?? 'evaluation or backtest'} with metric "${policy.metric}"`,
        'POLICY_REJECTED',
      );
    }
    if (from === null || from === to) return;
    const theirs = (await this.evaluationsLocked(name, from)).filter(relevant);
    // Compare on the same dataset when the champion was evaluated on the candidate's.
    const champion = theirs.filter((e) => e.dataset === candidate.dataset).at(-1) ?? theirs.at(-1);
    if (!champion) return; // an unevaluated champion can't be defended
    const a = candidate.metrics[policy.metric] as number;
    const b = champion.metrics[policy.metric] as number;
    const beats = higher ? a > b + margin : a < b - margin;
    if (!beats) {
      throw new RegistryError(
        `policy: ${name}:${to} ${policy.metric}=${a} does not beat the current ${name}:${from} ${policy.metric}=${b}` +
          (margin ? ` by ${margin}` : ''),
        'POLICY_REJECTED',
      );
    }
  }

  private async writeAliasMove(
    name: string,
    alias: string,
    from: number | null,
    to: number,
    action: PromotionLogEntry['action'],
    who: string,
    reason: string,
  ): Promise<PromotionLogEntry> {
    const at = new Date().toISOString();
    const evals = await this.evaluationsLocked(name, to);
    const v = await this.getLocked(name, to);
    const metrics = { ...v.metrics, ...Object.assign({}, ...evals.map((e) => e.metrics)) };
    return this.txn(async () => {
      await this.conn.run(
        'INSERT INTO aliases VALUES ($1, $2, $3, $4) ON CONFLICT (name, alias) DO UPDATE SET version = excluded.version, updated_at = excluded.updated_at',
        [name, alias, to, at],
      );
      const rows = await this.rows(
        'INSERT INTO promotion_log (name, alias, action, from_version, to_version, who, reason, logged_at, metrics) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING seq',
        [name, alias, action, from, to, who, reason, at, JSON.stringify(metrics)],
      );
      return {
        seq: Number(rows[0]?.seq),
        name,
        alias,
        action,
        fromVersion: from,
        toVersion: to,
        who,
        reason,
        at,
        metrics,
      };
    });
  }

  async promotionLog(name?: string, alias?: string): Promise<PromotionLogEntry[]> {
    return this.exclusive(() => this.logLocked(name, alias));
  }

  private async logLocked(name?: string, alias?: string): Promise<PromotionLogEntry[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (name !== undefined) where.push(`name = $${params.push(name)}`);
    if (alias !== undefined) where.push(`alias = $${params.push(alias)}`);
    const rows = await this.rows(
      `SELECT * FROM promotion_log ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq`,
      params,
    );
    return rows.map((r) => ({
      seq: Number(r.seq),
      name: String(r.name),
      alias: String(r.alias),
      action: String(r.action) as PromotionLogEntry['action'],
      fromVersion: r.from_version == null ? null : Number(r.from_version),
      toVersion: Number(r.to_version),
      who: String(r.who),
      reason: String(r.reason),
      at: String(r.logged_at),
      metrics: JSON.parse(String(r.metrics)),
    }));
  }

  /** In-process subscription to alias moves (scorers switch versions on it). */
  onAliasChange(listener: (change: AliasChange) => void): () => void {
    this.events.on('alias', listener);
    return () => this.events.off('alias', listener);
  }

  private emitChange(e: PromotionLogEntry): void {
    const change: AliasChange = {
      name: e.name,
      alias: e.alias,
      fromVersion: e.fromVersion,
      toVersion: e.toVersion,
      action: e.action,
    };
    this.events.emit('alias', change);
  }

  async close(): Promise<void> {
    await this.exclusive(async () => {
      this.closed = true;
      this.conn.closeSync();
      this.instance.closeSync();
    }).catch(() => undefined);
    this.closed = true;
  }
}

function parseOr<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const r = schema.safeParse(value);
  if (!r.success) {
    throw new RegistryError(
      `invalid ${what}: ${r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`,
      'INVALID',
    );
  }
  return r.data;
}

function toVersion(r: Row): ModelVersion {
  return {
    name: String(r.name),
    version: Number(r.version),
    sha256: String(r.sha256),
    size: Number(r.size),
    format: String(r.format) as ModelVersion['format'],
    signature: JSON.parse(String(r.signature)),
    lineage: JSON.parse(String(r.lineage)),
    metrics: JSON.parse(String(r.metrics)),
    tags: JSON.parse(String(r.tags)),
    description: String(r.description),
    scoreDistribution: r.score_distribution == null ? null : JSON.parse(String(r.score_distribution)),
    threshold: JSON.parse(String(r.threshold)),
    featureStats: r.feature_stats == null ? null : JSON.parse(String(r.feature_stats)),
    createdAt: String(r.created_at),
    createdBy: String(r.created_by),
  };
}
