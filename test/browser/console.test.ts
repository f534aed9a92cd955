// End-to-end: the console in a real browser, against a real `vigil serve` (in-process) whose
// pipeline stored the alerts.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serviceConfigSchema } from '../../api/config.ts';
import { type Service, startService } from '../../api/serve.ts';
import { chromiumMissing, launchBrowser } from '../helpers/browser.ts';
import { repoRoot } from '../helpers/child.ts';
import { tempDir } from '../helpers/tmp.ts';

const shots = join(repoRoot, 'test-results', 'screenshots');
const tmp = tempDir();
let service: Service;
let browser: Browser;

if (chromiumMissing) console.warn(`browser tests skipped: ${chromiumMissing}`);

describe.skipIf(chromiumMissing)('console in a browser', () => {
  beforeAll(async () => {
    mkdirSync(shots, { recursive: true });
    const config = serviceConfigSchema.parse({ api: { port: 0 }, simulator: { enabled: false } });
    service = await startService({ config, dataDir: tmp.dir, port: 0 });
    await service.log.ensureTopic('alerts');
    await service.log.append('alerts', [
      {
        key: '10.1.2.3',
        value: JSON.stringify({
          id: 'browser-alert-1',
          '@timestamp': new Date().toISOString(),
          kind: 'triage',
          title: 'SSH brute force against 10.9.9.9',
          entity: '10.1.2.3',
          severity: 90,
          reasons: ['42 failed SSH logins in 5 minutes'],
        }),
      },
    ]);
    // The alert-store stage picks it up from the log.
    for (let i = 0; i < 100 && (await service.alerts.count()) === 0; i++)
      await new Promise((r) => setTimeout(r, 100));
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await service?.stop();
    tmp.remove();
  });

  it('logs in with the printed key, shows the alert, and records a status and a verdict', async () => {
    expect(service.adminKey).toMatch(/^vgl_/);
    const page = await browser.newPage();
    await page.goto(`${service.url}/`);
    expect(page.url()).toContain('/login');
    await page.fill('input[name=key]', service.adminKey!);
    await page.click('button[type=submit]');
    await page.waitForSelector('text=SSH brute force against 10.9.9.9');
    await page.screenshot({ path: join(shots, 'alerts.png'), fullPage: true });

    await page.click('text=SSH brute force against 10.9.9.9');
    await page.waitForSelector('text=42 failed SSH logins in 5 minutes');
    await page.click('button[data-status=ESCALATED]');
    await page.waitForFunction(() => document.getElementById('status')?.textContent === 'ESCALATED');
    await page.click('button[data-verdict=true_positive]');
    await page.waitForFunction(() => document.getElementById('verdict')?.textContent === 'true_positive');
    await page.screenshot({ path: join(shots, 'alert-detail.png'), fullPage: true });
    const stored = await service.alerts.get('browser-alert-1');
    expect(stored).toMatchObject({ status: 'ESCALATED', verdict: 'true_positive' });
  });

  it('shows a new alert live on the open queue', async () => {
    const page = await browser.newPage();
    await page.goto(`${service.url}/login`);
    await page.fill('input[name=key]', service.adminKey!);
    await page.click('button[type=submit]');
    await page.waitForSelector('#alert-rows');
    await page.waitForTimeout(300); // the event stream connects
    await service.log.append('alerts', [
      {
        value: JSON.stringify({
          id: 'live-1',
          '@timestamp': new Date().toISOString(),
          kind: 'model',
          title: 'Beaconing to 203.0.113.7',
          entity: '10.1.2.4',
          severity: 75,
          reasons: [],
        }),
      },
    ]);
    await page.waitForSelector('text=Beaconing to 203.0.113.7', { timeout: 15_000 });
    expect(await page.textContent('#live-count')).toBe('1');
    await page.screenshot({ path: join(shots, 'alerts-live.png'), fullPage: true });
  });
});
