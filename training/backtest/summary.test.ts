import { describe, expect, it } from 'vitest';
import { type BacktestAlert, episodesFrom, runMetrics, summarizeRun } from './summary.ts';

const H = Date.parse('2026-11-30T08:00:00.000Z');
const M = 60_000;
const alert = (entity: string, start: number, end: number, at = end): BacktestAlert => ({
  id: `${entity}@${at}`,
  entity,
  start,
  end,
  at,
  severity: 99,
  title: 't',
});

describe('summarizeRun', () => {
  const episodes = episodesFrom([
    { entity: '1.1.1.1', start: H + 10 * M, end: H + 20 * M, label: 1, scenario: 'scan' },
    { entity: '1.1.1.2', start: H + 10 * M, end: H + 20 * M, label: 1, scenario: 'scan' }, // same episode, 2nd source
    { entity: '2.2.2.2', start: H + 70 * M, end: H + 80 * M, label: 1, scenario: 'dga' },
    { entity: '3.3.3.3', start: H, end: H + 90 * M, label: 0, scenario: 'benign' }, // negatives are not episodes
  ]);

  it('groups intervals into episodes', () => {
    expect(episodes.map((e) => [e.scenario, [...e.entities]])).toEqual([
      ['scan', ['1.1.1.1', '1.1.1.2']],
      ['dga', ['2.2.2.2']],
    ]);
  });

  it('counts alerts per hour, hits, precision, recall and time to detect per scenario', () => {
    const alerts = [
      alert('1.1.1.2', H + 15 * M, H + 20 * M - 1, H + 20 * M), // hits scan: detected 10 min after its start
      alert('1.1.1.1>9.9.9.9', H + 15 * M, H + 25 * M, H + 25 * M), // pair entity, also scan
      alert('1.1.1.1', H + 25 * M, H + 30 * M, H + 30 * M), // after the episode: false
      alert('4.4.4.4', H + 70 * M, H + 75 * M, H + 75 * M), // wrong entity: false
      alert('2.2.2.2', H + 60 * M, H + 65 * M, H + 65 * M), // before the dga episode: false
    ];
    const s = summarizeRun(alerts, episodes, { start: H, end: H + 2 * 60 * M });
    expect(s.alertsPerHour).toEqual({ '2026-11-30T08:00Z': 3, '2026-11-30T09:00Z': 2 });
    expect(s.meanAlertsPerHour).toBe(2.5);
    expect(s.hits).toBe(2);
    expect(s.falseAlerts).toBe(3);
    expect(s.precision).toBeCloseTo(0.4);
    expect(s.recall).toBe(0.5);
    expect(s.scenarios?.scan).toEqual({
      episodes: 1,
      detected: 1,
      recall: 1,
      hits: 2,
      precision: 0.4,
      timeToDetectMs: { min: 10 * M, median: 10 * M, max: 10 * M },
    });
    expect(s.scenarios?.dga).toMatchObject({ detected: 0, recall: 0, hits: 0, timeToDetectMs: null });
    const m = runMetrics(s, { auroc: 0.9 });
    expect(m).toMatchObject({
      alerts: 5,
      hits: 2,
      recall: 0.5,
      'recall.scan': 1,
      'recall.dga': 0,
      auroc: 0.9,
      ttd_median_ms: 10 * M,
    });
  });

  it('reports volumes only without labels, with empty hours kept', () => {
    const s = summarizeRun([alert('a', H, H, H + 150 * M)], null, { start: H, end: H + 3 * 60 * M });
    expect(s).toEqual({
      alerts: 1,
      alertsPerHour: { '2026-11-30T08:00Z': 0, '2026-11-30T09:00Z': 0, '2026-11-30T10:00Z': 1 },
      meanAlertsPerHour: 1 / 3,
      labelled: false,
    });
    expect(runMetrics(s)).toEqual({ alerts: 1, alerts_per_hour: 1 / 3 });
  });
});
