// Joins labels onto (entity, window) rows from any mix of sources. Each source says 1, 0 or "don't
// know" (null) for a row; the row's label is 1 when any source says 1, else 0 when any says 0, else
// null (unlabelled). Only what is known about the row's own window is used: intervals and verdicts
// are matched by time overlap with the window, a data column by the window's own events.
import type { LabelInterval } from './label-file.ts';
import type { Verdict } from './verdicts.ts';

export type LabelSource =
  /** CEL predicate over events: a window is 1 when any of its events matches, 0 when none does. */
  | { kind: 'column'; expr: string }
  /** Entities in the list are 1, all others 0 (a pair entity `a>b` matches on either side). */
  | { kind: 'indicators'; indicators: ReadonlySet<string> }
  /** Analyst verdicts on alerts; windows without one are unknown. */
  | { kind: 'verdicts'; verdicts: readonly Verdict[] }
  /** Labelled intervals (label file, simulator ground truth); time outside them is `unlabelled` (default 0). */
  | { kind: 'intervals'; intervals: readonly LabelInterval[]; unlabelled?: 0 | null };

export interface LabelRow {
  entity: string;
  start: number;
  end: number;
  /** For a `column` source: the share of the window's events that matched (null: none evaluated). */
  columnHit?: number | null;
}

export interface RowLabel {
  label: number | null;
  /** The scenario of the labelled interval that made the row positive, when it has one. */
  scenario: string | null;
}

/** The entities a row's entity stands for: itself, and both sides of a `src>dst` pair entity. */
export function entityParts(entity: string): string[] {
  const i = entity.indexOf('>');
  return i > 0 ? [entity, entity.slice(0, i), entity.slice(i + 1)] : [entity];
}

function byEntity<T extends { entity: string }>(items: readonly T[]): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const it of items) {
    const list = m.get(it.entity);
    if (list) list.push(it);
    else m.set(it.entity, [it]);
  }
  return m;
}

export function createLabeler(sources: readonly LabelSource[]): (row: LabelRow) => RowLabel {
  const judges = sources.map((s): ((row: LabelRow) => RowLabel) => {
    switch (s.kind) {
      case 'column':
        return (row) => ({
          label: row.columnHit === undefined || row.columnHit === null ? null : row.columnHit > 0 ? 1 : 0,
          scenario: null,
        });
      case 'indicators':
        return (row) => ({
          label: entityParts(row.entity).some((e) => s.indicators.has(e)) ? 1 : 0,
          scenario: null,
        });
      case 'verdicts': {
        const index = byEntity(s.verdicts);
        return (row) => {
          let label: number | null = null;
          for (const e of entityParts(row.entity)) {
            for (const v of index.get(e) ?? []) {
              // (start, end]: a model alert is stamped with its window's end.
              if (v.ts > row.start && v.ts <= row.end) label = Math.max(label ?? 0, v.label);
            }
          }
          return { label, scenario: null };
        };
      }
      default: {
        // 'intervals'
        const index = byEntity(s.intervals);
        const unlabelled = s.unlabelled === undefined ? 0 : s.unlabelled;
        return (row) => {
          let best: LabelInterval | null = null;
          // A pair `src>dst` is labelled by its source's intervals (ground truth lists attackers as src).
          const parts = entityParts(row.entity);
          for (const e of parts.length > 1 ? [parts[0] as string, parts[1] as string] : parts) {
            for (const iv of index.get(e) ?? []) {
              if (iv.start < row.end && iv.end >= row.start && (best === null || iv.label > best.label))
                best = iv;
            }
          }
          return best
            ? { label: best.label, scenario: best.scenario }
            : { label: unlabelled, scenario: null };
        };
      }
    }
  });
  return (row) => {
    let label: number | null = null;
    let scenario: string | null = null;
    for (const judge of judges) {
      const r = judge(row);
      if (r.label === null) continue;
      if (label === null || r.label > label) {
        label = r.label;
        scenario = r.scenario;
      } else if (r.label === label && scenario === null) scenario = r.scenario;
    }
    return { label, scenario };
  };
}
