// What a backtest reports for one run (a model version or a rule set): alerts per hour, and — where
// labelled episodes exist — hits, precision, recall and time to detect, overall and per scenario.
// An alert hits an episode when it is about one of the episode's entities and its time span overlaps
// the episode's; an episode is detected by its first such alert, at the alert's time.

import type { LabelInterval } from '../labels/label-file.ts';
import { entityParts } from '../labels/labeler.ts';

/** A backtest alert: the entity, the event time it covers, and when it would have been raised. */
export interface BacktestAlert {
  id: string;
  entity: string;
  /** Start and end (inclusive) of what the alert is about: a model's window, or a triage event's time. */
  start: number;
  end: number;
  /** When the alert exists: a model alert at its window's end, a triage alert at its event's time. */
  at: number;
  severity: number;
  title: string;
}

export interface Episode {
  scenario: string;
  entities: Set<string>;
  start: number;
  end: number;
}

export interface ScenarioSummary {
  episodes: number;
  detected: number;
  recall: number;
  /** Alerts that hit this scenario's episodes. */
  hits: number;
  /** Hits over (hits + false alerts): the run's precision were this the only attack. */
  precision: number;
  timeToDetectMs: { min: number; median: number; max: number } | null;
}

export interface RunSummary {
  alerts: number;
  alertsPerHour: Record<string, number>;
  /** Mean alerts per hour over the hours the range spans. */
  meanAlertsPerHour: number;
  labelled: boolean;
  hits?: number;
  falseAlerts?: number;
  precision?: number;
  recall?: number;
  timeToDetectMs?: { min: number; median: number; max: number } | null;
  scenarios?: Record<string, ScenarioSummary>;
}

/** Groups positive label intervals into episodes: one per (scenario, start, end), all its entities. */
export function episodesFrom(intervals: readonly LabelInterval[]): Episode[] {
  const byKey = new Map<string, Episode>();
  for (const iv of intervals) {
    if (!(iv.label > 0)) continue;
    const scenario = iv.scenario ?? 'labelled';
    const key = `${scenario}\u0000${iv.start}\u0000${iv.end}`;
    let ep = byKey.get(key);
    if (!ep) {
      ep = { scenario, entities: new Set(), start: iv.start, end: iv.end };
      byKey.set(key, ep);
    }
    ep.entities.add(iv.entity);
  }
  return [...byKey.values()].sort((a, b) => a.start - b.start || a.scenario.localeCompare(b.scenario));
}

export function hourOf(ms: number): string {
  return `${new Date(Math.floor(ms / 3_600_000) * 3_600_000).toISOString().slice(0, 13)}:00Z`;
}

function spread(values: number[]): { min: number; median: number; max: number } | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  const median = s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
  return { min: s[0] as number, median, max: s[s.length - 1] as number };
}

const ratio = (a: number, b: number) => (b > 0 ? a / b : 0);

/**
 * Summarizes one run's alerts over a range [rangeStart, rangeEnd) of event time. `episodes` null
 * means no labels: only volumes are reported.
 */
export function summarizeRun(
  alerts: readonly BacktestAlert[],
  episodes: readonly Episode[] | null,
  range: { start: number; end: number },
): RunSummary {
  const perHour: Record<string, number> = {};
  for (let h = Math.floor(range.start / 3_600_000) * 3_600_000; h < range.end; h += 3_600_000)
    perHour[hourOf(h)] = 0;
  for (const a of alerts) {
    const k = hourOf(a.at);
    perHour[k] = (perHour[k] ?? 0) + 1;
  }
  const alertsPerHour = Object.fromEntries(Object.entries(perHour).sort(([a], [b]) => a.localeCompare(b)));
  const hours = Math.max(1, Object.keys(alertsPerHour).length);
  const base: RunSummary = {
    alerts: alerts.length,
    alertsPerHour,
    meanAlertsPerHour: alerts.length / hours,
    labelled: episodes !== null,
  };
  if (episodes === null) return base;

  const firstHit = new Array<number>(episodes.length).fill(Number.POSITIVE_INFINITY);
  const hitsPerEpisode = new Array<number>(episodes.length).fill(0);
  let hits = 0;
  const hitScenario = new Map<string, number>();
  for (const a of alerts) {
    const parts = entityParts(a.entity);
    const matched = new Set<string>();
    episodes.forEach((ep, i) => {
      if (a.start > ep.end || a.end < ep.start) return;
      if (!parts.some((p) => ep.entities.has(p))) return;
      hitsPerEpisode[i] = (hitsPerEpisode[i] as number) + 1;
      firstHit[i] = Math.min(firstHit[i] as number, a.at);
      matched.add(ep.scenario);
    });
    if (matched.size > 0) hits++;
    for (const s of matched) hitScenario.set(s, (hitScenario.get(s) ?? 0) + 1);
  }
  const falseAlerts = alerts.length - hits;
  const ttd = (idx: number[]) =>
    spread(
      idx
        .filter((i) => Number.isFinite(firstHit[i]))
        .map((i) => Math.max(0, (firstHit[i] as number) - (episodes[i] as Episode).start)),
    );
  const scenarios: Record<string, ScenarioSummary> = {};
  const names = [...new Set(episodes.map((e) => e.scenario))].sort();
  for (const name of names) {
    const idx = episodes.flatMap((e, i) => (e.scenario === name ? [i] : []));
    const detected = idx.filter((i) => Number.isFinite(firstHit[i])).length;
    const h = hitScenario.get(name) ?? 0;
    scenarios[name] = {
      episodes: idx.length,
      detected,
      recall: ratio(detected, idx.length),
      hits: h,
      precision: ratio(h, h + falseAlerts),
      timeToDetectMs: ttd(idx),
    };
  }
  const all = episodes.map((_, i) => i);
  const detected = all.filter((i) => Number.isFinite(firstHit[i])).length;
  return {
    ...base,
    hits,
    falseAlerts,
    precision: ratio(hits, alerts.length),
    recall: ratio(detected, episodes.length),
    timeToDetectMs: ttd(all),
    scenarios,
  };
}

/** Flat numeric metrics for the registry (a promotion policy reads these). */
export function runMetrics(s: RunSummary, extra: Record<string, number> = {}): Record<string, number> {
  const m: Record<string, number> = { alerts: s.alerts, alerts_per_hour: s.meanAlertsPerHour, ...extra };
  if (s.labelled) {
    m.hits = s.hits ?? 0;
    m.false_alerts = s.falseAlerts ?? 0;
    m.precision = s.precision ?? 0;
    m.recall = s.recall ?? 0;
    if (s.timeToDetectMs) m.ttd_median_ms = s.timeToDetectMs.median;
    for (const [name, sc] of Object.entries(s.scenarios ?? {})) m[`recall.${name}`] = sc.recall;
  }
  return m;
}
