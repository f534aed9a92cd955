/** @jsxImportSource hono/jsx */
// The backtests pages: every backtest this server ran (state, progress, headline figures), and per
// backtest its runs side by side (the candidate beside the champion): alerts per hour, the severity
// distribution of every scored window, and the precision–recall curve where labels exist.
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppDeps } from '../app.ts';
import { roleAtLeast } from '../auth/keys.ts';
import type { AppEnv } from '../http.ts';
import type { BacktestJob, BacktestRuns } from '../routes/backtests.ts';
import { Layout } from './pages.tsx';
import { BarChart, LineChart } from './plots.tsx';

const ID = /^[a-z0-9-]{1,64}$/;
const when = (iso?: string) => (iso ? iso.replace('T', ' ').slice(0, 19) : '');
const pct = (x?: number) => (x === undefined ? '' : `${(100 * x).toFixed(1)}%`);
const num = (x?: number, digits = 3) => (x === undefined || Number.isNaN(x) ? '' : x.toFixed(digits));
const mins = (ms?: number) => (ms === undefined ? '' : `${(ms / 60_000).toFixed(1)} min`);

function Progress(props: { job: BacktestJob }) {
  const { job } = props;
  return (
    <span class="status" data-state={job.state}>
      {job.state}
      {job.state === 'running' || job.state === 'queued' ? ` ${Math.round(100 * job.progress)}%` : ''}
    </span>
  );
}

