// End-to-end: promote a model from the console's models page in headless Chromium. The registry holds
// real (tiny) ONNX models with evaluations; the page goes through the REST route, so the promotion
// policy and the audit apply — a refused promotion shows the policy's reason in the dialog.
import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertStore } from '../../api/alerts/store.ts';
import { createApp } from '../../api/app.ts';
import { AuditLog } from '../../api/audit.ts';
import { KeyStore } from '../../api/auth/keys.ts';
import { ProfileStore } from '../../features/profile-store.ts';
import { type EmbeddedLog, openEmbeddedLog } from '../../ingest/log/embedded/index.ts';
import { SensorRegistry } from '../../ingest/sensors/registry.ts';
import { onnxAnomaly } from '../../models/reference-models.ts';
import { type ModelRegistry, openRegistry } from '../../models/registry.ts';
import { signatureForSchema } from '../../models/signature.ts';
import { chromiumMissing, launchBrowser } from '../helpers/browser.ts';
import { repoRoot } from '../helpers/child.ts';
import { tempDir } from '../helpers/tmp.ts';

const shots = join(repoRoot, 'test-results', 'screenshots');
const tmp = tempDir();
const schema = { name: 'net', version: 1, features: ['conns', 'bytes_out', 'distinct_ports'] };
const signature = signatureForSchema(schema, 'onnx', { kind: 'anomaly_score' });
let log: EmbeddedLog;
let alerts: AlertStore;
let registry: ModelRegistry;
let profiles: ProfileStore;
let server: ReturnType<typeof serve>;
let url: string;
let adminKey: string;
let browser: Browser;

if (chromiumMissing) console.warn(`browser tests skipped: ${chromiumMissing}`);

async function login(page: Page, next: string) {
  await page.goto(`${url}${next}`);
  await page.fill('input[name=key]', adminKey);
  await page.click('button[type=submit]');
  await page.waitForURL(`${url}${next}`);
}

