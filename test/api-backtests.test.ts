// Backtests over REST, end to end on simulator data: simulated Zeek events → the profiler (features
// topic) → two registered versions of the default model → POST /api/v1/backtests, polled to the end,
// whose report must equal the library's own backtest() over the same range; the console pages plot
// it; bad requests are refused with the field named and start nothing.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertStore } from '../api/alerts/store.ts';
import { createApp } from '../api/app.ts';
import { AuditLog } from '../api/audit.ts';
import { KeyStore } from '../api/auth/keys.ts';
import { type BacktestJob, BacktestRuns } from '../api/routes/backtests.ts';
import { parseProfilesConfig } from '../features/profile-config.ts';
import { createProfilerStage } from '../features/stage.ts';
import { type EmbeddedLog, openEmbeddedLog } from '../ingest/log/embedded/index.ts';
import { runUntilDrained } from '../ingest/pipeline/runner.ts';
import { type ModelRegistry, openRegistry } from '../models/registry.ts';
import { backtest } from '../training/backtest/backtest.ts';
import { DEFAULT_MODEL_NAME, trainDefaultModel } from '../training/default-model.ts';
import { createArchiverStage } from '../training/history/archiver-stage.ts';
import { parseLabelFile } from '../training/labels/label-file.ts';
import { type SimulatedEvents, simulateEvents } from '../training/replay/simulated-events.ts';
import { apiCaller } from './helpers/api.ts';
import { tempDir } from './helpers/tmp.ts';

const PROFILES = parseProfilesConfig('builtin: [network]\nbuiltinWindow: 5m\n', 'profiles.yaml');
const tmp = tempDir('vigil-api-backtests-');
let log: EmbeddedLog;
let alerts: AlertStore;
let registry: ModelRegistry;
let backtests: BacktestRuns;
let sim: SimulatedEvents;
let app: ReturnType<typeof createApp>;
let analyst: string;
let viewer: string;
let groundTruth: string;

