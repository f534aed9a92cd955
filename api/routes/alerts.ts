// /api/v1/alerts: the analysts' queue — list/filter/sort, facets, histogram, detail, status,
// comments, verdicts (kept as training labels on the `verdicts` topic), incidents, saved searches.
import { createRoute, z } from '@hono/zod-openapi';
import type { EventLog } from '../../ingest/log/types.ts';
import { ALERT_STATUSES, type AlertQuery, type AlertStore, FACET_FIELDS, VERDICTS } from '../alerts/store.ts';
import type { AuditLog } from '../audit.ts';
import { newRouter, notFound, requireRole } from '../http.ts';

export const VERDICTS_TOPIC = 'verdicts';

const csv = <T extends string>(values: readonly [T, ...T[]]) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (!v) return undefined;
      const parts = v.split(',').filter(Boolean);
      for (const p of parts) {
        if (!(values as readonly string[]).includes(p)) {
          ctx.addIssue({ code: 'custom', message: `'${p}' is not one of ${values.join(', ')}` });
          return z.NEVER;
        }
      }
      return parts as T[];
    });

const time = z
  .string()
  .optional()
  .transform((v, ctx) => {
    if (v === undefined) return undefined;
    const t = /^\d+$/.test(v) ? Number(v) : Date.parse(v);
    if (!Number.isFinite(t)) {
      ctx.addIssue({ code: 'custom', message: `'${v}' is not a time (ISO 8601 or epoch ms)` });
      return z.NEVER;
    }
    return t;
  });

export const alertQuerySchema = z.object({
  status: csv(ALERT_STATUSES).openapi({ example: 'NEW,OPEN' }),
  kind: z.string().max(200).optional().openapi({ example: 'triage,model' }),
  entity: z.string().max(200).optional(),
  incident: z.string().max(200).optional(),
  minSeverity: z.coerce.number().min(0).max(100).optional(),
  since: time,
  until: time,
  q: z.string().max(200).optional(),
  sort: z.enum(['ts', 'severity']).optional(),
  order: z.enum(['asc', 'desc']).optional(),
  limit: z.coerce.number().int().min(1).max(1000).optional(),
  offset: z.coerce.number().int().min(0).max(1_000_000).optional(),
});

export function toAlertQuery(q: z.output<typeof alertQuerySchema>): AlertQuery {
  return {
    status: q.status,
    kind: q.kind ? q.kind.split(',').filter(Boolean) : undefined,
    entity: q.entity,
    incident: q.incident,
    minSeverity: q.minSeverity,
    since: q.since,
    until: q.until,
    text: q.q,
    sort: q.sort,
    order: q.order,
    limit: q.limit,
    offset: q.offset,
  };
}

const alertRow = z
  .object({
    id: z.string(),
    ts: z.number(),
    kind: z.string(),
    title: z.string(),
    entity: z.string().nullable(),
    severity: z.number().nullable(),
    status: z.enum(ALERT_STATUSES),
    verdict: z.enum(VERDICTS).nullable(),
    incident: z.string().nullable(),
    created_at: z.number(),
    updated_at: z.number(),
  })
  .openapi('Alert');
const errorBody = z.object({ error: z.string() }).openapi('Error');
const idParam = z.object({
  id: z
    .string()
    .min(1)
    .max(300)
    .openapi({ param: { name: 'id', in: 'path' } }),
});
const json = <T extends z.ZodType>(schema: T, description: string) => ({
  content: { 'application/json': { schema } },
  description,
});

export interface AlertRoutesDeps {
  alerts: AlertStore;
  audit: AuditLog;
  log: EventLog;
}