describe.skipIf(chromiumMissing)('models page in a browser', () => {
  beforeAll(async () => {
    mkdirSync(shots, { recursive: true });
    log = await openEmbeddedLog(join(tmp.dir, 'log'), { fsync: false });
    alerts = await AlertStore.open(join(tmp.dir, 'alerts.duckdb'));
    registry = await openRegistry(tmp.dir, { featureSchemas: [schema] });
    const dist = (scale: number) => ({
      quantiles: [0, 0.25, 0.5, 0.75, 0.9, 0.99, 1].map((q) => ({ q, value: scale * q ** 3 })),
    });
    for (const [i, auroc] of [0.81, 0.88, 0.7].entries()) {
      const v = await registry.register('net-anomaly', onnxAnomaly([1 + i, 2, 3], 0), {
        signature,
        metrics: { auroc, f1: auroc - 0.2 },
        lineage: { data: { topic: 'features' }, seed: i, trainer: 'vigil/training isolation-forest' },
        scoreDistribution: dist(1 + i),
        who: 'test',
      });
      await registry.recordEvaluation('net-anomaly', v.version, { metrics: { auroc }, dataset: 'week-48' });
    }
    await registry.setAlias('net-anomaly', 'champion', 1, { who: 'test', reason: 'first' });
    profiles = await ProfileStore.open(':memory:');
    await profiles.write(
      Array.from({ length: 48 }, (_, i) => ({
        profile: 'conns',
        entity: '10.0.0.5',
        window: { start: Date.UTC(2026, 11, 3, i), end: Date.UTC(2026, 11, 3, i + 1) },
        value: 20 + 10 * Math.sin(i / 4) + (i === 40 ? 60 : 0),
        aggregates: {},
      })),
    );
    await log.ensureTopic('errors');
    await log.append('errors', [
      {
        value: JSON.stringify({
          stage: 'parse',
          sensor: 'bro',
          kind: 'parse',
          message: 'Unexpected token g in JSON at position 0',
          raw: 'garbage line from the sensor',
          source: { topic: 'raw.bro', partition: 0, offset: 17 },
        }),
      },
    ]);
    const keys = new KeyStore(join(tmp.dir, 'keys.json'));
    adminKey = keys.create('admin', 'admin').key;
    const app = createApp({
      log,
      runners: () => [],
      ready: () => true,
      keys,
      alerts,
      audit: new AuditLog(log),
      models: { registry, policy: { metric: 'auroc' } },
      profiles: { store: profiles, names: () => ['conns'] },
      ingest: { sensors: SensorRegistry.fromText('sensors:\n  - name: bro\n    parser: zeek-json\n') },
    });
    const info = await new Promise<AddressInfo>((resolve) => {
      server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, resolve);
    });
    url = `http://127.0.0.1:${info.port}`;
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
    await registry?.close();
    profiles?.close();
    alerts?.close();
    await log?.close();
    tmp.remove();
  });

  it('promotes a version after confirming, and shows it in the aliases and the history', async () => {
    const page = await browser.newPage();
    await login(page, '/models');
    await page.click('text=net-anomaly');
    await page.waitForSelector('#versions');
    expect(await page.textContent('#aliases')).toBe('champion → 1');
    expect(await page.locator('svg[aria-label="auroc per version"]').count()).toBe(1);
    await page.screenshot({ path: join(shots, 'models.png'), fullPage: true });

    await page.click('button[data-promote="2"]');
    await page.waitForSelector('#promote-dialog[open]');
    expect(await page.textContent('#promote-version')).toBe('2');
    await page.fill('#promote-reason', 'higher AUROC on week 48');
    await page.screenshot({ path: join(shots, 'models-promote-dialog.png'), fullPage: true });
    await page.click('#promote-confirm');
    await page.waitForFunction(() => document.getElementById('aliases')?.textContent === 'champion → 2');
    expect(await page.textContent('#promotions')).toContain('higher AUROC on week 48');
    expect(await page.textContent('#version-2 .aliases')).toBe('champion');
    await page.screenshot({ path: join(shots, 'models-promoted.png'), fullPage: true });

    expect(await registry.aliases('net-anomaly')).toEqual({ champion: 2 });
    const [entry] = (await registry.promotionLog('net-anomaly')).slice(-1);
    expect(entry).toMatchObject({ action: 'promote', fromVersion: 1, toVersion: 2, who: 'admin' });
    const audit = await new AuditLog(log).recent();
    expect(audit[0]).toMatchObject({ who: 'admin', action: 'model.promote', target: 'net-anomaly@champion' });
  });

  it('shows the policy refusal in the dialog and leaves the champion alone', async () => {
    const page = await browser.newPage();
    await login(page, '/models/net-anomaly');
    await page.click('button[data-promote="3"]');
    await page.fill('#promote-reason', 'try the newest');
    await page.click('#promote-confirm');
    await page.waitForFunction(() =>
      /does not beat/.test(document.getElementById('promote-result')?.textContent ?? ''),
    );
    await page.screenshot({ path: join(shots, 'models-promote-refused.png'), fullPage: true });
    expect(await registry.aliases('net-anomaly')).toEqual({ champion: 2 });
  });

  it('shows a profile time series and the sensors page with the failed line and why', async () => {
    const page = await browser.newPage();
    await login(page, '/profiles');
    await page.waitForSelector('svg[aria-label^="conns for 10.0.0.5"] polyline');
    await page.screenshot({ path: join(shots, 'profiles.png'), fullPage: true });
    await page.click('text=Sensors');
    await page.waitForSelector('#failed-lines');
    expect(await page.textContent('#failed-lines')).toContain('garbage line from the sensor');
    expect(await page.textContent('#sensor-bro')).toContain('raw.bro');
    await page.screenshot({ path: join(shots, 'sensors.png'), fullPage: true });
  });
});
