// The models, ingest, profiles and training resources over HTTP, with real components: a DuckDB
// model registry holding real (tiny) ONNX models, the embedded log, a compiled sensor set, the
// profiler's DuckDB store and the real trainer. Adversarial inputs must get 4xx, never a 500.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertStore } from '../api/alerts/store.ts';
import { createApp } from '../api/app.ts';
import { AuditLog } from '../api/audit.ts';
import { KeyStore } from '../api/auth/keys.ts';
import { TrainingRuns } from '../api/routes/training.ts';
import { ProfileStore } from '../features/profile-store.ts';
import { type EmbeddedLog, openEmbeddedLog } from '../ingest/log/embedded/index.ts';
import { SensorRegistry } from '../ingest/sensors/registry.ts';
import { onnxAnomaly } from '../models/reference-models.ts';
import { type ModelRegistry, openRegistry } from '../models/registry.ts';
import { signatureForSchema } from '../models/signature.ts';
import { apiCaller } from './helpers/api.ts';
import { tempDir } from './helpers/tmp.ts';

const tmp = tempDir();
const schema = { name: 'net', version: 1, features: ['conns', 'bytes_out', 'distinct_ports'] };
const signature = signatureForSchema(schema, 'onnx', { kind: 'anomaly_score' });
let log: EmbeddedLog;
let alerts: AlertStore;
let registry: ModelRegistry;
let profiles: ProfileStore;
let training: TrainingRuns;
let app: ReturnType<typeof createApp>;
let admin: string;
let analyst: string;
let viewer: string;

const call = apiCaller(() => app);

function upload(name: string, artifact: Uint8Array | null, metadata: unknown, key = admin) {
  const form = new FormData();
  if (artifact) form.set('artifact', new Blob([Buffer.from(artifact)]), 'model.onnx');
  if (metadata !== undefined)
    form.set('metadata', typeof metadata === 'string' ? metadata : JSON.stringify(metadata));
  return call(`/api/v1/models/${name}/versions`, key, { method: 'POST', body: form });
}

const post = (path: string, key: string, body: unknown) =>
  call(path, key, { method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body) });

async function auditActions(): Promise<string[]> {
  return (await new AuditLog(log).recent(200)).map((e) => `${e.action} ${e.target}`);
}

beforeAll(async () => {
  log = await openEmbeddedLog(join(tmp.dir, 'log'), { fsync: false });
  alerts = await AlertStore.open(join(tmp.dir, 'alerts.duckdb'));
  registry = await openRegistry(tmp.dir, { featureSchemas: [schema], maxArtifactBytes: 64 * 1024 });
  profiles = await ProfileStore.open(':memory:');
  await profiles.write(
    Array.from({ length: 30 }, (_, i) => ({
      profile: 'conns',
      entity: '10.0.0.5',
      window: { start: Date.UTC(2026, 11, 1, i), end: Date.UTC(2026, 11, 1, i + 1) },
      value: 10 + i,
      aggregates: {},
    })),
  );
  writeFileSync(
    join(tmp.dir, 'flows.csv'),
    [
      'ts,bytes_out,conns,label',
      ...Array.from({ length: 400 }, (_, i) => {
        const attack = i % 10 === 0;
        return `${new Date(Date.UTC(2026, 10, 1) + i * 60_000).toISOString()},${attack ? 50 : 2000 + (i % 7) * 100},${attack ? 300 : 10 + (i % 5)},${attack ? 'attack' : 'normal'}`;
      }),
    ].join('\n'),
  );
  training = new TrainingRuns({ baseDir: tmp.dir, registry });
  const keys = new KeyStore(join(tmp.dir, 'keys.json'));
  admin = keys.create('root', 'admin').key;
  analyst = keys.create('ana', 'analyst').key;
  viewer = keys.create('vic', 'viewer').key;
  app = createApp({
    log,
    runners: () => [],
    ready: () => true,
    keys,
    alerts,
    audit: new AuditLog(log),
    models: { registry, policy: { metric: 'auroc' }, maxUploadBytes: 32 * 1024 },
    ingest: {
      sensors: SensorRegistry.fromText(
        'sensors:\n  - name: bro\n    parser: zeek-json\n  - name: fw\n    rawTopic: raw.firewall\n    parser: zeek-json\n',
      ),
      rate: 0.5,
      burst: 20,
      maxBodyBytes: 4 * 1024 * 1024,
    },
    profiles: { store: profiles, names: () => ['conns'] },
    training,
  });
});

