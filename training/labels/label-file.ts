// Label files: (entity, time range, label) as JSON lines or CSV, and the simulator's ground truth
// (`ground-truth.jsonl`: {scenario, episode, entities: {src, dst}, start, end}) read as one labelled
// interval per source entity. Errors name the file and line, like config errors do.
import { readFileSync } from 'node:fs';
import { z } from 'zod';

/** A labelled stretch of time for one entity; `end` is inclusive (the last event of an episode). */
export interface LabelInterval {
  entity: string;
  start: number;
  end: number;
  label: number;
  scenario: string | null;
}

export class LabelFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LabelFileError';
  }
}

const instant = z.union([z.number(), z.string()]).transform((v, ctx) => {
  const ms = typeof v === 'number' ? v : /^\d+$/.test(v) ? Number(v) : Date.parse(v);
  if (!Number.isFinite(ms)) {
    ctx.addIssue({ code: 'custom', message: `not an ISO-8601 time or epoch ms: ${String(v)}` });
    return z.NEVER;
  }
  return ms;
});

const labelValue = z.union([z.number(), z.boolean(), z.string()]).transform((v, ctx) => {
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'number') return v;
  const s = v.trim().toLowerCase();
  if (['1', 'true', 'malicious', 'attack', 'positive', 'true_positive'].includes(s)) return 1;
  if (['0', 'false', 'benign', 'normal', 'negative', 'false_positive'].includes(s)) return 0;
  const n = Number(s);
  if (s !== '' && Number.isFinite(n)) return n;
  ctx.addIssue({ code: 'custom', message: `not a label: ${v}` });
  return z.NEVER;
});

const intervalLine = z
  .object({
    entity: z.string().min(1),
    start: instant,
    end: instant,
    label: labelValue.default(1),
    scenario: z.string().optional(),
  })
  .passthrough();

const groundTruthLine = z
  .object({
    scenario: z.string().min(1),
    entities: z.object({ src: z.array(z.string()), dst: z.array(z.string()).optional() }),
    start: instant,
    end: instant,
  })
  .passthrough();

function issues(err: z.ZodError): string {
  return err.issues.map((i) => `${i.path.join('.') || '(line)'}: ${i.message}`).join('; ');
}

function checkOrder(iv: LabelInterval, where: string): LabelInterval {
  if (iv.end < iv.start) throw new LabelFileError(`${where}: end is before start`);
  return iv;
}

/** Parses a label file's text: JSON lines (interval or ground-truth records) or CSV with a header. */
export function parseLabelFile(text: string, source = '<labels>'): LabelInterval[] {
  const lines = text.split(/\r?\n/);
  const first = lines.find((l) => l.trim() !== '');
  if (first === undefined) return [];
  return first.trimStart().startsWith('{') ? parseJsonLines(lines, source) : parseCsv(lines, source);
}

function parseJsonLines(lines: string[], source: string): LabelInterval[] {
  const out: LabelInterval[] = [];
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    const where = `${source}:${i + 1}`;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (err) {
      throw new LabelFileError(`${where}: not JSON: ${(err as Error).message}`);
    }
    if (value !== null && typeof value === 'object' && 'entities' in value) {
      const r = groundTruthLine.safeParse(value);
      if (!r.success) throw new LabelFileError(`${where}: ${issues(r.error)}`);
      for (const entity of r.data.entities.src) {
        out.push(
          checkOrder(
            { entity, start: r.data.start, end: r.data.end, label: 1, scenario: r.data.scenario },
            where,
          ),
        );
      }
      return;
    }
    const r = intervalLine.safeParse(value);
    if (!r.success) throw new LabelFileError(`${where}: ${issues(r.error)}`);
    const { entity, start, end, label, scenario } = r.data;
    out.push(checkOrder({ entity, start, end, label, scenario: scenario ?? null }, where));
  });
  return out;
}

function parseCsv(lines: string[], source: string): LabelInterval[] {
  const header = (lines[0] ?? '').split(',').map((h) => h.trim().toLowerCase());
  const col = (name: string) => header.indexOf(name);
  for (const name of ['entity', 'start', 'end']) {
    if (col(name) < 0)
      throw new LabelFileError(`${source}:1: CSV header needs entity,start,end[,label][,scenario]`);
  }
  const out: LabelInterval[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i] as string;
    if (line.trim() === '') continue;
    const cells = line.split(',').map((c) => c.trim());
    const get = (name: string) => (col(name) >= 0 ? cells[col(name)] : undefined);
    const r = intervalLine.safeParse({
      entity: get('entity'),
      start: get('start'),
      end: get('end'),
      label: get('label') === undefined || get('label') === '' ? undefined : get('label'),
      scenario: get('scenario') || undefined,
    });
    const where = `${source}:${i + 1}`;
    if (!r.success) throw new LabelFileError(`${where}: ${issues(r.error)}`);
    const { entity, start, end, label, scenario } = r.data;
    out.push(checkOrder({ entity, start, end, label, scenario: scenario ?? null }, where));
  }
  return out;
}

export function loadLabelFile(path: string): LabelInterval[] {
  return parseLabelFile(readFileSync(path, 'utf8'), path);
}

/**
 * An indicator list: one indicator per line, or a CSV whose first column is the indicator (the
 * simulator's intel.csv: `indicator,type,threat,source`). Blank lines and `#` comments are skipped.
 */
export function parseIndicatorList(text: string): Set<string> {
  const out = new Set<string>();
  for (const [i, raw] of text.split(/\r?\n/).entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const first = (line.split(',')[0] as string).trim();
    if (i === 0 && first.toLowerCase() === 'indicator') continue;
    out.add(first);
  }
  return out;
}

export function loadIndicatorList(path: string): Set<string> {
  return parseIndicatorList(readFileSync(path, 'utf8'));
}
