// The one scoring code path, shared by the scorer stage, `vigil score` and backtests: feature records
// in, score records (and alerts at or over the model's threshold) out, one outcome per input in input
// order. Bad records (missing/NaN features, wrong schema version) become errors naming the features.
import { createHash } from 'node:crypto';
import { vectorizeInto } from '../../models/signature.ts';
import type { ScoringModel } from './scoring-model.ts';

export interface FeatureRecord {
  entity: string;
  window: { start: number | string; end: number | string };
  features: Record<string, unknown>;
  /** Feature-schema version (the profiler writes it as `version`; `schema_version` is accepted too). */
  schema_version?: number | string;
  version?: number | string;
  /** Feature schema name, when the producer records it. */
  schema?: string;
}

export interface TopFeature {
  name: string;
  value: number;
  /** Occlusion: score drop when the feature takes its baseline value; z-score: (value − mean) / std. */
  contribution: number;
}

export interface ScoreRecord {
  entity: string;
  window: { start: number | string; end: number | string };
  model: { name: string; version: number };
  score: number;
  severity: number;
  threshold: number;
  alert: boolean;
  /** The alert's id when this score raised one. */
  alert_id?: string;
  explanation: 'occlusion' | 'zscore' | 'none';
  top_features: TopFeature[];
}

export interface AlertRecord {
  id: string;
  '@timestamp': string;
  kind: 'model';
  title: string;
  entity: string;
  window: { start: number | string; end: number | string };
  model: { name: string; version: number };
  score: number;
  severity: number;
  threshold: number;
  reasons: string[];
  top_features: TopFeature[];
}

export type ScoreOutcome =
  | { ok: true; score: ScoreRecord; alert?: AlertRecord }
  | {
      ok: false;
      kind: 'invalid-record' | 'invalid-features' | 'schema-mismatch' | 'inference';
      message: string;
    }
  /** A vector of another feature schema (the features topic carries several): not this model's to score. */
  | { ok: false; kind: 'other-schema'; message: string };

export interface ScoreOptions {
  /** Most rows per runtime call (default 256). */
  batchSize?: number;
  /** Which scores get model-faithful occlusion explanations (default: alerts only; others use z-scores). */
  explain?: 'alerts' | 'all';
  /** How many top features to report (default 3; 0 skips explanations). */
  topK?: number;
}

