// /api/v1/events: search events on the log by time range, field equality and a CEL filter; count by
// a field for facets. The time range is found with offset-for-timestamp per partition, so a search
// reads only the span it asks for; a cursor continues where a page stopped.
import { createRoute, z } from '@hono/zod-openapi';
import type { EventLog } from '../../ingest/log/types.ts';
import {
  type CompiledExpression,
  compileExpression,
  ExpressionError,
  eventVariables,
} from '../../kernel/expr/index.ts';
import { newRouter } from '../http.ts';

const SEARCHABLE = [
  'events',
  'events.enriched',
  'alerts',
  'scores',
  'features',
  'profiles',
  'errors',
] as const;
const MAX_SCAN = 200_000;

const json = <T extends z.ZodType>(schema: T, description: string) => ({
  content: { 'application/json': { schema } },
  description,
});

const timeParam = z
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

const searchQuery = z.object({
  topic: z.enum(SEARCHABLE).default('events.enriched'),
  since: timeParam,
  until: timeParam,
  filter: z
    .string()
    .max(2000)
    .optional()
    .openapi({ description: 'CEL predicate over the event', example: 'destination.port == 22' }),
  field: z.string().max(2000).optional().openapi({
    description: 'field=value pairs joined by ";" (dotted ECS names)',
    example: 'source.ip=10.0.0.5;network.transport=tcp',
  }),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  cursor: z
    .string()
    .max(10_000)
    .optional()
    .openapi({ description: 'from a previous page: partition offsets to resume at' }),
});

function getPath(obj: unknown, path: string): unknown {
  let v = obj;
  for (const part of path.split('.')) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[part];
  }
  return v;
}

type Matcher = (event: Record<string, unknown>, ts: number) => boolean;

function matcher(filter: string | undefined, fields: string | undefined): Matcher | { error: string } {
  let expr: CompiledExpression | null = null;
  if (filter) {
    try {
      expr = compileExpression(filter, { expect: 'bool' });
    } catch (err) {
      const pos =
        err instanceof ExpressionError && err.position !== undefined ? ` at position ${err.position}` : '';
      return { error: `filter${pos}: ${(err as Error).message}` };
    }
  }
  const pairs: [string, string][] = [];
  for (const part of (fields ?? '').split(';').filter(Boolean)) {
    const eq = part.indexOf('=');
    if (eq <= 0) return { error: `field: '${part}' is not name=value` };
    pairs.push([part.slice(0, eq), part.slice(eq + 1)]);
  }
  return (event, ts) => {
    for (const [name, value] of pairs) if (String(getPath(event, name)) !== value) return false;
    if (!expr) return true;
    try {
      return expr.evaluate(eventVariables(event, ts)) === true;
    } catch {
      return false; // a missing field or a type mismatch is no match
    }
  };
}

type Cursor = Record<string, number>;

async function startPositions(
  log: EventLog,
  topic: string,
  since: number | undefined,
  cursor: Cursor | null,
): Promise<Map<number, number>> {
  const info = await log.describeTopic(topic);
  const positions = new Map<number, number>();
  for (const p of info.partitions) {
    const fromCursor = cursor?.[String(p.partition)];
    if (fromCursor !== undefined)
      positions.set(p.partition, Math.max(p.earliest, Math.min(fromCursor, p.latest)));
    else
      positions.set(
        p.partition,
        since === undefined ? p.earliest : await log.offsetForTimestamp(topic, p.partition, since),
      );
  }
  return positions;
}

type SearchQuery = z.output<typeof searchQuery>;
type SearchResult = { events: unknown[]; scanned: number; cursor: string | null } | { error: string };

/** Searches one topic by time range, fields and CEL; pages with a cursor of partition offsets. */
async function searchTopic(log: EventLog, q: SearchQuery): Promise<SearchResult> {
  const match = matcher(q.filter, q.field);
  if (typeof match !== 'function') return { error: match.error };
  if (!(await log.listTopics()).includes(q.topic)) return { events: [], scanned: 0, cursor: null };
  let cursor: Cursor | null = null;
  if (q.cursor) {
    try {
      cursor = JSON.parse(Buffer.from(q.cursor, 'base64url').toString());
    } catch {
      return { error: 'cursor: not a cursor from this API' };
    }
  }
  const positions = await startPositions(log, q.topic, q.since, cursor);
  const events: unknown[] = [];
  let scanned = 0;
  const done = new Set<number>();
  while (events.length < q.limit && scanned < MAX_SCAN && done.size < positions.size) {
    for (const [partition, offset] of positions) {
      if (done.has(partition)) continue;
      const records = await log.read(q.topic, partition, offset, { maxRecords: 256 });
      if (!records.length) {
        done.add(partition);
        continue;
      }
      for (const r of records) {
        positions.set(partition, r.offset + 1);
        scanned++;
        if (q.until !== undefined && r.timestamp >= q.until) {
          done.add(partition);
          break;
        }
        if (q.since !== undefined && r.timestamp < q.since) continue;
        let event: Record<string, unknown>;
        try {
          event = JSON.parse(r.value.toString());
        } catch {
          continue;
        }
        if (match(event, r.timestamp)) {
          events.push(event);
          if (events.length >= q.limit) break;
        }
      }
      if (events.length >= q.limit) break;
    }
  }
  const more = done.size < positions.size;
  const next = more ? Buffer.from(JSON.stringify(Object.fromEntries(positions))).toString('base64url') : null;
  return { events, scanned, cursor: next };
}