const call = apiCaller(() => app);
const post = (body: unknown, key = analyst) =>
  call('/api/v1/backtests', key, {
    method: 'POST',
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

async function topicEnds(l: EmbeddedLog): Promise<Record<string, number[]>> {
  const out: Record<string, number[]> = {};
  for (const t of await l.listTopics()) out[t] = (await l.describeTopic(t)).partitions.map((p) => p.latest);
  return out;
}

async function finished(id: string): Promise<BacktestJob> {
  await backtests.idle();
  const res = await call(`/api/v1/backtests/${id}`, analyst);
  expect(res.status).toBe(200);
  return (await res.json()) as BacktestJob;
}

beforeAll(async () => {
  log = await openEmbeddedLog(join(tmp.dir, 'data', 'log'), { fsync: false, retentionCheckMs: 0 });
  sim = await simulateEvents(log, { seed: 11, span: '25m', rate: 12, dgaDir: 'none' });
  groundTruth = sim.groundTruth.map((g) => JSON.stringify(g)).join('\n');
  await runUntilDrained(log, createProfilerStage({ profiles: PROFILES, inputs: ['events'] }), {
    replay: true,
  });
  await runUntilDrained(log, createArchiverStage({ root: join(tmp.dir, 'history'), topics: ['features'] }), {
    replay: true,
  });
  registry = await openRegistry(join(tmp.dir, 'data'));
  // v1 becomes the champion; v2 is a challenger trained with another seed.
  for (const seed of [7, 8]) {
    await trainDefaultModel({ registry, syntheticRows: 3000, seed, autoencoderParams: { epochs: 6 } });
  }
  alerts = await AlertStore.open(join(tmp.dir, 'alerts.duckdb'));
  backtests = new BacktestRuns({
    log,
    registry,
    historyRoot: join(tmp.dir, 'history'),
    outDir: join(tmp.dir, 'backtests'),
  });
  const keys = new KeyStore(join(tmp.dir, 'keys.json'));
  analyst = keys.create('ana', 'analyst').key;
  viewer = keys.create('vic', 'viewer').key;
  app = createApp({
    log,
    runners: () => [],
    ready: () => true,
    keys,
    alerts,
    audit: new AuditLog(log),
    models: { registry },
    backtests,
  });
}, 180_000);

afterAll(async () => {
  await backtests?.idle();
  await registry?.close();
  alerts?.close();
  await log?.close();
  tmp.remove();
});

describe('POST /api/v1/backtests', () => {
  it('runs a version beside the champion in the background and reports what the library reports', async () => {
    const before = await topicEnds(log);
    const res = await post({ model: `${DEFAULT_MODEL_NAME}:2`, labels: groundTruth, dataset: 'sim-11' });
    expect(res.status).toBe(202);
    const started = (await res.json()) as BacktestJob;
    expect(started).toMatchObject({
      model: `${DEFAULT_MODEL_NAME}:2`,
      compareWith: 'champion',
      labelled: true,
    });
    expect(['queued', 'running']).toContain(started.state);

    const job = await finished(started.id);
    expect(job.state).toBe('succeeded');
    expect(job.progress).toBe(1);
    expect(job.total).toBeGreaterThan(100);
    expect(job.records).toBe(job.total);
    const report = job.report!;
    expect(report.runs.map((r) => [r.role, r.model?.version])).toEqual([
      ['candidate', 2],
      ['baseline', 1],
    ]);

    // The library over the same range gives the same figures (it is the same code path).
    const direct = await backtest({
      source: { kind: 'features', log },
      model: `${DEFAULT_MODEL_NAME}:2`,
      registry,
      labels: parseLabelFile(groundTruth),
      record: false,
    });
    for (const [i, run] of report.runs.entries()) {
      const want = direct.runs[i]!;
      expect(run.inputs).toBe(want.inputs);
      expect(run.alerts).toBe(want.alerts);
      expect(run.alertsPerHour).toEqual(want.alertsPerHour);
      expect(run.precision).toBe(want.precision);
      expect(run.recall).toBe(want.recall);
      expect(run.auroc).toBe(want.auroc);
      // Every scored window is in the severity histogram; the PR curve ends at full recall.
      expect(run.severityHistogram!.reduce((a, b) => a + b, 0)).toBe(run.inputs);
      const curve = run.prCurve!;
      expect(curve.length).toBeGreaterThan(1);
      expect(curve.at(-1)!.recall).toBe(1);
      for (let k = 1; k < curve.length; k++)
        expect(curve[k]!.recall).toBeGreaterThanOrEqual(curve[k - 1]!.recall);
    }
    expect(report.runs[0]!.alerts).toBeGreaterThan(0);

    // Nothing but the audit entry reached the log; the result is stored on both versions.
    const after = await topicEnds(log);
    expect({ ...after, audit: undefined }).toEqual({ ...before, audit: undefined });
    const audit = await new AuditLog(log).recent(20);
    expect(audit.find((e) => e.target === started.id)).toMatchObject({
      action: 'backtest.start',
      who: 'ana',
    });
    const stored = (await registry.evaluations(DEFAULT_MODEL_NAME, 2)).filter((e) => e.kind === 'backtest');
    expect(stored.map((e) => e.dataset)).toContain('sim-11');

    const list = (await (await call('/api/v1/backtests', analyst)).json()) as BacktestJob[];
    expect(list[0]?.id).toBe(started.id);
    expect(list[0]?.report).toBeUndefined();
  }, 120_000);

  it('pins an alias to its version, and reads the archived history the same as the log', async () => {
    const res = await post({
      model: `${DEFAULT_MODEL_NAME}@champion`,
      source: 'history',
      compareWith: 'none',
    });
    expect(res.status).toBe(202);
    const started = (await res.json()) as BacktestJob;
    expect(started.model).toBe(`${DEFAULT_MODEL_NAME}:1`);
    const fromHistory = await finished(started.id);
    expect(fromHistory.state).toBe('succeeded');
    expect(fromHistory.report?.runs).toHaveLength(1);
    const fromLog = await finished(
      (await (await post({ model: `${DEFAULT_MODEL_NAME}:1`, compareWith: null })).json()).id,
    );
    expect(fromHistory.total).toBe(fromLog.total);
    expect(fromHistory.report?.runs[0]?.alertsPerHour).toEqual(fromLog.report?.runs[0]?.alertsPerHour);
    expect(fromLog.report?.runs[0]?.prCurve).toBeUndefined();
  }, 120_000);

  it('refuses bad requests with the field named, and starts nothing', async () => {
    const count = backtests.list().length;
    const cases: [unknown, string][] = [
      [{}, 'model'],
      [{ model: '' }, 'model'],
      [{ model: 'no-such-model' }, 'model'],
      [{ model: `${DEFAULT_MODEL_NAME}:99` }, 'model'],
      [{ model: '../../etc/passwd' }, 'model'],
      [{ model: `${DEFAULT_MODEL_NAME}:0` }, 'model'],
      [{ model: DEFAULT_MODEL_NAME, from: 'last tuesday' }, 'from'],
      [{ model: DEFAULT_MODEL_NAME, from: '99999999999999999999' }, 'from'],
      [{ model: DEFAULT_MODEL_NAME, from: '2026-12-02T00:00:00Z', to: '2026-12-01T00:00:00Z' }, 'to'],
      [{ model: DEFAULT_MODEL_NAME, labels: 'entity,start\n10.0.0.1,yesterday' }, 'labels'],
      [{ model: DEFAULT_MODEL_NAME, labels: [{ entity: 'a', start: 'x', end: 1, label: 1 }] }, 'labels'],
      [{ model: DEFAULT_MODEL_NAME, labels: '' }, 'labels'],
      [{ model: DEFAULT_MODEL_NAME, topic: 'no-such-topic' }, 'topic'],
      [{ model: DEFAULT_MODEL_NAME, topic: '../features' }, 'topic'],
      [{ model: DEFAULT_MODEL_NAME, source: 'history', from: '0' }, 'from'],
      [{ model: DEFAULT_MODEL_NAME, source: 's3' }, 'source'],
      [{ model: DEFAULT_MODEL_NAME, compareWith: 'x y' }, 'compareWith'],
      [{ model: DEFAULT_MODEL_NAME, compareWith: `${DEFAULT_MODEL_NAME}:0` }, 'compareWith'],
      [{ model: DEFAULT_MODEL_NAME, sql: 'select 1' }, 'sql'],
      [{ model: 42 }, 'model'],
    ];
    for (const [body, field] of cases) {
      const res = await post(body);
      const text = await res.text();
      expect(res.status, `${JSON.stringify(body)} → ${text}`).toBe(400);
      expect(text, JSON.stringify(body)).toContain(field);
    }
    expect((await post('{"model": ')).status).toBe(400);
    expect((await post('[]')).status).toBe(400);
    expect(backtests.list()).toHaveLength(count);
  });

  it('needs the analyst role and a key; unknown ids are 404', async () => {
    expect((await post({ model: DEFAULT_MODEL_NAME }, viewer)).status).toBe(403);
    expect((await call('/api/v1/backtests', viewer)).status).toBe(403);
    expect((await call('/api/v1/backtests', null)).status).toBe(401);
    expect((await call('/api/v1/backtests/nope-0', analyst)).status).toBe(404);
    expect((await call('/api/v1/backtests/NOT_AN_ID', analyst)).status).toBe(400);
    expect((await call('/backtests', viewer)).status).toBe(403);
    expect((await call('/backtests/nope-0', analyst)).status).toBe(404);
  });
});

describe('backtest console', () => {
  it('lists backtests and plots a labelled one beside the champion', async () => {
    const list = await call('/backtests', analyst);
    expect(list.status).toBe(200);
    const listHtml = await list.text();
    const labelled = backtests.list().find((j) => j.labelled && j.state === 'succeeded')!;
    expect(listHtml).toContain(`/backtests/${labelled.id}`);

    const page = await call(`/backtests/${labelled.id}`, analyst);
    expect(page.status).toBe(200);
    const html = await page.text();
    for (const role of ['candidate', 'baseline']) {
      expect(html).toContain(`Alerts per hour: ${role}`);
      expect(html).toContain(`windows: ${role}`);
    }
    expect(html).toContain('Precision–recall');
    // one bar per hour and per severity bin, per run; one PR polyline per run
    const hours = Object.keys(labelled.report!.runs[0]!.alertsPerHour).length;
    expect(html.match(/<rect /g)?.length).toBe(2 * (hours + 20));
    expect(html.match(/<polyline /g)?.length).toBe(2);
  });
});
