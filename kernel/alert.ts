// The alert envelope every producer of alerts (triage rules, Sigma, profile triage, the model
// scorer) writes to the `alerts` topic. Producers may add fields; the store keeps the whole record.
import { z } from 'zod';

export const ALERTS_TOPIC = 'alerts';

export const alertKinds = ['triage', 'sigma', 'profile', 'model'] as const;

export const alertSchema = z.looseObject({
  /** Stable: the same detection of the same thing always gets the same id (dedup key). */
  id: z.string().min(1),
  '@timestamp': z.union([z.string(), z.number()]),
  kind: z.string().default('triage'),
  title: z.string().default('alert'),
  /** The main entity (usually a source IP). */
  entity: z.string().optional(),
  /** 0–100. */
  severity: z.number().min(0).max(100).optional(),
  score: z.number().optional(),
  reasons: z.array(z.string()).default([]),
});

export type Alert = z.output<typeof alertSchema>;

/** Severity names (Sigma levels, profile triage) on the 0–100 scale. */
export const SEVERITY_NAMES: Record<string, number> = {
  informational: 10,
  low: 30,
  medium: 50,
  high: 75,
  critical: 95,
};

/** Epoch ms of an alert's event time. */
export function alertTime(a: Pick<Alert, '@timestamp'>): number {
  const t = a['@timestamp'];
  return typeof t === 'number' ? t : Date.parse(t);
}

/**
 * Reads an alert from a topic value, filling what older producers named differently (`threat.score`,
 * `triage.score`, `window.end`). Returns a message when the value is no alert.
 */
export function parseAlert(value: string): Alert | string {
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(value);
  } catch (err) {
    return `alert is not JSON: ${(err as Error).message}`;
  }
  if (typeof raw !== 'object' || raw === null) return 'alert must be a JSON object';
  if (raw['@timestamp'] === undefined) {
    const w = raw.window as { end?: unknown } | undefined;
    if (typeof w?.end === 'number' || typeof w?.end === 'string') raw['@timestamp'] = w.end;
    else if (typeof raw.timestamp === 'number' || typeof raw.timestamp === 'string')
      raw['@timestamp'] = raw.timestamp;
  }
  // Profile triage alerts name their profile, entity and window: that triple is their stable id.
  const window = raw.window as { start?: unknown } | undefined;
  if (
    typeof raw.id !== 'string' &&
    typeof raw.profile === 'string' &&
    typeof raw.entity === 'string' &&
    window?.start !== undefined
  ) {
    raw.id = `profile:${raw.profile}:${raw.entity}:${String(window.start)}`;
    raw.kind ??= 'profile';
  }
  if (typeof raw.severity === 'string')
    raw.severity = SEVERITY_NAMES[raw.severity.toLowerCase()] ?? undefined;
  if (typeof raw.title !== 'string' && typeof raw.message === 'string') raw.title = raw.message;
  if (raw.severity === undefined) {
    const s =
      (raw.threat as { score?: unknown } | undefined)?.score ??
      (raw.triage as { score?: unknown } | undefined)?.score ??
      raw.score;
    if (typeof s === 'number' && Number.isFinite(s)) raw.severity = Math.max(0, Math.min(100, s));
  }
  if (typeof raw.entity !== 'string') {
    const ip =
      (raw.source as { ip?: unknown } | undefined)?.ip ??
      (raw.event as { source?: { ip?: unknown } } | undefined)?.source?.ip;
    if (typeof ip === 'string') raw.entity = ip;
  }
  if (typeof raw.title !== 'string' && typeof raw.name === 'string') raw.title = raw.name;
  const parsed = alertSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return `alert field ${issue.path.join('.') || '(root)'}: ${issue.message}`;
  }
  if (!Number.isFinite(alertTime(parsed.data)))
    return `alert @timestamp '${parsed.data['@timestamp']}' is not a time`;
  return parsed.data;
}