afterAll(async () => {
  await training.idle();
  profiles.close();
  await registry.close();
  alerts.close();
  await log.close();
  tmp.remove();
});

describe('models API', () => {
  it('registers versions by upload, shows them, and audits the registration', async () => {
    const r1 = await upload('anom', onnxAnomaly([1, 2, 3], 0), {
      signature,
      metrics: { auroc: 0.8 },
      lineage: { data: { topic: 'features' }, seed: 7 },
      alias: 'champion',
    });
    expect(r1.status).toBe(201);
    expect(await r1.json()).toMatchObject({ name: 'anom', version: 1, format: 'onnx' });
    const r2 = await upload('anom', onnxAnomaly([2, 2, 3], 0), { signature, metrics: { auroc: 0.85 } });
    expect(r2.status).toBe(201);

    const list = await (await call('/api/v1/models', viewer)).json();
    expect(list).toEqual([expect.objectContaining({ name: 'anom', versions: 2, aliases: { champion: 1 } })]);
    const shown = await (await call('/api/v1/models/anom', viewer)).json();
    expect(shown.versions.map((v: { version: number }) => v.version)).toEqual([1, 2]);
    expect(shown.versions[0].lineage.seed).toBe(7);
    expect(shown.aliases).toEqual({ champion: 1 });
    expect(await auditActions()).toEqual(
      expect.arrayContaining(['model.register anom:1', 'model.alias anom@champion']),
    );
  });

  it('refuses bad uploads with 4xx naming the problem', async () => {
    const bytes = onnxAnomaly([1, 1, 1], 0);
    expect((await upload('anom', bytes, { signature }, analyst)).status).toBe(403);
    const noFile = await upload('anom', null, { signature });
    expect(noFile.status).toBe(400);
    expect((await noFile.json()).error).toMatch(/artifact/);
    const badJson = await upload('anom', bytes, '{not json');
    expect(badJson.status).toBe(400);
    expect((await badJson.json()).error).toMatch(/metadata/);
    const badMeta = await upload('anom', bytes, { signature, metrics: { auroc: 'high' } });
    expect(badMeta.status).toBe(400);
    expect((await badMeta.json()).issues[0].field).toBe('metadata.metrics.auroc');
    const badSig = await upload('anom', bytes, { signature: { ...signature, format: 'pickle' } });
    expect(badSig.status).toBe(400);
    const wrongSchema = await upload('anom', bytes, {
      signature: {
        ...signature,
        inputs: { ...signature.inputs, featureSchema: { name: 'nope', version: 9 } },
      },
    });
    expect(wrongSchema.status).toBe(400);
    expect((await wrongSchema.json()).error).toMatch(/unknown feature schema/);
    const garbage = await upload('anom', new TextEncoder().encode('this is not a model'), { signature });
    expect(garbage.status).toBe(400);
    const huge = await upload('anom', new Uint8Array(40 * 1024), { signature });
    expect(huge.status).toBe(413);
    const bypass = await upload('anom', bytes, { signature, alias: 'champion' });
    expect(bypass.status).toBe(409);
    expect((await bypass.json()).error).toMatch(/promote/);
    const traversal = await upload('..%2F..%2Fetc', bytes, { signature });
    expect(traversal.status).toBe(400);
    const notMultipart = await post('/api/v1/models/anom/versions', admin, { signature });
    expect(notMultipart.status).toBe(415);
    expect((await (await call('/api/v1/models/anom', viewer)).json()).versions).toHaveLength(2);
  });

  it('promotes through the policy: a refusal is a 409 that says why, and both are audited', async () => {
    const refused = await post('/api/v1/models/anom/promote', admin, { version: 2, reason: 'looks better' });
    expect(refused.status).toBe(409);
    expect((await refused.json()).error).toMatch(/no recorded evaluation or backtest with metric "auroc"/);
    await registry.recordEvaluation('anom', 1, { metrics: { auroc: 0.8 }, dataset: 'week-1' });
    await registry.recordEvaluation('anom', 2, { metrics: { auroc: 0.75 }, dataset: 'week-1' });
    const worse = await post('/api/v1/models/anom/promote', admin, { version: 2, reason: 'try it' });
    expect(worse.status).toBe(409);
    expect((await worse.json()).error).toMatch(/does not beat/);
    await registry.recordEvaluation('anom', 2, { metrics: { auroc: 0.9 }, dataset: 'week-1' });
    expect((await post('/api/v1/models/anom/promote', analyst, { version: 2, reason: 'x' })).status).toBe(
      403,
    );
    const ok = await post('/api/v1/models/anom/promote', admin, {
      alias: 'champion',
      version: 2,
      reason: 'beats v1 on week-1',
    });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ action: 'promote', fromVersion: 1, toVersion: 2, who: 'root' });
    expect(await registry.aliases('anom')).toEqual({ champion: 2 });
    const actions = await auditActions();
    expect(actions).toContain('model.promote anom@champion');
    expect(actions).toContain('model.promote.refused anom@champion');
  });

  it('rolls back, keeps the promotion log, and 409s when there is nothing to roll back to', async () => {
    const rb = await post('/api/v1/models/anom/rollback', admin, {
      alias: 'champion',
      reason: 'false positives',
    });
    expect(rb.status).toBe(200);
    expect(await rb.json()).toMatchObject({ action: 'rollback', fromVersion: 2, toVersion: 1 });
    const again = await post('/api/v1/models/anom/rollback', admin, { reason: 'again' });
    expect(again.status).toBe(409);
    const log = await (await call('/api/v1/models/anom/promotions', viewer)).json();
    expect(log.map((e: { action: string }) => e.action)).toEqual(['set', 'promote', 'rollback']);
    expect(await auditActions()).toContain('model.rollback anom@champion');
  });

  it('answers adversarial promotion requests with 4xx', async () => {
    const cases: [string, string, unknown, number][] = [
      ['/api/v1/models/anom/promote', admin, '{"version": 2,', 400],
      ['/api/v1/models/anom/promote', admin, { version: 'two', reason: 'x' }, 400],
      ['/api/v1/models/anom/promote', admin, { version: 2 }, 400],
      ['/api/v1/models/anom/promote', admin, { version: 2, reason: '   ' }, 400],
      ['/api/v1/models/anom/promote', admin, { version: 99, reason: 'x' }, 404],
      ['/api/v1/models/anom/promote', admin, { alias: '../x', version: 1, reason: 'x' }, 400],
      ['/api/v1/models/nosuch/promote', admin, { version: 1, reason: 'x' }, 404],
      ['/api/v1/models/anom/promote', admin, [1, 2, 3], 400],
      ['/api/v1/models/anom/rollback', admin, { alias: 'never-set', reason: 'x' }, 409],
      ['/api/v1/models/anom/promote', admin, { version: 1e308, reason: 'x' }, 400],
    ];
    for (const [path, key, body, status] of cases) {
      const res = await post(path, key, body);
      expect([path, JSON.stringify(body), res.status]).toEqual([path, JSON.stringify(body), status]);
    }
    expect((await call('/api/v1/models/nosuch', viewer)).status).toBe(404);
    expect((await call('/api/v1/models/..%2F..%2Fetc%2Fpasswd', viewer)).status).toBe(400);
    expect((await call('/api/v1/models/anom', null)).status).toBe(401);
  });

  it('is described in the OpenAPI document', async () => {
    const doc = await (await call('/openapi.json', null)).json();
    for (const p of [
      '/api/v1/models',
      '/api/v1/models/{name}',
      '/api/v1/models/{name}/versions',
      '/api/v1/models/{name}/promote',
      '/api/v1/models/{name}/rollback',
      '/api/v1/models/{name}/promotions',
      '/api/v1/ingest/{sensor}',
      '/api/v1/profiles/{name}/{entity}',
      '/api/v1/training/runs',
      '/api/v1/training/runs/{id}',
    ]) {
      expect(doc.paths[p], p).toBeDefined();
    }
  });
});