export function mountBacktestsConsole(
  app: OpenAPIHono<AppEnv>,
  deps: AppDeps,
  backtests: BacktestRuns,
): void {
  const nav = deps.consolePages ?? [];
  // The same role as the REST routes: pages never show more than the key may read.
  const denied = (role: string) => (
    <Layout title="Backtests" nav={nav}>
      <p>Backtests need the analyst role; your key has {role}.</p>
    </Layout>
  );

  app.get('/backtests', (c) => {
    const p = c.get('principal');
    if (!roleAtLeast(p.role, 'analyst')) return c.html(denied(p.role), 403);
    const jobs = backtests.list();
    return c.html(
      <Layout title="Backtests" nav={nav}>
        <h1>Backtests</h1>
        {jobs.length === 0 ? (
          <p class="muted">
            No backtests yet. Start one with POST /api/v1/backtests {'{"model": "NAME@challenger"}'} or{' '}
            <code>vigil backtest</code>.
          </p>
        ) : (
          <table id="backtests">
            <thead>
              <tr>
                <th>started</th>
                <th>model</th>
                <th>beside</th>
                <th>range</th>
                <th>state</th>
                <th>alerts</th>
                <th>precision</th>
                <th>recall</th>
                <th>by</th>
              </tr>
            </thead>
            <tbody>
              {jobs.map((j) => {
                const cand = j.report?.runs.find((r) => r.role === 'candidate');
                return (
                  <tr>
                    <td>
                      <a href={`/backtests/${j.id}`}>{when(j.createdAt)}</a>
                    </td>
                    <td>{j.model}</td>
                    <td>{j.compareWith ?? '–'}</td>
                    <td>
                      {j.source} [{j.from ?? ''}, {j.to ?? ''})
                    </td>
                    <td>
                      <Progress job={j} />
                    </td>
                    <td>{cand?.alerts ?? ''}</td>
                    <td>{pct(cand?.precision)}</td>
                    <td>{pct(cand?.recall)}</td>
                    <td>{j.startedBy}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
      </Layout>,
    );
  });

  app.get('/backtests/:id', (c) => {
    const p = c.get('principal');
    if (!roleAtLeast(p.role, 'analyst')) return c.html(denied(p.role), 403);
    const id = c.req.param('id');
    const job = ID.test(id) ? backtests.get(id) : undefined;
    if (!job) {
      return c.html(
        <Layout title="Not found" nav={nav}>
          <p>No backtest {id}.</p>
        </Layout>,
        404,
      );
    }
    const report = job.report;
    const runs = report?.runs ?? [];
    const labelled = runs.some((r) => r.prCurve && r.prCurve.length > 0);
    const hourMs = (h: string) => Date.parse(h.replace(':00Z', ':00:00Z'));
    return c.html(
      <Layout title={`Backtest ${job.model}`} nav={nav}>
        {job.state === 'running' || job.state === 'queued' ? <meta http-equiv="refresh" content="3" /> : null}
        <h1>
          Backtest of {job.model}
          {job.compareWith ? ` beside ${job.compareWith}` : ''}
        </h1>
        <p class="muted">
          <Progress job={job} /> · {job.records}
          {job.total !== undefined ? ` of ${job.total}` : ''} records · {job.source}
          {report ? ` · ${report.dataset}` : ''} · started {when(job.createdAt)} by {job.startedBy}
          {job.finishedAt ? ` · finished ${when(job.finishedAt)}` : ''}
        </p>
        {job.error ? <pre id="error">{job.error}</pre> : null}
        {report ? (
          <>
            <table id="runs">
              <thead>
                <tr>
                  <th>run</th>
                  <th>inputs</th>
                  <th>alerts</th>
                  <th>alerts/h</th>
                  <th>hits</th>
                  <th>precision</th>
                  <th>recall</th>
                  <th>time to detect (median)</th>
                  <th>AUROC</th>
                  <th>PR AUC</th>
                </tr>
              </thead>
              <tbody>
                {runs.map((r) => (
                  <tr data-role={r.role}>
                    <td>
                      <b>{r.role}</b> {r.name}
                    </td>
                    <td>{r.inputs}</td>
                    <td>{r.alerts}</td>
                    <td>{r.meanAlertsPerHour.toFixed(1)}</td>
                    <td>{r.hits ?? ''}</td>
                    <td>{pct(r.precision)}</td>
                    <td>{pct(r.recall)}</td>
                    <td>{mins(r.timeToDetectMs?.median)}</td>
                    <td>{num(r.auroc)}</td>
                    <td>{num(r.prAuc)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <div
              style={`display:grid;grid-template-columns:repeat(${Math.max(1, runs.length)},1fr);gap:12px;margin:12px 0`}
            >
              {runs.map((r) => (
                <div class="run" data-role={r.role}>
                  <BarChart
                    title={`Alerts per hour: ${r.role} ${r.name}`}
                    xIsTime
                    points={Object.entries(r.alertsPerHour).map(([h, n]) => ({ x: hourMs(h), y: n }))}
                  />
                  {r.severityHistogram ? (
                    <BarChart
                      title={`Severity of ${r.inputs} scored windows: ${r.role}`}
                      points={r.severityHistogram.map((n, i) => ({ x: i * 5, y: n }))}
                    />
                  ) : (
                    <p class="muted">No score distribution for this run.</p>
                  )}
                </div>
              ))}
            </div>
            {labelled ? (
              <LineChart
                title="Precision–recall over score thresholds (labelled windows)"
                xLabel="recall"
                series={runs
                  .filter((r) => r.prCurve && r.prCurve.length > 0)
                  .map((r) => ({
                    name: `${r.role} ${r.name}`,
                    points: (r.prCurve ?? []).map((q) => ({ x: q.recall, y: q.precision })),
                  }))}
              />
            ) : (
              <p class="muted">
                {job.labelled
                  ? 'The labels cover no scored window with both classes: no PR curve.'
                  : 'No labels were given: no precision, recall or PR curve.'}
              </p>
            )}
            {runs.some((r) => r.scenarios) ? (
              <>
                <h2>Per scenario (detected / episodes)</h2>
                <table id="scenarios">
                  <thead>
                    <tr>
                      <th>scenario</th>
                      {runs.map((r) => (
                        <th>{r.role}</th>
                      ))}
                    </tr>
                  </thead>
                  <tbody>
                    {[...new Set(runs.flatMap((r) => Object.keys(r.scenarios ?? {})))].sort().map((s) => (
                      <tr>
                        <td>{s}</td>
                        {runs.map((r) => {
                          const x = r.scenarios?.[s];
                          return (
                            <td>
                              {x ? `${x.detected}/${x.episodes}` : ''}
                              {x?.timeToDetectMs ? ` in ${mins(x.timeToDetectMs.median)}` : ''}
                            </td>
                          );
                        })}
                      </tr>
                    ))}
                  </tbody>
                </table>
              </>
            ) : null}
          </>
        ) : null}
      </Layout>,
    );
  });
}
