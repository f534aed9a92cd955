// The config resource with the real modules plugged in: the SensorRegistry, the enrich/triage stage
// and the profiler stage. A put is validated by the module's own parser (400 naming config/kind:line:
// field, the running config unchanged), hot-reloaded, audited, and the replaced version is kept.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertStore } from '../api/alerts/store.ts';
import { createApp } from '../api/app.ts';
import { AuditLog } from '../api/audit.ts';
import { KeyStore } from '../api/auth/keys.ts';
import {
  ConfigStore,
  enrichmentConfigStore,
  profilesConfigStore,
  sensorsConfigStore,
} from '../api/routes/config.ts';
import { parseProfilesConfig } from '../features/profile-config.ts';
import { createProfilerStage, type ProfilerStage } from '../features/stage.ts';
import { type EmbeddedLog, openEmbeddedLog } from '../ingest/log/embedded/index.ts';
import { SensorRegistry } from '../ingest/sensors/registry.ts';
import { parseEnrichConfig } from '../scoring/triage/config.ts';
import { createEnrichStage, type EnrichStage } from '../scoring/triage/enrich-stage.ts';
import { apiCaller } from './helpers/api.ts';
import { tempDir } from './helpers/tmp.ts';

const tmp = tempDir();
const SENSORS = 'sensors:\n  - name: bro\n    parser: zeek-json\n';
const ENRICH = `sigma: { enabled: false }
defaults:
  triage:
    threshold: 50
    rules:
      - name: telnet
        rule: destination.port == 23
        score: 60
        reason: '"telnet to " + destination.ip'
`;
const PROFILES = `profiles:
  - name: conns
    foreach: source.ip
    window: { size: 1m }
    aggregations:
      n: { op: count }
`;
let log: EmbeddedLog;
let alerts: AlertStore;
let app: ReturnType<typeof createApp>;
let sensors: SensorRegistry;
let enrich: EnrichStage;
let profiler: ProfilerStage;
let admin: string;
let analyst: string;

const call = apiCaller(() => app);
const put = (kind: string, body: string, key = admin, type = 'application/yaml') =>
  call(`/api/v1/config/${kind}`, key, { method: 'PUT', body, headers: { 'content-type': type } });

beforeAll(async () => {
  log = await openEmbeddedLog(join(tmp.dir, 'log'), { fsync: false });
  alerts = await AlertStore.open(join(tmp.dir, 'alerts.duckdb'));
  sensors = SensorRegistry.fromText(SENSORS);
  enrich = createEnrichStage({ config: parseEnrichConfig(ENRICH, 'enrich.yaml', tmp.dir) });
  await enrich.reload();
  profiler = createProfilerStage({ profiles: parseProfilesConfig(PROFILES) });
  const keys = new KeyStore(join(tmp.dir, 'keys.json'));
  admin = keys.create('root', 'admin').key;
  analyst = keys.create('ana', 'analyst').key;
  app = createApp({
    log,
    runners: () => [],
    ready: () => true,
    keys,
    alerts,
    audit: new AuditLog(log),
    configs: {
      sensors: sensorsConfigStore(sensors, SENSORS),
      enrichment: enrichmentConfigStore(enrich, ENRICH, tmp.dir),
      profiles: profilesConfigStore(profiler, PROFILES),
    },
    ingest: { sensors },
  });
});

afterAll(async () => {
  alerts.close();
  await log.close();
  tmp.remove();
});

