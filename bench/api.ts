// API latency under load: p50/p99 of the alert list and of event search (a 10-minute window with a
// field filter, and with a CEL filter) over N stored events, with C concurrent clients over HTTP on
// loopback. Baseline in the same run: /healthz (the server and HTTP stack alone).
// Usage: npm run bench -- api [--events 1000000] [--alerts 20000] [--clients 50] [--seconds 10]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { AlertStore } from '../api/alerts/store.ts';
import { createApp } from '../api/app.ts';
import { AuditLog } from '../api/audit.ts';
import { KeyStore } from '../api/auth/keys.ts';
import { openEmbeddedLog } from '../ingest/log/embedded/index.ts';
import { arg, fmt } from './_util.ts';

const EVENTS = arg('events', 1_000_000);
const ALERTS = arg('alerts', 20_000);
const CLIENTS = arg('clients', 50);
const SECONDS = arg('seconds', 10);
const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-api-'));
const t0 = Date.UTC(2026, 10, 1);
const span = 7 * 86_400_000;

const log = await openEmbeddedLog(join(dir, 'log'), { fsync: false });
await log.createTopic('events.enriched', { partitions: 4 });
process.stderr.write(`storing ${fmt(EVENTS)} events and ${fmt(ALERTS)} alerts…\n`);
for (let start = 0; start < EVENTS; start += 10_000) {
  const batch = [];
  for (let i = start; i < Math.min(EVENTS, start + 10_000); i++) {
    const ts = t0 + Math.floor((i / EVENTS) * span);
    const src = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
    batch.push({
      key: src,
      timestamp: ts,
      value: JSON.stringify({
        '@timestamp': new Date(ts).toISOString(),
        event: { dataset: 'zeek.conn' },
        source: { ip: src, port: 40000 + (i % 20000) },
        destination: { ip: `192.168.1.${i % 200}`, port: i % 7 === 0 ? 22 : 443 },
        network: { transport: 'tcp', bytes: i % 70000 },
      }),
    });
  }
  await log.append('events.enriched', batch);
}
const store = await AlertStore.open(join(dir, 'alerts.duckdb'));
for (let start = 0; start < ALERTS; start += 1000) {
  await store.insert(
    Array.from({ length: Math.min(1000, ALERTS - start) }, (_, j) => {
      const i = start + j;
      return {
        id: `a${i}`,
        '@timestamp': t0 + Math.floor((i / ALERTS) * span),
        kind: i % 3 ? 'triage' : 'model',
        title: i % 2 ? 'Port scan' : 'SSH brute force',
        entity: `10.0.${(i >> 8) & 255}.${i & 255}`,
        severity: i % 100,
        reasons: [],
      };
    }),
  );
}
const keys = new KeyStore(join(dir, 'keys.json'));
const key = keys.create('bench', 'viewer').key;
const app = createApp({
  log,
  runners: () => [],
  ready: () => true,
  keys,
  alerts: store,
  audit: new AuditLog(log),
});
const server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 });
await new Promise((r) => server.once('listening', r));
const port = (server.address() as { port: number }).port;
const base = `http://127.0.0.1:${port}`;

async function load(name: string, pathFor: (i: number) => string): Promise<void> {
  const latencies: number[] = [];
  const deadline = Date.now() + SECONDS * 1000;
  let errors = 0;
  let i = 0;
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (Date.now() < deadline) {
        const start = performance.now();
        const res = await fetch(`${base}${pathFor(i++)}`, { headers: { authorization: `Bearer ${key}` } });
        await res.arrayBuffer();
        if (!res.ok) errors++;
        latencies.push(performance.now() - start);
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  const q = (p: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]!.toFixed(1);
  console.log(
    `${name.padEnd(44)} p50 ${q(0.5).padStart(7)} ms  p99 ${q(0.99).padStart(7)} ms  ${fmt(latencies.length / SECONDS)} req/s${errors ? `  (${errors} errors)` : ''}`,
  );
}

const window = (i: number) => {
  const from = t0 + ((i * 7_919_000) % (span - 600_000));
  return `since=${from}&until=${from + 600_000}`;
};
console.log(
  `${fmt(EVENTS)} events on 4 partitions, ${fmt(ALERTS)} alerts, ${CLIENTS} concurrent clients, ${SECONDS}s each`,
);
await load('baseline: GET /healthz', () => '/healthz');
await load(
  'alert list (filter status+severity, page 50)',
  (i) => `/api/v1/alerts?minSeverity=${i % 90}&limit=50&sort=severity`,
);
await load(
  'event search: 10-min window + field filter',
  (i) => `/api/v1/events?${window(i)}&field=destination.port%3D22&limit=100`,
);
await load(
  'event search: 10-min window + CEL filter',
  (i) =>
    `/api/v1/events?${window(i)}&filter=${encodeURIComponent('destination.port == 22 && network.bytes > 1000')}&limit=100`,
);
server.close();
store.close();
await log.close();
rmSync(dir, { recursive: true, force: true });
