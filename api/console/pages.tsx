/** @jsxImportSource hono/jsx */
// The console: server-rendered pages with a little client script (live updates over SSE, actions
// through the same REST API). Login stores the API key in an HttpOnly, SameSite=Strict cookie.
import type { OpenAPIHono } from '@hono/zod-openapi';
import { deleteCookie, setCookie } from 'hono/cookie';
import { raw } from 'hono/html';
import type { Child } from 'hono/jsx';
import { ALERT_STATUSES, type AlertQuery, type AlertRow, VERDICTS } from '../alerts/store.ts';
import type { AppDeps } from '../app.ts';
import { type AppEnv, KEY_COOKIE } from '../http.ts';
import { BarChart } from './plots.tsx';

const STYLE = `
body{font:14px/1.45 system-ui,sans-serif;margin:0;color:#1d2329;background:#f6f7f9}
header{background:#1d2329;color:#fff;padding:8px 16px;display:flex;gap:16px;align-items:center}
header a{color:#cfd6de;text-decoration:none} header a:hover{color:#fff} header b{color:#fff;margin-right:12px}
main{padding:16px;max-width:1200px;margin:auto} .muted{color:#6c757d}
table{border-collapse:collapse;width:100%;background:#fff} th,td{padding:6px 8px;border-bottom:1px solid #e3e6ea;text-align:left;vertical-align:top}
th{background:#eef0f3;font-weight:600} tr.new{animation:flash 2s} @keyframes flash{from{background:#fff3cd}to{background:#fff}}
.sev{display:inline-block;min-width:2.5em;text-align:center;border-radius:3px;padding:0 4px;color:#fff;background:#6c757d}
.sev.hi{background:#d9534f}.sev.md{background:#f0ad4e}.sev.lo{background:#5bc0de}
.facets{display:flex;gap:16px;flex-wrap:wrap;margin:8px 0} .facet{background:#fff;border:1px solid #e3e6ea;padding:6px 10px;border-radius:4px;min-width:160px}
.facet a{text-decoration:none;color:#0275d8} form.inline{display:inline} button,select,input{font:inherit}
.card{background:#fff;border:1px solid #e3e6ea;border-radius:4px;padding:12px;margin:12px 0} pre{white-space:pre-wrap;word-break:break-all;background:#f1f3f5;padding:8px}
figure{margin:0;background:#fff;border:1px solid #e3e6ea;padding:8px} figcaption{font-weight:600;margin-bottom:4px}
.status{font-weight:600} .legend span{margin-right:12px}
`;

export function Layout(props: { title: string; nav?: { path: string; title: string }[]; children?: Child }) {
  const nav = [
    { path: '/', title: 'Alerts' },
    ...(props.nav ?? []),
    { path: '/pipeline', title: 'Pipeline' },
    { path: '/audit', title: 'Audit' },
    { path: '/docs', title: 'API' },
  ];
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <title>{props.title} · Vigil</title>
        <style>{raw(STYLE)}</style>
      </head>
      <body>
        <header>
          <b>Vigil</b>
          {nav.map((n) => (
            <a href={n.path}>{n.title}</a>
          ))}
          <span style="flex:1" />
          <a href="/logout">Log out</a>
        </header>
        <main>{props.children}</main>
      </body>
    </html>
  );
}

const sevClass = (s: number | null) => (s === null ? '' : s >= 70 ? 'hi' : s >= 40 ? 'md' : 'lo');

function AlertRowView({ a }: { a: AlertRow }) {
  return (
    <tr id={`alert-${a.id}`}>
      <td>{new Date(a.ts).toISOString().replace('T', ' ').slice(0, 19)}</td>
      <td>
        <span class={`sev ${sevClass(a.severity)}`}>
          {a.severity === null ? '–' : Math.round(a.severity)}
        </span>
      </td>
      <td>
        <a href={`/alerts/${encodeURIComponent(a.id)}`}>{a.title}</a>
      </td>
      <td>{a.kind}</td>
      <td>{a.entity ?? ''}</td>
      <td class="status">{a.status}</td>
      <td>{a.verdict ?? ''}</td>
    </tr>
  );
}