const scoresQuery = z.object({
  entity: z.string().max(300).optional(),
  model: z.string().max(200).optional().openapi({ description: 'model name' }),
  minSeverity: z.coerce.number().min(0).max(100).optional(),
  since: timeParam,
  until: timeParam,
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  cursor: z.string().max(10_000).optional(),
});

/** /api/v1/scores: the scorer's output by entity, model and severity (the scores topic). */
export function scoreRoutes(deps: { log: EventLog }) {
  const app = newRouter();
  app.openapi(
    createRoute({
      method: 'get',
      path: '/',
      request: { query: scoresQuery },
      responses: {
        200: json(
          z.object({ scores: z.array(z.unknown()), scanned: z.number(), cursor: z.string().nullable() }),
          'Scores, oldest first, with a cursor for the next page',
        ),
        400: json(z.object({ error: z.string() }), 'A bad parameter'),
      },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const fields = [q.entity ? `entity=${q.entity}` : '', q.model ? `model.name=${q.model}` : ''].filter(
        Boolean,
      );
      const result = await searchTopic(deps.log, {
        topic: 'scores',
        since: q.since,
        until: q.until,
        field: fields.length ? fields.join(';') : undefined,
        filter: q.minSeverity === undefined ? undefined : `severity >= ${q.minSeverity}`,
        limit: q.limit,
        cursor: q.cursor,
      });
      if ('error' in result) return c.json({ error: result.error }, 400);
      return c.json({ scores: result.events, scanned: result.scanned, cursor: result.cursor }, 200);
    },
  );
  return app;
}

export function eventRoutes(deps: { log: EventLog }) {
  const app = newRouter();
  const { log } = deps;

  app.openapi(
    createRoute({
      method: 'get',
      path: '/',
      request: { query: searchQuery },
      responses: {
        200: json(
          z.object({ events: z.array(z.unknown()), scanned: z.number(), cursor: z.string().nullable() }),
          'Matching events, oldest first, with a cursor for the next page',
        ),
        400: json(z.object({ error: z.string() }), 'A bad filter, named with its position'),
      },
    }),
    async (c) => {
      const result = await searchTopic(log, c.req.valid('query'));
      return 'error' in result ? c.json({ error: result.error }, 400) : c.json(result, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/count',
      request: {
        query: searchQuery.extend({
          by: z.string().min(1).max(200).openapi({ example: 'destination.port' }),
          top: z.coerce.number().int().min(1).max(200).default(20),
        }),
      },
      responses: {
        200: json(
          z.object({
            counts: z.array(z.object({ value: z.string(), count: z.number() })),
            scanned: z.number(),
          }),
          'Counts by field value (facets)',
        ),
        400: json(z.object({ error: z.string() }), 'A bad filter'),
      },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const match = matcher(q.filter, q.field);
      if (typeof match !== 'function') return c.json({ error: match.error }, 400);
      const counts = new Map<string, number>();
      let scanned = 0;
      if ((await log.listTopics()).includes(q.topic)) {
        const positions = await startPositions(log, q.topic, q.since, null);
        for (const [partition, start] of positions) {
          let offset = start;
          while (scanned < MAX_SCAN) {
            const records = await log.read(q.topic, partition, offset, { maxRecords: 5000 });
            if (!records.length) break;
            let stop = false;
            for (const r of records) {
              offset = r.offset + 1;
              scanned++;
              if (q.until !== undefined && r.timestamp >= q.until) {
                stop = true;
                break;
              }
              if (q.since !== undefined && r.timestamp < q.since) continue;
              let event: Record<string, unknown>;
              try {
                event = JSON.parse(r.value.toString());
              } catch {
                continue;
              }
              if (!match(event, r.timestamp)) continue;
              const v = getPath(event, q.by);
              const key =
                v === undefined ? '(missing)' : typeof v === 'object' ? JSON.stringify(v) : String(v);
              counts.set(key, (counts.get(key) ?? 0) + 1);
            }
            if (stop) break;
          }
        }
      }
      const sorted = [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, q.top);
      return c.json({ counts: sorted.map(([value, count]) => ({ value, count })), scanned }, 200);
    },
  );
  return app;
}
