import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAlertSinkStage } from '../api/alerts/sink-stage.ts';
import { AlertStore } from '../api/alerts/store.ts';
import { createApp } from '../api/app.ts';
import { AuditLog } from '../api/audit.ts';
import { KeyStore } from '../api/auth/keys.ts';
import { type EmbeddedLog, openEmbeddedLog } from '../ingest/log/embedded/index.ts';
import { runUntilDrained } from '../ingest/pipeline/runner.ts';
import { apiCaller } from './helpers/api.ts';
import { tempDir } from './helpers/tmp.ts';

const tmp = tempDir();
let log: EmbeddedLog;
let store: AlertStore;
let app: ReturnType<typeof createApp>;
let keys: KeyStore;
let admin: string;
let analyst: string;
let viewer: string;

const alert = (i: number, extra: Record<string, unknown> = {}) => ({
  id: `alert-${i}`,
  '@timestamp': new Date(Date.UTC(2026, 11, 1, i % 24)).toISOString(),
  kind: i % 3 === 0 ? 'model' : 'triage',
  title: i % 2 ? 'Port scan' : 'SSH brute force',
  entity: `10.0.0.${i % 5}`,
  severity: (i * 7) % 100,
  reasons: [`reason ${i}`],
  ...extra,
});

const call = apiCaller(() => app);

beforeAll(async () => {
  log = await openEmbeddedLog(join(tmp.dir, 'log'), { fsync: false });
  store = await AlertStore.open(join(tmp.dir, 'alerts.duckdb'));
  keys = new KeyStore(join(tmp.dir, 'keys.json'));
  admin = keys.create('root', 'admin').key;
  analyst = keys.create('ana', 'analyst').key;
  viewer = keys.create('vic', 'viewer').key;
  await log.createTopic('alerts', { partitions: 2 });
  await log.append('alerts', [
    ...Array.from({ length: 30 }, (_, i) => ({ key: `10.0.0.${i % 5}`, value: JSON.stringify(alert(i)) })),
    { value: 'not json at all' },
  ]);
  // The same alert again (a replay): the store keeps one.
  await log.append('alerts', [{ value: JSON.stringify(alert(3)) }]);
  await runUntilDrained(log, createAlertSinkStage(store));
  await log.createTopic('events.enriched', { partitions: 2 });
  await log.append(
    'events.enriched',
    Array.from({ length: 500 }, (_, i) => {
      const ts = Date.UTC(2026, 11, 1) + i * 60_000;
      const event = {
        '@timestamp': new Date(ts).toISOString(),
        source: { ip: `10.0.0.${i % 10}`, port: 40000 + i },
        destination: { ip: '192.168.1.1', port: i % 5 === 0 ? 22 : 443 },
        network: { transport: 'tcp' },
      };
      return { key: event.source.ip, value: JSON.stringify(event), timestamp: ts };
    }),
  );
  app = createApp({
    log,
    runners: () => [],
    ready: () => true,
    keys,
    alerts: store,
    audit: new AuditLog(log),
  });
});

afterAll(async () => {
  store.close();
  await log.close();
  tmp.remove();
});