function queryFromUrl(url: URL): AlertQuery {
  const get = (k: string) => url.searchParams.get(k) ?? undefined;
  const status = get('status')
    ?.split(',')
    .filter((s) => (ALERT_STATUSES as readonly string[]).includes(s)) as AlertQuery['status'];
  const minSeverity = get('minSeverity') === undefined ? undefined : Number(get('minSeverity'));
  return {
    status: status?.length ? status : undefined,
    kind: get('kind')?.split(',').filter(Boolean),
    entity: get('entity'),
    text: get('q'),
    minSeverity: Number.isFinite(minSeverity) ? minSeverity : undefined,
    sort: get('sort') === 'severity' ? 'severity' : 'ts',
    limit: 100,
  };
}

const LIVE_SCRIPT = `
const rows = document.getElementById('alert-rows');
const es = new EventSource('/api/v1/stream?topics=alerts');
const sevClass = (s) => s == null ? '' : s >= 70 ? 'hi' : s >= 40 ? 'md' : 'lo';
const esc = (s) => String(s ?? '').replace(/[&<>"]/g, (c) => ({'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;'}[c]));
es.addEventListener('alerts', (e) => {
  const a = JSON.parse(e.data);
  if (document.getElementById('alert-' + a.id)) return;
  const tr = document.createElement('tr');
  tr.id = 'alert-' + a.id; tr.className = 'new';
  const ts = typeof a['@timestamp'] === 'number' ? new Date(a['@timestamp']) : new Date(a['@timestamp']);
  tr.innerHTML = '<td>' + ts.toISOString().replace('T',' ').slice(0,19) + '</td><td><span class="sev ' + sevClass(a.severity) + '">' + (a.severity == null ? '–' : Math.round(a.severity)) + '</span></td>' +
    '<td><a href="/alerts/' + encodeURIComponent(a.id) + '">' + esc(a.title) + '</a></td><td>' + esc(a.kind) + '</td><td>' + esc(a.entity) + '</td><td class="status">NEW</td><td></td>';
  rows.prepend(tr);
  const n = document.getElementById('live-count'); n.textContent = String(Number(n.textContent) + 1);
});
`;

const DETAIL_SCRIPT = `
async function act(path, body) {
  const r = await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const j = await r.json();
  document.getElementById('result').textContent = r.ok ? 'saved' : (j.error || 'failed');
  if (r.ok) setTimeout(() => location.reload(), 200);
}
`;