/** Parses a features-topic value; returns a reason when it isn't a feature record. */
export function parseFeatureRecord(value: Buffer | string): FeatureRecord | string {
  let v: unknown;
  try {
    v = JSON.parse(typeof value === 'string' ? value : value.toString('utf8'));
  } catch (err) {
    return `not JSON: ${(err as Error).message}`;
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return 'feature record must be a JSON object';
  const r = v as Record<string, unknown>;
  if (typeof r.entity !== 'string' || r.entity === '') return 'feature record needs a string "entity"';
  const w = r.window as Record<string, unknown> | undefined;
  const okTime = (t: unknown) => typeof t === 'number' || typeof t === 'string';
  if (typeof w !== 'object' || w === null || !okTime(w.start) || !okTime(w.end)) {
    return 'feature record needs "window": {"start", "end"}';
  }
  if (typeof r.features !== 'object' || r.features === null || Array.isArray(r.features)) {
    return 'feature record needs a "features" object of named numbers';
  }
  return v as FeatureRecord;
}

/** A stable alert id: the same model, entity and window always give the same id (replay dedups). */
export function alertId(model: string, entity: string, window: FeatureRecord['window']): string {
  return createHash('sha256')
    .update(`model\0${model}\0${entity}\0${window.start}\0${window.end}`)
    .digest('hex')
    .slice(0, 32);
}

export async function scoreFeatureRecords(
  model: ScoringModel,
  records: FeatureRecord[],
  options: ScoreOptions = {},
): Promise<ScoreOutcome[]> {
  const sig = model.version.signature;
  const width = model.runtime.width;
  const batchSize = Math.max(1, options.batchSize ?? 256);
  const topK = options.topK ?? 3;
  const outcomes: ScoreOutcome[] = new Array(records.length);
  const rows = new Float32Array(records.length * width);
  const valid: number[] = [];
  const want = sig.inputs.featureSchema;

  for (let i = 0; i < records.length; i++) {
    const rec = records[i] as FeatureRecord;
    if (rec.schema !== undefined && rec.schema !== want.name) {
      outcomes[i] = {
        ok: false,
        kind: 'other-schema',
        message: `feature schema ${rec.schema}, model reads ${want.name}`,
      };
      continue;
    }
    const recVersion = rec.schema_version ?? rec.version;
    if (recVersion !== undefined && String(recVersion) !== String(want.version)) {
      outcomes[i] = {
        ok: false,
        kind: 'schema-mismatch',
        message: `feature schema ${rec.schema ?? want.name} version ${recVersion}, model ${model.version.name}:${model.version.version} expects ${want.name}@${want.version}`,
      };
      continue;
    }
    const { invalid } = vectorizeInto(rec.features, sig, rows, valid.length * width);
    if (invalid.length > 0) {
      const detail = invalid.map((n) => `${n}=${describe(rec.features[n])}`).join(', ');
      outcomes[i] = {
        ok: false,
        kind: 'invalid-features',
        message: `missing or non-finite features: ${detail}`,
      };
      continue;
    }
    valid.push(i);
  }

  const scores = new Float32Array(valid.length);
  try {
    for (let off = 0; off < valid.length; off += batchSize) {
      const n = Math.min(batchSize, valid.length - off);
      scores.set(await model.runtime.score(rows.subarray(off * width, (off + n) * width)), off);
    }
  } catch (err) {
    const message = `inference failed: ${(err as Error).message}`;
    for (const i of valid) outcomes[i] = { ok: false, kind: 'inference', message };
    return outcomes;
  }

  const severities = Array.from(scores, (s) => model.severity(s));
  const occlude =
    topK === 0
      ? []
      : valid
          .map((_, k) => k)
          .filter((k) => options.explain === 'all' || (severities[k] as number) >= model.threshold);
  const occlusion = await occlusionContributions(model, rows, occlude, scores, batchSize);
  const names = sig.inputs.features.map((f) => f.name);
  const ref = { name: model.version.name, version: model.version.version };
  const z = new Float32Array(width);

  for (let k = 0; k < valid.length; k++) {
    const i = valid[k] as number;
    const rec = records[i] as FeatureRecord;
    const severity = severities[k] as number;
    const isAlert = severity >= model.threshold;
    let explanation: ScoreRecord['explanation'] = 'none';
    let contributions: Float32Array | undefined = occlusion.get(k);
    if (contributions) explanation = 'occlusion';
    else if (model.stats && topK > 0) {
      explanation = 'zscore';
      contributions = zScoresInto(z, rows, k * width, model.stats);
    }
    const top = contributions ? topFeatures(names, rec.features, contributions, topK) : [];
    const score: ScoreRecord = {
      entity: rec.entity,
      window: rec.window,
      model: ref,
      score: scores[k] as number,
      severity,
      threshold: model.threshold,
      alert: isAlert,
      explanation,
      top_features: top,
    };
    const outcome: ScoreOutcome = { ok: true, score };
    if (isAlert) {
      score.alert_id = alertId(ref.name, rec.entity, rec.window);
      outcome.alert = {
        id: score.alert_id,
        '@timestamp': isoTime(rec.window.end),
        kind: 'model',
        title: `${ref.name} scored ${rec.entity} at severity ${severity}`,
        entity: rec.entity,
        window: rec.window,
        model: ref,
        score: score.score,
        severity,
        threshold: model.threshold,
        reasons: top.map((t) => `${t.name}=${t.value} (contribution ${t.contribution.toFixed(3)})`),
        top_features: top,
      };
    }
    outcomes[i] = outcome;
  }
  return outcomes;
}

/** For each selected row: score minus the score with one feature set to its baseline, per feature. */
async function occlusionContributions(
  model: ScoringModel,
  rows: Float32Array,
  selected: number[],
  scores: Float32Array,
  batchSize: number,
): Promise<Map<number, Float32Array>> {
  const out = new Map<number, Float32Array>();
  if (selected.length === 0) return out;
  const width = model.runtime.width;
  const probe = new Float32Array(selected.length * width * width);
  for (const [s, k] of selected.entries()) {
    const row = rows.subarray(k * width, (k + 1) * width);
    for (let f = 0; f < width; f++) {
      const at = (s * width + f) * width;
      probe.set(row, at);
      probe[at + f] = model.baseline[f] as number;
    }
  }
  const probed = new Float32Array(selected.length * width);
  const step = Math.max(1, batchSize);
  for (let off = 0; off < probed.length; off += step) {
    const n = Math.min(step, probed.length - off);
    probed.set(await model.runtime.score(probe.subarray(off * width, (off + n) * width)), off);
  }
  for (const [s, k] of selected.entries()) {
    const c = new Float32Array(width);
    for (let f = 0; f < width; f++) c[f] = (scores[k] as number) - (probed[s * width + f] as number);
    out.set(k, c);
  }
  return out;
}

function zScoresInto(
  out: Float32Array,
  rows: Float32Array,
  offset: number,
  stats: { mean: Float32Array; std: Float32Array },
): Float32Array {
  for (let f = 0; f < out.length; f++) {
    const sd = stats.std[f] as number;
    out[f] = sd > 0 ? ((rows[offset + f] as number) - (stats.mean[f] as number)) / sd : 0;
  }
  return out;
}

function topFeatures(
  names: string[],
  features: Record<string, unknown>,
  contributions: Float32Array,
  k: number,
): TopFeature[] {
  // Partial selection of the k largest positive contributions (ties by name): this runs per score.
  const top: number[] = [];
  for (let f = 0; f < contributions.length; f++) {
    const c = contributions[f] as number;
    if (!(c > 0)) continue;
    let at = top.length;
    while (at > 0 && ranksAbove(f, top[at - 1] as number, contributions, names)) at--;
    if (at < k) {
      top.splice(at, 0, f);
      if (top.length > k) top.pop();
    }
  }
  const out: TopFeature[] = [];
  for (const f of top) {
    const name = names[f] as string;
    out.push({
      name,
      value: Number(features[name]),
      contribution: Math.round((contributions[f] as number) * 1e6) / 1e6,
    });
  }
  return out;
}

function ranksAbove(a: number, b: number, contributions: Float32Array, names: string[]): boolean {
  const ca = contributions[a] as number;
  const cb = contributions[b] as number;
  return ca > cb || (ca === cb && (names[a] as string) < (names[b] as string));
}

function describe(v: unknown): string {
  if (v === undefined) return 'missing';
  if (v === null) return 'null';
  if (typeof v === 'number') return String(v);
  return `${JSON.stringify(v) ?? typeof v} (${typeof v})`;
}

function isoTime(t: number | string): string {
  if (typeof t === 'number') return new Date(t).toISOString();
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? t : new Date(ms).toISOString();
}
