// Who changed what, when: config changes, promotions, triage actions and key changes are appended to
// the `audit` topic (append-only, replayable like everything else).
import type { EventLog } from '../ingest/log/types.ts';
import type { Principal } from './auth/keys.ts';

export const AUDIT_TOPIC = 'audit';

export interface AuditEntry {
  at: string;
  who: string;
  role: string;
  action: string;
  target: string;
  detail?: unknown;
}

export class AuditLog {
  constructor(private readonly log: EventLog) {}

  async record(who: Principal, action: string, target: string, detail?: unknown): Promise<void> {
    await this.log.ensureTopic(AUDIT_TOPIC);
    const entry: AuditEntry = {
      at: new Date().toISOString(),
      who: who.name,
      role: who.role,
      action,
      target,
      detail,
    };
    await this.log.append(AUDIT_TOPIC, [{ key: target, value: JSON.stringify(entry) }]);
  }

  async recent(limit = 100): Promise<AuditEntry[]> {
    if (!(await this.log.listTopics()).includes(AUDIT_TOPIC)) return [];
    const latest = await this.log.latestOffset(AUDIT_TOPIC, 0);
    const from = Math.max(await this.log.earliestOffset(AUDIT_TOPIC, 0), latest - limit);
    const records = await this.log.read(AUDIT_TOPIC, 0, from, { maxRecords: limit });
    return records.map((r) => JSON.parse(r.value.toString()) as AuditEntry).reverse();
  }
}