export function alertRoutes(deps: AlertRoutesDeps) {
  const app = newRouter();
  const { alerts, audit } = deps;

  app.openapi(
    createRoute({
      method: 'get',
      path: '/',
      request: { query: alertQuerySchema },
      responses: {
        200: json(
          z.object({ total: z.number(), alerts: z.array(alertRow) }),
          'Alerts, newest first by default',
        ),
      },
    }),
    async (c) => c.json(await alerts.list(toAlertQuery(c.req.valid('query'))), 200),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/facets',
      request: { query: alertQuerySchema.extend({ field: z.enum(FACET_FIELDS) }) },
      responses: {
        200: json(
          z.array(z.object({ value: z.string().nullable(), count: z.number() })),
          'Counts by field value',
        ),
      },
    }),
    async (c) => {
      const q = c.req.valid('query');
      return c.json(await alerts.facets(q.field, toAlertQuery(q)), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/histogram',
      request: {
        query: alertQuerySchema.extend({
          bucketMs: z.coerce
            .number()
            .int()
            .min(1000)
            .max(31 * 86_400_000)
            .default(3_600_000),
        }),
      },
      responses: {
        200: json(z.array(z.object({ t: z.number(), count: z.number() })), 'Alerts per time bucket'),
      },
    }),
    async (c) => {
      const q = c.req.valid('query');
      return c.json(await alerts.histogram(q.bucketMs, toAlertQuery(q)), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/{id}',
      request: { params: idParam },
      responses: {
        200: json(
          alertRow.extend({
            detail: z.unknown(),
            comments: z.array(z.unknown()),
            history: z.array(z.unknown()),
          }),
          'One alert with its enrichments, reasons, comments and history',
        ),
        404: json(errorBody, 'No such alert'),
      },
    }),
    async (c) => {
      const alert = await alerts.get(c.req.valid('param').id);
      // The detail is free-form JSON from the producer; the schema documents it as unknown.
      return alert ? c.json(alert as never, 200) : notFound(`alert ${c.req.valid('param').id}`);
    },
  );

  app.use('/:id/*', requireRole('analyst'));
  app.openapi(
    createRoute({
      method: 'post',
      path: '/{id}/status',
      request: {
        params: idParam,
        body: {
          content: { 'application/json': { schema: z.object({ status: z.enum(ALERT_STATUSES) }) } },
          required: true,
        },
      },
      responses: { 200: json(alertRow, 'Updated'), 404: json(errorBody, 'No such alert') },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const { status } = c.req.valid('json');
      const p = c.get('principal');
      const row = await alerts.setStatus(id, status, p.name);
      if (!row) return notFound(`alert ${id}`);
      await audit.record(p, 'alert.status', id, { status });
      return c.json(row, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/{id}/verdict',
      request: {
        params: idParam,
        body: {
          content: { 'application/json': { schema: z.object({ verdict: z.enum(VERDICTS).nullable() }) } },
          required: true,
        },
      },
      responses: {
        200: json(alertRow, 'Updated; the verdict is also appended to the verdicts topic as a label'),
        404: json(errorBody, 'No such alert'),
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const { verdict } = c.req.valid('json');
      const p = c.get('principal');
      const row = await alerts.setVerdict(id, verdict, p.name);
      if (!row) return notFound(`alert ${id}`);
      await deps.log.ensureTopic(VERDICTS_TOPIC);
      await deps.log.append(VERDICTS_TOPIC, [
        {
          key: id,
          value: JSON.stringify({
            alert_id: id,
            entity: row.entity,
            kind: row.kind,
            title: row.title,
            ts: row.ts,
            verdict,
            by: p.name,
            at: new Date().toISOString(),
          }),
        },
      ]);
      await audit.record(p, 'alert.verdict', id, { verdict });
      return c.json(row, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/{id}/comments',
      request: {
        params: idParam,
        body: {
          content: { 'application/json': { schema: z.object({ text: z.string().min(1).max(10_000) }) } },
          required: true,
        },
      },
      responses: {
        200: json(z.object({ at: z.number(), who: z.string(), text: z.string() }), 'The comment'),
        404: json(errorBody, 'No such alert'),
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const comment = await alerts.comment(id, c.get('principal').name, c.req.valid('json').text);
      return comment ? c.json(comment, 200) : notFound(`alert ${id}`);
    },
  );

  return app;
}

export function incidentRoutes(deps: AlertRoutesDeps) {
  const app = newRouter();
  app.use('*', requireRole('analyst'));
  app.openapi(
    createRoute({
      method: 'post',
      path: '/',
      request: {
        body: {
          content: {
            'application/json': {
              schema: z.object({
                name: z.string().min(1).max(200),
                alertIds: z.array(z.string().min(1)).min(1).max(1000),
              }),
            },
          },
          required: true,
        },
      },
      responses: {
        200: json(
          z.object({ incident: z.string(), alertIds: z.array(z.string()) }),
          'Alerts grouped into an incident',
        ),
      },
    }),
    async (c) => {
      const { name, alertIds } = c.req.valid('json');
      const p = c.get('principal');
      const grouped = await deps.alerts.group(alertIds, name, p.name);
      await deps.audit.record(p, 'incident.group', name, { alertIds: grouped });
      return c.json({ incident: name, alertIds: grouped }, 200);
    },
  );
  return app;
}

export function savedSearchRoutes(deps: AlertRoutesDeps) {
  const app = newRouter();
  app.openapi(
    createRoute({
      method: 'get',
      path: '/',
      responses: {
        200: json(
          z.array(z.object({ id: z.string(), name: z.string(), owner: z.string(), query: z.unknown() })),
          'Saved alert searches (kept on the server)',
        ),
      },
    }),
    async (c) => c.json(await deps.alerts.savedSearches(), 200),
  );
  app.openapi(
    createRoute({
      method: 'post',
      path: '/',
      request: {
        body: {
          content: {
            'application/json': {
              schema: z.object({ name: z.string().min(1).max(100), query: alertQuerySchema }),
            },
          },
          required: true,
        },
      },
      responses: { 200: json(z.object({ id: z.string() }), 'Saved') },
    }),
    async (c) => {
      const { name, query } = c.req.valid('json');
      return c.json(await deps.alerts.saveSearch(name, c.get('principal').name, toAlertQuery(query)), 200);
    },
  );
  app.openapi(
    createRoute({
      method: 'delete',
      path: '/{id}',
      request: { params: idParam },
      responses: {
        200: json(z.object({ deleted: z.boolean() }), 'Deleted'),
        404: json(errorBody, 'No such search'),
      },
    }),
    async (c) =>
      (await deps.alerts.deleteSearch(c.req.valid('param').id))
        ? c.json({ deleted: true }, 200)
        : notFound('saved search'),
  );
  return app;
}
