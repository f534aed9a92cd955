import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openEmbeddedLog } from '../log/embedded/index.ts';
import { createIngest } from './ingest-components.ts';
import { loadSensors, loadSources } from './load.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-load-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('sensors and sources from the service config', () => {
  it('reads inline sections, reporting errors at their line in the config file', () => {
    const path = join(dir, 'vigil.yaml');
    writeFileSync(
      path,
      'api: { port: 0 }\nsensors:\n  - name: fw\n    parser: syslog-3164\n    timezone: Europe/Prague\nsources:\n  - type: syslog-udp\n    sensor: fw\n    port: 5514\n',
    );
    const { registry, file } = loadSensors(path);
    expect(file).toBe(path);
    expect(registry.current.get('fw')!.rawTopic).toBe('raw.fw');
    expect(loadSources(path).sources).toEqual([{ type: 'syslog-udp', sensor: 'fw', port: 5514 }]);
    writeFileSync(path, 'api: { port: 0 }\nsources:\n  - type: file\n    sensor: fw\n');
    expect(() => loadSources(path)).toThrow(`${path}:3: sources.0.path`);
    writeFileSync(path, 'sensors:\n  - name: fw\n    parser: syslog-3164\n    timezone: Nowhere/Land\n');
    expect(() => loadSensors(path)).toThrow(`${path}:4: sensors.0.timezone`);
  });

  it('follows a sensors path relative to the config file', () => {
    writeFileSync(join(dir, 'sensors.yaml'), 'sensors:\n  - name: web\n    parser: squid\n');
    writeFileSync(join(dir, 'vigil.yaml'), 'sensors: sensors.yaml\n');
    const { registry, file } = loadSensors(join(dir, 'vigil.yaml'));
    expect(file).toBe(join(dir, 'sensors.yaml'));
    expect(registry.current.rawTopics()).toEqual(['raw.web']);
  });

  it('falls back to one built-in sensor per option-less parser format', () => {
    const { registry, file } = loadSensors();
    expect(file).toBeNull();
    expect(registry.current.get('zeek-json')?.rawTopic).toBe('raw.zeek-json');
    expect(loadSources().sources).toEqual([]);
  });
});

describe('the example config (ingest/sensors/vigil.example.yaml)', () => {
  it('builds sensors and sources, and its transformations work on an ASA line', async () => {
    const log = await openEmbeddedLog(join(dir, 'log'), { fsync: false, retentionCheckMs: 0 });
    try {
      const ingest = createIngest({ log, configPath: join(import.meta.dirname, 'vigil.example.yaml') });
      expect(ingest.sources.map((s) => [s.type, s.topic])).toEqual([
        ['file', 'raw.zeek-tsv'],
        ['syslog-udp', 'raw.asa'],
        ['syslog-tcp', 'raw.asa'],
      ]);
      expect(ingest.describe()[0]).toBe('sensor     bro: raw.bro → zeek-json → events');
      const asa = ingest.sensors.current.get('asa')!;
      const line =
        '<166>Jan  5 08:52:35 10.22.8.216 %ASA-6-302021: Teardown ICMP connection for faddr 10.22.8.74/0(LOCAL\\user.name) gaddr 10.22.8.205/0 laddr 10.22.8.205/0';
      const r = asa.processLine(asa.newParser(), line, 0);
      expect(r.ok).toBe(true);
      if (!r.ok) return;
      const ev = r.events[0] as any;
      expect(ev.user.name).toBe('LOCAL\\user.name');
      expect(ev.labels.internal).toBe(true);
      expect(ev.log.syslog.priority).toBeUndefined();
      // Prague is UTC+1 in January.
      expect(ev['@timestamp']).toMatch(/-01-05T07:52:35\.000Z$/);
    } finally {
      await log.close();
    }
  });
});
