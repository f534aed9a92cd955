import { describe, expect, it } from 'vitest';
import { LabelFileError, parseIndicatorList, parseLabelFile } from './label-file.ts';
import { createLabeler } from './labeler.ts';
import { parseVerdict } from './verdicts.ts';

const T = Date.parse('2026-11-30T08:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();

describe('label files', () => {
  it('reads (entity, start, end, label) JSON lines, CSV, and the simulator ground truth', () => {
    const jsonl = [
      JSON.stringify({
        entity: '10.0.0.1',
        start: iso(T),
        end: iso(T + 60_000),
        label: 'malicious',
        scenario: 'x',
      }),
      '',
      JSON.stringify({ entity: '10.0.0.2', start: T, end: T + 1, label: 0 }),
    ].join('\n');
    expect(parseLabelFile(jsonl)).toEqual([
      { entity: '10.0.0.1', start: T, end: T + 60_000, label: 1, scenario: 'x' },
      { entity: '10.0.0.2', start: T, end: T + 1, label: 0, scenario: null },
    ]);
    const csv = `entity,start,end,label\n10.0.0.3,${iso(T)},${T + 5},benign\n10.0.0.4,${T},${T + 9},\n`;
    expect(parseLabelFile(csv)).toEqual([
      { entity: '10.0.0.3', start: T, end: T + 5, label: 0, scenario: null },
      { entity: '10.0.0.4', start: T, end: T + 9, label: 1, scenario: null },
    ]);
    const truth = JSON.stringify({
      scenario: 'dga',
      episode: 0,
      entities: { src: ['10.10.1.4', '10.10.1.5'], dst: ['10.20.0.53'] },
      start: iso(T),
      end: iso(T + 600_000),
      details: {},
    });
    expect(parseLabelFile(truth).map((l) => [l.entity, l.label, l.scenario])).toEqual([
      ['10.10.1.4', 1, 'dga'],
      ['10.10.1.5', 1, 'dga'],
    ]);
  });

  it('names the file and line of a bad record', () => {
    const bad = `${JSON.stringify({ entity: 'a', start: T, end: T })}\n${JSON.stringify({ entity: 'b', start: 'yesterday', end: T })}`;
    expect(() => parseLabelFile(bad, 'labels.jsonl')).toThrow(/labels\.jsonl:2: start: not an ISO-8601/);
    expect(() => parseLabelFile(`{"entity":"a","start":${T + 5},"end":${T}}`, 'f')).toThrow(LabelFileError);
    expect(() => parseLabelFile('who,when\nx,y', 'l.csv')).toThrow(/l\.csv:1: CSV header/);
  });

  it('reads indicator lists, plain or as intel.csv', () => {
    expect([
      ...parseIndicatorList('indicator,type,threat,source\n1.2.3.4,ip,c2,sim\nevil.example,domain,c2,sim\n'),
    ]).toEqual(['1.2.3.4', 'evil.example']);
    expect([...parseIndicatorList('# list\n5.6.7.8\n\n')]).toEqual(['5.6.7.8']);
  });
});

describe('labeler', () => {
  const row = (entity: string, start: number, end: number) => ({ entity, start, end });

  it('joins intervals by entity and window overlap, pair entities by their source', () => {
    const label = createLabeler([
      {
        kind: 'intervals',
        intervals: [{ entity: '10.0.0.1', start: T + 100, end: T + 200, label: 1, scenario: 'scan' }],
      },
    ]);
    expect(label(row('10.0.0.1', T, T + 100))).toEqual({ label: 0, scenario: null }); // window ends as the episode starts
    expect(label(row('10.0.0.1', T + 50, T + 150))).toEqual({ label: 1, scenario: 'scan' });
    expect(label(row('10.0.0.1', T + 200, T + 300))).toEqual({ label: 1, scenario: 'scan' }); // end is inclusive
    expect(label(row('10.0.0.1>8.8.8.8', T + 150, T + 160))).toEqual({ label: 1, scenario: 'scan' });
    expect(label(row('8.8.8.8>10.0.0.1', T + 150, T + 160))).toEqual({ label: 0, scenario: null });
    expect(label(row('10.0.0.2', T + 150, T + 160))).toEqual({ label: 0, scenario: null });
  });

  it('combines sources: any 1 wins, else any 0, else unknown', () => {
    const verdicts = [
      { alertId: 'a', entity: '10.0.0.9', ts: T + 300, label: 0 },
      { alertId: 'b', entity: '10.0.0.8', ts: T + 300, label: 1 },
    ];
    const onlyVerdicts = createLabeler([{ kind: 'verdicts', verdicts }]);
    expect(onlyVerdicts(row('10.0.0.9', T, T + 300)).label).toBe(0);
    expect(onlyVerdicts(row('10.0.0.9', T + 300, T + 600)).label).toBe(null); // (start, end]
    expect(onlyVerdicts(row('10.0.0.7', T, T + 300)).label).toBe(null);
    const both = createLabeler([
      { kind: 'verdicts', verdicts },
      { kind: 'indicators', indicators: new Set(['10.0.0.9', '6.6.6.6']) },
    ]);
    expect(both(row('10.0.0.9', T, T + 300)).label).toBe(1);
    expect(both(row('10.0.0.1>6.6.6.6', T, T + 300)).label).toBe(1);
    expect(both(row('10.0.0.7', T, T + 300)).label).toBe(0);
    const column = createLabeler([{ kind: 'column', expr: 'x' }]);
    expect(column({ ...row('a', T, T + 1), columnHit: 0.25 }).label).toBe(1);
    expect(column({ ...row('a', T, T + 1), columnHit: 0 }).label).toBe(0);
    expect(column({ ...row('a', T, T + 1), columnHit: null }).label).toBe(null);
  });

  it('reads verdict records and skips undecided or malformed ones', () => {
    expect(parseVerdict({ alert_id: 'x', entity: 'e', ts: iso(T), verdict: 'FALSE_POSITIVE' })).toEqual({
      alertId: 'x',
      entity: 'e',
      ts: T,
      label: 0,
    });
    expect(parseVerdict({ alert_id: 'x', entity: 'e', ts: T, verdict: 'open' })).toBe(null);
    expect(parseVerdict({ entity: '', ts: T, verdict: 'true_positive' })).toBe(null);
    expect(parseVerdict('nope')).toBe(null);
  });
});
