// The HTTP app (Hono + zod-openapi): /healthz, /readyz, /metrics, the /api/v1 resources (described
// at /openapi.json, browsable at /docs), the live stream, and the console pages.
import { swaggerUI } from '@hono/swagger-ui';
import type { OpenAPIHono } from '@hono/zod-openapi';
import { bodyLimit } from 'hono/body-limit';
import { HTTPException } from 'hono/http-exception';
import type { EventLog } from '../ingest/log/types.ts';
import type { StageRunner } from '../ingest/pipeline/runner.ts';
import { logger } from '../kernel/logger.ts';
import { metricsRegistry } from '../kernel/metrics.ts';
import type { AlertStore } from './alerts/store.ts';
import type { AuditLog } from './audit.ts';
import type { KeyStore } from './auth/keys.ts';
import { mountBacktestsConsole } from './console/backtests.tsx';
import { mountModelsConsole } from './console/models.tsx';
import { mountConsole } from './console/pages.tsx';
import { mountProfilesConsole } from './console/profiles.tsx';
import { mountSensorsConsole } from './console/sensors.tsx';
import { type AppEnv, authenticate, newRouter } from './http.ts';
import { alertRoutes, incidentRoutes, savedSearchRoutes } from './routes/alerts.ts';
import { type BacktestRuns, backtestRoutes } from './routes/backtests.ts';
import { type ConfigStores, configRoutes } from './routes/config.ts';
import { eventRoutes, scoreRoutes } from './routes/events.ts';
import { DEFAULT_INGEST_BODY_BYTES, type IngestDeps, ingestRoutes } from './routes/ingest.ts';
import { DEFAULT_MAX_UPLOAD_BYTES, type ModelsDeps, modelRoutes } from './routes/models.ts';
import { type ProfilesDeps, profileRoutes } from './routes/profiles.ts';
import { mountStream } from './routes/stream.ts';
import { systemRoutes } from './routes/system.ts';
import { type TrainingRuns, trainingRoutes } from './routes/training.ts';

/** Extra resource routers a pipeline contributes (models, config, ingest, events, profiles...). */
export interface RouteMount {
  path: string;
  router: OpenAPIHono<AppEnv>;
  /** Request body limit for this mount, bytes (default 1 MiB). */
  maxBodyBytes?: number;
}

export interface AppDeps {
  log: EventLog;
  runners: () => StageRunner[];
  ready: () => boolean;
  keys: KeyStore;
  alerts: AlertStore;
  audit: AuditLog;
  mounts?: RouteMount[];
  /** Links shown in the console's navigation for contributed pages. */
  consolePages?: { path: string; title: string }[];
  /** The model registry: /api/v1/models and the /models page. */
  models?: ModelsDeps;
  /** Live configs (sensors, enrichment, profiles): /api/v1/config. */
  configs?: ConfigStores;
  /** Raw-line ingest over HTTP: /api/v1/ingest/{sensor}. */
  ingest?: IngestDeps;
  /** The profile store: /api/v1/profiles and the /profiles page. */
  profiles?: ProfilesDeps;
  /** Background training runs: /api/v1/training. */
  training?: TrainingRuns;
  /** Background backtests: /api/v1/backtests and the /backtests pages. */
  backtests?: BacktestRuns;
}

const PUBLIC = new Set([
  '/healthz',
  '/readyz',
  '/openapi.json',
  '/docs',
  '/login',
  '/logout',
  '/favicon.ico',
]);

