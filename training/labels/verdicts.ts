// Analyst verdicts on alerts, as the `verdicts` topic carries them: {alert_id, entity, ts, verdict}.
// A verdict labels the entity's window that ends at or just after the alert time (a model alert is
// stamped with its window's end; a triage alert with its event's time, inside the window).
import type { EventLog } from '../../ingest/log/types.ts';

export const VERDICTS_TOPIC = 'verdicts';

export interface Verdict {
  alertId: string | null;
  entity: string;
  ts: number;
  /** 1: the alert was right (malicious), 0: a false positive. */
  label: number;
}

const POSITIVE = new Set(['true_positive', 'tp', 'malicious', 'confirmed', 'escalated', 'true']);
const NEGATIVE = new Set(['false_positive', 'fp', 'benign', 'dismissed', 'false']);

/** Parses one verdict record; null when it is not one (or its verdict is undecided, e.g. "open"). */
export function parseVerdict(value: unknown): Verdict | null {
  if (value === null || typeof value !== 'object') return null;
  const v = value as Record<string, unknown>;
  if (typeof v.entity !== 'string' || v.entity === '') return null;
  const ts = typeof v.ts === 'number' ? v.ts : typeof v.ts === 'string' ? Date.parse(v.ts) : Number.NaN;
  if (!Number.isFinite(ts)) return null;
  const raw = typeof v.verdict === 'boolean' ? String(v.verdict) : String(v.verdict ?? '').toLowerCase();
  const label = POSITIVE.has(raw) ? 1 : NEGATIVE.has(raw) ? 0 : null;
  if (label === null) return null;
  return { alertId: typeof v.alert_id === 'string' ? v.alert_id : null, entity: v.entity, ts, label };
}

/** Every decided verdict on the topic (all partitions); unreadable records are counted, not fatal. */
export async function readVerdicts(
  log: EventLog,
  topic = VERDICTS_TOPIC,
): Promise<{ verdicts: Verdict[]; skipped: number }> {
  const verdicts: Verdict[] = [];
  let skipped = 0;
  if (!(await log.listTopics()).includes(topic)) return { verdicts, skipped };
  const info = await log.describeTopic(topic);
  for (const p of info.partitions) {
    let offset = p.earliest;
    while (offset < p.latest) {
      const records = await log.read(topic, p.partition, offset, { maxRecords: 5000 });
      if (records.length === 0) break;
      for (const r of records) {
        let parsed: Verdict | null = null;
        try {
          parsed = parseVerdict(JSON.parse(r.value.toString('utf8')));
        } catch {
          parsed = null;
        }
        if (parsed) verdicts.push(parsed);
        else skipped++;
      }
      offset = (records.at(-1)?.offset ?? offset) + 1;
    }
  }
  return { verdicts, skipped };
}
