// GET /api/v1/stream: live alerts and scores as server-sent events, tailing the log from its end.
// Filters: topics (alerts, scores), kind, entity, minSeverity.
import type { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import type { EventLog } from '../../ingest/log/types.ts';
import type { AppEnv } from '../http.ts';

const STREAMABLE = ['alerts', 'scores'] as const;

export function mountStream(app: Hono<AppEnv>, log: EventLog): void {
  app.get('/api/v1/stream', async (c) => {
    const topicsParam = (c.req.query('topics') ?? 'alerts').split(',').filter(Boolean);
    const bad = topicsParam.filter((t) => !(STREAMABLE as readonly string[]).includes(t));
    if (bad.length)
      return c.json(
        { error: `topics: ${bad.join(', ')} cannot be streamed; use ${STREAMABLE.join(', ')}` },
        400,
      );
    const minSeverity =
      c.req.query('minSeverity') === undefined ? undefined : Number(c.req.query('minSeverity'));
    if (minSeverity !== undefined && !Number.isFinite(minSeverity))
      return c.json({ error: 'minSeverity: must be a number' }, 400);
    const kind = c.req.query('kind');
    const entity = c.req.query('entity');
    const keep = (v: Record<string, unknown>) =>
      (minSeverity === undefined || (typeof v.severity === 'number' && v.severity >= minSeverity)) &&
      (kind === undefined || v.kind === kind) &&
      (entity === undefined || v.entity === entity);

    return streamSSE(c, async (stream) => {
      let open = true;
      stream.onAbort(() => {
        open = false;
      });
      const positions: { topic: string; partition: number; offset: number }[] = [];
      for (const topic of topicsParam) {
        await log.ensureTopic(topic);
        const info = await log.describeTopic(topic);
        for (const p of info.partitions) positions.push({ topic, partition: p.partition, offset: p.latest });
      }
      await stream.writeSSE({ event: 'ready', data: JSON.stringify({ topics: topicsParam }) });
      let lastBeat = Date.now();
      while (open) {
        let got = 0;
        for (const pos of positions) {
          const records = await log.read(pos.topic, pos.partition, pos.offset, { maxRecords: 500 });
          for (const r of records) {
            pos.offset = r.offset + 1;
            got++;
            let value: Record<string, unknown>;
            try {
              value = JSON.parse(r.value.toString());
            } catch {
              continue;
            }
            if (keep(value))
              await stream.writeSSE({
                event: pos.topic,
                id: `${pos.topic}:${pos.partition}:${r.offset}`,
                data: JSON.stringify(value),
              });
          }
        }
        if (Date.now() - lastBeat > 15_000) {
          await stream.writeSSE({ event: 'heartbeat', data: String(Date.now()) });
          lastBeat = Date.now();
        }
        if (!got) {
          const first = positions[0];
          if (first)
            await log.read(first.topic, first.partition, first.offset, { maxRecords: 1, maxWaitMs: 1000 });
          else await stream.sleep(1000);
        }
      }
    });
  });
}
