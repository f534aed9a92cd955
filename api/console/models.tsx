/** @jsxImportSource hono/jsx */
// The models pages: every registered model, and per model its versions with metrics, the aliases,
// a promote button behind a confirmation dialog (through the same REST route, so the policy and the
// audit apply), the promotion history, and plots of a metric per version and the score distribution.
import type { OpenAPIHono } from '@hono/zod-openapi';
import { raw } from 'hono/html';
import type { ModelVersion } from '../../models/registry.ts';
import type { AppDeps } from '../app.ts';
import type { AppEnv } from '../http.ts';
import type { ModelsDeps } from '../routes/models.ts';
import { Layout } from './pages.tsx';
import { LineChart } from './plots.tsx';

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
// Metrics worth plotting first, when a model has them.
const PREFERRED = ['auroc', 'prAuc', 'f1', 'precision', 'recall', 'accuracy'];

const PROMOTE_SCRIPT = `
const dlg = document.getElementById('promote-dialog');
function openPromote(version) {
  document.getElementById('promote-version').textContent = String(version);
  dlg.dataset.version = String(version);
  document.getElementById('promote-result').textContent = '';
  dlg.showModal();
}
async function confirmPromote() {
  const body = {
    alias: document.getElementById('promote-alias').value,
    version: Number(dlg.dataset.version),
    reason: document.getElementById('promote-reason').value,
  };
  const r = await fetch(dlg.dataset.api + '/promote', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const j = await r.json();
  if (r.ok) { document.getElementById('promote-result').textContent = 'promoted'; setTimeout(() => location.reload(), 200); }
  else document.getElementById('promote-result').textContent = j.error || ('failed: ' + r.status);
}
async function rollback(alias) {
  const reason = prompt('Roll back ' + alias + ' to the version before? Reason:');
  if (!reason) return;
  const r = await fetch(dlg.dataset.api + '/rollback', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ alias, reason }) });
  const j = await r.json();
  if (r.ok) location.reload(); else alert(j.error || ('failed: ' + r.status));
}
`;

const fmt = (v: number) => (Number.isInteger(v) ? String(v) : v.toFixed(4));
const when = (iso: string) => iso.replace('T', ' ').slice(0, 19);