describe('ingest API', () => {
  it('appends text/plain and JSON lines to the sensor raw topic', async () => {
    const text = await call('/api/v1/ingest/bro', analyst, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: '{"ts":1}\n\n{"ts":2}\r\n',
    });
    expect(text.status).toBe(200);
    expect(await text.json()).toEqual({ sensor: 'bro', topic: 'raw.bro', accepted: 2, skipped: 1 });
    const js = await post('/api/v1/ingest/fw', analyst, { lines: ['a', 'b\nc'] });
    expect(await js.json()).toEqual({ sensor: 'fw', topic: 'raw.firewall', accepted: 3, skipped: 0 });
    const stored = await log.read('raw.firewall', 0, 0, { maxRecords: 10 });
    const all = [...stored];
    for (let p = 1; p < (await log.describeTopic('raw.firewall')).partitions.length; p++) {
      all.push(...(await log.read('raw.firewall', p, 0, { maxRecords: 10 })));
    }
    expect(all.map((r) => r.value.toString()).sort()).toEqual(['a', 'b', 'c']);
  });

  it('refuses unknown sensors, viewers, bad bodies and over-long lines', async () => {
    expect((await post('/api/v1/ingest/nosuch', analyst, { lines: ['x'] })).status).toBe(404);
    expect((await post('/api/v1/ingest/..%2Fetc', analyst, { lines: ['x'] })).status).toBe(400);
    expect((await post('/api/v1/ingest/bro', viewer, { lines: ['x'] })).status).toBe(403);
    expect((await post('/api/v1/ingest/bro', analyst, '{"lines": [1, 2]}')).status).toBe(400);
    expect((await post('/api/v1/ingest/bro', analyst, '{"lines": ')).status).toBe(400);
    expect((await post('/api/v1/ingest/bro', analyst, '{"lines": ["x"], "extra": 1}')).status).toBe(400);
    const xml = await call('/api/v1/ingest/bro', analyst, {
      method: 'POST',
      headers: { 'content-type': 'application/xml' },
      body: '<x/>',
    });
    expect(xml.status).toBe(400);
    const long = await post('/api/v1/ingest/bro', analyst, { lines: ['ok', 'x'.repeat(300 * 1024)] });
    expect(long.status).toBe(413);
    expect((await long.json()).error).toMatch(/nothing was appended/);
    const huge = await call('/api/v1/ingest/bro', analyst, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'y\n'.repeat(3 * 1024 * 1024),
    });
    expect(huge.status).toBe(413);
  });

  it('rate limits per key', async () => {
    // Burst 20 for this key (admin has not ingested before); then the bucket is empty.
    const statuses: number[] = [];
    for (let i = 0; i < 25; i++)
      statuses.push((await post('/api/v1/ingest/bro', admin, { lines: ['x'] })).status);
    expect(statuses.slice(0, 20)).toEqual(Array(20).fill(200));
    expect(statuses.slice(20)).toContain(429);
    // Another key still has its own bucket.
    expect((await post('/api/v1/ingest/bro', analyst, { lines: ['x'] })).status).toBe(200);
  });
});