export function mountConsole(app: OpenAPIHono<AppEnv>, deps: AppDeps): void {
  const nav = deps.consolePages ?? [];

  app.get('/login', (c) => {
    const next = c.req.query('next') ?? '/';
    const error = c.req.query('error');
    return c.html(
      <html lang="en">
        <head>
          <meta charset="utf-8" />
          <title>Log in · Vigil</title>
          <style>{raw(STYLE)}</style>
        </head>
        <body>
          <main>
            <h1>Vigil</h1>
            <form method="post" action="/login" class="card">
              <p>
                Paste the API key that <code>npm start</code> printed (or one an admin gave you).
              </p>
              {error ? <p style="color:#d9534f">That key is not valid.</p> : null}
              <input type="password" name="key" size={60} autofocus placeholder="vgl_…" />
              <input type="hidden" name="next" value={next} />
              <button type="submit">Log in</button>
            </form>
          </main>
        </body>
      </html>,
    );
  });
  app.post('/login', async (c) => {
    const form = await c.req.parseBody();
    const key = typeof form.key === 'string' ? form.key.trim() : '';
    const next =
      typeof form.next === 'string' && form.next.startsWith('/') && !form.next.startsWith('//')
        ? form.next
        : '/';
    if (!deps.keys.authenticate(key)) return c.redirect(`/login?error=1&next=${encodeURIComponent(next)}`);
    setCookie(c, KEY_COOKIE, key, { httpOnly: true, sameSite: 'Strict', path: '/' });
    return c.redirect(next);
  });
  app.get('/logout', (c) => {
    deleteCookie(c, KEY_COOKIE, { path: '/' });
    return c.redirect('/login');
  });

  app.get('/', async (c) => {
    const url = new URL(c.req.url);
    const q = queryFromUrl(url);
    const [{ total, alerts }, byKind, byStatus, byEntity, hist, searches] = await Promise.all([
      deps.alerts.list(q),
      deps.alerts.facets('kind', q),
      deps.alerts.facets('status', q),
      deps.alerts.facets('entity', q, 8),
      deps.alerts.histogram(3_600_000, { ...q, limit: undefined }),
      deps.alerts.savedSearches(),
    ]);
    const link = (k: string, v: string | null) => {
      const u = new URL(url);
      if (v === null) u.searchParams.delete(k);
      else u.searchParams.set(k, v);
      return `${u.pathname}${u.search}`;
    };
    const facet = (title: string, field: string, values: { value: string | null; count: number }[]) => (
      <div class="facet">
        <b>{title}</b>
        {url.searchParams.get(field) ? (
          <a href={link(field, null)} style="float:right">
            clear
          </a>
        ) : null}
        {values.map((v) => (
          <div>
            <a href={link(field, v.value ?? '')}>{v.value ?? '(none)'}</a>{' '}
            <span class="muted">{v.count}</span>
          </div>
        ))}
      </div>
    );
    return c.html(
      <Layout title="Alerts" nav={nav}>
        <h1>
          Alerts{' '}
          <span class="muted">
            ({total}, live +<span id="live-count">0</span>)
          </span>
        </h1>
        <form method="get" action="/" class="card">
          <input name="q" placeholder="search title or entity" value={url.searchParams.get('q') ?? ''} />{' '}
          <select name="status">
            <option value="">any status</option>
            {ALERT_STATUSES.map((s) => (
              <option value={s} selected={url.searchParams.get('status') === s}>
                {s}
              </option>
            ))}
          </select>{' '}
          <input
            name="minSeverity"
            size={4}
            placeholder="min sev"
            value={url.searchParams.get('minSeverity') ?? ''}
          />{' '}
          <select name="sort">
            <option value="ts">newest</option>
            <option value="severity" selected={url.searchParams.get('sort') === 'severity'}>
              most severe
            </option>
          </select>{' '}
          <button type="submit">Filter</button>{' '}
          <button type="button" id="save-search">
            Save search
          </button>
          {searches.length ? (
            <span>
              {' '}
              Saved:{' '}
              {searches.map((s) => (
                <a
                  href={`/?${new URLSearchParams(
                    Object.entries(s.query)
                      .filter(([, v]) => v !== undefined && v !== null)
                      .map(([k, v]) => [k === 'text' ? 'q' : k, String(v)]),
                  )}`}
                >
                  {s.name}{' '}
                </a>
              ))}
            </span>
          ) : null}
        </form>
        <div class="facets">
          {facet('Kind', 'kind', byKind)}
          {facet('Status', 'status', byStatus)}
          {facet('Entity', 'entity', byEntity)}
        </div>
        <BarChart title="Alerts per hour" xIsTime points={hist.map((h) => ({ x: h.t, y: h.count }))} />
        <table>
          <thead>
            <tr>
              <th>time (UTC)</th>
              <th>sev</th>
              <th>title</th>
              <th>kind</th>
              <th>entity</th>
              <th>status</th>
              <th>verdict</th>
            </tr>
          </thead>
          <tbody id="alert-rows">
            {alerts.map((a) => (
              <AlertRowView a={a} />
            ))}
          </tbody>
        </table>
        <script>
          {raw(LIVE_SCRIPT)}
          {raw(`document.getElementById('save-search').onclick = async () => {
  const name = prompt('Name this search'); if (!name) return;
  const p = new URLSearchParams(location.search); const query = {};
  for (const [k, v] of p) if (v) query[k] = v;
  const r = await fetch('/api/v1/searches', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name, query }) });
  if (r.ok) location.reload(); else alert((await r.json()).error);
};`)}
        </script>
      </Layout>,
    );
  });

  app.get('/alerts/:id', async (c) => {
    const alert = await deps.alerts.get(c.req.param('id'));
    if (!alert)
      return c.html(
        <Layout title="Not found" nav={nav}>
          <p>No alert {c.req.param('id')}.</p>
        </Layout>,
        404,
      );
    const detail = alert.detail as Record<string, unknown> & {
      reasons?: string[];
      top_features?: { name: string; value: number; contribution: number }[];
    };
    const api = `/api/v1/alerts/${encodeURIComponent(alert.id)}`;
    return c.html(
      <Layout title={alert.title} nav={nav}>
        <h1>
          <span class={`sev ${sevClass(alert.severity)}`}>
            {alert.severity === null ? '–' : Math.round(alert.severity)}
          </span>{' '}
          {alert.title}
        </h1>
        <p class="muted">
          {alert.kind} · {alert.entity ?? 'no entity'} · {new Date(alert.ts).toISOString()} · id {alert.id}
          {alert.incident ? ` · incident ${alert.incident}` : ''}
        </p>
        <div class="card">
          Status: <b id="status">{alert.status}</b>{' '}
          {ALERT_STATUSES.map((s) => (
            <button
              type="button"
              data-status={s}
              onclick={`act('${api}/status', {status: '${s}'})`}
              disabled={s === alert.status}
            >
              {s}
            </button>
          ))}
          <br />
          Verdict: <b id="verdict">{alert.verdict ?? 'none'}</b>{' '}
          {VERDICTS.map((v) => (
            <button type="button" data-verdict={v} onclick={`act('${api}/verdict', {verdict: '${v}'})`}>
              {v.replace('_', ' ')}
            </button>
          ))}{' '}
          <span id="result" class="muted" />
        </div>
        <div class="card">
          <h3>Why</h3>
          <ul>
            {(detail.reasons ?? []).map((r) => (
              <li>{r}</li>
            ))}
          </ul>
          {detail.top_features?.length ? (
            <table>
              <thead>
                <tr>
                  <th>feature</th>
                  <th>value</th>
                  <th>contribution</th>
                </tr>
              </thead>
              <tbody>
                {detail.top_features.map((f) => (
                  <tr>
                    <td>{f.name}</td>
                    <td>{String(f.value)}</td>
                    <td>{f.contribution.toFixed(3)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : null}
        </div>
        <div class="card">
          <h3>Comments</h3>
          {alert.comments.map((cm) => (
            <p>
              <b>{cm.who}</b> <span class="muted">{new Date(cm.at).toISOString()}</span>
              <br />
              {cm.text}
            </p>
          ))}
          <textarea id="comment" rows={3} cols={80} />
          <br />
          <button
            type="button"
            onclick={`act('${api}/comments', {text: document.getElementById('comment').value})`}
          >
            Comment
          </button>
        </div>
        <div class="card">
          <h3>History</h3>
          <ul>
            {alert.history.map((h) => (
              <li>
                {new Date(h.at as number).toISOString()} {String(h.who)}: {String(h.field)}{' '}
                {String(h.old ?? '–')} → {String(h.new ?? '–')}
              </li>
            ))}
          </ul>
        </div>
        <div class="card">
          <h3>Alert record (with enrichments)</h3>
          <pre>{JSON.stringify(detail, null, 2)}</pre>
        </div>
        <script>{raw(DETAIL_SCRIPT)}</script>
      </Layout>,
    );
  });

  app.get('/pipeline', async (c) => {
    const stats = deps.runners().map((r) => r.stats);
    const topics = await Promise.all((await deps.log.listTopics()).map((t) => deps.log.describeTopic(t)));
    const errors = topics.find((t) => t.name === 'errors');
    let recentErrors: Record<string, unknown>[] = [];
    if (errors) {
      for (const p of errors.partitions) {
        const from = Math.max(p.earliest, p.latest - 20);
        const records = await deps.log.read('errors', p.partition, from, { maxRecords: 20 });
        recentErrors.push(...records.map((r) => ({ ...JSON.parse(r.value.toString()), _ts: r.timestamp })));
      }
      recentErrors = recentErrors.sort((a, b) => Number(b._ts) - Number(a._ts)).slice(0, 20);
    }
    const byKind = new Map<string, number>();
    for (const e of recentErrors)
      byKind.set(
        `${e.sensor ?? e.stage}: ${e.kind}`,
        (byKind.get(`${e.sensor ?? e.stage}: ${e.kind}`) ?? 0) + 1,
      );
    return c.html(
      <Layout title="Pipeline" nav={nav}>
        <h1>Pipeline</h1>
        <table>
          <thead>
            <tr>
              <th>stage</th>
              <th>in</th>
              <th>out</th>
              <th>errors</th>
              <th>lag</th>
              <th>running</th>
            </tr>
          </thead>
          <tbody>
            {stats.map((s) => (
              <tr>
                <td>{s.stage}</td>
                <td>{s.recordsIn}</td>
                <td>{s.recordsOut}</td>
                <td>{s.errors}</td>
                <td>{s.lag}</td>
                <td>{s.running ? 'yes' : 'no'}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <h2>Topics</h2>
        <table>
          <thead>
            <tr>
              <th>topic</th>
              <th>partitions</th>
              <th>records</th>
            </tr>
          </thead>
          <tbody>
            {topics.map((t) => (
              <tr>
                <td>{t.name}</td>
                <td>{t.partitions.length}</td>
                <td>{t.partitions.reduce((n, p) => n + p.latest - p.earliest, 0)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <h2>Latest errors</h2>
        <BarChart
          title="Latest errors by sensor and kind"
          points={[...byKind.values()].map((y, x) => ({ x, y }))}
        />
        <p class="muted">{[...byKind.keys()].map((k, i) => `${i}: ${k}`).join(' · ')}</p>
        <table>
          <thead>
            <tr>
              <th>stage / sensor</th>
              <th>kind</th>
              <th>why</th>
              <th>raw line</th>
            </tr>
          </thead>
          <tbody>
            {recentErrors.map((e) => (
              <tr>
                <td>
                  {String(e.stage ?? '')} {e.sensor ? `/ ${String(e.sensor)}` : ''}
                </td>
                <td>{String(e.kind ?? '')}</td>
                <td>{String(e.message ?? '')}</td>
                <td>
                  <code>{String(e.raw ?? '').slice(0, 300)}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </Layout>,
    );
  });

  app.get('/audit', async (c) => {
    const p = c.get('principal');
    if (p.role !== 'admin')
      return c.html(
        <Layout title="Audit" nav={nav}>
          <p>The audit trail needs the admin role.</p>
        </Layout>,
        403,
      );
    const entries = await deps.audit.recent(200);
    return c.html(
      <Layout title="Audit" nav={nav}>
        <h1>Audit trail</h1>
        <table>
          <thead>
            <tr>
              <th>when</th>
              <th>who</th>
              <th>action</th>
              <th>target</th>
              <th>detail</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((e) => (
              <tr>
                <td>{e.at}</td>
                <td>
                  {e.who} ({e.role})
                </td>
                <td>{e.action}</td>
                <td>{e.target}</td>
                <td>
                  <code>{JSON.stringify(e.detail ?? '')}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </Layout>,
    );
  });
}
