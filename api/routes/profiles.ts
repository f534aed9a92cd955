// /api/v1/profiles: the profiler's closed windows from its DuckDB store — which profiles and entities
// exist, and the last N periods of a profile for an entity (oldest first).
import { createRoute, z } from '@hono/zod-openapi';
import { HTTPException } from 'hono/http-exception';
import type { ProfileStore } from '../../features/profile-store.ts';
import { newRouter } from '../http.ts';

export interface ProfilesDeps {
  store: Pick<ProfileStore, 'query' | 'entities'>;
  /** Names of the configured profiles (from the live profiles config). */
  names: () => string[];
}

const nameSchema = z
  .string()
  .min(1)
  .max(200)
  .refine((v) => !/[/\\]/.test(v) && ![...v].some((ch) => ch.charCodeAt(0) < 32), {
    message: 'no slashes or control characters',
  });
const json = <T extends z.ZodType>(schema: T, description: string) => ({
  content: { 'application/json': { schema } },
  description,
});
const errorBody = z.object({ error: z.string() }).openapi('Error');
const periodRow = z
  .object({ start: z.number(), end: z.number(), value: z.number().nullable(), record: z.unknown() })
  .openapi('ProfilePeriod');

export function profileRoutes(deps: { profiles: ProfilesDeps }) {
  const app = newRouter();
  const { store, names } = deps.profiles;
  const known = (name: string) => {
    if (!names().includes(name)) throw new HTTPException(404, { message: `no profile named "${name}"` });
  };

  app.openapi(
    createRoute({
      method: 'get',
      path: '/',
      responses: { 200: json(z.array(z.string()), 'The configured profiles') },
    }),
    (c) => c.json(names(), 200),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/{name}',
      request: {
        params: z.object({ name: nameSchema.openapi({ param: { name: 'name', in: 'path' } }) }),
        query: z.object({ limit: z.coerce.number().int().min(1).max(10_000).default(1000) }),
      },
      responses: {
        200: json(
          z.object({ profile: z.string(), entities: z.array(z.string()) }),
          'Entities with stored periods',
        ),
        404: json(errorBody, 'No such profile'),
      },
    }),
    async (c) => {
      const { name } = c.req.valid('param');
      known(name);
      return c.json({ profile: name, entities: await store.entities(name, c.req.valid('query').limit) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/{name}/{entity}',
      description: 'The last `periods` closed windows of a profile for an entity, oldest first.',
      request: {
        params: z.object({
          name: nameSchema.openapi({ param: { name: 'name', in: 'path' }, example: 'src-conns' }),
          entity: nameSchema.openapi({ param: { name: 'entity', in: 'path' }, example: '10.0.0.5' }),
        }),
        query: z.object({ periods: z.coerce.number().int().min(1).max(10_000).default(24) }),
      },
      responses: {
        200: json(
          z.object({ profile: z.string(), entity: z.string(), periods: z.array(periodRow) }),
          'Periods, oldest first',
        ),
        404: json(errorBody, 'No such profile'),
      },
    }),
    async (c) => {
      const { name, entity } = c.req.valid('param');
      known(name);
      const rows = await store.query(name, entity, { limit: c.req.valid('query').periods });
      return c.json(
        {
          profile: name,
          entity,
          periods: rows.map((r) => ({ start: r.start, end: r.end, value: r.value, record: r.record })),
        },
        200,
      );
    },
  );
  return app;
}
