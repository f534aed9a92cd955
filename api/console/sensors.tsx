/** @jsxImportSource hono/jsx */
// The sensors page: per sensor, raw lines received, events parsed and lines kept as errors (the
// process's Prometheus counters, plus the raw topics' sizes, which survive restarts), and the latest
// raw lines that failed with the reason — read from the `errors` topic, which keeps the raw input.
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { EventLog } from '../../ingest/log/types.ts';
import { metricsRegistry } from '../../kernel/metrics.ts';
import type { AppDeps } from '../app.ts';
import type { AppEnv } from '../http.ts';
import { Layout } from './pages.tsx';
import { BarChart } from './plots.tsx';

export const ERRORS_TOPIC = 'errors';

export interface FailedLine {
  ts: number;
  stage: string;
  sensor: string;
  kind: string;
  message: string;
  raw: string;
  source?: { topic: string; partition: number; offset: number };
}

/** Sums a counter's values by one label (0 when the metric is not registered in this process). */
export async function counterBy(metric: string, label: string): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  const m = metricsRegistry.getSingleMetric(metric);
  if (!m) return out;
  for (const v of (await m.get()).values) {
    const key = String(v.labels[label] ?? '');
    out.set(key, (out.get(key) ?? 0) + v.value);
  }
  return out;
}

/** The newest error records (up to `perPartition` from each partition), newest first. */
export async function latestErrors(log: EventLog, perPartition = 200): Promise<FailedLine[]> {
  if (!(await log.listTopics()).includes(ERRORS_TOPIC)) return [];
  const info = await log.describeTopic(ERRORS_TOPIC);
  const out: FailedLine[] = [];
  for (const p of info.partitions) {
    const from = Math.max(p.earliest, p.latest - perPartition);
    if (from >= p.latest) continue;
    for (const r of await log.read(ERRORS_TOPIC, p.partition, from, { maxRecords: perPartition })) {
      try {
        const e = JSON.parse(r.value.toString('utf8')) as Partial<FailedLine>;
        out.push({
          ts: r.timestamp,
          stage: String(e.stage ?? ''),
          sensor: String(e.sensor ?? ''),
          kind: String(e.kind ?? ''),
          message: String(e.message ?? ''),
          raw: String(e.raw ?? ''),
          source: e.source,
        });
      } catch {
        out.push({
          ts: r.timestamp,
          stage: '',
          sensor: '',
          kind: 'unreadable',
          message: 'not JSON',
          raw: '',
        });
      }
    }
  }
  return out.sort((a, b) => b.ts - a.ts);
}

