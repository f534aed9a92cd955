// /api/v1 system resources: stages and their counters, topics, API keys (admin), the audit trail.
import { createRoute, z } from '@hono/zod-openapi';
import type { EventLog } from '../../ingest/log/types.ts';
import type { StageRunner } from '../../ingest/pipeline/runner.ts';
import type { AuditLog } from '../audit.ts';
import { type KeyStore, ROLES } from '../auth/keys.ts';
import { newRouter, notFound, requireRole } from '../http.ts';

const json = <T extends z.ZodType>(schema: T, description: string) => ({
  content: { 'application/json': { schema } },
  description,
});

export function systemRoutes(deps: {
  log: EventLog;
  runners: () => StageRunner[];
  keys: KeyStore;
  audit: AuditLog;
}) {
  const app = newRouter();
  app.openapi(
    createRoute({
      method: 'get',
      path: '/stages',
      responses: {
        200: json(
          z.array(
            z.object({
              stage: z.string(),
              recordsIn: z.number(),
              recordsOut: z.number(),
              errors: z.number(),
              batches: z.number(),
              lag: z.number(),
              running: z.boolean(),
            }),
          ),
          'Running stages with their counters and lag',
        ),
      },
    }),
    (c) =>
      c.json(
        deps.runners().map((r) => ({ ...r.stats })),
        200,
      ),
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/topics',
      responses: {
        200: json(
          z.array(
            z.object({
              name: z.string(),
              partitions: z.array(
                z.object({ partition: z.number(), earliest: z.number(), latest: z.number() }),
              ),
            }),
          ),
          'Topics with offsets',
        ),
      },
    }),
    async (c) => {
      const names = await deps.log.listTopics();
      const infos = await Promise.all(names.map((n) => deps.log.describeTopic(n)));
      return c.json(
        infos.map((i) => ({ name: i.name, partitions: i.partitions })),
        200,
      );
    },
  );

  app.use('/keys/*', requireRole('admin'));
  app.use('/keys', requireRole('admin'));
  app.use('/audit', requireRole('admin'));
  app.openapi(
    createRoute({
      method: 'get',
      path: '/keys',
      responses: {
        200: json(
          z.array(z.object({ id: z.string(), name: z.string(), role: z.enum(ROLES), createdAt: z.string() })),
          'API keys (never their secrets)',
        ),
      },
    }),
    (c) => c.json(deps.keys.list(), 200),
  );
  app.openapi(
    createRoute({
      method: 'post',
      path: '/keys',
      request: {
        body: {
          content: {
            'application/json': {
              schema: z.object({ name: z.string().min(1).max(100), role: z.enum(ROLES) }),
            },
          },
          required: true,
        },
      },
      responses: {
        200: json(z.object({ id: z.string(), key: z.string() }), 'The new key; its secret is shown only now'),
      },
    }),
    async (c) => {
      const { name, role } = c.req.valid('json');
      const created = deps.keys.create(name, role);
      await deps.audit.record(c.get('principal'), 'key.create', created.id, { name, role });
      return c.json(created, 200);
    },
  );
  app.openapi(
    createRoute({
      method: 'delete',
      path: '/keys/{id}',
      request: { params: z.object({ id: z.string().min(1).max(64) }) },
      responses: {
        200: json(z.object({ revoked: z.boolean() }), 'Revoked'),
        404: json(z.object({ error: z.string() }), 'No such key'),
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      if (!deps.keys.revoke(id)) return notFound(`key ${id}`);
      await deps.audit.record(c.get('principal'), 'key.revoke', id);
      return c.json({ revoked: true }, 200);
    },
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/audit',
      request: { query: z.object({ limit: z.coerce.number().int().min(1).max(1000).default(100) }) },
      responses: {
        200: json(
          z.array(
            z.object({
              at: z.string(),
              who: z.string(),
              role: z.string(),
              action: z.string(),
              target: z.string(),
              detail: z.unknown(),
            }),
          ),
          'Who changed what, newest first',
        ),
      },
    }),
    async (c) => c.json((await deps.audit.recent(c.req.valid('query').limit)) as never, 200),
  );
  return app;
}