describe('profiles API', () => {
  it('returns the last N periods of a profile for an entity, oldest first', async () => {
    const res = await call('/api/v1/profiles/conns/10.0.0.5?periods=5', viewer);
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.periods.map((p: { value: number }) => p.value)).toEqual([35, 36, 37, 38, 39]);
    expect(body.periods[0].start).toBe(Date.UTC(2026, 11, 1, 25));
    expect(await (await call('/api/v1/profiles', viewer)).json()).toEqual(['conns']);
    expect((await (await call('/api/v1/profiles/conns', viewer)).json()).entities).toEqual(['10.0.0.5']);
    expect((await (await call('/api/v1/profiles/conns/10.9.9.9', viewer)).json()).periods).toEqual([]);
  });

  it('answers bad lookups with 4xx', async () => {
    expect((await call('/api/v1/profiles/nosuch/10.0.0.5', viewer)).status).toBe(404);
    expect((await call('/api/v1/profiles/conns/10.0.0.5?periods=-1', viewer)).status).toBe(400);
    expect((await call('/api/v1/profiles/conns/10.0.0.5?periods=abc', viewer)).status).toBe(400);
    expect((await call(`/api/v1/profiles/conns/${'x'.repeat(500)}`, viewer)).status).toBe(400);
    expect((await call("/api/v1/profiles/conns/1' OR 1=1 --", viewer)).status).toBe(200);
  });

  it('renders the profiles page with a time series', async () => {
    const res = await call('/profiles?profile=conns&entity=10.0.0.5&periods=10', viewer);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('<polyline');
    expect(html).toContain('conns for 10.0.0.5');
  });
});