/** Error records per time bucket: minutes over a short span, hours over a long one. */
function overTime(failed: FailedLine[]): { x: number; y: number }[] {
  const ts = failed.map((f) => f.ts);
  const span = Math.max(...ts) - Math.min(...ts);
  const bucket = span <= 2 * 3_600_000 ? 60_000 : 3_600_000;
  const counts = new Map<number, number>();
  for (const t of ts)
    counts.set(Math.floor(t / bucket) * bucket, (counts.get(Math.floor(t / bucket) * bucket) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => a[0] - b[0]).map(([x, y]) => ({ x, y }));
}

async function topicSize(log: EventLog, topic: string, topics: Set<string>): Promise<number | null> {
  if (!topics.has(topic)) return null;
  const info = await log.describeTopic(topic);
  return info.partitions.reduce((n, p) => n + (p.latest - p.earliest), 0);
}

export function mountSensorsConsole(app: OpenAPIHono<AppEnv>, deps: AppDeps): void {
  const nav = deps.consolePages ?? [];

  app.get('/sensors', async (c) => {
    const only = c.req.query('sensor');
    const [events, errors, received, failed, topicList] = await Promise.all([
      counterBy('vigil_sensor_events_total', 'sensor'),
      counterBy('vigil_sensor_errors_total', 'sensor'),
      counterBy('vigil_source_lines_total', 'sensor'),
      latestErrors(deps.log),
      deps.log.listTopics(),
    ]);
    const topics = new Set(topicList);
    const configured = deps.ingest?.sensors.current.sensors ?? [];
    const names = [
      ...new Set([
        ...configured.map((s) => s.name),
        ...events.keys(),
        ...errors.keys(),
        ...received.keys(),
        ...failed.map((f) => f.sensor),
      ]),
    ]
      .filter(Boolean)
      .sort();
    const rows = await Promise.all(
      names.map(async (name) => {
        const sensor = configured.find((s) => s.name === name);
        const rawTopic = sensor?.rawTopic ?? `raw.${name}`;
        return {
          name,
          rawTopic,
          configured: Boolean(sensor),
          stored: await topicSize(deps.log, rawTopic, topics),
          received: received.get(name) ?? 0,
          events: events.get(name) ?? 0,
          errors: errors.get(name) ?? 0,
          recentErrors: failed.filter((f) => f.sensor === name).length,
        };
      }),
    );
    const shown = failed.filter((f) => !only || f.sensor === only).slice(0, 50);
    const byKind = new Map<string, number>();
    for (const f of failed)
      byKind.set(`${f.sensor || '?'}/${f.kind}`, (byKind.get(`${f.sensor || '?'}/${f.kind}`) ?? 0) + 1);
    return c.html(
      <Layout title="Sensors" nav={nav}>
        <h1>Sensors</h1>
        <table id="sensors">
          <thead>
            <tr>
              <th>sensor</th>
              <th>raw topic</th>
              <th>raw lines stored</th>
              <th>lines received (this run)</th>
              <th>events parsed (this run)</th>
              <th>errors (this run)</th>
              <th>in recent error records</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr id={`sensor-${r.name}`}>
                <td>
                  <a href={`/sensors?sensor=${encodeURIComponent(r.name)}`}>{r.name}</a>
                  {r.configured ? '' : <span class="muted"> (not configured)</span>}
                </td>
                <td>{r.rawTopic}</td>
                <td>{r.stored ?? '–'}</td>
                <td>{r.received}</td>
                <td>{r.events}</td>
                <td class="errors">{r.errors}</td>
                <td>{r.recentErrors}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {rows.length === 0 ? <p class="muted">No sensors configured or seen yet.</p> : null}
        {failed.length ? (
          <BarChart title="Recent error records over time" xIsTime points={overTime(failed)} />
        ) : null}
        {byKind.size ? (
          <table id="error-kinds" style="margin-top:12px">
            <thead>
              <tr>
                <th>sensor / kind</th>
                <th>recent error records</th>
              </tr>
            </thead>
            <tbody>
              {[...byKind.entries()]
                .sort((a, b) => b[1] - a[1])
                .map(([k, n]) => (
                  <tr>
                    <td>{k}</td>
                    <td>{n}</td>
                  </tr>
                ))}
            </tbody>
          </table>
        ) : null}
        <h2>
          Latest failed raw lines{only ? ` for ${only}` : ''} {only ? <a href="/sensors">(all)</a> : null}
        </h2>
        {shown.length === 0 ? (
          <p class="muted">None.</p>
        ) : (
          <table id="failed-lines">
            <thead>
              <tr>
                <th>received</th>
                <th>sensor</th>
                <th>stage / kind</th>
                <th>why</th>
                <th>raw line</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((f) => (
                <tr>
                  <td>{new Date(f.ts).toISOString().replace('T', ' ').slice(0, 19)}</td>
                  <td>{f.sensor}</td>
                  <td>
                    {f.stage} / {f.kind}
                  </td>
                  <td>{f.message}</td>
                  <td>
                    <code>{f.raw.length > 300 ? `${f.raw.slice(0, 300)}…` : f.raw}</code>
                    {f.source ? (
                      <div class="muted">
                        {f.source.topic}[{f.source.partition}]@{f.source.offset}
                      </div>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Layout>,
    );
  });
}