function plotMetric(versions: ModelVersion[]): string | undefined {
  const counts = new Map<string, number>();
  for (const v of versions) for (const k of Object.keys(v.metrics)) counts.set(k, (counts.get(k) ?? 0) + 1);
  return PREFERRED.find((m) => counts.has(m)) ?? [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
}

export function mountModelsConsole(app: OpenAPIHono<AppEnv>, deps: AppDeps, models: ModelsDeps): void {
  const nav = deps.consolePages ?? [];
  const { registry } = models;

  app.get('/models', async (c) => {
    const list = await registry.list();
    return c.html(
      <Layout title="Models" nav={nav}>
        <h1>Models</h1>
        {list.length === 0 ? (
          <p class="muted">
            No models registered yet. Train one (<code>vigil train</code>) or upload one (POST
            /api/v1/models/NAME/versions).
          </p>
        ) : (
          <table>
            <thead>
              <tr>
                <th>model</th>
                <th>versions</th>
                <th>latest</th>
                <th>aliases</th>
                <th>updated</th>
              </tr>
            </thead>
            <tbody>
              {list.map((m) => (
                <tr>
                  <td>
                    <a href={`/models/${encodeURIComponent(m.name)}`}>{m.name}</a>
                  </td>
                  <td>{m.versions}</td>
                  <td>{m.latest}</td>
                  <td>
                    {Object.entries(m.aliases)
                      .map(([a, v]) => `${a} → ${v}`)
                      .join(', ')}
                  </td>
                  <td>{when(m.updatedAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Layout>,
    );
  });

  app.get('/models/:name', async (c) => {
    const name = c.req.param('name');
    const versions = NAME.test(name) ? await registry.versions(name) : [];
    if (!versions.length) {
      return c.html(
        <Layout title="Not found" nav={nav}>
          <p>No model named {name}.</p>
        </Layout>,
        404,
      );
    }
    const [aliases, log, evaluations] = await Promise.all([
      registry.aliases(name),
      registry.promotionLog(name),
      registry.evaluations(name),
    ]);
    const aliasesOf = (v: number) =>
      Object.entries(aliases)
        .filter(([, to]) => to === v)
        .map(([a]) => a);
    const metricNames = [...new Set(versions.flatMap((v) => Object.keys(v.metrics)))].sort();
    const shownMetrics = [
      ...PREFERRED.filter((m) => metricNames.includes(m)),
      ...metricNames.filter((m) => !PREFERRED.includes(m)),
    ].slice(0, 6);
    const metric = plotMetric(versions);
    const champion = versions.find((v) => v.version === aliases.champion) ?? versions.at(-1)!;
    const api = `/api/v1/models/${encodeURIComponent(name)}`;
    return c.html(
      <Layout title={`Model ${name}`} nav={nav}>
        <h1>{name}</h1>
        <p class="muted">
          {versions.length} version{versions.length === 1 ? '' : 's'} · aliases:{' '}
          <span id="aliases">
            {Object.entries(aliases)
              .map(([a, v]) => `${a} → ${v}`)
              .join(', ') || 'none'}
          </span>
          {models.policy
            ? ` · promotion policy: ${models.policy.kind ?? 'evaluation'} ${models.policy.metric} must ${
                (models.policy.higherIsBetter ?? true) ? 'beat' : 'be below'
              } the current version's`
            : ' · no promotion policy'}
        </p>
        <table id="versions">
          <thead>
            <tr>
              <th>version</th>
              <th>aliases</th>
              <th>format</th>
              {shownMetrics.map((m) => (
                <th>{m}</th>
              ))}
              <th>lineage</th>
              <th>created</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {versions
              .slice()
              .reverse()
              .map((v) => (
                <tr id={`version-${v.version}`}>
                  <td>
                    <b>{v.version}</b>
                    <div class="muted">{v.sha256.slice(0, 12)}</div>
                  </td>
                  <td class="aliases">{aliasesOf(v.version).join(', ')}</td>
                  <td>{v.format}</td>
                  {shownMetrics.map((m) => (
                    <td>{v.metrics[m] === undefined ? '' : fmt(v.metrics[m] as number)}</td>
                  ))}
                  <td>
                    <details>
                      <summary>{v.lineage.trainer ?? v.tags.family ?? 'lineage'}</summary>
                      <pre>{JSON.stringify(v.lineage, null, 1)}</pre>
                    </details>
                  </td>
                  <td>
                    {when(v.createdAt)}
                    <div class="muted">{v.createdBy}</div>
                  </td>
                  <td>
                    <button type="button" data-promote={v.version} onclick={`openPromote(${v.version})`}>
                      Promote…
                    </button>
                  </td>
                </tr>
              ))}
          </tbody>
        </table>
        <div class="card">
          {Object.keys(aliases).map((a) => (
            <button type="button" data-rollback={a} onclick={`rollback(${JSON.stringify(a)})`}>
              Roll back {a}
            </button>
          ))}
        </div>
        <div style="display:grid;grid-template-columns:1fr 1fr;gap:12px;margin:12px 0">
          {metric ? (
            <LineChart
              title={`${metric} per version`}
              xLabel="version"
              series={[
                {
                  name: metric,
                  points: versions
                    .filter((v) => v.metrics[metric] !== undefined)
                    .map((v) => ({ x: v.version, y: v.metrics[metric] as number })),
                },
              ]}
            />
          ) : (
            <p class="muted">No metrics recorded.</p>
          )}
          {champion.scoreDistribution ? (
            <LineChart
              title={`Score distribution of version ${champion.version} (quantiles)`}
              xLabel="quantile"
              series={[
                {
                  name: `v${champion.version}`,
                  points: champion.scoreDistribution.quantiles.map((q) => ({ x: q.q, y: q.value })),
                },
              ]}
            />
          ) : (
            <p class="muted">Version {champion.version} has no score distribution.</p>
          )}
        </div>
        <h2>Promotion history</h2>
        <table id="promotions">
          <thead>
            <tr>
              <th>#</th>
              <th>when</th>
              <th>alias</th>
              <th>action</th>
              <th>from → to</th>
              <th>who</th>
              <th>reason</th>
            </tr>
          </thead>
          <tbody>
            {log
              .slice()
              .reverse()
              .map((e) => (
                <tr>
                  <td>{e.seq}</td>
                  <td>{when(e.at)}</td>
                  <td>{e.alias}</td>
                  <td>{e.action}</td>
                  <td>
                    {e.fromVersion ?? '–'} → {e.toVersion}
                  </td>
                  <td>{e.who}</td>
                  <td>{e.reason}</td>
                </tr>
              ))}
          </tbody>
        </table>
        <h2>Evaluations and backtests</h2>
        {evaluations.length === 0 ? (
          <p class="muted">None recorded.</p>
        ) : (
          <table>
            <thead>
              <tr>
                <th>version</th>
                <th>kind</th>
                <th>dataset</th>
                <th>metrics</th>
                <th>when</th>
              </tr>
            </thead>
            <tbody>
              {evaluations.map((e) => (
                <tr>
                  <td>{e.version}</td>
                  <td>{e.kind}</td>
                  <td>{(e.dataset ?? '').slice(0, 60)}</td>
                  <td>
                    {Object.entries(e.metrics)
                      .slice(0, 8)
                      .map(([k, v]) => `${k}=${fmt(v)}`)
                      .join(' ')}
                  </td>
                  <td>{when(e.at)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <dialog id="promote-dialog" data-api={api}>
          <h3>
            Promote {name} version <span id="promote-version" />
          </h3>
          <p>
            <label>
              Alias <input id="promote-alias" value="champion" />
            </label>
          </p>
          <p>
            <label>
              Reason <input id="promote-reason" size={50} placeholder="why this version" />
            </label>
          </p>
          <p class="muted">Scoring switches to it at once; the move is logged and audited.</p>
          <button type="button" id="promote-confirm" onclick="confirmPromote()">
            Confirm promotion
          </button>{' '}
          <button type="button" onclick="document.getElementById('promote-dialog').close()">
            Cancel
          </button>{' '}
          <span id="promote-result" class="muted" />
        </dialog>
        <script>{raw(PROMOTE_SCRIPT)}</script>
      </Layout>,
    );
  });
}
