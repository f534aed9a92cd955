import { describe, expect, it } from 'vitest';
import { withExpressionProviders } from '../../kernel/expr/index.ts';
import { aggregateScores } from './aggregate.ts';
import { AlertDeduplicator } from './alerts.ts';
import { enrichConfigSchema, parseEnrichConfig } from './config.ts';
import { EnrichRuntime } from './runtime.ts';
import { TriageEngine } from './triage.ts';

describe('aggregateScores', () => {
  it('implements Metron aggregators and the allow-list', () => {
    const s = [10, 50, 30];
    expect(aggregateScores(s, 'MAX', true).score).toBe(50);
    expect(aggregateScores(s, 'MIN', true).score).toBe(10);
    expect(aggregateScores(s, 'SUM', true).score).toBe(90);
    expect(aggregateScores(s, 'MEAN', true).score).toBe(30);
    expect(aggregateScores([0, 40, 20, -0], 'POSITIVE_MEAN', true).score).toBe(30);
    expect(aggregateScores([], 'MAX', true)).toEqual({ score: 0, allowlisted: false });
    expect(aggregateScores([90, -100, -5], 'MAX', true)).toEqual({ score: -100, allowlisted: true });
    expect(aggregateScores([90, -100], 'SUM', false)).toEqual({ score: -10, allowlisted: false });
  });
});

const config = (rules: unknown[], extra: Record<string, unknown> = {}) =>
  enrichConfigSchema.parse({ sigma: { enabled: false }, defaults: { triage: { rules, ...extra } } });

describe('TriageEngine', () => {
  const event = {
    '@timestamp': '2026-12-04T23:10:00.000Z',
    source: { ip: '10.0.0.5', bytes: 'lots' },
    destination: { ip: '203.0.113.9', port: 22 },
  };
  const vars = { ...event, timestamp: Date.parse(event['@timestamp']) };

  it('scores matched rules with their reasons and records failures without stopping', () => {
    const engine = new TriageEngine(
      config([
        {
          name: 'ssh',
          rule: 'destination.port == 22',
          score: 40,
          reason: '"ssh to " + destination.ip',
          comment: 'c',
        },
        { name: 'night', rule: 'hour(timestamp) >= 22', score: 'destination.port * 2 + 1' },
        { name: 'bytes', rule: 'source.bytes > 100', score: 90 },
        { name: 'http', rule: 'http.request.method == "POST"', score: 90 },
        { name: 'nomatch', rule: 'destination.port == 80', score: 90 },
      ]),
      [],
    );
    const failures: string[] = [];
    const result = engine.evaluate(event, vars, 'zeek', (f) => failures.push(`${f.rule}: ${f.message}`));
    expect(result.rules).toEqual([
      { name: 'ssh', score: 40, reason: 'ssh to 203.0.113.9', comment: 'c', kind: 'rule' },
      { name: 'night', score: 45, reason: 'night', kind: 'rule' },
    ]);
    expect(result).toMatchObject({ score: 45, aggregator: 'MAX', alert: false, threshold: 50 });
    // The string compared with a number fails and is reported; the rule about absent `http` is not applicable.
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatch(/^bytes: .*position/);
  });

  it('lets an allow-list rule win and applies per-sensor rule sets and thresholds', () => {
    const cfg = enrichConfigSchema.parse({
      sigma: { enabled: false },
      defaults: { triage: { rules: [{ name: 'ssh', rule: 'destination.port == 22', score: 60 }] } },
      sensors: {
        lab: {
          triage: { rules: [{ name: 'lab scanner', rule: 'inCidr(source.ip, "10.0.0.0/24")', score: -100 }] },
        },
        strict: { triage: { threshold: 70 } },
      },
    });
    const engine = new TriageEngine(cfg, []);
    const none = () => {};
    expect(engine.evaluate(event, vars, 'zeek', none)).toMatchObject({ score: 60, alert: true });
    expect(engine.evaluate(event, vars, 'lab', none)).toMatchObject({
      score: -100,
      allowlisted: true,
      alert: false,
    });
    expect(engine.evaluate(event, vars, 'strict', none)).toMatchObject({ score: 60, alert: false });
  });

  it('rejects a bad rule at load with its place and position', () => {
    expect(
      () => new TriageEngine(config([{ name: 'x', rule: 'destination.port ==', score: 1 }]), []),
    ).toThrow(/defaults\.triage\.rules\[0\]\.rule \(x\): .*position 19/);
    expect(() => new TriageEngine(config([{ name: 'x', rule: '"not a bool"', score: 1 }]), [])).toThrow(
      /expected a bool/,
    );
    expect(() => new TriageEngine(config([{ name: 'x', rule: 'true', score: '"high"' }]), [])).toThrow(
      /score.*expected a number/,
    );
  });
});

