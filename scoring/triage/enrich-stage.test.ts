import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openEmbeddedLog } from '../../ingest/log/embedded/index.ts';
import type { EventLog } from '../../ingest/log/types.ts';
import { runUntilDrained, StageRunner } from '../../ingest/pipeline/runner.ts';
import { tempDir } from '../../test/helpers/tmp.ts';
import { parseEnrichConfig } from './config.ts';
import { createEnrichStage } from './enrich-stage.ts';

const temps: { remove: () => void }[] = [];
afterEach(() => {
  for (const t of temps.splice(0)) t.remove();
});

async function freshLog(partitions = 2): Promise<{ log: EventLog; dir: string }> {
  const tmp = tempDir('vigil-enrich-stage-');
  temps.push(tmp);
  const log = await openEmbeddedLog(tmp.dir, { fsync: false });
  await log.ensureTopic('events', { partitions });
  return { log, dir: tmp.dir };
}

function connEvent(i: number, port = 22) {
  const ts = Date.UTC(2026, 11, 4, 12, 0, 0) + i * 1000;
  return {
    key: `k${i}`,
    timestamp: ts,
    value: JSON.stringify({
      '@timestamp': new Date(ts).toISOString(),
      event: { id: `ev-${i}`, dataset: 'zeek', module: 'zeek', provider: 'conn' },
      observer: { type: 'zeek' },
      source: { ip: `10.0.0.${i % 5}`, port: 40000 + i },
      destination: { ip: '81.2.69.142', port },
      network: { transport: 'tcp' },
    }),
  };
}

async function values(log: EventLog, topic: string): Promise<Record<string, any>[]> {
  const out: Record<string, any>[] = [];
  const info = await log.describeTopic(topic).catch(() => undefined);
  for (const p of info?.partitions ?? []) {
    let offset = p.earliest;
    while (offset < p.latest) {
      const batch = await log.read(topic, p.partition, offset, { maxRecords: 1000 });
      for (const r of batch) out.push(JSON.parse(r.value.toString('utf8')));
      offset = (batch.at(-1)?.offset ?? offset) + 1;
    }
  }
  return out;
}

async function waitFor(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 2000; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('condition not reached');
}

const CONFIG_A = `
sigma: {enabled: false}
defaults:
  triage:
    threshold: 50
    rules:
      - {name: ssh, rule: destination.port == 22, score: 60}
`;
const CONFIG_B = `
sigma: {enabled: false}
defaults:
  triage:
    threshold: 50
    rules:
      - {name: ssh, rule: destination.port == 22, score: 10}
      - {name: ssh-external, rule: destination.port == 22 && isPublicIp(destination.ip), score: 80}
`;