describe('training runs API', () => {
  const spec = (extra = '') => `name: api-trained
source: { path: flows.csv }
timestamp: ts
features: { numeric: [bytes_out, conns] }
label: { column: label, negative: [normal] }
trainOn: negatives
model: { family: isolation-forest, params: { trees: 20, sampleSize: 64 } }
featureSchema: { name: api-flows, version: 1 }
seed: 1
${extra}`;

  it('starts a run in the background, reports progress, and registers the result', async () => {
    const res = await post('/api/v1/training/runs', admin, { spec: spec() });
    expect(res.status).toBe(202);
    const run = await res.json();
    expect(run).toMatchObject({ name: 'api-trained', startedBy: 'root' });
    expect(run.progress).toBeGreaterThanOrEqual(0);
    await training.idle();
    const done = await (await call(`/api/v1/training/runs/${run.id}`, admin)).json();
    expect(done).toMatchObject({
      state: 'succeeded',
      progress: 1,
      results: { model: { name: 'api-trained', version: 1 } },
    });
    expect(done.results.metrics.auroc).toBeGreaterThan(0.5);
    expect((await registry.list()).map((m) => m.name)).toContain('api-trained');
    expect((await call('/api/v1/training/runs', admin)).status).toBe(200);
  });

  it('refuses bad specs, outside paths, SQL sources and non-admins', async () => {
    const bad = await post('/api/v1/training/runs', admin, { spec: 'name: x\nmodel: { family: nope }\n' });
    expect(bad.status).toBe(400);
    expect((await bad.json()).error).toMatch(/spec:\d+/);
    const outside = await post('/api/v1/training/runs', admin, {
      spec: spec().replace('path: flows.csv', 'path: ../../etc/passwd'),
    });
    expect(outside.status).toBe(400);
    expect((await outside.json()).error).toMatch(/source\.path: must be inside/);
    const sql = await post('/api/v1/training/runs', admin, {
      spec: spec().replace('{ path: flows.csv }', '{ sql: "SELECT * FROM read_csv(\'/etc/passwd\')" }'),
    });
    expect(sql.status).toBe(400);
    expect((await post('/api/v1/training/runs', analyst, { spec: spec() })).status).toBe(403);
    expect((await post('/api/v1/training/runs', admin, { spec: 42 })).status).toBe(400);
    expect((await post('/api/v1/training/runs', admin, ': : :\n\t- [')).status).toBe(400);
    expect((await call('/api/v1/training/runs/nosuch', admin)).status).toBe(404);
    expect((await call('/api/v1/training/runs/..%2F..', admin)).status).toBe(400);
  });

  it('reports a run that fails at load time as failed, with the reason', async () => {
    writeFileSync(join(tmp.dir, 'empty.csv'), 'ts,bytes_out,conns,label\n');
    const res = await post('/api/v1/training/runs', admin, {
      spec: spec().replace('flows.csv', 'empty.csv'),
    });
    expect(res.status).toBe(202);
    const { id } = await res.json();
    await training.idle();
    const run = await (await call(`/api/v1/training/runs/${id}`, admin)).json();
    expect(run.state).toBe('failed');
    expect(run.error).toMatch(/no rows/);
  });
});

describe('console pages', () => {
  it('renders the models pages and the sensors page', async () => {
    const list = await call('/models', viewer);
    expect(list.status).toBe(200);
    expect(await list.text()).toContain('href="/models/anom"');
    const page = await (await call('/models/anom', viewer)).text();
    expect(page).toContain('Promotion history');
    expect(page).toContain('auroc per version');
    expect(page).toContain('data-promote="2"');
    expect((await call('/models/nosuch', viewer)).status).toBe(404);
    expect((await call('/models/..%2F..', viewer)).status).toBe(404);
    const sensors = await (await call('/sensors', viewer)).text();
    expect(sensors).toContain('raw.firewall');
  });
});