describe('config API', () => {
  it('gets the running config, admin only', async () => {
    expect((await call('/api/v1/config/sensors', analyst)).status).toBe(403);
    const res = await call('/api/v1/config/sensors', admin);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ kind: 'sensors', version: 1, who: 'startup', text: SENSORS });
    expect(await (await call('/api/v1/config/sensors?format=text', admin)).text()).toBe(SENSORS);
    expect((await call('/api/v1/config/sensors?version=previous', admin)).status).toBe(404);
    const list = await (await call('/api/v1/config', admin)).json();
    expect(list.map((c: { kind: string }) => c.kind)).toEqual(['sensors', 'enrichment', 'profiles']);
  });

  it('hot-reloads sensors: the new sensor takes lines at once, the previous text is kept, audited', async () => {
    expect((await call('/api/v1/ingest/fw', admin, { method: 'POST', body: 'x' })).status).toBe(404);
    const next = `${SENSORS}  - name: fw\n    rawTopic: raw.firewall\n    parser: zeek-json\n`;
    const res = await put('sensors', next);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ version: 2, who: 'root' });
    expect(sensors.current.get('fw')?.rawTopic).toBe('raw.firewall');
    const ingested = await call('/api/v1/ingest/fw', admin, {
      method: 'POST',
      body: '{"a":1}',
      headers: { 'content-type': 'text/plain' },
    });
    expect(await ingested.json()).toMatchObject({ topic: 'raw.firewall', accepted: 1 });
    const prev = await (await call('/api/v1/config/sensors?version=previous', admin)).json();
    expect(prev).toMatchObject({ version: 1, text: SENSORS });
    const audit = await new AuditLog(log).recent();
    expect(audit[0]).toMatchObject({ who: 'root', role: 'admin', action: 'config.put', target: 'sensors' });
  });

  it('accepts JSON text as well as YAML', async () => {
    const res = await put(
      'sensors',
      JSON.stringify({ sensors: [{ name: 'bro', parser: 'zeek-json' }] }),
      admin,
      'application/json',
    );
    expect(res.status).toBe(200);
    expect(sensors.current.sensors.map((s) => s.name)).toEqual(['bro']);
  });

  it('rejects a bad sensors config with file:line: field, keeping the running one', async () => {
    const before = sensors.current;
    const res = await put('sensors', 'sensors:\n  - name: a\n    parser: nope\n');
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(body.error).toMatch(/config\/sensors:3: sensors\.0\.parser\.format: unknown parser format/);
    expect(body.issues[0]).toMatchObject({ field: 'sensors.0.parser.format', line: 3 });
    expect(sensors.current).toBe(before);
    expect((await (await call('/api/v1/config/sensors', admin)).json()).version).toBe(3);
    expect((await new AuditLog(log).recent())[0]).toMatchObject({
      action: 'config.rejected',
      target: 'sensors',
    });
  });

  it('hot-reloads enrichment/triage rules and rejects a bad CEL rule with its line', async () => {
    const gen = enrich.generation;
    const next = ENRICH.replace('destination.port == 23', 'destination.port in [23, 2323]');
    expect((await put('enrichment', next)).status).toBe(200);
    expect(enrich.generation).toBe(gen + 1);
    const bad = await put('enrichment', ENRICH.replace('destination.port == 23', 'destination.port ==== 23'));
    expect(bad.status).toBe(400);
    const body = await bad.json();
    expect(body.error).toMatch(/^config\/enrichment:7: defaults\.triage\.rules\[0\]\.rule \(telnet\): /);
    expect(body.issues[0]).toMatchObject({ field: 'defaults.triage.rules[0].rule', line: 7 });
    expect(enrich.generation).toBe(gen + 1);
    const unknownField = await put('enrichment', `${ENRICH}bogus: 1\n`);
    expect(unknownField.status).toBe(400);
    expect((await unknownField.json()).error).toMatch(/bogus/);
  });

  it('hot-reloads profiles and rejects a bad one with its field', async () => {
    const next = `${PROFILES}  - name: bytes
    foreach: source.ip
    window: { size: 5m }
    aggregations:
      total: { op: sum, of: source.bytes }
`;
    expect((await put('profiles', next)).status).toBe(200);
    expect(profiler.profiler.profiles.profiles.map((p) => p.name)).toEqual(['conns', 'bytes']);
    const bad = await put('profiles', next.replace('op: sum', 'op: summ'));
    expect(bad.status).toBe(400);
    const body = await bad.json();
    expect(body.issues[0].field).toMatch(/^profiles\.1\.aggregations\.total/);
    expect(body.error).toMatch(/config\/profiles:\d+:/);
    expect(profiler.profiler.profiles.profiles).toHaveLength(2);
  });

  it('answers adversarial puts with 4xx, never a 500', async () => {
    const cases: [string, string, string, number][] = [
      ['sensors', '', 'application/yaml', 400],
      ['sensors', '{"sensors": [', 'application/json', 400],
      ['sensors', ': : :\n\t- [', 'text/plain', 400],
      ['sensors', '[1, 2, 3]', 'application/yaml', 400],
      ['sensors', 'a: &a [*a, *a]\n', 'application/yaml', 400],
      ['sensors', `sensors:\n${'  - name: x\n    parser: zeek-json\n'.repeat(3)}`, 'application/yaml', 400],
      [
        'profiles',
        'profiles:\n  - name: p\n    foreach: "while(true)"\n    window: {size: 1m}\n    aggregations: {n: {op: count}}\n',
        'application/yaml',
        400,
      ],
      [
        'profiles',
        'profiles:\n  - name: p\n    foreach: "[1,2,3].map(x, [1,2,3].map(y, [1,2,3].map(z, x)))" \n    window: {size: 0s}\n    aggregations: {n: {op: count}}\n',
        'application/yaml',
        400,
      ],
      ['nosuch', SENSORS, 'application/yaml', 400],
      ['..%2F..%2Fetc%2Fpasswd', SENSORS, 'application/yaml', 400],
    ];
    for (const [kind, body, type, status] of cases) {
      const res = await put(kind, body, admin, type);
      expect([kind, body.slice(0, 40), res.status]).toEqual([kind, body.slice(0, 40), status]);
    }
    const huge = await put('sensors', `# ${'x'.repeat(2 * 1024 * 1024)}\n${SENSORS}`);
    expect(huge.status).toBe(413);
    expect((await put('sensors', SENSORS, analyst)).status).toBe(403);
  });

  it('keeps puts in order under concurrency', async () => {
    const store = new ConfigStore('test', { load: async () => {}, current: () => 'v1' });
    const results = await Promise.all(['a', 'b', 'c'].map((t) => store.put(t, 'x')));
    expect(results.map((r) => r.version)).toEqual([2, 3, 4]);
    expect(store.current().text).toBe('c');
    expect(store.previous()?.text).toBe('b');
  });
});