describe('API auth', () => {
  it('lets health through and needs a key for everything else', async () => {
    expect((await call('/healthz', null)).status).toBe(200);
    expect((await call('/api/v1/alerts', null)).status).toBe(401);
    expect((await call('/api/v1/alerts', 'vgl_wrong_key')).status).toBe(401);
    expect((await call('/api/v1/alerts', viewer)).status).toBe(200);
    const page = await call('/', null);
    expect(page.status).toBe(302);
    expect(page.headers.get('location')).toMatch(/^\/login/);
  });

  it('enforces roles: viewers read, analysts triage, admins manage keys', async () => {
    const body = JSON.stringify({ status: 'OPEN' });
    expect((await call('/api/v1/alerts/alert-1/status', viewer, { method: 'POST', body })).status).toBe(403);
    expect((await call('/api/v1/alerts/alert-1/status', analyst, { method: 'POST', body })).status).toBe(200);
    expect((await call('/api/v1/keys', analyst)).status).toBe(403);
    const created = await call('/api/v1/keys', admin, {
      method: 'POST',
      body: JSON.stringify({ name: 'bot', role: 'viewer' }),
    });
    expect(created.status).toBe(200);
    const { key, id } = await created.json();
    expect((await call('/api/v1/alerts', key)).status).toBe(200);
    expect((await call(`/api/v1/keys/${id}`, admin, { method: 'DELETE' })).status).toBe(200);
    expect((await call('/api/v1/alerts', key)).status).toBe(401);
    const listed = await (await call('/api/v1/keys', admin)).json();
    expect(JSON.stringify(listed)).not.toContain('hash');
  });

  it('logs in through the console form with a cookie', async () => {
    const res = await app.request('/login', {
      method: 'POST',
      body: new URLSearchParams({ key: viewer, next: '/pipeline' }),
    });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/pipeline');
    const cookie = res.headers.get('set-cookie')!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    const page = await app.request('/', { headers: { cookie: cookie.split(';')[0]! } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Port scan');
    const bad = await app.request('/login', {
      method: 'POST',
      body: new URLSearchParams({ key: 'nope', next: '//evil.example' }),
    });
    expect(bad.headers.get('location')).toMatch(/^\/login\?error=1/);
  });
});

describe('alerts API', () => {
  it('lists, filters, sorts and pages the alerts the pipeline stored, once each', async () => {
    const all = await (await call('/api/v1/alerts?limit=1000', viewer)).json();
    expect(all.total).toBe(30);
    const high = await (await call('/api/v1/alerts?minSeverity=70&sort=severity&order=desc', viewer)).json();
    expect(high.alerts.length).toBeGreaterThan(0);
    expect(high.alerts.every((a: { severity: number }) => a.severity >= 70)).toBe(true);
    const sevs = high.alerts.map((a: { severity: number }) => a.severity);
    expect(sevs).toEqual([...sevs].sort((a, b) => b - a));
    const page2 = await (await call('/api/v1/alerts?limit=10&offset=10', viewer)).json();
    expect(page2.alerts).toHaveLength(10);
    const scans = await (await call('/api/v1/alerts?q=scan&kind=triage', viewer)).json();
    expect(
      scans.alerts.every(
        (a: { title: string; kind: string }) => a.title === 'Port scan' && a.kind === 'triage',
      ),
    ).toBe(true);
  });

  it('keeps the alert that was not JSON on the errors topic', async () => {
    const errors = await log.read('errors', 0, 0);
    expect(errors.map((r) => JSON.parse(r.value.toString()).raw)).toContain('not json at all');
  });

  it('counts by field for facets, and per hour for the plot', async () => {
    const facets = await (await call('/api/v1/alerts/facets?field=kind', viewer)).json();
    expect(facets.reduce((n: number, f: { count: number }) => n + f.count, 0)).toBe(30);
    const hist = await (await call('/api/v1/alerts/histogram?bucketMs=3600000', viewer)).json();
    expect(hist.reduce((n: number, h: { count: number }) => n + h.count, 0)).toBe(30);
  });

  it('records status, verdicts (as labels on the log), comments, incidents and an audit trail', async () => {
    const post = (path: string, body: unknown) =>
      call(path, analyst, { method: 'POST', body: JSON.stringify(body) });
    expect((await post('/api/v1/alerts/alert-2/status', { status: 'ESCALATED' })).status).toBe(200);
    expect((await post('/api/v1/alerts/alert-2/verdict', { verdict: 'true_positive' })).status).toBe(200);
    expect((await post('/api/v1/alerts/alert-2/comments', { text: 'seen on the proxy too' })).status).toBe(
      200,
    );
    expect(
      (await post('/api/v1/incidents', { name: 'INC-1', alertIds: ['alert-2', 'alert-4', 'no-such'] }))
        .status,
    ).toBe(200);
    const detail = await (await call('/api/v1/alerts/alert-2', viewer)).json();
    expect(detail).toMatchObject({ status: 'ESCALATED', verdict: 'true_positive', incident: 'INC-1' });
    expect(detail.comments[0]).toMatchObject({ who: 'ana', text: 'seen on the proxy too' });
    expect(detail.detail.reasons).toEqual(['reason 2']);
    const labels = (await log.read('verdicts', 0, 0)).map((r) => JSON.parse(r.value.toString()));
    expect(labels).toContainEqual(
      expect.objectContaining({ alert_id: 'alert-2', verdict: 'true_positive', by: 'ana' }),
    );
    const audit = await (await call('/api/v1/audit', admin)).json();
    expect(audit.map((a: { action: string }) => a.action)).toEqual(
      expect.arrayContaining(['alert.status', 'alert.verdict', 'incident.group']),
    );
    const incident = await (await call('/api/v1/alerts?incident=INC-1', viewer)).json();
    expect(incident.total).toBe(2);
  });

  it('saves searches on the server', async () => {
    const saved = await call('/api/v1/searches', analyst, {
      method: 'POST',
      body: JSON.stringify({ name: 'high', query: { minSeverity: '80' } }),
    });
    expect(saved.status).toBe(200);
    const list = await (await call('/api/v1/searches', viewer)).json();
    expect(list).toContainEqual(expect.objectContaining({ name: 'high', owner: 'ana' }));
  });

  it('publishes a valid OpenAPI 3.1 document', async () => {
    const doc = await (await call('/openapi.json', null)).json();
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/api/v1/alerts', '/api/v1/alerts/{id}', '/api/v1/alerts/{id}/status']),
    );
    for (const [path, ops] of Object.entries(
      doc.paths as Record<string, Record<string, { responses: object }>>,
    )) {
      for (const op of Object.values(ops)) expect(Object.keys(op.responses).length, path).toBeGreaterThan(0);
    }
  });
});

describe('events API', () => {
  const since = new Date(Date.UTC(2026, 11, 1, 2)).toISOString();
  const until = new Date(Date.UTC(2026, 11, 1, 4)).toISOString();

  it('searches a time range with field filters and a CEL filter, paging with a cursor', async () => {
    const url = `/api/v1/events?since=${since}&until=${until}&filter=${encodeURIComponent('destination.port == 22 && source.ip.startsWith("10.0.0.")')}&limit=10`;
    const first = await (await call(url, viewer)).json();
    expect(first.events).toHaveLength(10);
    for (const e of first.events) {
      expect(e.destination.port).toBe(22);
      expect(Date.parse(e['@timestamp'])).toBeGreaterThanOrEqual(Date.parse(since));
      expect(Date.parse(e['@timestamp'])).toBeLessThan(Date.parse(until));
    }
    const pages = [first];
    while (pages.at(-1).cursor)
      pages.push(await (await call(`${url}&cursor=${pages.at(-1).cursor}`, viewer)).json());
    expect(pages.length).toBeGreaterThanOrEqual(3);
    const all = pages.flatMap((p) => p.events).map((e: { source: { port: number } }) => e.source.port);
    expect(new Set(all).size).toBe(all.length);
    expect(all).toHaveLength(24); // 120 minutes, every 5th event on port 22
    const byField = await (
      await call(
        `/api/v1/events?field=${encodeURIComponent('source.ip=10.0.0.3;destination.port=443')}&limit=1000`,
        viewer,
      )
    ).json();
    expect(byField.events).toHaveLength(50);
  });

  it('counts events by a field', async () => {
    const res = await (
      await call(`/api/v1/events/count?by=destination.port&since=${since}&until=${until}`, viewer)
    ).json();
    expect(res.counts).toEqual([
      { value: '443', count: 96 },
      { value: '22', count: 24 },
    ]);
  });

  it('reports a bad CEL filter with its position', async () => {
    const res = await call(`/api/v1/events?filter=${encodeURIComponent('source.ip == ')}`, viewer);
    expect(res.status).toBe(400);
    expect((await res.json()).error).toMatch(/filter/);
  });
});

describe('scores API', () => {
  it('lists the scorer output by entity, model and minimum severity', async () => {
    await log.ensureTopic('scores');
    await log.append(
      'scores',
      Array.from({ length: 40 }, (_, i) => ({
        key: `10.0.0.${i % 4}`,
        timestamp: Date.UTC(2026, 11, 1) + i * 60_000,
        value: JSON.stringify({
          entity: `10.0.0.${i % 4}`,
          model: { name: i % 2 ? 'a' : 'b', version: 1 },
          score: i,
          severity: i * 2.5,
        }),
      })),
    );
    const res = await (await call('/api/v1/scores?entity=10.0.0.1&model=a&minSeverity=50', viewer)).json();
    expect(res.scores.length).toBeGreaterThan(0);
    for (const s of res.scores) expect(s).toMatchObject({ entity: '10.0.0.1', model: { name: 'a' } });
    expect(res.scores.every((s: { severity: number }) => s.severity >= 50)).toBe(true);
    expect(res.scores).toHaveLength(5); // i = 21, 25, 29, 33, 37
    expect((await call('/api/v1/scores?minSeverity=lots', viewer)).status).toBe(400);
  });
});

describe('adversarial requests get clear 4xx answers, never a 500', () => {
  const cases: [string, string, RequestInit, number][] = [
    ['malformed JSON', '/api/v1/alerts/alert-1/status', { method: 'POST', body: '{"status": ' }, 400],
    [
      'wrong type',
      '/api/v1/alerts/alert-1/status',
      { method: 'POST', body: JSON.stringify({ status: 7 }) },
      400,
    ],
    [
      'unknown status',
      '/api/v1/alerts/alert-1/status',
      { method: 'POST', body: JSON.stringify({ status: 'PWNED' }) },
      400,
    ],
    ['missing body', '/api/v1/alerts/alert-1/status', { method: 'POST' }, 400],
    ['array body', '/api/v1/alerts/alert-1/comments', { method: 'POST', body: '[1,2,3]' }, 400],
    [
      'huge body',
      '/api/v1/alerts/alert-1/comments',
      { method: 'POST', body: JSON.stringify({ text: 'x'.repeat(2 * 1024 * 1024) }) },
      413,
    ],
    ['path traversal id', '/api/v1/alerts/..%2F..%2Fetc%2Fpasswd', { method: 'GET' }, 404],
    [
      'unknown alert',
      '/api/v1/alerts/nope/status',
      { method: 'POST', body: JSON.stringify({ status: 'OPEN' }) },
      404,
    ],
    ['bad number', '/api/v1/alerts?minSeverity=lots', { method: 'GET' }, 400],
    ['bad time', '/api/v1/alerts?since=yesterday-ish', { method: 'GET' }, 400],
    ['SQL in a filter', "/api/v1/alerts?entity=1'%20or%20'1'='1", { method: 'GET' }, 200],
    ['SQL in a sort', '/api/v1/alerts?sort=ts;drop%20table%20alerts', { method: 'GET' }, 400],
    ['facet on anything', '/api/v1/alerts/facets?field=detail', { method: 'GET' }, 400],
    ['unknown route', '/api/v1/../../etc/passwd', { method: 'GET' }, 404],
    ['stream a private topic', '/api/v1/stream?topics=audit', { method: 'GET' }, 400],
    ['negative limit', '/api/v1/alerts?limit=-5', { method: 'GET' }, 400],
    [
      'CEL that calls the host',
      `/api/v1/events?filter=${encodeURIComponent('process.exit(1)')}`,
      { method: 'GET' },
      400,
    ],
    [
      'CEL that nests macros deeply',
      `/api/v1/events?filter=${encodeURIComponent('[1,2,3,4,5,6,7,8,9,10].all(a, [1,2,3,4,5,6,7,8,9,10].all(b, [1,2,3,4,5,6,7,8,9,10].all(c, a+b+c > 0)))')}&limit=1`,
      { method: 'GET' },
      200,
    ],
    ['CEL of the wrong type', `/api/v1/events?filter=${encodeURIComponent('1 + 2')}`, { method: 'GET' }, 400],
    ['search a private topic', '/api/v1/events?topic=audit', { method: 'GET' }, 400],
  ];
  for (const [name, path, init, status] of cases) {
    it(name, async () => {
      const res = await call(path, analyst, init);
      expect(res.status).toBe(status);
      const body = await res.text();
      expect(body).not.toMatch(/at .*\.ts:\d+/); // no stack traces
      if (status >= 400 && status !== 413) expect(JSON.parse(body).error).toBeTruthy();
    });
  }

  it('left the alerts table intact after the injection attempts', async () => {
    expect((await (await call('/api/v1/alerts', viewer)).json()).total).toBe(30);
  });
});
