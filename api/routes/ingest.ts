// /api/v1/ingest/{sensor}: POST a batch of raw lines for a configured sensor (text/plain, one line
// each; or JSON {lines: [...]}). They go to the sensor's raw topic exactly as from any other source.
// Analysts and up; rate limited per key; a line over the source limit refuses the whole batch (413).
import { createRoute, z } from '@hono/zod-openapi';
import { HTTPException } from 'hono/http-exception';
import type { EventLog } from '../../ingest/log/types.ts';
import type { SensorRegistry } from '../../ingest/sensors/registry.ts';
import { sourceLines } from '../../ingest/sources/metrics.ts';
import { ingestLines, LineTooLongError } from '../../ingest/sources/raw-lines.ts';
import { newRouter, rateLimit, requireRole } from '../http.ts';

export interface IngestDeps {
  /** The live sensor set: only its sensors accept lines, into their configured raw topics. */
  sensors: Pick<SensorRegistry, 'current'>;
  /** Requests per second per key (default 20), bursts up to `burst` (default 40). */
  rate?: number;
  burst?: number;
  /** Request body limit, bytes (default 16 MiB). */
  maxBodyBytes?: number;
}

export const DEFAULT_INGEST_BODY_BYTES = 16 * 1024 * 1024;

const sensorParam = z.object({
  sensor: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, "a sensor name: letters, digits, '.', '_' or '-'")
    .openapi({ param: { name: 'sensor', in: 'path' }, example: 'zeek-conn' }),
});
const json = <T extends z.ZodType>(schema: T, description: string) => ({
  content: { 'application/json': { schema } },
  description,
});
const linesBody = z.strictObject({ lines: z.array(z.string()).max(1_000_000) });
const errorBody = z.object({ error: z.string() }).openapi('Error');

export function ingestRoutes(deps: { ingest: IngestDeps; log: EventLog }) {
  const app = newRouter();
  app.use('*', requireRole('analyst'));
  app.use('*', rateLimit(deps.ingest.rate ?? 20, deps.ingest.burst ?? 40));

  app.openapi(
    createRoute({
      method: 'post',
      path: '/{sensor}',
      description:
        "Appends raw lines to the sensor's raw topic. Body: text/plain (one line per line) or JSON " +
        '`{"lines": ["...", ...]}`. Blank lines are skipped. Analyst role; rate limited per key.',
      request: {
        params: sensorParam,
        body: {
          required: true,
          content: {
            // Docs only (validated in the handler, which also reads text/plain).
            'application/json': {
              schema: {
                type: 'object',
                required: ['lines'],
                properties: { lines: { type: 'array', items: { type: 'string' } } },
              },
            },
            'text/plain': { schema: { type: 'string' } },
          },
        },
      },
      responses: {
        200: json(
          z.object({ sensor: z.string(), topic: z.string(), accepted: z.number(), skipped: z.number() }),
          'Appended',
        ),
        400: json(errorBody, 'Malformed body'),
        404: json(errorBody, 'No such sensor'),
        413: json(errorBody, 'A line (or the body) is over the size limit; nothing was appended'),
        429: json(errorBody, 'Rate limited'),
      },
    }),
    async (c) => {
      const { sensor } = c.req.valid('param');
      const s = deps.ingest.sensors.current.get(sensor);
      if (!s) throw new HTTPException(404, { message: `no sensor named "${sensor}"` });
      const type = (c.req.header('content-type') ?? '').toLowerCase();
      let lines: string[];
      if (type.includes('json')) {
        const parsed = linesBody.safeParse(await c.req.json());
        if (!parsed.success) {
          const issues = parsed.error.issues.map((i) => ({
            field: i.path.join('.') || '(body)',
            message: i.message,
          }));
          return c.json(
            { error: `invalid body: ${issues.map((i) => `${i.field}: ${i.message}`).join('; ')}`, issues },
            400,
          );
        }
        lines = parsed.data.lines;
      } else if (type.startsWith('text/plain') || type === '') {
        // The newline ending the last line is not a blank line of its own.
        lines = [(await c.req.text()).replace(/\r?\n$/, '')];
      } else {
        return c.json(
          {
            error: `invalid body: content type ${type} is not text/plain or application/json`,
            issues: [{ field: '(body)', message: 'use text/plain or application/json' }],
          },
          400,
        );
      }
      try {
        const r = await ingestLines(deps.log, sensor, lines, {
          rawTopic: s.rawTopic,
          origin: `http:${c.get('principal').keyId}`,
        });
        sourceLines.inc({ type: 'http', sensor }, r.accepted);
        return c.json({ sensor, ...r }, 200);
      } catch (err) {
        if (err instanceof LineTooLongError) return c.json({ error: err.message }, 413);
        throw err;
      }
    },
  );
  return app;
}
