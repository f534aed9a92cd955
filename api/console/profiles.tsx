/** @jsxImportSource hono/jsx */
// The profiles page: pick a profile and an entity, see its closed windows as a time series (and the
// numbers under it). Read straight from the profiler's store, like /api/v1/profiles.
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppDeps } from '../app.ts';
import type { AppEnv } from '../http.ts';
import type { ProfilesDeps } from '../routes/profiles.ts';
import { Layout } from './pages.tsx';
import { LineChart } from './plots.tsx';

const when = (t: number) => new Date(t).toISOString().replace('T', ' ').slice(0, 19);

export function mountProfilesConsole(app: OpenAPIHono<AppEnv>, deps: AppDeps, profiles: ProfilesDeps): void {
  const nav = deps.consolePages ?? [];

  app.get('/profiles', async (c) => {
    const names = profiles.names();
    const asked = c.req.query('profile');
    const profile = asked && names.includes(asked) ? asked : names[0];
    const entities = profile ? await profiles.store.entities(profile, 500) : [];
    const askedEntity = c.req.query('entity');
    const entity = askedEntity && askedEntity.length <= 200 ? askedEntity : entities[0];
    const periodsRaw = Number(c.req.query('periods') ?? 48);
    const periods = Number.isInteger(periodsRaw) && periodsRaw > 0 ? Math.min(periodsRaw, 5000) : 48;
    const rows = profile && entity ? await profiles.store.query(profile, entity, { limit: periods }) : [];
    const points = rows.filter((r) => r.value !== null).map((r) => ({ x: r.start, y: r.value as number }));
    return c.html(
      <Layout title="Profiles" nav={nav}>
        <h1>Profiles</h1>
        {names.length === 0 ? (
          <p class="muted">No profiles are configured.</p>
        ) : (
          <form method="get" action="/profiles" class="card">
            <label>
              Profile{' '}
              <select name="profile" onchange="this.form.entity.value='';this.form.submit()">
                {names.map((n) => (
                  <option value={n} selected={n === profile}>
                    {n}
                  </option>
                ))}
              </select>
            </label>{' '}
            <label>
              Entity <input name="entity" list="entities" value={entity ?? ''} size={30} />
            </label>
            <datalist id="entities">
              {entities.map((e) => (
                <option value={e} />
              ))}
            </datalist>{' '}
            <label>
              Periods <input name="periods" type="number" min="1" max="5000" value={String(periods)} />
            </label>{' '}
            <button type="submit">Show</button>
            <span class="muted"> {entities.length} entities with stored periods</span>
          </form>
        )}
        {profile && entity ? (
          <>
            <LineChart
              title={`${profile} for ${entity}, last ${periods} periods`}
              xIsTime
              series={[{ name: profile, points }]}
            />
            <table id="periods">
              <thead>
                <tr>
                  <th>window start</th>
                  <th>window end</th>
                  <th>value</th>
                </tr>
              </thead>
              <tbody>
                {rows
                  .slice()
                  .reverse()
                  .map((r) => (
                    <tr>
                      <td>{when(r.start)}</td>
                      <td>{when(r.end)}</td>
                      <td>
                        {r.value === null
                          ? JSON.stringify(r.record.value)
                          : Number.isInteger(r.value)
                            ? String(r.value)
                            : r.value.toFixed(4)}
                      </td>
                    </tr>
                  ))}
              </tbody>
            </table>
          </>
        ) : null}
      </Layout>,
    );
  });
}