describe('AlertDeduplicator', () => {
  it('folds repeats within the window (event time) and gives stable ids', () => {
    const d = new AlertDeduplicator(60_000, 100);
    const first = d.offer('k', 1_000, 'e1');
    expect(first).toMatch(/^[0-9a-f]{32}$/);
    expect(d.offer('k', 30_000, 'e2')).toBeUndefined();
    expect(d.offer('other', 30_000, 'e3')).toBeDefined();
    expect(d.offer('k', 61_000, 'e4')).not.toBe(first);
    expect(new AlertDeduplicator(60_000, 100).offer('k', 1_000, 'e1')).toBe(first);
    expect(d.suppressed).toBe(1);
  });

  it('survives snapshot/restore and forgets keys past the window', () => {
    const d = new AlertDeduplicator(60_000, 100);
    d.offer('k', 1_000, 'e1');
    const restored = new AlertDeduplicator(60_000, 100);
    restored.restore(d.snapshot());
    expect(restored.offer('k', 2_000, 'e2')).toBeUndefined();
    restored.offer('late', 500_000, 'e3');
    expect(restored.size).toBe(1);
  });

  it('never alerts twice with the window at zero', () => {
    const d = new AlertDeduplicator(0, 100);
    expect(d.offer('k', 1, 'a')).toBeDefined();
    expect(d.offer('k', 2, 'b')).toBeDefined();
    expect(d.size).toBe(0);
  });
});

describe('EnrichRuntime', () => {
  it('enriches, triages, and emits one alert per dedup key', async () => {
    const rt = await EnrichRuntime.load(
      parseEnrichConfig(
        [
          'sigma: {enabled: false}',
          'intel: {indicators: [{indicator: 203.0.113.9, type: ip, threat: c2}]}',
          'defaults:',
          '  triage:',
          '    rules:',
          '      - {name: intel, rule: \'intel(destination.ip, "ip")\', score: 90, reason: \'"c2 " + destination.ip\'}',
        ].join('\n'),
      ),
    );
    const dedup = new AlertDeduplicator(600_000, 100);
    const mk = (id: string) => ({
      event: { id },
      observer: { type: 'zeek' },
      source: { ip: '10.0.0.5' },
      destination: { ip: '203.0.113.9' },
    });
    const outcomes = rt.withProviders(() => [
      rt.process(mk('a'), 1_000, dedup),
      rt.process(mk('b'), 2_000, dedup),
    ]);
    expect(outcomes[0]?.alert).toMatchObject({
      kind: 'triage',
      title: 'intel',
      entity: '10.0.0.5',
      score: 90,
      reasons: ['c2 203.0.113.9'],
    });
    expect(outcomes[0]?.event).toMatchObject({
      event: { risk_score: 90 },
      threat: { enrichments: [expect.anything()] },
    });
    expect(outcomes[1]?.alert).toBeUndefined();
    expect(outcomes[1]?.triage.alert).toBe(true);
    // The lookups are scoped to the runtime: outside it, intel() has no provider.
    expect(() => withExpressionProviders({}, () => rt.process(mk('c'), 3_000, dedup))).not.toThrow();
  });
});
