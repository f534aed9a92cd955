// Events at or over the threshold become alerts. An alert's id is stable (a hash of its dedup key
// and the id of the event that opened it), so a replay yields the same ids; repeats of a key within
// the window (event time) are folded into the open alert. The dedup state is part of the stage's
// snapshot, so a restart neither repeats nor loses an alert.
import { createHash } from 'node:crypto';
import type { RuleMatch } from './rules.ts';

export interface TriageAlert {
  id: string;
  '@timestamp': string;
  kind: 'triage';
  title: string;
  /** The entity the alert is about: the source address when known. */
  entity: string;
  sensor: string;
  score: number;
  /** Score clamped to 0..100, comparable with model alerts. */
  severity: number;
  threshold: number;
  reasons: string[];
  rules: RuleMatch[];
  dedup: { key: string; window_ms: number };
  event: Record<string, unknown>;
}

interface OpenAlert {
  id: string;
  firstTs: number;
  count: number;
}

export function triageAlertId(dedupKey: string, eventId: string): string {
  return createHash('sha256').update(`triage\0${dedupKey}\0${eventId}`).digest('hex').slice(0, 32);
}

export class AlertDeduplicator {
  private open = new Map<string, OpenAlert>();
  private maxTs = Number.NEGATIVE_INFINITY;
  suppressed = 0;

  constructor(
    public windowMs: number,
    public maxKeys: number,
  ) {}

  get size(): number {
    return this.open.size;
  }

  /** Decides for an alert-worthy event: a new alert id, or undefined when it repeats an open one. */
  offer(key: string, timestampMs: number, eventId: string): string | undefined {
    if (timestampMs > this.maxTs) this.maxTs = timestampMs;
    const current = this.open.get(key);
    if (
      this.windowMs > 0 &&
      current !== undefined &&
      Math.abs(timestampMs - current.firstTs) < this.windowMs
    ) {
      current.count++;
      this.suppressed++;
      return undefined;
    }
    const id = triageAlertId(key, eventId);
    if (this.windowMs > 0) {
      this.open.delete(key); // re-insert so the map stays in opening order (oldest first)
      this.open.set(key, { id, firstTs: timestampMs, count: 1 });
      this.prune();
    }
    return id;
  }

  private prune(): void {
    const horizon = this.maxTs - this.windowMs;
    for (const [key, a] of this.open) {
      if (this.open.size <= this.maxKeys && a.firstTs >= horizon) break;
      this.open.delete(key);
    }
  }

  snapshot(): Buffer {
    return Buffer.from(
      JSON.stringify({ v: 1, maxTs: Number.isFinite(this.maxTs) ? this.maxTs : null, open: [...this.open] }),
    );
  }

  restore(state: Buffer): void {
    const data = JSON.parse(state.toString('utf8')) as {
      v: number;
      maxTs: number | null;
      open: [string, OpenAlert][];
    };
    if (data.v !== 1) throw new Error(`unknown alert dedup state version ${data.v}`);
    this.maxTs = data.maxTs ?? Number.NEGATIVE_INFINITY;
    this.open = new Map(data.open);
  }
}