describe('enrich stage', () => {
  it('reloads its config while running without losing or repeating an event, and rejects a bad one', async () => {
    const { log, dir } = await freshLog();
    const configPath = join(dir, 'enrich.yaml');
    writeFileSync(configPath, CONFIG_A);
    const stage = createEnrichStage({ config: configPath });
    const runner = new StageRunner(log, stage, { maxBatchRecords: 25, pollMs: 20 });
    await runner.start();

    await log.append(
      'events',
      Array.from({ length: 200 }, (_, i) => connEvent(i)),
    );
    await waitFor(async () => (await values(log, 'events.enriched')).length === 200);

    // Reload while more events stream in, in several appends around the swap.
    writeFileSync(configPath, CONFIG_B);
    const appends = (async () => {
      for (let chunk = 0; chunk < 8; chunk++) {
        await log.append(
          'events',
          Array.from({ length: 25 }, (_, i) => connEvent(200 + chunk * 25 + i)),
        );
        await new Promise((r) => setTimeout(r, 5));
      }
    })();
    const report = await stage.reload();
    await appends;
    expect(report.triageRules).toBe(2);
    expect(stage.generation).toBe(1);

    // A bad config is refused with its position; the running config stays.
    writeFileSync(configPath, CONFIG_B.replace('destination.port == 22 && ', 'destination.port == && '));
    await expect(stage.reload()).rejects.toThrow(/position/);
    expect(stage.generation).toBe(1);

    await log.append(
      'events',
      Array.from({ length: 50 }, (_, i) => connEvent(400 + i)),
    );
    await waitFor(async () => (await values(log, 'events.enriched')).length >= 450);
    await runner.stop();

    const enriched = await values(log, 'events.enriched');
    const ids = enriched.map((e) => e.event.id);
    expect(new Set(ids).size).toBe(450);
    expect(enriched).toHaveLength(450);
    for (const e of enriched) {
      const rules = e.vigil.triage.rules
        .map((r: { name: string; score: number }) => `${r.name}:${r.score}`)
        .join(',');
      expect(['ssh:60', 'ssh:10,ssh-external:80']).toContain(rules); // one config or the other, never a mix
      const n = Number(e.event.id.slice(3));
      if (n < 200) expect(rules).toBe('ssh:60');
      if (n >= 400) expect(rules).toBe('ssh:10,ssh-external:80');
    }
    await log.close();
  });

  it('picks up a changed intel file while running (watch)', async () => {
    const { log, dir } = await freshLog(1);
    const intel = join(dir, 'intel.csv');
    writeFileSync(intel, 'indicator,type\n198.51.100.1,ip\n');
    const configPath = join(dir, 'enrich.yaml');
    writeFileSync(
      configPath,
      [
        'sigma: {enabled: false}',
        'intel: {sources: [{path: intel.csv}]}',
        'defaults: {triage: {rules: [{name: c2, rule: \'intel(destination.ip, "ip")\', score: 90}]}}',
      ].join('\n'),
    );
    const stage = createEnrichStage({ config: configPath, watch: true });
    const runner = new StageRunner(log, stage, { pollMs: 20 });
    await runner.start();
    await log.append('events', [connEvent(1)]);
    await waitFor(async () => (await values(log, 'events.enriched')).length === 1);
    writeFileSync(intel, 'indicator,type\n198.51.100.1,ip\n81.2.69.142,ip\n');
    await waitFor(async () => stage.generation >= 1);
    await log.append('events', [connEvent(2)]);
    await waitFor(async () => (await values(log, 'events.enriched')).length === 2);
    await runner.stop();
    const [before, after] = await values(log, 'events.enriched');
    expect(before?.vigil.triage.rules).toEqual([]);
    expect(after?.vigil.triage.rules.map((r: { name: string }) => r.name)).toEqual(['c2']);
    expect(after?.threat.enrichments[0].indicator.value).toBe('81.2.69.142');
    await log.close();
  });

  it('stays exactly-once across a restart: dedup state rides the snapshot', async () => {
    const config = parseEnrichConfig(CONFIG_A);
    const events = Array.from({ length: 120 }, (_, i) => connEvent(i));

    // One partition: the order events reach the stage is then the same however the runs are cut.
    const ref = await freshLog(1);
    await ref.log.append('events', events);
    await runUntilDrained(ref.log, createEnrichStage({ config }), { maxBatchRecords: 16 });
    const expected = (await values(ref.log, 'alerts')).map((a) => a.id).sort();
    // 5 sources × 1 rule, all within the 10 min window: 5 alerts.
    expect(expected).toHaveLength(5);
    await ref.log.close();

    const split = await freshLog(1);
    await split.log.append('events', events.slice(0, 7));
    await runUntilDrained(split.log, createEnrichStage({ config }), { maxBatchRecords: 16 });
    await split.log.append('events', events.slice(7));
    await runUntilDrained(split.log, createEnrichStage({ config }), { maxBatchRecords: 16 });
    expect((await values(split.log, 'alerts')).map((a) => a.id).sort()).toEqual(expected);
    expect(await values(split.log, 'events.enriched')).toHaveLength(120);
    await split.log.close();
  });

  it('turns undecodable input into error records and keeps going', async () => {
    const { log } = await freshLog();
    await log.append('events', [{ value: 'not json' }, { value: '[1,2]' }, connEvent(1, 443)]);
    const stats = await runUntilDrained(log, createEnrichStage({ config: parseEnrichConfig(CONFIG_A) }));
    expect(stats.errors).toBe(2);
    const errors = await values(log, 'errors');
    expect(errors.map((e) => [e.kind, e.raw])).toEqual([
      ['invalid-event', 'not json'],
      ['invalid-event', '[1,2]'],
    ]);
    expect(await values(log, 'events.enriched')).toHaveLength(1);
    await log.close();
  });
});