export function createApp(deps: AppDeps): OpenAPIHono<AppEnv> {
  const app = newRouter();
  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.get('/readyz', (c) =>
    deps.ready() ? c.json({ status: 'ready' }) : c.json({ status: 'starting' }, 503),
  );
  app.use(
    '*',
    authenticate(deps.keys, (path) => PUBLIC.has(path) || path.startsWith('/static/')),
  );
  app.get('/metrics', async (c) => {
    c.header('Content-Type', metricsRegistry.contentType);
    return c.body(await metricsRegistry.metrics());
  });

  const limit = (maxSize: number) =>
    bodyLimit({
      maxSize,
      onError: (c) => c.json({ error: `request body over the ${maxSize}-byte limit` }, 413),
    });
  const mounts: RouteMount[] = [
    { path: '/api/v1', router: systemRoutes(deps) },
    { path: '/api/v1/alerts', router: alertRoutes(deps) },
    { path: '/api/v1/incidents', router: incidentRoutes(deps) },
    { path: '/api/v1/searches', router: savedSearchRoutes(deps) },
    { path: '/api/v1/events', router: eventRoutes(deps) },
    { path: '/api/v1/scores', router: scoreRoutes(deps) },
    ...(deps.mounts ?? []),
  ];
  const pages = [...(deps.consolePages ?? []), { path: '/sensors', title: 'Sensors' }];
  if (deps.models) {
    const maxBodyBytes = (deps.models.maxUploadBytes ?? DEFAULT_MAX_UPLOAD_BYTES) + 1024 * 1024;
    mounts.push({
      path: '/api/v1/models',
      router: modelRoutes({ ...deps, models: deps.models }),
      maxBodyBytes,
    });
    pages.push({ path: '/models', title: 'Models' });
  }
  if (deps.configs)
    mounts.push({ path: '/api/v1/config', router: configRoutes({ ...deps, configs: deps.configs }) });
  if (deps.ingest) {
    const maxBodyBytes = deps.ingest.maxBodyBytes ?? DEFAULT_INGEST_BODY_BYTES;
    mounts.push({
      path: '/api/v1/ingest',
      router: ingestRoutes({ ...deps, ingest: deps.ingest }),
      maxBodyBytes,
    });
  }
  if (deps.profiles) {
    mounts.push({ path: '/api/v1/profiles', router: profileRoutes({ profiles: deps.profiles }) });
    pages.push({ path: '/profiles', title: 'Profiles' });
  }
  if (deps.training) {
    mounts.push({ path: '/api/v1/training', router: trainingRoutes({ ...deps, training: deps.training }) });
  }
  if (deps.backtests) {
    // Label intervals may ride along in the body (up to 100k of them).
    mounts.push({
      path: '/api/v1/backtests',
      router: backtestRoutes({ ...deps, backtests: deps.backtests }),
      maxBodyBytes: 16 * 1024 * 1024,
    });
    pages.push({ path: '/backtests', title: 'Backtests' });
  }
  for (const m of mounts) {
    app.use(`${m.path}/*`, limit(m.maxBodyBytes ?? 1024 * 1024));
    app.route(m.path, m.router);
  }
  mountStream(app, deps.log);

  app.openAPIRegistry.registerComponent('securitySchemes', 'ApiKey', { type: 'http', scheme: 'bearer' });
  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: { title: 'Vigil API', version: '1', description: 'Security detection on a replayable log.' },
    security: [{ ApiKey: [] }],
  });
  app.get('/docs', swaggerUI({ url: '/openapi.json' }));
  const consoleDeps = { ...deps, consolePages: pages };
  mountSensorsConsole(app, consoleDeps);
  if (deps.models) mountModelsConsole(app, consoleDeps, deps.models);
  if (deps.profiles) mountProfilesConsole(app, consoleDeps, deps.profiles);
  if (deps.backtests) mountBacktestsConsole(app, consoleDeps, deps.backtests);
  mountConsole(app, consoleDeps);

  app.notFound((c) => c.json({ error: `no route for ${c.req.method} ${c.req.path}` }, 404));
  app.onError((err, c) => {
    if (err instanceof HTTPException) return c.json({ error: err.message }, err.status);
    if (err instanceof SyntaxError) return c.json({ error: `malformed JSON body: ${err.message}` }, 400);
    const code = (err as { code?: string }).code;
    if (code === 'UNKNOWN_TOPIC') return c.json({ error: err.message }, 404);
    if (
      code &&
      [
        'INVALID_PARTITION',
        'OFFSET_OUT_OF_RANGE',
        'INVALID_RECORD',
        'RECORD_TOO_LARGE',
        'INVALID_CONFIG',
      ].includes(code)
    ) {
      return c.json({ error: err.message }, 400);
    }
    // Never a stack trace to the client: it goes to the log with a reference the client can quote.
    const ref = Math.random().toString(36).slice(2, 10);
    logger.error({ err, ref, path: c.req.path }, 'request failed');
    return c.json({ error: `internal error (reference ${ref})` }, 500);
  });
  return app;
}
